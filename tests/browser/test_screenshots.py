"""
Pictures of the main pages on a phone (360×800) and a desktop (1280×800), written to
test-artifacts/screenshots/; at phone width nothing may stick out sideways.
"""

import struct

import pytest
from playwright.sync_api import expect

from reviews.models import Comment, Rating

from ..factories import comment, rate
from .a11y import assert_accessible
from .screenshots import save_screenshots

PAGES = {
    "home": "/",
    "browse": "/titles/",
    "title": "/titles/grave-of-the-fireflies/",
    "profile": "/members/reader/",
}


@pytest.fixture
def pictured_site(listed_titles, reader, other_reader):
    """The small catalogue with what members wrote, so every section of every page shows."""
    grave, april = listed_titles
    rate(grave, [5, 5, 4, 3])
    rate(april, [4, 2])
    Rating.objects.rate(reader, grave, 5)
    Rating.objects.rate(reader, april, 3)
    Comment.objects.post(
        reader,
        grave,
        "I watched it once, years ago, and I still cannot hear the word "
        "'fireflies' without thinking of that tin of fruit drops.",
        stance="agree",
    )
    Comment.objects.post(reader, april, "The letter.", is_spoiler=True, stance="disagree")
    comment(grave, "Everyone should see it once. Only once.", user=other_reader)
    return listed_titles


def png_size(path):
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_main_pages_are_pictured_on_a_phone_and_a_desktop(page, sign_in, reader, pictured_site):
    # As a member sees them: the title page with its rating and comment forms, the
    # profile with the owner's own links.
    sign_in(page, reader)
    for name, url in PAGES.items():
        phone, desktop = save_screenshots(page, url, name)

        assert phone.name == f"{name}-360x800.png"
        width, height = png_size(phone)
        assert width == 360 and height >= 800
        width, height = png_size(desktop)
        assert width == 1280 and height >= 800


def test_pages_fit_a_phone_screen_without_sideways_scrolling(page, pictured_site):
    page.set_viewport_size({"width": 360, "height": 800})
    for url in PAGES.values():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, url
        assert_accessible(page)
