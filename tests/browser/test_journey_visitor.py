"""
A visitor's journey through the real catalogue, in a real browser: from home to
browse, filter by kind and a theme, sort, search by a romaji name, page through the
results, open a title, come back with the back button and find the same results.
Every kind of page on the way passes axe.
"""

import re

from playwright.sync_api import expect

from .a11y import assert_accessible


def card_names(page):
    return page.locator(".results .card-name").all_inner_texts()


def results_heading(page):
    return page.get_by_role("heading", level=2, name=re.compile(r"^\d+ titles?, by "))


def test_a_visitor_browses_filters_sorts_searches_pages_and_comes_back(
    page, live_server, catalogue
):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anime that make people cry")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Browse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browse the catalogue")
    expect(results_heading(page)).to_have_text("31 titles, by tear score · page 1 of 2")
    expect(page.locator(".results .card")).to_have_count(24)
    assert_accessible(page)

    # Filter: movies about first love.
    page.get_by_text("Refine: kind, themes").click()
    page.get_by_label("Movie (15)").check()
    page.get_by_label("First love (14)").check()
    page.get_by_role("button", name="Show titles").first.click()
    expect(page).to_have_url(re.compile(r"/titles/\?.*kind=movie.*&theme=first-love"))
    expect(results_heading(page)).to_have_text("9 titles, by tear score")
    chips = page.get_by_role("list", name="Showing only:")
    expect(chips.get_by_role("link")).to_have_text(
        [re.compile("Kind: Movie"), re.compile("Theme: First love"), "Clear all"]
    )
    expect(page.locator(".results .card-meta")).to_have_text([re.compile(r"^Movie · ")] * 9)

    # Sort: newest first, the filters kept.
    page.get_by_label("Sort by").select_option(label="Year, newest first")
    page.get_by_role("button", name="Show titles").first.click()
    expect(results_heading(page)).to_have_text("9 titles, by year, newest first")
    years = [
        int(meta.rsplit("· ", 1)[1])
        for meta in page.locator(".results .card-meta").all_inner_texts()
    ]
    assert years == sorted(years, reverse=True) and years[0] == 2019, years
    assert card_names(page)[:2] == [
        "Ni no Kuni",
        "Rascal Does Not Dream of a Dreaming Girl",
    ]

    # Search by the original (romaji) name, within the same filters.
    page.get_by_label("Search names").fill("Byousoku")
    page.get_by_role("button", name="Show titles").first.click()
    expect(results_heading(page)).to_have_text("1 title, by year, newest first")
    assert card_names(page) == ["5 Centimeters per Second"]
    expect(page.get_by_label("Search names")).to_have_value("Byousoku")

    # Clear every filter (the sort stays) and page through the whole catalogue.
    page.get_by_role("link", name="Clear all").click()
    expect(results_heading(page)).to_have_text("31 titles, by year, newest first · page 1 of 2")
    first_page = card_names(page)
    page.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(f"{live_server.url}/titles/?sort=year&page=2")
    expect(results_heading(page)).to_have_text("31 titles, by year, newest first · page 2 of 2")
    expect(page.locator(".results .card")).to_have_count(7)
    second_page = card_names(page)
    assert not set(first_page) & set(second_page)
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")

    # Open a title from the second page, then come back to it.
    opened = second_page[3]
    page.get_by_role("link", name=opened).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(opened)
    picture = page.locator(".title-picture")
    expect(picture).to_have_attribute("alt", f"Generated cover for {opened}")
    # The click returns once the page is parsed; the picture may still be on its way.
    page.wait_for_load_state("load")
    assert picture.evaluate("image => image.complete && image.naturalWidth > 0")
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/titles/?sort=year&page=2")
    expect(results_heading(page)).to_have_text("31 titles, by year, newest first · page 2 of 2")
    assert card_names(page) == second_page
