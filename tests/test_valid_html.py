"""
Every public page template is valid HTML: rendered through the test client with the
real catalogue, ratings and comments, seen by a visitor and by a member, in its
normal state and with its error messages, and checked by the Nu HTML Checker with
zero errors. One vnu run checks them all (the JVM is slow to start).
"""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from catalogue.models import Title
from reviews.models import Comment, Rating, Report, WatchlistEntry

from .check_tools import VNU_INSTALL_HINT, missing_vnu_tools, require
from .community_pages import community_pages
from .factories import comment, make_members, make_theme, rate
from .html_validation import assert_valid_html

pytestmark = pytest.mark.django_db

GRAVE = "/titles/grave-of-the-fireflies/"


@pytest.fixture
def vnu():
    require(missing_vnu_tools(), VNU_INSTALL_HINT)


def html_of(response, shows, status=200):
    """The HTML of `response`, after checking it is the page we mean."""
    html = response.content.decode()
    assert response.status_code == status, (response.request["PATH_INFO"], response.status_code)
    assert shows in html, f"{response.request['PATH_INFO']} does not show {shows!r}"
    return html


def busy_catalogue(reader, other_reader):
    """
    The real catalogue with members at work: enough ratings for a settled score and a
    "few ratings yet" one, a second page of comments, spoilers, stances, links, an
    edited comment, a hidden one and a report; the reader's own rating and comments.
    """
    grave = Title.objects.get(slug="grave-of-the-fireflies")
    april = Title.objects.get(slug="your-lie-in-april")
    rate(grave, [5, 5, 4, 5, 3, 2])
    rate(april, [4])
    Rating.objects.rate(reader, grave, 5)
    Rating.objects.rate(reader, april, 3)
    members = make_members(21)
    for number, member in enumerate(members):
        comment(
            grave,
            f"Comment {number}: it hurt.",
            user=member,
            stance=["agree", "disagree", "none"][number % 3],
        )
    mine = Comment.objects.post(
        reader,
        grave,
        "Seita and the tin of drops.\n\nSee https://example.org/essay.",
        is_spoiler=True,
        stance="disagree",
    )
    mine.edit(
        "Seita and the tin of drops.\n\nSee https://example.org/essay, then cry.",
        is_spoiler=True,
        stance="disagree",
    )
    Comment.objects.post(reader, april, "<b>Kousei</b> & Kaori & a violin.").hide()
    theirs = Comment.objects.post(other_reader, grave, "The ending <3", is_spoiler=True)
    Report.objects.create(comment=theirs, reporter=members[0], reason="spoiler")
    make_theme("Music boxes", slug="music-boxes")
    tell_more_about(grave, reader)
    return mine, theirs


def tell_more_about(title, reader):
    """Extras from enough members that every insight shows, the spoiling ones too."""
    from reviews.insights import rate_telling_more

    from .test_insights_ratings import seed_causes

    causes = seed_causes()
    named = [causes["the-death-of-a-child"].pk, causes["war"].pk, causes["farewells"].pk]
    for member in [reader, *make_members(4)]:
        rate_telling_more(member, title, 5, named, moment=9, quality=5, ending="devastating")


def visitor_pages(client):
    pages = {
        "home": html_of(client.get("/"), "Newest comments"),
        "browse": html_of(client.get("/titles/"), "31 titles"),
        "browse, page 2": html_of(client.get("/titles/?page=2"), "page 2 of 2"),
        "browse, filtered and sorted": html_of(
            client.get(
                "/titles/?q=kimi&kind=movie&theme=first-love&theme=time&year_min=2000"
                "&tears_min=0&source=sad-anime-21-stories&sort=rated"
            ),
            "Showing only:",
        ),
        "browse, values it could not use": html_of(
            client.get(
                "/titles/?kind=opera&theme=nope&year_min=abc&year_max=1&page=9&sort=drop&q=%00x"
            ),
            "We could not use all of your request",
        ),
        "browse, no results": html_of(
            client.get("/titles/?q=no-such-anime&kind=movie"), "Nothing matches"
        ),
        "title page": html_of(client.get(GRAVE), "Contains spoilers"),
        "title page, comments page 2": html_of(client.get(f"{GRAVE}?comments=2"), "Page 2 of 2"),
        "title page, few ratings": html_of(
            client.get("/titles/your-lie-in-april/"), "Few ratings yet"
        ),
        "title page, not rated": html_of(client.get("/titles/paprika/"), "Nobody has rated"),
        "browse, by causes, ending and quality": html_of(
            client.get("/titles/?avoid=war&seek=farewells&ending=devastating&quality_min=2"),
            "Showing only:",
        ),
        "tears against quality": html_of(
            client.get("/tears-against-quality/?sort=quality"), "Worth every tear"
        ),
        "tears against quality, a theme": html_of(
            client.get("/tears-against-quality/?theme=grief"), "Tears against quality: Grief"
        ),
        "themes": html_of(client.get("/themes/"), "Music boxes"),
        "theme page": html_of(client.get("/themes/grief/"), "Filter and sort these titles"),
        "theme page without titles": html_of(client.get("/themes/music-boxes/"), "No published"),
        "the lists": html_of(client.get("/lists/"), "The lists against the community"),
        "profile, as a visitor": html_of(client.get("/members/reader/"), "Cry history"),
        "page not found": html_of(client.get("/titles/no-such-anime/"), "Page not found", 404),
        "server error": render_to_string("500.html"),
        "database unavailable": render_to_string("503.html"),
        "sign in": html_of(client.get(f"/account/signin/?next={GRAVE}"), "Forgot your password"),
        "sign in, wrong password": html_of(
            client.post("/account/signin/", {"username": "reader", "password": "nope"}),
            "Please enter a correct username and password",
        ),
        "sign up": html_of(client.get(f"/account/signup/?next={GRAVE}"), "Create my account"),
        "sign up, with errors": html_of(
            client.post(
                "/account/signup/",
                {
                    "username": "reader",
                    "email": "not-an-email",
                    "password1": "short",
                    "password2": "other",
                },
            ),
            "That username, or one that looks the same, is taken.",
        ),
        "password reset": html_of(client.get("/account/password/reset/"), "Send me a reset link"),
        "password reset, sent": html_of(
            client.post("/account/password/reset/", {"email": "reader@example.com"}, follow=True),
            "Check your email",
        ),
        "password reset, link expired": html_of(
            client.get("/account/password/reset/MQ/wrong-token/"), "This link no longer works"
        ),
        "password reset, done": html_of(
            client.get("/account/password/reset/done/"), "Your password is reset"
        ),
        "the API's documentation": html_of(client.get("/api/"), "The Sadlist API"),
    }
    locked_out = Client()
    for _ in range(5):
        response = locked_out.post("/account/signin/", {"username": "reader", "password": "x"})
    pages["sign in, locked out"] = html_of(response, "Too many sign-in attempts", 429)
    return pages


IMPORTED_LIST = (
    b"<myanimelist><anime><series_title>Grave of the Fireflies</series_title></anime>"
    b"<anime><series_title>Not Ours</series_title></anime></myanimelist>"
)


def member_pages(member_client, reader, mine, theirs):
    uid = urlsafe_base64_encode(force_bytes(reader.pk))
    token = default_token_generator.make_token(reader)
    edit, delete = f"/comments/{mine.pk}/edit/", f"/comments/{mine.pk}/delete/"
    report = f"/comments/{theirs.pk}/report/"
    WatchlistEntry.objects.add(reader, Title.objects.get(slug="paprika"))
    return {
        "password reset, choosing a new one": html_of(
            Client().get(f"/account/password/reset/{uid}/{token}/", follow=True),
            "Choose a new password",
        ),
        "title page, a member's own view": html_of(member_client.get(GRAVE), "You rated it"),
        "home, a member's list buttons": html_of(member_client.get("/"), "to your list"),
        "browse, a member's own titles": html_of(
            member_client.get("/titles/?not_rated_by_me=1&on_my_list=yes&q=paprika"),
            "from your list",
        ),
        "rating form, with errors": html_of(
            member_client.post(
                f"{GRAVE}rate/", {"tell_more": "1", "tears": "0", "moment": "11", "quality": "9"}
            ),
            "Your rating is not saved yet",
        ),
        "profile, as its owner": html_of(
            member_client.get("/members/reader/"), "Hidden by a moderator"
        ),
        "comment form, with errors": html_of(
            member_client.post(f"{GRAVE}comments/", {"body": " ", "stance": "maybe"}),
            "Your comment is not posted yet",
        ),
        "comment edit": html_of(member_client.get(edit), "Save my changes"),
        "comment edit, with errors": html_of(
            member_client.post(edit, {"body": "x" * 5001, "stance": "none"}),
            "A comment can be at most 5,000 characters long",
        ),
        "comment delete": html_of(member_client.get(delete), "Deleting cannot be undone."),
        "comment report": html_of(member_client.get(report), "Send my report"),
        "comment report, with errors": html_of(
            member_client.post(report, {"reason": "other", "text": ""}),
            "Say what is wrong when you choose",
        ),
        "password change": html_of(member_client.get("/account/password/"), "Change my password"),
        "password change, with errors": html_of(
            member_client.post("/account/password/", {"old_password": "no"}),
            "Your old password was entered incorrectly.",
        ),
        "password change, done": html_of(
            member_client.get("/account/password/changed/"), "Password changed"
        ),
        "delete account": html_of(member_client.get("/account/delete/"), "Delete my account"),
        "email address": html_of(member_client.get("/account/email/"), "Save my email address"),
        "email address, with errors": html_of(
            member_client.post("/account/email/", {"email": "not an address", "password": ""}),
            "Enter your password to confirm.",
        ),
        "title page, after rating (with a message)": html_of(
            member_client.post(f"{GRAVE}rate/", {"tears": "4"}, follow=True),
            "Saved: 4 — Sobbing.",
        ),
        "API token, made": html_of(
            member_client.post("/account/tokens/", {"name": "script", "access": "read"}),
            "Copy it now",
        ),
        "API token, with errors": html_of(
            member_client.post("/account/tokens/", {"name": "", "access": "all"}),
            "not made yet",
            422,
        ),
        "profile, as its owner with a token": html_of(
            member_client.get("/members/reader/"), "Revoke “script”"
        ),
        "import, done": html_of(
            member_client.post(
                "/account/import/",
                {"list_file": SimpleUploadedFile("list.xml", IMPORTED_LIST)},
            ),
            "Not in our catalogue",
        ),
        "import, refused": html_of(
            member_client.post(
                "/account/import/", {"list_file": SimpleUploadedFile("list.xml", b"<broken")}
            ),
            "Nothing was imported",
            422,
        ),
        "delete account, wrong password": html_of(
            member_client.post("/account/delete/", {"password": "no"}),
            "That is not your password; nothing was deleted.",
        ),
    }


def test_every_public_page_is_valid_html(vnu, client, request, reader, other_reader):
    # The empty site first, then the same pages full: one vnu run checks both.
    pages = {
        "home, empty catalogue": html_of(client.get("/"), "catalogue is empty"),
        "browse, empty catalogue": html_of(client.get("/titles/"), "catalogue is empty"),
        "themes, none yet": html_of(client.get("/themes/"), "No themes yet"),
        "the lists, empty": html_of(client.get("/lists/"), "The lists against the community"),
        "profile, nothing yet": html_of(client.get("/members/reader/"), "No ratings yet"),
    }
    request.getfixturevalue("catalogue")
    mine, theirs = busy_catalogue(reader, other_reader)
    pages |= visitor_pages(client)
    member_client = Client()
    member_client.force_login(reader)
    pages |= member_pages(member_client, reader, mine, theirs)
    pages |= community_pages(html_of, member_client, reader, other_reader, theirs)
    assert_valid_html(pages)


@pytest.mark.urls("tests.broken_page_urls")
def test_the_checker_reports_a_broken_page(vnu, client):
    html = html_of(client.get("/broken/"), "A broken page")
    with pytest.raises(AssertionError) as failure:
        assert_valid_html({"broken page": html})
    report = str(failure.value)
    assert "broken page:" in report
    assert "An “img” element must have an “alt” attribute" in report
    assert "Duplicate ID “broken”" in report
    assert "Unclosed element “div”" in report
    assert '<p id="broken">The same id again.</p>' in report  # the offending source line
