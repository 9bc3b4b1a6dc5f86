"""
Telling more with a rating, in a real browser: a member rates with every extra, finds
them on the title page inside the closed "may spoil" disclosure, changes them and
removes the rating; a visitor avoids the death of an animal and asks for a bittersweet
ending; the tears-against-quality page links each point to its title. Screenshots of
the title page with the disclosure open and of the chart, at 360 and 1280 wide.
"""

from playwright.sync_api import expect

from reviews.insights import rate_telling_more
from reviews.models import Rating, RatingCause

from ..factories import make_members, make_title
from ..test_insights_ratings import seed_causes
from .a11y import assert_accessible
from .screenshots import SCREENSHOT_DIR, VIEWPORTS


def shelf():
    """Three movies, five raters each: the death of an animal counts only for Hachi."""
    causes = seed_causes()
    animal = causes["the-death-of-an-animal"].pk
    titles = {}
    for name, named, ending, quality in (
        ("Hachi", True, "bittersweet", 4),
        ("Marley", False, "bittersweet", 3),
        ("Bolt", False, "happy", 2),
    ):
        title = make_title(name, slug=name.lower(), runtime_minutes=90)
        for member in make_members(5):
            rate_telling_more(
                member,
                title,
                4,
                [animal] if named else [],
                moment=9,
                ending=ending,
                quality=quality,
            )
        titles[name] = title
    return titles


def open_disclosure_screenshots(page, url, name):
    """Like save_screenshots, with the "may spoil" disclosure opened first."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for viewport in VIEWPORTS.values():
        page.set_viewport_size(viewport)
        page.goto(url)
        page.get_by_text("What makes people cry here (may spoil)").click()
        page.screenshot(
            path=SCREENSHOT_DIR / f"{name}-{viewport['width']}x{viewport['height']}.png",
            full_page=True,
        )


def card_names(page):
    return page.locator(".card-name").all_inner_texts()


def test_a_member_tells_more_changes_it_and_removes_the_rating(page, sign_in, reader):
    titles = shelf()
    hachi = titles["Hachi"]
    sign_in(page, reader)
    page.goto(hachi.get_absolute_url())

    page.get_by_label("4 — Sobbing").check()
    page.get_by_text("Tell more (optional)").click()
    page.get_by_label("The death of an animal").check()
    page.get_by_label("Farewells").check()
    page.get_by_label("Where in the film did it hit hardest?").select_option(
        label="in the last tenth"
    )
    page.locator("#id_quality").get_by_label("Very good").check()
    page.locator("#id_ending").get_by_label("Bittersweet").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save my rating").click()

    expect(page.get_by_text("Saved: 4 — Sobbing.")).to_be_visible()
    rating = Rating.objects.get(user=reader, title=hachi)
    assert (rating.moment, rating.quality, rating.ending) == (10, 4, "bittersweet")
    assert set(rating.causes.values_list("slug", flat=True)) == {
        "the-death-of-an-animal",
        "farewells",
    }
    disclosure = page.locator("details.may-spoil")
    expect(disclosure).not_to_have_attribute("open", "")
    expect(disclosure.get_by_text("The death of an animal")).to_be_hidden()
    disclosure.get_by_text("What makes people cry here (may spoil)").click()
    expect(disclosure.get_by_text("named by 100% of raters (6)")).to_be_visible()
    expect(disclosure.get_by_text("most chose bittersweet")).to_be_visible()
    assert_accessible(page)
    open_disclosure_screenshots(page, hachi.get_absolute_url(), "title-insights")

    # Change: no farewells any more, and a hopeful ending.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(hachi.get_absolute_url())
    page.get_by_text("Tell more (optional)").click()
    expect(page.get_by_label("Farewells")).to_be_checked()
    page.get_by_label("Farewells").uncheck()
    page.locator("#id_ending").get_by_label("Hopeful").check()
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("Saved: 4 — Sobbing.")).to_be_visible()
    rating.refresh_from_db()
    assert rating.ending == "hopeful"
    assert list(rating.causes.values_list("slug", flat=True)) == ["the-death-of-an-animal"]

    page.get_by_role("button", name="Remove my rating").click()
    expect(page.get_by_text("Your rating of Hachi was removed.")).to_be_visible()
    assert not Rating.objects.filter(user=reader).exists()
    assert not RatingCause.objects.filter(rating__user=reader).exists()


def test_a_visitor_avoids_a_cause_and_asks_for_an_ending_then_follows_a_point(page, settings):
    shelf()
    page.goto("/titles/")
    page.get_by_text("Refine:").click()
    page.get_by_label("Avoid titles where many raters named").select_option(
        label="The death of an animal"
    )
    page.get_by_label("Ending most raters chose").select_option(label="Bittersweet")
    page.get_by_role("button", name="Show titles").last.click()
    assert card_names(page) == ["Marley"]
    expect(page.get_by_text("Avoid: The death of an animal")).to_be_visible()
    assert_accessible(page)

    page.goto("/tears-against-quality/")
    expect(page.locator("svg a")).to_have_count(3)
    assert_accessible(page)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for viewport in VIEWPORTS.values():
        page.set_viewport_size(viewport)
        page.goto("/tears-against-quality/")
        page.screenshot(
            path=SCREENSHOT_DIR / f"tears-quality-{viewport['width']}x{viewport['height']}.png",
            full_page=True,
        )
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.locator('svg a[href="/titles/marley/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marley")
