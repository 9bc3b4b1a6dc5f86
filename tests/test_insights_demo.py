"""seed_demo tells more with its ratings: plausible shares, the same for a seed, counted exactly."""

import io

import pytest
from django.core.management import call_command

from catalogue.models import Title
from reviews.models import Rating, RatingCause, TitleInsights
from reviews.stats import recount_all

from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db


def seed(seed_number, **options):
    out = io.StringIO()
    call_command(
        "seed_demo", titles=20, members=60, ratings=1500, comments=0, seed=seed_number,
        stdout=out, stderr=io.StringIO(), **options,
    )  # fmt: skip
    return out.getvalue()


def told():
    return sorted(
        RatingCause.objects.values_list(
            "rating__user__username", "rating__title__slug", "cause__slug"
        )
    )


def extras():
    return list(
        Rating.objects.order_by("user__username", "title__slug").values_list(
            "user__username", "title__slug", "tears", "moment", "quality", "ending"
        )
    )


def test_demo_ratings_tell_more_in_plausible_shares(catalogue):
    seed_causes()
    seed(3)
    ratings = Rating.objects.count()
    share = {
        "causes": RatingCause.objects.values("rating").distinct().count() / ratings,
        "moment": Rating.objects.filter(moment__isnull=False).count() / ratings,
        "quality": Rating.objects.filter(quality__isnull=False).count() / ratings,
        "ending": Rating.objects.filter(ending__isnull=False).count() / ratings,
    }
    # Causes and moments only come with tears, so a little under their draw.
    assert 0.28 < share["causes"] < 0.45
    assert 0.15 < share["moment"] < 0.3
    assert 0.42 < share["quality"] < 0.58
    assert 0.24 < share["ending"] < 0.36
    assert not RatingCause.objects.filter(rating__tears=0).exists()
    assert recount_all() == []
    assert TitleInsights.objects.filter(quality_count__gt=0).count() > 10


def test_the_same_seed_tells_the_same_and_another_seed_does_not(catalogue):
    from .test_seed_demo import remove_demo_data

    seed_causes()
    before = set(Title.objects.values_list("slug", flat=True))
    seed(5)
    first = extras(), told()
    remove_demo_data(before)
    seed(5)
    assert (extras(), told()) == first
    remove_demo_data(before)
    seed(6)
    assert (extras(), told()) != first


def test_without_extras_the_same_seed_gives_the_same_ratings_telling_tears_only(catalogue):
    """What `--without-extras` leaves out is the extras alone: the rest is the same seed."""
    from .test_seed_demo import remove_demo_data

    seed_causes()
    before = set(Title.objects.values_list("slug", flat=True))
    seed(7)
    with_extras = extras()
    remove_demo_data(before)
    said = seed(7, without_extras=True)
    assert "The ratings tell their tears only (--without-extras)." in said
    without = extras()
    assert [row[:3] for row in without] == [row[:3] for row in with_extras]
    assert {row[3:] for row in without} == {(None, None, None)}
    assert any(row[3:] != (None, None, None) for row in with_extras)
    assert not RatingCause.objects.exists()
    assert not TitleInsights.objects.filter(quality_count__gt=0).exists()
    assert recount_all() == []
