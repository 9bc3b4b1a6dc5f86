"""
A member keeps titles to cry at later straight from the lists, in a real browser: the
button on a browse card and on the home chart puts the title on their list and brings
them back to the same page, where the button now offers to take it off. Both pages
pass axe, buttons and all.
"""

from playwright.sync_api import expect

from reviews.models import WatchlistEntry

from .a11y import assert_accessible


def test_a_member_adds_and_removes_titles_from_the_cards(
    page, live_server, sign_in, listed_titles, reader
):
    sign_in(page, reader)
    page.goto("/titles/?sort=name")
    assert_accessible(page)
    page.get_by_role("button", name="Add Grave of the Fireflies to your list").click()
    expect(
        page.get_by_text("Grave of the Fireflies is on your list, to cry at later.")
    ).to_be_visible()
    assert page.url.split("#")[0] == f"{live_server.url}/titles/?sort=name"
    remove = page.get_by_role("button", name="Remove Grave of the Fireflies from your list")
    expect(remove).to_be_visible()
    expect(page.get_by_role("button", name="Add Your Lie in April to your list")).to_be_visible()
    assert_accessible(page)
    assert list(WatchlistEntry.objects.values_list("title__slug", flat=True)) == [
        "grave-of-the-fireflies"
    ]

    page.goto("/")
    page.get_by_role("button", name="Remove Grave of the Fireflies from your list").click()
    expect(page.get_by_text("Grave of the Fireflies is off your list.")).to_be_visible()
    assert page.url.split("#")[0] == f"{live_server.url}/"
    expect(
        page.get_by_role("button", name="Add Grave of the Fireflies to your list")
    ).to_be_visible()
    assert_accessible(page)
    assert not WatchlistEntry.objects.exists()
