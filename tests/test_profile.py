"""A member's profile: their cry history and comments; their own data to download; leaving."""

import csv
import io
import json

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils import timezone

from reviews.models import Comment, Rating, TearPrior, TitleStats
from reviews.stats import recount_all

from .factories import make_title

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(reader, other_reader, grave):
    """reader rated three titles (Grave last), commented twice; one comment is hidden."""
    marnie = make_title("When Marnie Was There", slug="marnie")
    hidden_title = make_title("Unlisted", slug="unlisted", is_published=False)
    for title, tears, minutes_ago in [(marnie, 3, 30), (hidden_title, 1, 20), (grave, 5, 10)]:
        rating = Rating.objects.rate(reader, title, tears)
        Rating.objects.filter(pk=rating.pk).update(
            updated_at=timezone.now() - timezone.timedelta(minutes=minutes_ago)
        )
    Rating.objects.rate(other_reader, grave, 2)
    Comment.objects.post(reader, grave, '=HYPERLINK("http://x")\nSecond line', stance="agree")
    Comment.objects.post(reader, marnie, "Hokkaido, not France.", is_spoiler=True)
    Comment.objects.post(reader, marnie, "Rude words", stance="disagree").hide()
    Comment.objects.post(other_reader, grave, "Not mine")
    return {"marnie": marnie, "unlisted": hidden_title}


def test_the_cry_history_lists_ratings_newest_first_with_level_names(client, history):
    html = client.get("/members/reader/").content.decode()
    assert "<h1>reader</h1>" in html
    grave_at = html.index("Grave of the Fireflies</a>: <strong>5 — Cried a river</strong>")
    marnie_at = html.index("When Marnie Was There</a>: <strong>3 — A few tears</strong>")
    assert grave_at < marnie_at
    assert "Unlisted" not in html
    assert 'Cry history <span class="count">(2)</span>' in html


def test_the_public_sees_visible_comments_only(client, history):
    html = client.get("/members/reader/").content.decode()
    assert "Hokkaido, not France." in html
    assert "<summary>Contains spoilers — show the comment</summary>" in html
    assert "Rude words" not in html and "Not mine" not in html
    assert "Download everything" not in html and "Delete your account" not in html


def test_the_owner_also_sees_their_hidden_comment_and_their_account_links(reader_client, history):
    html = reader_client.get("/members/reader/").content.decode()
    assert "Rude words" in html
    assert "Hidden by a moderator: only you can see it." in html
    assert 'href="/account/export.json"' in html and 'href="/account/export.csv"' in html
    assert 'href="/account/delete/">Delete your account</a>' in html


def test_an_unknown_or_inactive_member_is_a_404(client, reader):
    assert client.get("/members/nobody/").status_code == 404
    get_user_model().objects.filter(pk=reader.pk).update(is_active=False)
    assert client.get("/members/reader/").status_code == 404


# The profile's queries, whatever the number of ratings and comments: the member, a count
# and a page of ratings with titles, a count and a page of comments with titles, and
# the member's community settings (their watchlist is private).
@pytest.mark.parametrize("rated", [3, 60])
def test_the_profile_costs_the_same_whatever_the_history(
    client, reader, rated, django_assert_num_queries
):
    for n in range(rated):
        title = make_title(slug=f"t{n}")
        Rating.objects.rate(reader, title, n % 6)
        Comment.objects.post(reader, title, f"About {n}")
    with django_assert_num_queries(6):
        html = client.get("/members/reader/").content.decode()
    assert f'Cry history <span class="count">({rated})</span>' in html


def test_the_json_download_holds_all_the_members_own_ratings_and_comments(reader_client, history):
    response = reader_client.get("/account/export.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="sadlist-')
    data = json.loads(response.content)
    assert data["member"] == "reader"
    assert [(r["title_slug"], r["tears"], r["tear_level"]) for r in data["ratings"]] == [
        ("grave-of-the-fireflies", 5, "Cried a river"),
        ("unlisted", 1, "Lump in the throat"),
        ("marnie", 3, "A few tears"),
    ]
    assert sorted(c["body"] for c in data["comments"]) == [
        '=HYPERLINK("http://x")\nSecond line',
        "Hokkaido, not France.",
        "Rude words",
    ]
    hidden = next(c for c in data["comments"] if c["body"] == "Rude words")
    assert hidden["hidden_by_moderator"] is True and hidden["stance"] == "disagree"
    assert "Not mine" not in response.content.decode()


def test_the_csv_download_opens_safely_in_a_spreadsheet(reader_client, history):
    response = reader_client.get("/account/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["record"] for row in rows] == ["rating"] * 3 + ["comment"] * 3
    assert rows[0]["title"] == "Grave of the Fireflies" and rows[0]["tear_level"] == "Cried a river"
    formula = next(row for row in rows if "HYPERLINK" in row["body"])
    assert formula["body"] == '\'=HYPERLINK("http://x")\nSecond line'
    assert "Not mine" not in response.content.decode()


def test_downloads_are_for_the_signed_in_member_only(client, history):
    for url in ("/account/export.json", "/account/export.csv"):
        response = client.get(url)
        assert response.url == f"/account/signin/?next={url}"


def test_the_deletion_page_says_comments_are_deleted(reader_client, history):
    html = reader_client.get("/account/delete/").content.decode()
    assert "removes your 3 ratings" in html
    assert "<strong>deletes</strong> your 3 comments — they are not kept or anonymised" in html
    assert get_user_model().objects.filter(username="reader").exists()


def test_deleting_an_account_takes_its_ratings_out_of_the_stats(
    reader_client, reader, history, grave
):
    response = reader_client.post(
        "/account/delete/", {"password": "a-long-Tearful-passphrase-42"}, follow=True
    )
    assert (
        "Your account is deleted, with your ratings and comments. Goodbye."
        in response.content.decode()
    )
    assert not get_user_model().objects.filter(username="reader").exists()
    assert reader_client.session.get(SESSION_KEY) is None
    assert not Rating.objects.filter(user_id=reader.pk).exists()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Not mine"]
    stats = TitleStats.objects.get(pk=grave.pk)
    assert (stats.rating_count, stats.rating_sum, stats.comment_count) == (1, 2, 1)
    assert TearPrior.site_totals() == (1, 2)
    assert recount_all() == []


def test_a_wrong_password_deletes_nothing(reader_client, history, unchanged):
    with unchanged():
        html = reader_client.post("/account/delete/", {"password": "guess"}).content.decode()
        empty = reader_client.post("/account/delete/", {}).content.decode()
    assert "That is not your password; nothing was deleted." in html
    assert "Enter your password to confirm." in empty


def test_deleting_needs_a_signed_in_member_and_a_csrf_token(
    client, csrf_client, reader, history, unchanged
):
    csrf_client.force_login(reader)
    with unchanged():
        assert (
            client.post("/account/delete/", {"password": "x"}).url
            == "/account/signin/?next=/account/delete/"
        )
        assert (
            csrf_client.post(
                "/account/delete/", {"password": "a-long-Tearful-passphrase-42"}
            ).status_code
            == 403
        )


# The deletion page: the session with the member, and the counts of their ratings and
# comments.
def test_the_deletion_page_costs_three_queries(reader_client, history, django_assert_num_queries):
    with django_assert_num_queries(3):
        html = reader_client.get("/account/delete/").content.decode()
    assert "Delete your account" in html
