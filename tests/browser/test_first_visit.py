"""
The site as a new visitor meets it, on a phone (390×844) and a desktop (1280×800):
what they look for is in the first screen (a search's first result; a title's name,
score and "Rate it"), the phone's menu folds into one row and works by keyboard, the
answer to a rating or a comment shows where the reader lands, and the dark theme is
as accessible as the light one. Screenshots of each page, both sizes, both themes,
go to test-artifacts/first-visit/.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import Comment, Rating

from ..factories import rate
from .a11y import assert_accessible
from .screenshots import SCREENSHOT_DIR

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
SHOTS_DIR = SCREENSHOT_DIR.parent / "first-visit"


def in_first_screen(page, locator):
    """True when the whole of `locator` is inside the window, the page scrolled as it is."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    window = page.viewport_size
    return 0 <= box["y"] and box["y"] + box["height"] <= window["height"]


def assert_in_view(page, locator, what):
    box = locator.bounding_box()
    assert in_first_screen(page, locator), (
        f"{what} is at {box['y']:.0f}–{box['y'] + box['height']:.0f} px, "
        f"outside the {page.viewport_size['height']} px window"
    )


@pytest.fixture
def rated_catalogue(catalogue):
    """The real catalogue, with ratings on Your Lie in April so it has a score."""
    from catalogue.models import Title

    april = Title.objects.get(slug="your-lie-in-april")
    rate(april, [5, 4, 5, 3, 4, 5])
    return april


@pytest.mark.parametrize("size", SIZES)
def test_a_search_from_the_header_shows_its_first_result_in_the_first_screen(
    page, rated_catalogue, size
):
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    page.get_by_role("search", name="Search the catalogue").get_by_role("searchbox").fill(
        "shigatsu"
    )
    page.keyboard.press("Enter")

    expect(page).to_have_title("“shigatsu” · Browse · Sadlist")
    # The header keeps what was searched, for the next try.
    expect(page.locator("#site-search-q")).to_have_value("shigatsu")
    first = page.locator(".cards .card-name").first
    expect(first).to_have_text("Your Lie in April")
    assert_in_view(page, first, "The first result's name")
    assert_accessible(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_misspelt_search_still_finds_the_title(page, catalogue, size):
    page.set_viewport_size(SIZES[size])
    page.goto("/titles/?q=grave+of+the+firefly")
    first = page.locator(".cards .card-name").first
    expect(first).to_have_text("Grave of the Fireflies")
    assert_in_view(page, first, "The first result's name")


@pytest.mark.parametrize("size", SIZES)
def test_a_title_page_opens_on_its_name_score_and_rate_it(page, rated_catalogue, size):
    page.set_viewport_size(SIZES[size])
    page.goto(rated_catalogue.get_absolute_url())

    assert_in_view(page, page.get_by_role("heading", level=1, name="Your Lie in April"), "The name")
    assert_in_view(page, page.locator(".title-score .score-number"), "The tear score")
    rate_it = page.get_by_role("link", name="Rate it")
    assert_in_view(page, rate_it, "“Rate it”")
    rate_it.click()
    expect(page).to_have_url(f"{rated_catalogue.get_absolute_url()}#your-rating")
    assert_in_view(page, page.get_by_role("heading", name="Your tear rating"), "The rating form")


def test_the_phone_header_is_one_row_and_its_menu_works_by_keyboard(page, catalogue):
    page.set_viewport_size(PHONE)
    page.goto("/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, f"The header is {header['height']:.0f} px tall"
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav).to_be_hidden()

    # Skip link, brand, search box, search button, then the menu.
    for _ in range(5):
        page.keyboard.press("Tab")
    menu = page.get_by_text("Menu", exact=True)
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(main_nav).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page)

    page.keyboard.press("Tab")
    expect(main_nav.get_by_role("link", name="Browse")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # closes it again
    expect(main_nav).to_be_hidden()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Themes")


def test_a_wide_screen_shows_the_links_without_a_menu(page, catalogue):
    page.goto("/")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="The lists")).to_be_visible()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()


@pytest.fixture
def reader_on_the_title(page, sign_in, rated_catalogue, reader, size):
    """`reader`, signed in, on the rated title's page, the window of the given size."""
    sign_in(page, reader)
    page.set_viewport_size(SIZES[size])
    page.goto(rated_catalogue.get_absolute_url())
    return page


@pytest.mark.parametrize("size", SIZES)
def test_the_confirmation_of_a_rating_shows_where_the_reader_lands(
    reader_on_the_title, reader, size
):
    page = reader_on_the_title
    page.get_by_role("link", name="Rate it").click()
    page.get_by_label("4 — Sobbing").check()
    page.get_by_role("button", name="Save my rating").click()

    confirmation = page.get_by_role("status").filter(has_text="Saved: 4 — Sobbing.")
    assert_in_view(page, confirmation, "The confirmation")
    assert_in_view(page, page.get_by_role("heading", name="Your tear rating"), "The rating form")
    assert Rating.objects.get(user=reader).tears == 4
    assert_accessible(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_confirmation_of_a_comment_shows_beside_the_new_comment(
    reader_on_the_title, rated_catalogue, reader, size
):
    page = reader_on_the_title
    page.get_by_label("Your comment").fill("The last letter undid me.")
    page.get_by_role("button", name="Post my comment").click()

    posted = Comment.objects.get(user=reader)
    expect(page).to_have_url(f"{rated_catalogue.get_absolute_url()}#comment-{posted.pk}")
    confirmation = page.get_by_role("status").filter(has_text="Your comment is posted.")
    assert_in_view(page, confirmation, "The confirmation")
    assert_in_view(page, page.locator(f"#comment-{posted.pk}"), "The new comment")
    assert_accessible(page)


PAGES = {
    "home": "/",
    "browse-search": "/titles/?q=shigatsu",
    "title": "/titles/your-lie-in-april/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_first_page_is_accessible_in_both_themes_and_pictured(page, rated_catalogue, scheme):
    page.emulate_media(color_scheme=scheme)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for name, url in PAGES.items():
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.goto(url)
            assert_accessible(page)
            page.screenshot(path=SHOTS_DIR / f"{name}-{size}-{scheme}.png")
    # The phone's open menu, in this theme too.
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_text("Menu", exact=True).click()
    assert_accessible(page)
    page.screenshot(path=SHOTS_DIR / f"menu-phone-{scheme}.png")


def test_the_dark_theme_really_is_dark(page, catalogue):
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(part) for part in background[4:-1].split(", ")[:3])
    assert max(red, green, blue) < 64, f"The page's background is {background}"
