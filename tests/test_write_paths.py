"""
Every path that changes what a page shows keeps the totals exact and the pages fresh,
without the caller doing anything: management commands, loaddata, save() and delete()
from a shell, and cascades. (The site's own forms and the admin are in
tests/test_freshness.py.) Each test makes the change with the caches full, reads the
affected pages as a visitor and as a member, and runs the recount.
"""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from catalogue.models import ContentVersion, Mention, Source, Theme, Title
from reviews.models import Comment, Rating, TitleStats
from reviews.stats import recount_all

from .factories import comment, make_members, make_theme, make_title, rate

pytestmark = pytest.mark.django_db

TITLE_PAGE = "/titles/grave-of-the-fireflies/"


@pytest.fixture(autouse=True)
def caches_on(settings):
    settings.FRESHNESS_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def title():
    return make_title(
        "Grave of the Fireflies",
        slug="grave-of-the-fireflies",
        themes=[make_theme("War", slug="war")],
    )


def both_see(reader_client, path, text, present=True):
    """Assert what a new visitor and a signed-in member are both shown at `path`."""
    for html in (Client().get(path).content.decode(), reader_client.get(path).content.decode()):
        assert (text in html) is present, f"{text!r} {'missing from' if present else 'on'} {path}"


def fill_caches(reader_client, *paths):
    for path in paths:
        Client().get(path), reader_client.get(path)


def test_a_title_saved_from_a_shell_shows_at_once(title, reader_client):
    fill_caches(reader_client, TITLE_PAGE, "/titles/")
    title.name = "Grave of the Fireflies (1988)"
    title.save()
    both_see(reader_client, TITLE_PAGE, "Grave of the Fireflies (1988)")
    both_see(reader_client, "/titles/", "Grave of the Fireflies (1988)")
    assert recount_all() == []


def test_a_theme_deleted_from_a_shell_leaves_every_page_at_once(title, reader_client):
    fill_caches(reader_client, TITLE_PAGE, "/themes/")
    Theme.objects.get(slug="war").delete()
    both_see(reader_client, TITLE_PAGE, ">War<", present=False)
    both_see(reader_client, "/themes/", "War", present=False)


def test_provenance_added_from_a_shell_shows_at_once(title, reader_client):
    fill_caches(reader_client, TITLE_PAGE, "/lists/")
    source = Source.objects.create(slug="tears", name="Tears of the Decade")
    Mention.objects.create(title=title, source=source, section=Mention.Section.MOVIES, rank=1)
    both_see(reader_client, TITLE_PAGE, "Tears of the Decade")
    both_see(reader_client, "/lists/", "Tears of the Decade")


def test_ratings_saved_and_deleted_from_a_shell_keep_the_totals_exact(title):
    member = make_members(1)[0]
    rating = Rating(user=member, title=title, tears=5)
    rating.save()
    rating.tears = 1
    rating.save()
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.rating_count, stats.rating_sum, stats.tears_1, stats.tears_5) == (1, 1, 1, 0)
    Rating.objects.filter(pk=rating.pk).delete()
    assert TitleStats.objects.get(pk=title.pk).rating_count == 0
    assert recount_all() == []


def test_comments_changed_from_a_shell_keep_the_counts_exact(title):
    posted = comment(title, stance=Comment.Stance.DISAGREE)
    posted.stance = Comment.Stance.AGREE
    posted.save()
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.comment_count, stats.stance_count, stats.disagree_count) == (1, 1, 0)
    Comment.objects.filter(pk=posted.pk).update(is_hidden=True)
    assert TitleStats.objects.get(pk=title.pk).comment_count == 0
    Comment.objects.all().delete()
    assert recount_all() == []


def test_a_member_deleted_from_a_shell_takes_their_numbers_and_name_at_once(title, reader_client):
    member = make_members(1)[0]
    Rating.objects.rate(member, title, 5)
    Comment.objects.post(member, title, "Left before long", stance="disagree")
    fill_caches(reader_client, TITLE_PAGE, "/")
    member.delete()  # a cascade: the ratings and comments go with the account
    both_see(reader_client, TITLE_PAGE, "Left before long", present=False)
    both_see(reader_client, TITLE_PAGE, "tear score from 1 rating", present=False)
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.rating_count, stats.comment_count, stats.disagree_count) == (0, 0, 0)
    assert recount_all() == []


def test_a_member_renamed_from_a_shell_shows_renamed_at_once(title, reader_client):
    posted = comment(title, body="It hurt so much")
    fill_caches(reader_client, TITLE_PAGE)
    member = get_user_model().objects.get(pk=posted.user_id)
    member.username = "someone-else"
    member.save()
    both_see(reader_client, TITLE_PAGE, "someone-else")


def test_loaddata_shows_at_once(title, reader_client, tmp_path):
    fill_caches(reader_client, "/titles/")
    fixture = tmp_path / "more.json"
    fields = {
        "slug": "barefoot-gen",
        "name": "Barefoot Gen",
        "kind": "movie",
        "year": 1983,
        "synopsis": "A boy in Hiroshima, before and after.",
        "themes": [],
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    fixture.write_text(json.dumps([{"model": "catalogue.title", "pk": 900, "fields": fields}]))
    call_command("loaddata", str(fixture), verbosity=0)
    both_see(reader_client, "/titles/", "Barefoot Gen")
    assert TitleStats.objects.filter(pk=900).exists(), "a new title gets its stats row"
    assert recount_all() == []


def test_make_covers_shows_the_new_covers_at_once(title, reader_client):
    fill_caches(reader_client, TITLE_PAGE)
    Title.objects.filter(pk=title.pk).update(cover="")
    before = ContentVersion.current()
    call_command("make_covers", stdout=io.StringIO())
    assert ContentVersion.current() > before
    cover = Title.objects.get(pk=title.pk).cover.url
    both_see(reader_client, TITLE_PAGE, cover)


def test_a_recount_that_repairs_drift_shows_at_once(title, reader_client):
    rate(title, [5])
    TitleStats.objects.filter(pk=title.pk).update(rating_count=9)
    fill_caches(reader_client, TITLE_PAGE)
    assert recount_all() != []
    both_see(reader_client, TITLE_PAGE, "tear score from 1 rating")


def test_a_bulk_insert_of_ratings_keeps_the_totals_exact(title):
    members = make_members(3)
    Rating.objects.bulk_create(
        [
            Rating(user=member, title=title, tears=tears)
            for member, tears in zip(members, [1, 4, 5], strict=True)
        ]
    )
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.rating_count, stats.rating_sum, stats.distribution) == (
        3,
        10,
        [0, 1, 0, 0, 1, 1],
    )
    assert recount_all() == []


def test_every_trigger_survives_the_migrations():
    """A migration that rebuilds a table (SQLite) drops its triggers; migrate puts them back."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
        tables = {table for table, _ in cursor.fetchall()}
    assert {
        "catalogue_title",
        "catalogue_title_themes",
        "catalogue_theme",
        "catalogue_source",
        "catalogue_mention",
        "reviews_rating",
        "reviews_comment",
        "reviews_tearprior",
        "reviews_ratingcause",
        "reviews_cause",
        "auth_user",
    } <= tables
