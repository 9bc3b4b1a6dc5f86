"""
Search by any name, as people type it: any case, any accents, punctuation or none,
misspelt; whole names first, then names that start with the text, then the rest.
Runs on whichever database the suite uses (SQLite, or PostgreSQL with DATABASE_URL).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from catalogue import search_index
from catalogue.models import Title
from catalogue.search import TRIGRAM_TABLE, did_you_mean

from .factories import make_title

pytestmark = pytest.mark.django_db


def found(text):
    """Names of the published titles a search finds, the best match first."""
    titles = Title.objects.published().search(text)
    titles = titles.order_by("search_rank", "-search_closeness", "name", "pk")
    return list(titles.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("grave of the firefly", "Grave of the Fireflies"),
        ("clanad", "Clannad After Story"),
        ("Anohana the flower", "Anohana: The Flower We Saw That Day"),
        ("your lie april", "Your Lie in April"),
    ],
)
def test_it_finds_a_misspelt_name(catalogue, typed, meant):
    assert found(typed)[0] == meant


@pytest.mark.parametrize("typed", ["Ōkami", "ōkami", "OKAMI", "okami", "ÔKAMI"])
def test_it_ignores_case_and_accents(catalogue, typed):
    assert "Wolf Children" in found(typed)


def test_it_finds_any_of_a_titles_names(catalogue):
    assert found("shigatsu") == ["Your Lie in April"]
    assert found("Kimi no Na wa")[0] == "Your Name"


def test_a_whole_name_ranks_before_names_that_start_with_it_or_contain_it(db):
    make_title("Orange Days")
    make_title("A Clockwork Orange Sky")
    make_title("Orange")
    make_title("Oranges")
    assert found("orange") == ["Orange", "Orange Days", "Oranges", "A Clockwork Orange Sky"]


def test_punctuation_does_not_matter(db):
    make_title("Angel Beats!", original_name="Angel Beats!")
    make_title("Scum's Wish")
    assert found("angel beats") == ["Angel Beats!"]
    assert found("scums wish") == ["Scum's Wish"]
    assert found("Scum’s Wish!") == ["Scum's Wish"]


def test_other_names_are_searched_one_by_one(db):
    make_title("Wolf Children", other_names="Ōkami Kodomo\r\nAme and Yuki")
    titles = Title.objects.search("ame and yuki")
    assert [(title.name, title.search_rank) for title in titles] == [("Wolf Children", 0)]


def test_the_key_follows_a_renamed_title(db):
    title = make_title("Hotaru no Haka")
    title.name = "Grave of the Fireflies"
    title.save()
    assert found("grave of the fireflies") == ["Grave of the Fireflies"]
    assert found("hotaru") == []


def test_gibberish_finds_nothing_and_suggests_the_closest_names(catalogue):
    assert found("xqzvw") == []
    assert did_you_mean("xqzvw") == []
    assert found("plazstick memmorees") == []
    assert did_you_mean("plazstick memmorees") == ["Plastic Memories"]


def test_suggestions_leave_out_unpublished_titles(db):
    make_title("Hidden Sorrow", is_published=False)
    assert did_you_mean("hiden sorow") == []


def test_an_empty_search_changes_nothing(catalogue):
    assert Title.objects.search("  ").count() == Title.objects.count()
    assert Title.objects.search("!!").count() == Title.objects.count()


def test_the_key_holds_every_name_folded(db):
    title = make_title(
        "Ōkami: Kodomo — no “Ame” & Yuki…",
        original_name="Ça  Déjà-vu  Æon",
        other_names="Scum's Wish\r\n\r\nWOLF",
    )
    title.refresh_from_db(fields=["search_key"])
    assert title.search_key == "| okami kodomo no ame yuki | ca deja vu aeon | scums wish | wolf |"


def test_titles_loaded_from_the_fixture_have_their_keys(catalogue):
    wolf = Title.objects.values_list("search_key", flat=True).get(name="Wolf Children")
    assert wolf.startswith("| wolf children | ookami kodomo no ame to yuki | okami kodomo")


def test_browse_offers_the_closest_names_when_nothing_matches(client, catalogue):
    html = client.get("/titles/?q=plastik+memorys+xq").content.decode()
    assert "Did you mean" in html
    assert 'href="/titles/?q=Plastic+Memories"' in html


def test_browse_lists_the_closest_match_first(client, catalogue):
    html = client.get("/titles/?q=clanad").content.decode()
    first = html.index('class="card')
    assert "Clannad" in html[first : first + 2000]


def index_is_whole():
    """SQLite: the trigram index holds exactly every title's key (FTS5 checks it)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # The table name is a constant; rank 1 compares the index with the titles too.
            check = f"INSERT INTO {TRIGRAM_TABLE} ({TRIGRAM_TABLE}, rank) VALUES (%s, 1)"  # noqa: S608
            cursor.execute(check, ["integrity-check"])
    return True


def test_the_index_follows_every_write(db):
    make_title("Hotaru no Haka")
    gone = make_title("Kanashimi no Belladonna")
    Title.objects.bulk_create(
        [Title(name="Tokyo Godfathers", slug="tokyo-godfathers", kind="movie", year=2003)]
    )
    renamed = Title.objects.get(name="Hotaru no Haka")
    renamed.name = "Grave of the Fireflies"
    renamed.save()
    gone.delete()
    assert index_is_whole()
    assert found("grave of the firefly") == ["Grave of the Fireflies"]
    assert found("tokio godfathers") == ["Tokyo Godfathers"]
    assert found("hotaru no haka") == []
    assert found("belladona") == []


def test_seeded_titles_can_be_found(catalogue):
    real = set(Title.objects.values_list("pk", flat=True))
    call_command(
        "seed_demo",
        titles=20,
        members=1,
        ratings=0,
        comments=0,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert index_is_whole()
    for title in Title.objects.published().exclude(pk__in=real):
        misspelt = title.name[:-1] + "x"
        assert title.name in found(misspelt) + did_you_mean(misspelt), misspelt


def test_the_index_survives_a_migration_that_rebuilds_the_table(db):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds a table to alter it")
    with connection.cursor() as cursor:
        for name in search_index.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    make_title("Tokyo Godfathers")  # while the triggers are gone, as during a rebuild
    search_index.reinstall(sender=None)
    assert index_is_whole()
    assert found("tokio godfathers") == ["Tokyo Godfathers"]


def test_no_suggestions_when_other_filters_leave_nothing(client, catalogue):
    html = client.get("/titles/?q=the&year_max=1930").content.decode()
    assert "Did you mean" not in html
    assert "Nothing matches all of these filters" in html
