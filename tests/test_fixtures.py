"""The catalogue fixture holds every title both articles mention, with every fact right."""

import pytest
from django.core.management import call_command
from django.core.serializers import serialize

from catalogue.models import Mention, Source, Theme, Title
from reviews.models import Rating

from .conftest import CATALOGUE_FIXTURE

pytestmark = pytest.mark.django_db

FIRST = "sad-anime-21-stories"


def ranking(source_slug, section):
    return list(
        Mention.objects.filter(source__slug=source_slug, section=section)
        .order_by("rank")
        .values_list("rank", "title__name")
    )


def test_it_holds_one_entry_per_work(catalogue):
    assert Title.objects.count() == 31
    assert Source.objects.count() == 2
    assert Mention.objects.count() == 10 + 11 + 5 + 10


def test_it_reproduces_the_first_articles_movie_ranking(catalogue):
    movies = ranking(FIRST, "movies")
    assert [rank for rank, _ in movies] == list(range(1, 11))
    assert movies[0] == (1, "Grave of the Fireflies")
    assert movies[1] == (2, "A Silent Voice")
    assert movies[9] == (10, "Your Name")


def test_it_reproduces_the_first_articles_series_ranking(catalogue):
    series = ranking(FIRST, "series")
    assert [rank for rank, _ in series] == list(range(1, 12))
    assert series[0][1].startswith("Anohana")
    assert series[2] == (3, "Your Lie in April")
    assert series[10] == (11, "Plastic Memories")


def test_it_lists_the_extra_recommendations(catalogue):
    also = [name for _, name in ranking(FIRST, "also")]
    assert len(also) == 5
    for expected in [
        "Angel Beats",
        "Fullmetal Alchemist",
        "Ni no Kuni",
        "Flavors of Youth",
        "The Garden of Words",
    ]:
        assert any(name.startswith(expected) for name in also), expected


def test_it_reproduces_the_second_articles_ranking(catalogue):
    second = Source.objects.exclude(slug=FIRST).get()
    ranked = ranking(second.slug, "ranked")
    assert [rank for rank, _ in ranked] == list(range(1, 11))
    assert ranked[0] == (1, "Orange")
    assert ranked[9][1].startswith("Angel Beats")


@pytest.mark.parametrize(
    "slug",
    [
        "angel-beats",
        "a-silent-voice",
        "clannad-after-story",
        "your-lie-in-april",
        "assassination-classroom",
    ],
)
def test_shared_titles_carry_both_mentions(catalogue, slug):
    title = Title.objects.get(slug=slug)
    assert title.mentions.values("source").distinct().count() == 2


def test_every_title_has_its_facts(catalogue):
    for title in Title.objects.prefetch_related("themes"):
        assert title.year and title.kind and title.synopsis and title.why_it_hurts, title
        assert title.themes.exists(), title
        if title.kind == Title.Kind.SERIES:
            assert title.episodes, title
        else:
            assert title.episodes is None and title.runtime_minutes, title


def test_the_catalogue_corrects_the_articles_mistakes(catalogue):
    marnie = Title.objects.get(slug="when-marnie-was-there")
    assert "Hokkaido" in marnie.synopsis
    assert "France" not in marnie.synopsis


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("Kimi no Na wa", "your-name"),
        ("KIMI NO NA WA", "your-name"),
        ("kimi no na wa", "your-name"),
        ("Shigatsu wa Kimi no Uso", "your-lie-in-april"),
        ("Koe no Katachi", "a-silent-voice"),
        ("Boku Dake ga Inai Machi", "erased"),
    ],
)
def test_search_finds_every_name(catalogue, query, slug):
    assert slug in Title.objects.search(query).values_list("slug", flat=True)


def test_loading_twice_changes_nothing(catalogue):
    models = [Theme, Source, Title, Mention]
    before = [serialize("json", model.objects.order_by("pk")) for model in models]
    call_command("loaddata", CATALOGUE_FIXTURE, verbosity=0)
    call_command("make_covers", verbosity=0)
    after = [serialize("json", model.objects.order_by("pk")) for model in models]
    assert after == before


def test_loading_after_members_rated_keeps_their_ratings(catalogue, reader):
    title = Title.objects.get(slug="your-name")
    Rating.objects.create(user=reader, title=title, tears=4)
    call_command("loaddata", CATALOGUE_FIXTURE, verbosity=0)
    assert list(Rating.objects.values_list("user__username", "title__slug", "tears")) == [
        ("reader", "your-name", 4)
    ]


def test_a_new_title_can_be_added_after_loading(catalogue):
    theme = Theme.objects.first()
    title = Title.objects.create(
        slug="new-one", name="New One", kind="movie", year=2020, synopsis="New."
    )
    title.themes.add(theme)
    assert title.pk > max(Title.objects.exclude(pk=title.pk).values_list("pk", flat=True))
    assert Theme.objects.create(slug="new-theme", name="New theme").pk
    assert Mention.objects.create(
        title=title, source=Source.objects.first(), section="also", rank=99
    ).pk
