"""
Members write through the API with a personal access token: made and revoked on the
account page, shown once, stored hashed; read-only or read-write. Ratings and comments
go through the same forms and model methods as the title page, so the rules, limits
and stats are the same. A token reaches nothing but the API, and only its own member's
data: tested as the owner, another member, a revoked token and no token.
"""

import json
import logging

import pytest
from django.test import Client

from api.models import AccessToken, token_digest
from reviews.models import Comment, Rating, TitleStats

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
RATING = "/api/v1/titles/grave-of-the-fireflies/rating/"
COMMENTS = "/api/v1/titles/grave-of-the-fireflies/comments/"


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def write_token(reader):
    return AccessToken.objects.issue(reader, "my script", can_write=True)[1]


@pytest.fixture
def read_token(reader):
    return AccessToken.objects.issue(reader, "my reader", can_write=False)[1]


@pytest.fixture
def other_token(other_reader):
    return AccessToken.objects.issue(other_reader, "theirs", can_write=True)[1]


def put(client, path, data, token=None):
    return client.put(
        path, json.dumps(data), content_type="application/json", **(bearer(token) if token else {})
    )


def post(client, path, data, token=None):
    return client.post(
        path, json.dumps(data), content_type="application/json", **(bearer(token) if token else {})
    )


# Tokens on the account page


def test_a_member_makes_a_token_and_sees_it_once(reader_client, reader):
    page = reader_client.get("/members/reader/").content.decode()
    assert "Tokens for the API" in page and "You have no tokens." in page
    response = reader_client.post("/account/tokens/", {"name": "tracker", "access": "write"})
    shown = response.content.decode()
    row = AccessToken.objects.get(user=reader)
    token = shown.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert token.startswith("sadlist_")
    assert row.digest == token_digest(token) and token not in row.digest
    assert row.can_write and row.name == "tracker"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    page = reader_client.get("/members/reader/").content.decode()
    assert "tracker" in page and token not in page and row.shown_as in page


def test_a_token_without_a_name_is_refused_and_nothing_saved(reader_client, reader):
    response = reader_client.post("/account/tokens/", {"name": " ", "access": "write"})
    assert response.status_code == 422
    assert "Give the token a name" in response.content.decode()
    assert not AccessToken.objects.exists()


def test_making_a_token_needs_csrf_and_a_post(csrf_client, reader):
    csrf_client.force_login(reader)
    assert csrf_client.post("/account/tokens/", {"name": "x", "access": "read"}).status_code == 403
    assert csrf_client.get("/account/tokens/").status_code == 405
    assert not AccessToken.objects.exists()


def test_a_revoked_token_stops_working_at_once(reader_client, write_token, grave):
    row = AccessToken.objects.get()
    assert Client().get("/api/v1/me/", **bearer(write_token)).status_code == 200
    reader_client.post(f"/account/tokens/{row.pk}/revoke/")
    assert not AccessToken.objects.exists()
    response = put(Client(), RATING, {"tears": 5}, write_token)
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert not Rating.objects.exists()


def test_nobody_revokes_another_members_token(other_client, write_token):
    row = AccessToken.objects.get()
    assert other_client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    assert AccessToken.objects.filter(pk=row.pk).exists()


# Rating with a token


def test_a_member_rates_changes_and_removes_a_rating(write_token, reader, grave):
    api = Client()
    body = put(api, RATING, {"tears": 4}, write_token).json()
    assert body == {
        "title": "grave-of-the-fireflies",
        "tears": 4,
        "tear_level": "Sobbing",
        "causes": [],
        "moment": None,
        "where_it_hit": "",
        "quality": None,
        "ending": None,
        "rating_count": 1,
        "tear_score": body["tear_score"],
    }
    assert put(api, RATING, {"tears": 5}, write_token).json()["tears"] == 5
    assert Rating.objects.get(user=reader, title=grave).tears == 5
    stats = TitleStats.objects.get(title=grave)
    assert (stats.rating_count, stats.tears_5, stats.tears_4) == (1, 1, 0)
    response = api.delete(RATING, **bearer(write_token))
    assert response.status_code == 204
    assert not Rating.objects.exists()
    assert TitleStats.objects.get(title=grave).rating_count == 0


def test_a_bad_rating_is_a_problem_beside_its_field_and_changes_nothing(
    write_token, grave, unchanged
):
    with unchanged():
        response = put(Client(), RATING, {"tears": 9}, write_token)
        assert response.status_code == 422 and response["Content-Type"] == PROBLEM
        assert response.json()["errors"] == [
            {
                "field": "tears",
                "messages": [
                    "A tear rating is a whole number from 0 (Dry eyes) to 5 (Cried a river); "
                    "9 is not one."
                ],
            }
        ]
        response = put(Client(), RATING, {"tears": "lots"}, write_token)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "tears"
        response = Client().put(RATING, "{not json", "application/json", **bearer(write_token))
        assert response.status_code in (400, 422) and response["Content-Type"] == PROBLEM


def test_a_read_only_token_reads_but_cannot_write(read_token, grave, unchanged):
    assert Client().get("/api/v1/me/", **bearer(read_token)).json() == {
        "username": "reader",
        "can_write": False,
    }
    with unchanged():
        response = put(Client(), RATING, {"tears": 5}, read_token)
        assert response.status_code == 403 and response["Content-Type"] == PROBLEM
        assert "read-only" in response.json()["detail"]


def test_no_token_or_a_session_cookie_cannot_write(reader_client, grave, unchanged):
    with unchanged():
        for client in (Client(), reader_client):
            response = put(client, RATING, {"tears": 5})
            assert response.status_code == 401
            assert response["WWW-Authenticate"] == 'Bearer realm="sadlist"'
            assert "Access-Control-Allow-Origin" not in response
        response = put(Client(), RATING, {"tears": 5}, "sadlist_made-up")
        assert response.status_code == 401


def test_a_token_cannot_reach_the_admin(curator, grave):
    token = AccessToken.objects.issue(curator, "staff script", can_write=True)[1]
    response = Client().get("/admin/", **bearer(token))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_token_cannot_delete_another_members_comment(write_token, other_token, grave, reader):
    mine = Comment.objects.post(reader, grave, "Mine.")
    response = Client().delete(f"/api/v1/comments/{mine.pk}/", **bearer(other_token))
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert Comment.objects.filter(pk=mine.pk).exists()
    response = Client().delete(f"/api/v1/comments/{mine.pk}/", **bearer(write_token))
    assert response.status_code == 204
    assert not Comment.objects.exists()
    assert TitleStats.objects.get(title=grave).comment_count == 0


# Comments with a token


def test_a_member_posts_a_comment_counted_at_once(write_token, grave, reader):
    response = post(Client(), COMMENTS, {"body": "I cried.", "is_spoiler": True}, write_token)
    assert response.status_code == 201
    body = response.json()
    assert body["author"] == "reader" and body["body"] == "I cried." and body["is_spoiler"]
    comment = Comment.objects.get()
    assert (comment.user, comment.body, comment.is_spoiler) == (reader, "I cried.", True)
    assert TitleStats.objects.get(title=grave).comment_count == 1
    listed = Client().get(COMMENTS).json()
    assert [entry["id"] for entry in listed["results"]] == [comment.pk]


def test_an_empty_comment_is_refused_with_the_forms_message(write_token, grave, unchanged):
    with unchanged():
        response = post(Client(), COMMENTS, {"body": "   "}, write_token)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "body",
                "messages": ["Write something before posting: a comment cannot be empty."],
            }
        ]


def test_the_comment_limit_holds_through_the_api(write_token, grave, settings):
    settings.COMMENTS_PER_MINUTE = 2
    for number in range(2):
        assert (
            post(Client(), COMMENTS, {"body": f"Number {number}"}, write_token).status_code == 201
        )
    response = post(Client(), COMMENTS, {"body": "One too many"}, write_token)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "in the last minute" in response.json()["detail"]
    assert Comment.objects.count() == 2


def test_writes_past_the_api_limit_get_429(write_token, grave, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_WRITES_PER_MINUTE = 2
    answers = [put(Client(), RATING, {"tears": 3}, write_token) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) >= 1
    cache.clear()


def test_a_token_is_never_logged(write_token, grave, caplog):
    with caplog.at_level(logging.DEBUG):
        put(Client(), RATING, {"tears": 9}, write_token)
        put(Client(), RATING, {"tears": 2}, write_token)
    assert caplog.records and write_token not in caplog.text
    assert token_digest(write_token) not in caplog.text


def test_api_reads_follow_the_freshness_contract(settings, write_token, grave):
    from django.core.cache import cache

    settings.FRESHNESS_SECONDS = 600
    cache.clear()
    path = "/api/v1/titles/grave-of-the-fireflies/"
    assert Client().get(path).json()["rating_count"] == 0
    put(Client(), RATING, {"tears": 5}, write_token)
    # The member's own program sees its write at once; everyone else within the window.
    assert Client().get(path, **bearer(write_token)).json()["rating_count"] == 1
    assert Client().get(path).json()["rating_count"] == 0
    # A curator's change reaches everyone at once.
    grave.name = "Grave of the Fireflies (1988)"
    grave.save()
    fresh = Client().get(path).json()
    assert (fresh["name"], fresh["rating_count"]) == ("Grave of the Fireflies (1988)", 1)
    response = Client().get(path)
    assert "public" not in response.get("Cache-Control", "")
    cache.clear()
