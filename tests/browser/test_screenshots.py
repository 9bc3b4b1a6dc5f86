"""
Pictures of the main pages on a phone (360×800) and a desktop (1280×800), written to
test-artifacts/screenshots/; at phone width nothing may stick out sideways.
"""

import struct

from playwright.sync_api import expect

from .a11y import assert_accessible
from .screenshots import save_screenshots

PAGES = {"home": "/", "title": "/titles/grave-of-the-fireflies/"}


def png_size(path):
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_home_and_a_title_page_are_pictured_on_a_phone_and_a_desktop(page, listed_titles):
    for name, url in PAGES.items():
        phone, desktop = save_screenshots(page, url, name)

        assert phone.name == f"{name}-360x800.png"
        width, height = png_size(phone)
        assert width == 360 and height >= 800
        width, height = png_size(desktop)
        assert width == 1280 and height >= 800


def test_pages_fit_a_phone_screen_without_sideways_scrolling(page, listed_titles):
    page.set_viewport_size({"width": 360, "height": 800})
    for url in PAGES.values():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, url
        assert_accessible(page)
