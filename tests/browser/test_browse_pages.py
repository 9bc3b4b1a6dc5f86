"""
Browse, themes and the lists in a real browser: no axe violation with ratings and
comments on the page, no sideways scrolling on a phone, and filters that work without
JavaScript.
"""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Comment, Rating

from ..factories import make_members
from .a11y import assert_accessible

PAGES = {
    "/titles/": "Browse the catalogue",
    "/titles/?kind=movie&theme=war&year_min=abc&page=0&sort=drop": "Browse the catalogue",
    "/titles/?q=nothing-like-this": "Browse the catalogue",
    "/themes/": "Themes",
    "/lists/": "The lists against the community",
}


@pytest.fixture
def rated_titles(listed_titles):
    """The small catalogue with ratings and comments, so every section shows."""
    members = make_members(5)
    for member, tears in zip(members, [5, 5, 4, 3, 5], strict=True):
        Rating.objects.rate(member, listed_titles[0], tears)
        Rating.objects.rate(member, listed_titles[1], 5 - tears)
    Comment.objects.post(members[0], listed_titles[0], "Wrecked me.", stance="disagree")
    Comment.objects.post(members[1], listed_titles[1], "The ending!", is_spoiler=True)
    return listed_titles


@pytest.mark.parametrize("width", [360, 1280])
def test_browse_themes_and_lists_pass_axe_and_fit_the_screen(page, rated_titles, width):
    page.set_viewport_size({"width": width, "height": 800})
    for url, heading in PAGES.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url


def test_a_signed_in_members_title_page_passes_axe(page, sign_in, reader, rated_titles):
    sign_in(page, reader)
    page.goto("/titles/grave-of-the-fireflies/")
    expect(page.get_by_role("heading", name="Your tear rating")).to_be_visible()
    assert_accessible(page)


def test_filtering_works_without_javascript(browser, live_server, rated_titles):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/titles/")
    page.get_by_text("Refine: kind, themes").click()
    page.get_by_label("Series (1)").check()
    page.get_by_role("button", name="Show titles").first.click()
    expect(page).to_have_url(re.compile(r"/titles/\?.*kind=series"))
    expect(page.locator(".card-name")).to_have_text(["Your Lie in April"])
    page.get_by_role("link", name="Kind: Series").click()
    expect(page.locator(".card-name")).to_have_count(2)
    context.close()
