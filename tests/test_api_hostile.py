"""
Requests no client would send to the API: NUL bytes and control characters in paths,
queries, bodies and the token, over-long values. Each gets a problem document, never a
server error, and changes nothing. Run on both databases: PostgreSQL refuses NUL in
text where SQLite does not.
"""

import json

import pytest
from django.test import Client

from api.models import AccessToken

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/titles/%00/",
        "/api/v1/titles/%00/comments/",
        "/api/v1/members/%00/",
        "/api/v1/members/reader%00/ratings/",
        "/api/v1/sources/%00/",
        "/api/v1/titles/?q=%00",
        "/api/v1/titles/?source=%00",
        "/api/v1/titles/?theme=%00&theme=grief",
        "/api/v1/titles/?kind=%00",
        "/api/v1/titles/?sort=%00",
        "/api/v1/titles/?page=%00",
        "/api/v1/titles/?year_min=99999999999999999999999",
        "/api/v1/titles/?tears_min=nan",
        "/api/v1/titles/?q=" + "x" * 5000,
        "/api/v1/%1b[31m/",
        "/api/v1/titles/?seek=%00",
        "/api/v1/titles/?avoid=%00&ending=%00",
        "/api/v1/titles/?service=%00",
        "/api/v1/titles/?quality_min=nan",
        "/api/v1/titles/grave-of-the-fireflies/?spoilers=%00",
        "/api/v1/titles/grave-of-the-fireflies/comments/?order=%00",
        "/api/v1/comments/%00/replies/",
        "/api/v1/comments/99999999999999999999/replies/",
    ],
)
def test_hostile_reads_are_answered_without_a_server_error(listed_titles, reader, path):
    response = Client().get(path)
    assert response.status_code < 500, (path, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "header",
    ["Bearer sadlist_\x00", "Bearer " + "a" * 10_000, "Bearer", "Basic abc", "Bearer sadlist_é"],
)
def test_hostile_tokens_are_refused_plainly(grave, header, unchanged):
    with unchanged():
        response = Client().put(
            "/api/v1/titles/grave-of-the-fireflies/rating/",
            json.dumps({"tears": 3}),
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM


def test_an_impossible_comment_id_is_a_problem(reader, grave, unchanged):
    token = AccessToken.objects.issue(reader, "script", can_write=True)[1]
    with unchanged():
        for pk in ("99999999999999999999", "0"):
            response = Client().delete(
                f"/api/v1/comments/{pk}/", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            assert response.status_code in (404, 422) and response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "body",
    [
        {"body": "nul \x00 inside"},
        {"body": "x" * 5001},
        {"body": "fine", "stance": "too_high", "mention": 2**63},
        {"body": "fine", "mention": -1, "stance": "agree"},
        {"body": ["a", "list"]},
        {"body": "fine", "is_spoiler": "sometimes"},
    ],
)
def test_hostile_comments_change_nothing(reader, grave, body, unchanged):
    token = AccessToken.objects.issue(reader, "script", can_write=True)[1]
    with unchanged():
        response = Client().post(
            "/api/v1/titles/grave-of-the-fireflies/comments/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == PROBLEM and response.json()["errors"]


@pytest.mark.parametrize(
    "extras",
    [
        {"causes": ["nul \x00 inside"]},
        {"causes": ["x" * 5000] * 50},
        {"causes": "war"},
        {"moment": 2**63},
        {"moment": -1},
        {"quality": 2**70},
        {"ending": "\x00"},
        {"ending": ["happy"]},
    ],
)
def test_hostile_rating_extras_change_nothing(reader, grave, extras, unchanged):
    token = AccessToken.objects.issue(reader, "script", can_write=True)[1]
    with unchanged():
        response = Client().put(
            "/api/v1/titles/grave-of-the-fireflies/rating/",
            json.dumps({"tears": 4, **extras}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == PROBLEM and response.json()["errors"]
