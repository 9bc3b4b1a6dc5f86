"""
A member who uses only the keyboard, in a real browser: from the title page, skip to
the content, rate the title with Tab, the arrow keys and Enter, then write a spoiler
comment with Tab, typing, Space and Enter. Every element that takes the focus on the
way shows where the focus is.
"""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Comment, Rating

from ..factories import rate
from .a11y import assert_accessible
from .keyboard import focused, tab_to


def test_a_member_rates_and_comments_with_the_keyboard_only(page, sign_in, reader, listed_titles):
    grave = listed_titles[0]
    rate(grave, [5, 3])
    sign_in(page, reader)
    page.goto(grave.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Grave of the Fireflies")

    # The first Tab shows the skip link. Every stop in the header shows the focus, both
    # ways; back on the skip link, Enter takes the focus past the header.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content" and skip["on_screen"] and skip["outlined"]
    assert skip["ring_contrast"] >= 3, skip
    tab_to(page, lambda element: element["in_main"])
    tab_to(page, lambda element: element["text"] == "Skip to content", key="Shift+Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Into the rating group: the arrows move the choice, Space confirms it.
    now = tab_to(page, lambda element: element["name"] == "tears")
    assert now["value"] == "0", "the group is entered on its first level when none is chosen"
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    now = focused(page)
    assert (now["value"], now["checked"], now["text"]) == ("4", True, "4 — Sobbing")
    tab_to(page, lambda element: element["text"] == "Save my rating")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Saved: 4 — Sobbing.")).to_be_visible()
    expect(page.get_by_text("You rated it 4 — Sobbing.")).to_be_visible()
    assert Rating.objects.get(user=reader, title=grave).tears == 4
    assert_accessible(page)

    # The page came back at the rating; the comment form is the next stop.
    now = tab_to(page, lambda element: element["tag"] == "textarea")
    assert now["text"] == "Your comment:"
    page.keyboard.type("I watched it once. Never again, and I tell everyone to watch it.")
    tab_to(page, lambda element: element["name"] == "is_spoiler")
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    now = tab_to(page, lambda element: element["name"] == "stance")
    assert now["text"] == "No stance", "the group is entered on its chosen answer"
    page.keyboard.press("ArrowUp")
    assert focused(page)["text"] == "Ranked too low"
    tab_to(page, lambda element: element["text"] == "Post my comment")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    mine = page.get_by_role("article", name="Comment by reader")
    expect(mine.get_by_text(re.compile("^Ranked too low"))).to_be_visible()
    expect(mine.get_by_text("rated it 4 — Sobbing")).to_be_visible()
    saved = Comment.objects.get(user=reader, title=grave)
    assert saved.body == "I watched it once. Never again, and I tell everyone to watch it."
    assert (saved.is_spoiler, saved.stance) == (True, "too_low")

    # The spoiler opens from the keyboard too.
    tab_to(page, lambda element: element["text"] == "Contains spoilers — show the comment")
    page.keyboard.press("Enter")
    expect(mine.get_by_text("I watched it once.")).to_be_visible()


@pytest.mark.urls("tests.broken_page_urls")
def test_a_focus_nobody_can_see_fails_the_keyboard_check(page):
    page.goto("/broken/")
    with pytest.raises(AssertionError, match="no visible focus on .*No focus ring"):
        tab_to(page, lambda element: element["text"] == "No focus ring")
