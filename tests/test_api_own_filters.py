"""
The titles list's own filters, as on the browse page: "on my list" and "not rated by
me yet" answer the member behind the token, are never shared with anyone else, and
without a token they are refused with a clear problem, not ignored.
"""

import pytest
from django.test import Client

from api.models import AccessToken
from reviews.models import Rating, WatchlistEntry

from .factories import make_title

pytestmark = pytest.mark.django_db

TITLES = "/api/v1/titles/"


@pytest.fixture
def shelf(grave, reader):
    """grave on reader's list and rated by them; two more titles neither."""
    lie = make_title("Your Lie in April", slug="your-lie-in-april", kind="series", episodes=22)
    clannad = make_title("Clannad", slug="clannad", kind="series", episodes=23)
    WatchlistEntry.objects.add(reader, lie)
    Rating.objects.rate(reader, grave, 5)
    return grave, lie, clannad


def slugs(response):
    assert response.status_code == 200, response.content
    return sorted(title["slug"] for title in response.json()["results"])


def with_token(member, query):
    token = AccessToken.objects.issue(member, "read only", can_write=False)[1]
    return Client().get(f"{TITLES}{query}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_on_my_list_answers_the_tokens_member(shelf, reader, other_reader):
    assert slugs(with_token(reader, "?on_my_list=true")) == ["your-lie-in-april"]
    assert slugs(with_token(other_reader, "?on_my_list=true")) == []


def test_not_rated_by_me_leaves_out_what_the_member_rated(shelf, reader, other_reader):
    assert slugs(with_token(reader, "?not_rated_by_me=1")) == ["clannad", "your-lie-in-april"]
    assert slugs(with_token(other_reader, "?not_rated_by_me=1")) == [
        "clannad",
        "grave-of-the-fireflies",
        "your-lie-in-april",
    ]


def test_false_is_the_same_as_not_asking(shelf, reader):
    assert slugs(with_token(reader, "?on_my_list=false")) == slugs(Client().get(TITLES))


def test_a_members_answer_is_not_served_to_the_next_visitor(shelf, reader):
    with_token(reader, "?on_my_list=true")
    response = Client().get(f"{TITLES}?on_my_list=true")
    assert response.status_code == 422
    assert "your-lie-in-april" not in response.content.decode()


@pytest.mark.parametrize("header", [None, "Bearer sl_not-a-real-token", "Basic abc"])
def test_without_a_valid_token_the_filter_is_refused_clearly(shelf, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get(f"{TITLES}?not_rated_by_me=true", **extra)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "Your own filters need your token."
    assert problem["errors"] == [
        {
            "field": "not_rated_by_me",
            "messages": ["Send your token (Authorization: Bearer …) to use this filter."],
        }
    ]


def test_a_value_that_is_not_yes_or_no_is_a_problem(shelf, reader):
    response = with_token(reader, "?on_my_list=perhaps")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "on_my_list"
