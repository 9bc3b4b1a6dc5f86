"""
The published counts of each kind and theme (catalogue.published_counts): exact after
every path that writes a title or its themes, shown as such on /titles/ (the filter
labels and the total) and /themes/, repaired by the recount, and read without counting
the titles.
"""

import io
import json
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Theme, Title
from catalogue.published_counts import KindStats, ThemeStats, counted_from_titles
from reviews.stats import recount_all

from .admin_forms import title_form
from .factories import make_catalogue, make_theme, make_title

pytestmark = pytest.mark.django_db

TITLES = "/admin/catalogue/title/"


@pytest.fixture
def grief():
    return make_theme("Grief", slug="grief")


@pytest.fixture
def war():
    return make_theme("War", slug="war")


@pytest.fixture
def shelf(grief, war):
    """Two published movies and a series, one of each theme, and a hidden movie."""
    make_title("Fireflies", slug="fireflies", themes=[grief, war])
    make_title("April", slug="april", themes=[grief])
    make_title("Clannad", slug="clannad", kind="series", themes=[grief])
    make_title("Hidden", slug="hidden", themes=[war], is_published=False)


def stored():
    """({theme name: published titles}, {kind: published titles}) as stored."""
    themes = dict(Theme.objects.with_title_count().values_list("name", "title_count"))
    return themes, KindStats.published_counts()


def assert_exact():
    """The stored counts equal a fresh count of the titles; returns them."""
    counted_themes, counted_kinds = counted_from_titles()
    names = dict(Theme.objects.values_list("pk", "name"))
    themes, kinds = stored()
    assert themes == {names[pk]: number for pk, number in counted_themes.items()}
    assert kinds == counted_kinds
    return themes, kinds


def labels(client):
    """The kind and theme filters' labels on /titles/, and the results' heading."""
    html = unescape(client.get("/titles/").content.decode())
    found = re.findall(r'name="(?:kind|theme)" value="[^"]+"[^>]*> ([^<]+)</label>', html)
    heading = re.search(r'<h2 id="results-heading">(\d+ titles?),', html).group(1)
    return found, heading


def theme_counts_shown(client):
    """{theme: "n titles"} as /themes/ shows them."""
    html = client.get("/themes/").content.decode()
    found = re.findall(r'>([^<]+)</a> <span class="count">([^<]+)</span></h2>', html)
    return dict(found)


def test_the_counts_start_exact_and_show_on_both_pages(client, shelf):
    assert assert_exact() == ({"Grief": 3, "War": 1}, {"movie": 2, "series": 1})
    assert labels(client) == (["Movie (2)", "Series (1)", "Grief (3)", "War (1)"], "3 titles")
    assert theme_counts_shown(client) == {"Grief": "3 titles", "War": "1 title"}


def test_a_title_added_in_the_admin_counts_in_its_kind_and_themes(
    curator_client, client, shelf, war
):
    curator_client.post(
        f"{TITLES}add/",
        title_form(
            name="Grave", year=1988, synopsis="Two children.", kind="series", themes=[war.pk]
        ),
    )
    assert Title.objects.filter(name="Grave").exists()
    assert assert_exact() == ({"Grief": 3, "War": 2}, {"movie": 2, "series": 2})
    assert labels(client) == (["Movie (2)", "Series (2)", "Grief (3)", "War (2)"], "4 titles")
    assert theme_counts_shown(client)["War"] == "2 titles"


def test_a_title_edited_in_the_admin_moves_its_counts(curator_client, client, shelf, grief, war):
    april = Title.objects.get(slug="april")
    # Another theme, another kind, unpublished: each moves what it counts in.
    curator_client.post(f"{TITLES}{april.pk}/change/", title_form(april, themes=[war.pk]))
    assert assert_exact() == ({"Grief": 2, "War": 2}, {"movie": 2, "series": 1})
    april.refresh_from_db()
    curator_client.post(f"{TITLES}{april.pk}/change/", title_form(april, kind="series"))
    assert assert_exact() == ({"Grief": 2, "War": 2}, {"movie": 1, "series": 2})
    april.refresh_from_db()
    curator_client.post(f"{TITLES}{april.pk}/change/", title_form(april, is_published=False))
    assert not Title.objects.get(slug="april").is_published
    assert assert_exact() == ({"Grief": 2, "War": 1}, {"movie": 1, "series": 1})
    assert labels(client) == (["Movie (1)", "Series (1)", "Grief (2)", "War (1)"], "2 titles")
    assert theme_counts_shown(client) == {"Grief": "2 titles", "War": "1 title"}


def test_publishing_and_unpublishing_in_the_admin_moves_the_counts(curator_client, client, shelf):
    hidden, clannad = Title.objects.get(slug="hidden"), Title.objects.get(slug="clannad")
    curator_client.post(TITLES, {"action": "publish", "_selected_action": [hidden.pk]})
    curator_client.post(TITLES, {"action": "unpublish", "_selected_action": [clannad.pk]})
    assert assert_exact() == ({"Grief": 2, "War": 2}, {"movie": 3, "series": 0})
    assert labels(client) == (["Movie (3)", "Series (0)", "Grief (2)", "War (2)"], "3 titles")


def test_a_title_deleted_in_the_admin_leaves_its_counts(curator_client, client, shelf):
    fireflies = Title.objects.get(slug="fireflies")
    curator_client.post(f"{TITLES}{fireflies.pk}/delete/", {"post": "yes"})
    assert not Title.objects.filter(slug="fireflies").exists()
    assert assert_exact() == ({"Grief": 2, "War": 0}, {"movie": 1, "series": 1})
    assert labels(client) == (["Movie (1)", "Series (1)", "Grief (2)", "War (0)"], "2 titles")
    assert theme_counts_shown(client) == {"Grief": "2 titles", "War": "0 titles"}


def test_a_theme_deleted_takes_its_count_along(curator_client, client, shelf, war):
    curator_client.post(f"/admin/catalogue/theme/{war.pk}/delete/", {"post": "yes"})
    assert not Theme.objects.filter(slug="war").exists()
    assert not ThemeStats.objects.filter(theme_id=war.pk).exists()
    assert assert_exact() == ({"Grief": 3}, {"movie": 2, "series": 1})
    assert labels(client) == (["Movie (2)", "Series (1)", "Grief (3)"], "3 titles")


def test_a_theme_added_starts_at_nothing(curator_client, client, shelf):
    curator_client.post(
        "/admin/catalogue/theme/add/", {"name": "Music", "slug": "music", "description": ""}
    )
    assert ThemeStats.objects.get(theme__slug="music").published_count == 0
    assert assert_exact()[0]["Music"] == 0
    assert theme_counts_shown(client)["Music"] == "0 titles"


def test_a_queryset_update_moves_the_counts(client, shelf):
    Title.objects.update(is_published=False)
    assert assert_exact() == ({"Grief": 0, "War": 0}, {"movie": 0, "series": 0})
    assert labels(client) == (["Movie (0)", "Series (0)", "Grief (0)", "War (0)"], "0 titles")
    assert theme_counts_shown(client) == {"Grief": "0 titles", "War": "0 titles"}
    Title.objects.filter(kind="movie").update(is_published=True, kind="series")
    assert assert_exact() == ({"Grief": 2, "War": 2}, {"movie": 0, "series": 3})


def test_shell_saves_and_deletes_move_the_counts(client, shelf, grief, war):
    Title.objects.filter(slug__in=["fireflies", "clannad"]).delete()
    april = Title.objects.get(slug="april")
    april.kind = "series"
    april.save()
    april.themes.add(war)
    Title.objects.get(slug="hidden").delete()
    grief.titles.remove(april)
    make_title("Tokyo", kind="series", themes=[grief], is_published=False).delete()
    assert assert_exact() == ({"Grief": 0, "War": 1}, {"movie": 0, "series": 1})
    assert labels(client) == (["Movie (0)", "Series (1)", "Grief (0)", "War (1)"], "1 title")
    assert theme_counts_shown(client) == {"Grief": "0 titles", "War": "1 title"}


def test_loaddata_counts_what_it_loads_and_leaves_the_rest(client, shelf, grief, tmp_path):
    fixture = tmp_path / "more.json"
    new = {"slug": "new", "name": "New", "kind": "series", "year": 2001, "synopsis": "New."}
    new |= dict.fromkeys(["created_at", "updated_at"], "2026-01-01T00:00:00Z")
    theme = {"slug": "grief", "name": "Grief"}
    fixture.write_text(
        json.dumps(
            [
                # A theme again, as a dump holds it: saved whole, its count stays.
                {"model": "catalogue.theme", "pk": grief.pk, "fields": theme},
                {"model": "catalogue.title", "pk": 900, "fields": {**new, "themes": [grief.pk]}},
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert assert_exact() == ({"Grief": 4, "War": 1}, {"movie": 2, "series": 2})
    assert labels(client) == (["Movie (2)", "Series (2)", "Grief (4)", "War (1)"], "4 titles")


def test_load_catalogue_counts_the_real_catalogue(client, db):
    call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())
    themes, kinds = assert_exact()
    assert sum(kinds.values()) == Title.objects.published().count() > 0
    shown, heading = labels(client)
    assert heading == f"{sum(kinds.values())} titles"
    assert f"Movie ({kinds['movie']})" in shown
    assert all(f"{name} ({number})" in shown for name, number in themes.items())


def test_seed_demo_ends_with_exact_counts(client, small_demo):
    themes, kinds = assert_exact()
    assert labels(client)[1] == f"{sum(kinds.values())} titles"
    assert recount_all() == []


def test_the_recount_finds_and_repairs_drift(client, shelf, grief):
    ThemeStats.objects.filter(theme=grief).update(published_count=7)
    KindStats.objects.filter(kind="series").delete()
    out = io.StringIO()
    call_command("recount_tears", stdout=out)
    said = out.getvalue()
    assert "repaired theme Grief: published titles 7 → 3" in said
    assert "repaired kind series: published titles missing → 1" in said
    assert assert_exact() == ({"Grief": 3, "War": 1}, {"movie": 2, "series": 1})
    assert labels(client) == (["Movie (2)", "Series (1)", "Grief (3)", "War (1)"], "3 titles")
    assert recount_all() == []


def test_the_counts_are_read_without_counting_titles(client):
    make_catalogue(5)
    for path in ["/titles/", "/titles/?sort=name&page=1", "/themes/", "/api/v1/themes/"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        sqls = [query["sql"] for query in queries]
        stored_counts = [sql for sql in sqls if "_themestats" in sql or "_kindstats" in sql]
        assert stored_counts, path
        # The stored counts are read alone: no title is joined to them or counted.
        assert not [sql for sql in stored_counts if "catalogue_title" in sql], path
        # Unfiltered, browse's total is the kinds' counts: no COUNT(*) of the titles.
        assert not [sql for sql in sqls if "__count" in sql], path
