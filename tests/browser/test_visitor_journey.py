"""
A visitor, in a real browser: from the home page to a title and back, every page
accessible; a picture that fails to load on the way fails the journey.
"""

from playwright.sync_api import expect

from .a11y import assert_accessible


def test_a_visitor_opens_a_title_from_home_and_comes_back(page, live_server, listed_titles):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anime that make people cry")
    assert_accessible(page)

    page.get_by_role("link", name="Grave of the Fireflies").click()

    expect(page).to_have_url(f"{live_server.url}/titles/grave-of-the-fireflies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grave of the Fireflies")
    picture = page.get_by_role("img", name="Generated cover for Grave of the Fireflies")
    expect(picture).to_be_visible()
    assert picture.evaluate("image => image.complete && image.naturalWidth > 0")
    expect(page.locator(".provenance")).to_have_text(
        "#1 movie in Sad Anime: 21 Stories to Make You Cry a River"
    )
    assert_accessible(page)

    page.go_back()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anime that make people cry")
    expect(page.get_by_role("link", name="Your Lie in April")).to_be_visible()


def test_a_picture_that_does_not_load_is_noticed(page, live_server, failed_loads):
    page.goto("/")
    page.set_content('<img src="/media/posters/gone.jpg" alt="A poster that is gone">')
    page.wait_for_load_state("load")

    assert failed_loads == [f"404 {live_server.url}/media/posters/gone.jpg"]
    failed_loads.clear()  # noticed, as it should be: let the page fixture close cleanly
