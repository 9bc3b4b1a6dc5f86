"""
Every page a visitor or a curator opens has no WCAG 2.1 A/AA violation that axe-core
can find, in the browser, with realistic data; and a broken page proves axe would say so.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import Comment, Rating, Report

from .a11y import assert_accessible, axe_violations

PUBLIC_PAGES = {
    "/": "Anime that make people cry",
    "/titles/grave-of-the-fireflies/": "Grave of the Fireflies",
    "/titles/your-lie-in-april/": "Your Lie in April",
    "/themes/grief/": "Grief",
    "/titles/no-such-anime/": "Page not found",
}


def test_every_public_page_passes_axe(page, listed_titles):
    for url, heading in PUBLIC_PAGES.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)


def test_the_admin_sign_in_page_passes_axe(page):
    page.goto("/admin/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    assert_accessible(page)


def test_a_signed_in_curator_sees_an_accessible_admin(page, sign_in, admin_user):
    sign_in(page, admin_user)
    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue and moderation")
    expect(page.locator("#user-tools")).to_contain_text("Welcome, admin")
    assert_accessible(page)


def test_every_admin_page_a_curator_uses_passes_axe(
    page, sign_in, curator, listed_titles, reader, other_reader
):
    grave = listed_titles[0]
    Rating.objects.rate(reader, grave, 5)
    reported = Comment.objects.post(reader, grave, "Rubbish list.", stance="disagree")
    Report.objects.create(comment=reported, reporter=other_reader, reason="abusive")
    hidden = Comment.objects.post(other_reader, grave, "Spam, spam.")
    Report.objects.create(comment=hidden, reporter=reader, reason="spam")
    hidden.hide()
    theme, source = grave.themes.first(), grave.mentions.get().source
    rating = Rating.objects.get()
    sign_in(page, curator)
    admin_pages = {
        "/admin/catalogue/title/add/": "Add title",
        "/admin/catalogue/title/?kind__exact=movie&q=grave": "Select title to change",
        "/admin/catalogue/theme/": "Select theme to change",
        f"/admin/catalogue/theme/{theme.pk}/change/": "Change theme",
        "/admin/catalogue/source/": "Select source to change",
        f"/admin/catalogue/source/{source.pk}/change/": "Change source",
        "/admin/reviews/reportedcomment/?status=hidden": "Select reported comment to change",
        f"/admin/reviews/reportedcomment/{reported.pk}/change/": "Change reported comment",
        "/admin/reviews/comment/": "Select comment to change",
        f"/admin/reviews/comment/{hidden.pk}/change/": "Change comment",
        "/admin/reviews/rating/": "Select rating to view",
        f"/admin/reviews/rating/{rating.pk}/change/": "View rating",
    }
    for url, heading in admin_pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)

    # A refused save shows its errors accessibly too.
    page.goto("/admin/catalogue/title/add/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    assert_accessible(page)


@pytest.mark.urls("tests.broken_page_urls")
def test_axe_reports_a_picture_without_alt_text(page):
    page.goto("/broken/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A broken page")

    assert "image-alt" in [violation["id"] for violation in axe_violations(page)]
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(page)
