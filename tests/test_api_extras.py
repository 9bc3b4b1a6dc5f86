"""
A member's program tells more with a rating, as the title page's form does: what made
them cry (cause slugs), where it hit, how good it was, how it ends. The same rules and
messages as the page; a bad extra is a problem next to its field and saves nothing;
the member reads their extras back; removing the rating removes them; tears alone
still make a rating and keep what was told before.
"""

import json

import pytest
from django.test import Client

from api.models import AccessToken
from reviews.models import Rating, RatingCause, TitleCauseStats, TitleInsights

from .factories import make_title
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
RATING = "/api/v1/titles/grave-of-the-fireflies/rating/"
SERIES_RATING = "/api/v1/titles/clannad-after-story/rating/"


@pytest.fixture
def causes(db):
    return seed_causes()


@pytest.fixture
def series(db):
    return make_title("Clannad After Story", slug="clannad-after-story", kind="series", episodes=24)


@pytest.fixture
def token(reader):
    return AccessToken.objects.issue(reader, "my script", can_write=True)[1]


def put(data, token):
    return Client().put(
        RATING if "path" not in data else data.pop("path"),
        json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def errors_of(response):
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    return {error["field"]: error["messages"] for error in response.json()["errors"]}


def open_and_spoiler(causes):
    spoiler = next(cause for cause in causes.values() if cause.is_spoiler)
    plain = [cause for cause in causes.values() if not cause.is_spoiler]
    return plain, spoiler


def test_a_member_rates_with_extras_and_reads_them_back(token, reader, grave, causes):
    plain, spoiler = open_and_spoiler(causes)
    sent = {
        "tears": 5,
        "causes": [plain[0].slug, spoiler.slug],
        "moment": 10,
        "quality": 4,
        "ending": "bittersweet",
    }
    body = put(sent, token).json()
    assert body["tears"] == 5 and body["tear_level"] == "Cried a river"
    assert set(body["causes"]) == {plain[0].slug, spoiler.slug}
    assert (body["moment"], body["where_it_hit"]) == (10, "in the last tenth")
    assert (body["quality"], body["ending"]) == (4, "bittersweet")
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.moment, rating.quality, rating.ending) == (10, 4, "bittersweet")
    assert set(rating.cause_links.values_list("cause__slug", flat=True)) == set(sent["causes"])
    insights = TitleInsights.objects.get(pk=grave.pk)
    assert (insights.quality_count, insights.ending_bittersweet, insights.moment_count) == (
        1,
        1,
        1,
    )
    mine = Client().get(RATING, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert mine == body


def test_tears_alone_change_only_the_tears(token, reader, grave, causes):
    plain, _ = open_and_spoiler(causes)
    put({"tears": 4, "causes": [plain[0].slug], "quality": 3}, token)
    body = put({"tears": 3}, token).json()
    assert (body["tears"], body["causes"], body["quality"]) == (3, [plain[0].slug], 3)
    # Extras sent again replace the old ones as a whole.
    body = put({"tears": 3, "ending": "happy"}, token).json()
    assert (body["causes"], body["quality"], body["ending"]) == ([], None, "happy")
    assert not RatingCause.objects.exists()


def test_a_rating_without_extras_reads_back_empty(token, grave):
    body = put({"tears": 2}, token).json()
    assert (body["causes"], body["moment"], body["where_it_hit"]) == ([], None, "")
    assert (body["quality"], body["ending"]) == (None, None)


@pytest.mark.parametrize(
    "sent, field, message",
    [
        (
            {"tears": 4, "quality": 7},
            "quality",
            "How good it was is a whole number from 1 (Weak) to 5 (A masterpiece); 7 is not one.",
        ),
        (
            {"tears": 4, "ending": "twist"},
            "ending",
            "“twist” is not one of the endings; choose devastating, bittersweet, hopeful or happy.",
        ),
        (
            {"tears": 4, "moment": 11},
            "moment",
            "Choose a tenth of the film from 1 (the first) to 10 (the last); 11 is not one.",
        ),
        (
            {"tears": 4, "causes": ["no-such-cause"]},
            "causes",
            "no-such-cause is not one of the causes offered (it may have been retired); "
            "choose from the list.",
        ),
        (
            {"tears": 0, "moment": 3},
            "moment",
            "A rating of 0 tears (Dry eyes) has nothing that made you cry: leave the moment "
            "empty, or choose more tears.",
        ),
        (
            {"tears": 9, "quality": 3},
            "tears",
            "A tear rating is a whole number from 0 (Dry eyes) to 5 (Cried a river); 9 is not one.",
        ),
    ],
)
def test_a_bad_extra_is_refused_beside_its_field_with_the_pages_message(
    token, reader, grave, causes, unchanged, sent, field, message
):
    Rating.objects.rate(reader, grave, 3)
    with unchanged():
        assert errors_of(put(sent, token)) == {field: [message]}


def test_more_than_five_causes_or_a_retired_one_are_refused(token, grave, causes, unchanged):
    slugs = [cause.slug for cause in causes.values()]
    with unchanged():
        errors = errors_of(put({"tears": 5, "causes": slugs[:6]}, token))
        assert errors == {"causes": ["Name at most 5 causes; you chose 6."]}
    retired = causes[slugs[0]]
    retired.is_retired = True
    retired.save()
    with unchanged():
        errors = errors_of(put({"tears": 5, "causes": [retired.slug]}, token))
        assert errors == {
            "causes": [
                f"{retired.slug} is not one of the causes offered (it may have been retired); "
                "choose from the list."
            ]
        }


def test_a_series_moment_is_an_episode(token, series, causes):
    body = put({"path": SERIES_RATING, "tears": 5, "moment": 22}, token).json()
    assert (body["moment"], body["where_it_hit"]) == (22, "episode 22")
    errors = errors_of(put({"path": SERIES_RATING, "tears": 5, "moment": 25}, token))
    assert errors == {"moment": ["Choose an episode from 1 to 24; 25 is not one."]}


def test_removing_the_rating_removes_its_extras_and_their_counts(token, reader, grave, causes):
    plain, _ = open_and_spoiler(causes)
    put({"tears": 5, "causes": [plain[0].slug], "moment": 2, "ending": "happy"}, token)
    response = Client().delete(RATING, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 204
    assert not Rating.objects.exists() and not RatingCause.objects.exists()
    insights = TitleInsights.objects.get(pk=grave.pk)
    assert (insights.ending_count, insights.moment_count) == (0, 0)
    assert not TitleCauseStats.objects.filter(title=grave, rater_count__gt=0).exists()
    response = Client().get(RATING, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM


def test_someone_elses_rating_is_not_theirs_to_read(token, other_reader, grave):
    Rating.objects.rate(other_reader, grave, 5)
    response = Client().get(RATING, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404
    assert response.json()["detail"] == "You have not rated Grave of the Fireflies."
    assert Client().get(RATING).status_code == 401


def test_a_members_own_rating_is_never_shared(token, other_reader, grave, causes, settings):
    from django.core.cache import cache

    settings.FRESHNESS_SECONDS = 600
    cache.clear()
    put({"tears": 5, "ending": "devastating"}, token)
    mine = Client().get(RATING, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert mine.json()["ending"] == "devastating"
    assert "public" not in mine.get("Cache-Control", "")
    theirs = AccessToken.objects.issue(other_reader, "theirs", can_write=False)[1]
    response = Client().get(RATING, HTTP_AUTHORIZATION=f"Bearer {theirs}")
    assert response.status_code == 404 and "devastating" not in response.content.decode()
    cache.clear()


def test_a_series_of_unknown_length_takes_no_moment(token, causes, unchanged):
    make_title("Ongoing", slug="ongoing", kind="series", episodes=None)
    with unchanged():
        errors = errors_of(
            put({"path": "/api/v1/titles/ongoing/rating/", "tears": 4, "moment": 3}, token)
        )
    assert errors == {
        "moment": ["We do not know how many episodes it has, so no moment can be marked."]
    }
    body = put({"path": "/api/v1/titles/ongoing/rating/", "tears": 4, "quality": 2}, token).json()
    assert (body["moment"], body["quality"]) == (None, 2)
