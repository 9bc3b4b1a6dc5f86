"""
Programs writing through the API at the same moment, with real threads and
connections: the stats stay exact and a double submit leaves one rating or comment.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api.models import AccessToken
from reviews.models import Comment, Rating, TitleStats
from reviews.stats import recount_all

from .factories import make_title
from .test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def rate_job(token, slug, tears):
    def job():
        response = Client().put(
            f"/api/v1/titles/{slug}/rating/",
            json.dumps({"tears": tears}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content

    return job


def test_many_members_rating_at_once_through_the_api_keep_exact_stats():
    title = make_title("Clannad After Story", slug="clannad-after-story")
    members = [get_user_model().objects.create_user(f"fan{n}") for n in range(6)]
    tokens = [AccessToken.objects.issue(member, "bot", can_write=True)[1] for member in members]
    run_at_once([rate_job(token, title.slug, n % 6) for n, token in enumerate(tokens)])
    stats = TitleStats.objects.get(title=title)
    assert stats.rating_count == 6 and stats.rating_sum == 15
    assert recount_all() == []  # nothing drifted


def test_a_double_submit_through_the_api_leaves_one_rating_and_one_comment():
    title = make_title("Anohana", slug="anohana")
    member = get_user_model().objects.create_user("twice")
    token = AccessToken.objects.issue(member, "bot", can_write=True)[1]

    def comment_job():
        response = Client().post(
            "/api/v1/titles/anohana/comments/",
            json.dumps({"body": "Menma!"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 201, response.content

    run_at_once([rate_job(token, "anohana", 5), rate_job(token, "anohana", 5)])
    run_at_once([comment_job, comment_job])
    assert Rating.objects.filter(user=member).count() == 1
    assert Comment.objects.filter(user=member).count() == 1
    stats = TitleStats.objects.get(title=title)
    assert (stats.rating_count, stats.comment_count) == (1, 1)


def test_members_telling_more_at_once_through_the_api_keep_exact_insights():
    from reviews.models import RatingCause, TitleInsights

    from .test_insights_ratings import seed_causes

    slugs = ["war", "grief-and-mourning", "the-death-of-a-parent"]
    causes = seed_causes()
    title = make_title("Clannad", slug="clannad", kind="series", episodes=24)
    members = [get_user_model().objects.create_user(f"teller{n}") for n in range(6)]
    tokens = [AccessToken.objects.issue(member, "bot", can_write=True)[1] for member in members]

    def job(token, number):
        def tell():
            response = Client().put(
                "/api/v1/titles/clannad/rating/",
                json.dumps(
                    {
                        "tears": 5,
                        "causes": slugs[: number % 3 + 1],
                        "moment": 18,
                        "ending": "bittersweet",
                    }
                ),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 200, response.content

        return tell

    # Each member twice at once: a double submit among the crowd.
    run_at_once([job(token, n) for n, token in enumerate(tokens)] * 2)
    assert Rating.objects.filter(title=title).count() == 6
    assert RatingCause.objects.filter(cause=causes["war"]).count() == 6
    insights = TitleInsights.objects.get(pk=title.pk)
    assert (insights.ending_bittersweet, insights.moment_count) == (6, 6)
    assert recount_all() == []  # nothing drifted
