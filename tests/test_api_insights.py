"""
The API's title tells what the ratings' extras add up to, as the title page does: the
causes named (with their share of the raters and how hard those raters cried) and how
good members found it, for anyone; what may spoil (causes marked as spoilers, where it
hit, how it ends) only to a program that asks with spoilers=true. Also the causes
members may name, and browse's insight and service filters on the titles list.
"""

import datetime
import json

import pytest
from django.test import Client

from catalogue.watching import StreamingService, WatchOption
from reviews.insights import rate_telling_more

from .factories import make_members, make_title
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db

TITLE = "/api/v1/titles/clannad-after-story/"


@pytest.fixture
def causes(db):
    return seed_causes()


@pytest.fixture
def clannad(causes):
    """
    A series four raters told more about: a parent's death (a spoiler) named by three,
    grief by two, episode 18 marked by three, episode 9 by one, a bittersweet ending by
    three and a happy one by one, quality 5, 5, 4 and 3.
    """
    series = make_title(
        "Clannad After Story", slug="clannad-after-story", kind="series", episodes=24
    )
    parent, grief = causes["the-death-of-a-parent"], causes["grief-and-mourning"]
    told = [
        (5, [parent.pk, grief.pk], 18, 5, "bittersweet"),
        (5, [parent.pk], 18, 5, "bittersweet"),
        (4, [parent.pk, grief.pk], 18, 4, "bittersweet"),
        (2, [], 9, 3, "happy"),
    ]
    for member, (tears, cause_ids, moment, quality, ending) in zip(
        make_members(4), told, strict=True
    ):
        rate_telling_more(member, series, tears, cause_ids, moment, quality, ending)
    return series


def spoiling_words(causes):
    """Every word of the fixture's that would spoil, as it could appear in an answer."""
    return [
        causes["the-death-of-a-parent"].name,
        "the-death-of-a-parent",
        "episode 18",
        "bittersweet",
        "Bittersweet",
        '"peak"',
        '"position"',
        '"ending":"',
    ]


def test_without_asking_only_what_does_not_spoil_is_shown(clannad, causes):
    response = Client().get(TITLE)
    insights = response.json()["insights"]
    assert insights["spoilers"] is False
    assert [cause["cause"] for cause in insights["causes"]] == ["grief-and-mourning"]
    grief = insights["causes"][0]
    assert (grief["name"], grief["count"], grief["percent"]) == ("Grief and mourning", 2, 50)
    assert grief["is_spoiler"] is False and grief["how_hard"].startswith("most")
    assert insights["quality"]["count"] == 4 and insights["quality"]["mean"] == 4.25
    assert insights["quality"]["distribution"][0] == {
        "level": 5,
        "name": "A masterpiece",
        "count": 2,
        "percent": 50,
    }
    assert insights["endings"] is None and insights["moments"] is None
    text = response.content.decode()
    for word in spoiling_words(causes):
        assert word not in text, word


def test_asking_for_spoilers_shows_causes_moments_and_endings(clannad, causes):
    insights = Client().get(TITLE + "?spoilers=true").json()["insights"]
    assert insights["spoilers"] is True
    assert [(c["cause"], c["count"], c["percent"]) for c in insights["causes"]] == [
        ("the-death-of-a-parent", 3, 75),
        ("grief-and-mourning", 2, 50),
    ]
    assert insights["causes"][0]["is_spoiler"] is True
    assert insights["causes"][0]["how_hard"] == "most of them: Cried a river"
    assert insights["causes"][0]["tears"] == [0, 0, 0, 1, 2]
    endings = insights["endings"]
    assert (endings["count"], endings["leading"]) == (4, "bittersweet")
    assert [(row["ending"], row["count"], row["percent"]) for row in endings["distribution"]] == [
        ("devastating", 0, 0),
        ("bittersweet", 3, 75),
        ("hopeful", 0, 0),
        ("happy", 1, 25),
    ]
    moments = insights["moments"]
    assert moments["marked"] == 4
    assert moments["peak"] == {"position": 18, "name": "episode 18", "count": 3}
    assert len(moments["positions"]) == 24
    assert moments["positions"][8] == {"position": 9, "name": "episode 9", "count": 1}


def test_a_title_nobody_told_more_about_has_empty_insights(grave):
    insights = Client().get("/api/v1/titles/grave-of-the-fireflies/?spoilers=true").json()
    assert insights["insights"]["causes"] == []
    assert insights["insights"]["quality"] == {
        "count": 0,
        "mean": None,
        "distribution": insights["insights"]["quality"]["distribution"],
    }
    assert insights["insights"]["moments"] is None
    assert insights["insights"]["endings"]["leading"] is None


def test_a_retired_cause_leaves_the_answers(clannad, causes):
    grief = causes["grief-and-mourning"]
    grief.is_retired = True
    grief.save()
    insights = Client().get(TITLE).json()["insights"]
    assert insights["causes"] == []
    listed = Client().get("/api/v1/causes/").json()
    assert "grief-and-mourning" not in {cause["slug"] for cause in listed}


def test_the_causes_members_may_name_with_their_spoiler_flag(causes):
    listed = Client().get("/api/v1/causes/").json()
    assert len(listed) == len(causes)
    assert listed[0] == {
        "slug": "the-death-of-a-parent",
        "name": "The death of a parent",
        "description": "A mother or father dies, or has died.",
        "is_spoiler": True,
    }
    war = next(cause for cause in listed if cause["slug"] == "war")
    assert war["is_spoiler"] is False


def test_the_spoiler_switch_is_documented():
    schema = Client().get("/api/v1/openapi.json").json()
    parameters = schema["paths"]["/api/v1/titles/{slug}/"]["get"]["parameters"]
    (spoilers,) = [each for each in parameters if each["name"] == "spoilers"]
    assert "may spoil" in spoilers["description"]
    assert "/api/v1/causes/" in schema["paths"]


def rate_many(title, count, cause=None):
    for member in make_members(count):
        rate_telling_more(member, title, 4, [cause.pk] if cause else [])


def test_the_titles_list_seeks_a_cause_as_browse_does(causes):
    animal = causes["the-death-of-an-animal"]
    hachi, dry = make_title("Hachi", slug="hachi"), make_title("Dry", slug="dry")
    rate_many(hachi, 3, animal)
    rate_many(dry, 3)
    names = lambda query: [  # noqa: E731
        title["name"] for title in Client().get(f"/api/v1/titles/{query}").json()["results"]
    ]
    assert names("?seek=the-death-of-an-animal") == ["Hachi"]
    assert names("?avoid=the-death-of-an-animal") == ["Dry"]
    response = Client().get("/api/v1/titles/?seek=no-such-cause")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "seek"


def test_the_titles_list_and_a_title_know_where_to_watch(db):
    netflix = StreamingService.objects.create(name="Netflix", slug="netflix")
    on_netflix, elsewhere = make_title("Violet Evergarden"), make_title("Anohana")
    WatchOption.objects.create(
        title=on_netflix,
        service=netflix,
        link="https://www.netflix.com/title/80182123",
        countries="JP US",
        access=WatchOption.Access.STREAM,
        checked_on=datetime.date(2026, 11, 2),
    )
    body = Client().get("/api/v1/titles/?service=netflix").json()
    assert [title["name"] for title in body["results"]] == ["Violet Evergarden"]
    detail = Client().get(f"/api/v1/titles/{on_netflix.slug}/").json()
    assert detail["where_to_watch"] == [
        {
            "service": "netflix",
            "service_name": "Netflix",
            "link": "https://www.netflix.com/title/80182123",
            "countries": ["JP", "US"],
            "access": "stream",
            "access_name": "Streaming with a subscription",
            "checked_on": "2026-11-02",
            "source": "",
        }
    ]
    assert Client().get(f"/api/v1/titles/{elsewhere.slug}/").json()["where_to_watch"] == []


def test_a_title_links_to_itself_on_other_sites(grave):
    grave.myanimelist_id = 578
    grave.save()
    body = Client().get("/api/v1/titles/grave-of-the-fireflies/").json()
    assert body["elsewhere"] == [
        {"site": "MyAnimeList", "url": "https://myanimelist.net/anime/578"}
    ]
    assert body["external_ids"]["myanimelist"] == 578


def test_browses_new_filters_are_in_the_openapi_document():
    schema = Client().get("/api/v1/openapi.json").json()
    parameters = {
        each["name"]: each for each in schema["paths"]["/api/v1/titles/"]["get"]["parameters"]
    }
    for name in ("avoid", "seek", "ending", "quality_min", "service"):
        assert name in parameters
    assert "quality" in json.dumps(parameters["sort"]["schema"])


def test_the_shared_answers_keep_spoilers_apart(clannad, causes, settings):
    from django.core.cache import cache

    settings.FRESHNESS_SECONDS = 600
    cache.clear()
    assert Client().get(TITLE).json()["insights"]["endings"] is None
    assert Client().get(TITLE + "?spoilers=true").json()["insights"]["endings"]["count"] == 4
    # The shared default answer was not replaced by the one with spoilers.
    text = Client().get(TITLE).content.decode()
    assert "the-death-of-a-parent" not in text and '"endings":null' in text
    cache.clear()


@pytest.mark.parametrize("retired", [0, 5])
def test_the_causes_cost_the_same_queries_however_many_are_retired(
    causes, retired, django_assert_num_queries
):
    from django.core.cache import cache

    from reviews.models import Cause

    Cause.objects.filter(pk__in=[cause.pk for cause in list(causes.values())[:retired]]).update(
        is_retired=True
    )
    cache.clear()
    # The causes in use (a shared part between requests outside tests).
    with django_assert_num_queries(1):
        assert len(Client().get("/api/v1/causes/").json()) == len(causes) - retired
    cache.clear()
