"""
The tear score is a stored column: a rating changes only its own title's score, under a
stored prior (the site-wide mean) that is refreshed by a command or when it is due.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalogue.models import ContentVersion
from reviews.models import Rating, TearPrior, TitleStats

from .factories import make_members, make_title, rate

pytestmark = pytest.mark.django_db


def score(title):
    return TitleStats.objects.get(pk=title.pk).tear_score


def test_a_rating_moves_only_its_own_titles_score():
    rated, other = make_title("Rated"), make_title("Other")
    other_before = score(other)
    rate(rated, [5, 5])
    prior = TearPrior.current()
    assert score(rated) == pytest.approx((10 + prior.weight * prior.mean) / (2 + prior.weight))
    assert score(other) == other_before == pytest.approx(prior.mean)


def test_refreshing_the_prior_rescores_every_title_and_reaches_everyone_at_once():
    rated, unrated = make_title("Rated"), make_title("Unrated")
    rate(rated, [5, 5, 2])
    before = ContentVersion.current()
    out = io.StringIO()
    call_command("refresh_tear_prior", stdout=out)
    prior = TearPrior.current()
    assert prior.mean == pytest.approx(4.0) and prior.rating_count == 3
    assert score(unrated) == pytest.approx(4.0)
    assert score(rated) == pytest.approx((12 + 5 * 4.0) / (3 + 5))
    assert ContentVersion.current() > before
    assert "2.5000 → 4.0000" in out.getvalue()


def test_refresh_tear_prior_on_an_empty_database_says_so():
    TitleStats.objects.all().delete()
    out = io.StringIO()
    call_command("refresh_tear_prior", stdout=out)
    assert "No ratings yet" in out.getvalue()
    assert TearPrior.current().mean == TearPrior.DEFAULT_MEAN


@pytest.fixture
def looking(monkeypatch, django_capture_on_commit_callbacks):
    """
    Rate as the site does, with the look at the prior that follows the commit (other
    tests keep the prior still).
    """
    monkeypatch.setattr(TearPrior, "next_look", 0.0)

    def rate_and_commit(title, tears, member=None):
        with django_capture_on_commit_callbacks(execute=True):
            Rating.objects.rate(member or make_members(1)[0], title, tears)

    return rate_and_commit


def test_a_prior_that_drifted_is_refreshed_after_a_rating(looking):
    title = make_title("Grave of the Fireflies")
    looking(title, 5)
    assert TearPrior.current().mean == pytest.approx(5.0), "the mean moved by 2.5"


def test_a_prior_within_the_tolerance_and_young_is_left_alone(looking, settings):
    title = make_title("Grave of the Fireflies")
    TearPrior.objects.update_or_create(pk=1, defaults=dict(mean=4.995, refreshed_at=timezone.now()))
    before = ContentVersion.current()
    looking(title, 5)
    assert TearPrior.current().mean == 4.995
    assert ContentVersion.current() == before, "no refresh, no rebuilt pages"


def test_an_old_prior_is_refreshed_even_within_the_tolerance(looking):
    title = make_title("Grave of the Fireflies")
    an_hour_ago = timezone.now() - timedelta(hours=2)
    TearPrior.objects.update_or_create(pk=1, defaults=dict(mean=4.995, refreshed_at=an_hour_ago))
    looking(title, 5)
    assert TearPrior.current().mean == pytest.approx(5.0)


def test_each_process_looks_at_the_prior_at_most_once_a_minute(looking):
    title = make_title("Grave of the Fireflies")
    member = make_members(1)[0]
    looking(title, 5, member)  # looks, and refreshes
    TearPrior.objects.update_or_create(pk=1, defaults=dict(mean=1.0))
    looking(title, 4, member)
    assert TearPrior.current().mean == 1.0, "not looked at again within the minute"
