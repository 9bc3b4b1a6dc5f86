"""
Curators keep the vocabulary of causes in the admin. A renamed or retired cause reaches
every page at once, even a cached one; a retired cause keeps members' past choices.
"""

import pytest
from django.core.cache import cache
from django.db.models import ProtectedError
from django.test import Client

from reviews.insights import rate_telling_more
from reviews.models import Cause, RatingCause

from .factories import make_members, make_title
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caches_on(settings):
    settings.FRESHNESS_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def cause_form(cause, **changes):
    return {
        "name": cause.name,
        "slug": cause.slug,
        "description": cause.description,
        "order": cause.order,
        **({"is_spoiler": "on"} if cause.is_spoiler else {}),
        **({"is_retired": "on"} if cause.is_retired else {}),
        **changes,
    }


def test_a_curator_renames_and_retires_a_cause_and_every_page_follows_at_once(curator_client):
    war = seed_causes()["war"]
    title = make_title("Fireflies", slug="fireflies")
    for member in make_members(3):
        rate_telling_more(member, title, 5, [war.pk])
    visitor = Client()
    assert "<strong>War</strong>" in visitor.get("/titles/fireflies/").content.decode()

    response = curator_client.post(
        f"/admin/reviews/cause/{war.pk}/change/", cause_form(war, name="War and its ruins")
    )
    assert response.status_code == 302
    assert (
        "<strong>War and its ruins</strong>" in visitor.get("/titles/fireflies/").content.decode()
    )

    war.refresh_from_db()
    curator_client.post(f"/admin/reviews/cause/{war.pk}/change/", cause_form(war, is_retired="on"))
    html = visitor.get("/titles/fireflies/").content.decode()
    assert "War and its ruins" not in html
    assert RatingCause.objects.filter(cause=war).count() == 3
    assert Cause.objects.get(pk=war.pk).is_retired


def test_a_cause_members_named_cannot_be_deleted_only_retired(curator_client):
    war = seed_causes()["war"]
    rate_telling_more(make_members(1)[0], make_title("Named"), 4, [war.pk])
    with pytest.raises(ProtectedError):
        Cause.objects.filter(pk=war.pk).delete()
    assert Cause.objects.filter(pk=war.pk).exists()
