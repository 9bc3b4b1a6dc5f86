"""seed_demo fills a database with plausible demo data, fast, deterministically, exactly."""

import hashlib
import io
import itertools
import random
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Sum
from django.test import Client

from catalogue.models import Theme, Title
from reviews import bulk, demo, demo_insights
from reviews.demo import MEMBER_EMAIL_DOMAIN
from reviews.management.commands import seed_demo
from reviews.models import Comment, Rating, RatingCause, Report, TearPrior, TitleStats
from reviews.stats import COUNTERS, recount_all

pytestmark = pytest.mark.django_db

SMALL = {"titles": 50, "members": 200, "ratings": 2_000, "comments": 300}


@pytest.fixture
def real_catalogue(catalogue):
    """The real catalogue's titles, by slug: demo data goes beside them."""
    return set(Title.objects.values_list("slug", flat=True))


def seed(**options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("seed_demo", **{**SMALL, "seed": 7, **options}, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def everything():
    """How many rows each table holds: what a refused run must leave unchanged."""
    return {
        model.__name__: model.objects.count()
        for model in (
            get_user_model(),
            Title,
            Title.themes.through,
            Rating,
            Comment,
            Report,
            TitleStats,
            Theme,
        )
    }


def digest():
    """A fingerprint of the demo data by natural keys, blind to the ids the database chose."""
    parts = [
        list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "email", "date_joined")
        ),
        list(
            Title.objects.order_by("slug").values_list(
                "slug",
                "name",
                "original_name",
                "kind",
                "year",
                "studio",
                "episodes",
                "runtime_minutes",
                "synopsis",
                "why_it_hurts",
                "is_published",
                "created_at",
            )
        ),
        list(
            Title.themes.through.objects.order_by("title__slug", "theme__slug").values_list(
                "title__slug", "theme__slug"
            )
        ),
        list(
            Rating.objects.order_by("user__username", "title__slug").values_list(
                "user__username", "title__slug", "tears", "created_at", "updated_at"
            )
        ),
        list(
            Comment.objects.order_by("created_at", "user__username", "body").values_list(
                "user__username",
                "title__slug",
                "body",
                "is_spoiler",
                "stance",
                "is_hidden",
                "created_at",
                "edited_at",
            )
        ),
        list(
            Report.objects.order_by("comment__created_at", "reporter__username").values_list(
                "comment__body", "reporter__username", "reason", "dismissed_at"
            )
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def remove_demo_data(before_slugs):
    Report.objects.all().delete()
    Comment.objects.all().delete()
    Rating.objects.all().delete()
    Title.objects.exclude(slug__in=before_slugs).delete()
    get_user_model().objects.all().delete()
    TitleStats.objects.update(**dict.fromkeys(COUNTERS, 0))
    TearPrior.objects.all().delete()


def test_it_adds_the_numbers_asked_for_with_exact_stats(real_catalogue):
    output, progress = seed()

    assert Title.objects.exclude(slug__in=real_catalogue).count() == 50
    assert get_user_model().objects.count() == 200
    assert Rating.objects.count() == 2_000
    assert Comment.objects.threads().count() == 300
    assert recount_all() == [], "seed_demo must leave every total exact"
    count, total = TearPrior.site_totals()
    assert count == 2_000
    assert total == sum(Rating.objects.values_list("tears", flat=True))
    assert TearPrior.current().mean == pytest.approx(total / count), "the prior is the new mean"
    assert "Added 200 members, 50 titles, 2,000 ratings, 300 comments" in output
    assert "stats are exact" in output
    for step in (
        "members",
        "titles",
        "plan ratings",
        "ratings",
        "plan comments",
        "comments",
        "rebuild indexes",
        "count stats",
        "score titles",
    ):
        assert step in progress


def test_demo_titles_look_like_catalogue_entries(real_catalogue):
    seed()
    demo_titles = Title.objects.exclude(slug__in=real_catalogue)
    for title in demo_titles.annotate(theme_count=Count("themes")):
        assert 1970 <= title.year <= 2025
        assert 1 <= title.theme_count <= 4
        assert title.name and title.original_name and title.studio and title.synopsis
        assert (title.episodes is not None) == (title.kind == "series")
        assert (title.runtime_minutes is not None) == (title.kind == "movie")
        assert title.cover.storage.exists(title.cover.name), "every title has a picture"
    assert demo_titles.filter(is_published=False).count() == 0  # 1 in 100; 50 titles
    assert len({title.slug for title in demo_titles}) == 50


def test_members_share_one_password_hash_and_are_marked_as_demo(real_catalogue):
    seed(password="tears-for-load-tests")
    members = get_user_model().objects.order_by("pk")
    assert [member.username for member in members[:2]] == ["demo000001", "demo000002"]
    assert all(m.email == f"{m.username}@{MEMBER_EMAIL_DOMAIN}" for m in members)
    # Hashed once: every member carries the very same salted hash.
    assert members.values("password").distinct().count() == 1
    assert members.first().check_password("tears-for-load-tests")


def test_without_a_password_no_demo_member_can_sign_in(real_catalogue):
    seed()
    assert not get_user_model().objects.first().has_usable_password()


def test_popularity_is_skewed_and_the_real_catalogue_is_most_rated(real_catalogue):
    seed()
    counts = sorted(TitleStats.objects.values_list("rating_count", flat=True), reverse=True)
    assert counts[0] > 3 * counts[len(counts) // 2]
    # The famous titles are the most rated: the real catalogue tops the chart.
    most_rated = TitleStats.objects.order_by("-rating_count")[: len(real_catalogue) // 2]
    assert {row.title.slug for row in most_rated} <= real_catalogue
    # Each member rates a title at most once (the database would refuse otherwise).
    top = Rating.objects.values("user", "title").annotate(n=Count("id")).aggregate(Max("n"))
    assert top["n__max"] == 1


def test_comments_have_stances_spoilers_reports_and_hidden_ones(real_catalogue):
    seed(comments=2_000)
    stances = Counter(Comment.objects.values_list("stance", flat=True))
    assert 0.2 < stances["agree"] / 2_000 < 0.4
    assert 0.08 < stances["disagree"] / 2_000 < 0.22
    assert 0.05 < Comment.objects.filter(is_spoiler=True).count() / 2_000 < 0.15
    assert Report.objects.exists()
    for report in Report.objects.select_related("comment"):
        assert report.reporter_id != report.comment.user_id
    hidden = Comment.objects.filter(is_hidden=True)
    assert hidden.exists()
    # Titles count only the comments the public sees.
    assert sum(TitleStats.objects.values_list("comment_count", flat=True)) == (
        2_000 - hidden.count()
    )


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(real_catalogue):
    seed(seed=7)
    first = digest()
    remove_demo_data(real_catalogue)
    seed(seed=7)
    assert digest() == first
    remove_demo_data(real_catalogue)
    seed(seed=8)
    assert digest() != first


def test_a_second_run_adds_to_the_first(real_catalogue):
    seed()
    seed(titles=10, members=20, ratings=100, comments=10, seed=2)
    assert get_user_model().objects.count() == 220
    assert get_user_model().objects.filter(username="demo000220").exists()
    assert Rating.objects.count() == 2_100
    assert recount_all() == []


def test_it_refuses_a_database_with_real_members(real_catalogue, reader):
    before = everything()
    with pytest.raises(CommandError, match="1 real member.*'reader'.*--force"):
        seed()
    assert everything() == before


def test_force_seeds_beside_real_members_and_leaves_them_alone(real_catalogue, reader):
    seed(force=True)
    assert get_user_model().objects.count() == 201
    assert not reader.ratings.exists()
    assert recount_all() == []


@pytest.mark.parametrize(
    "options, message",
    [
        ({"titles": -1}, "--titles must be zero or more, not -1"),
        ({"ratings": -5}, "--ratings must be zero or more"),
        ({"ratings": 81 * 200 + 1}, "more than possible.*16,200 ratings at most"),
        ({"members": 0, "ratings": 0}, "--comments needs at least one new member"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(real_catalogue, options, message):
    before = everything()
    with pytest.raises(CommandError, match=message):
        seed(**options)
    assert everything() == before


def test_a_scale_sets_all_four_counts(real_catalogue):
    output, _ = seed(titles=None, members=None, ratings=None, comments=None, scale="0.005x")
    assert "Added 500 members, 50 titles, 5,000 ratings, 1,000 comments" in output
    assert Title.objects.exclude(slug__in=real_catalogue).count() == 50
    assert get_user_model().objects.count() == 500
    assert Rating.objects.count() == 5_000
    assert Comment.objects.threads().count() == 1_000
    assert recount_all() == []


def test_counts_given_beside_a_scale_win(real_catalogue):
    output, _ = seed(titles=None, members=None, ratings=120, comments=None, scale="0.005x")
    assert "Added 500 members, 50 titles, 120 ratings, 1,000 comments" in output
    assert Rating.objects.count() == 120


@pytest.mark.parametrize(
    "scale, counts",
    [
        ("1x", (10_000, 100_000, 1_000_000, 200_000)),
        ("10x", (100_000, 1_000_000, 10_000_000, 2_000_000)),
        ("2X", (20_000, 200_000, 2_000_000, 400_000)),
        ("0.1x", (1_000, 10_000, 100_000, 20_000)),
    ],
)
def test_scales_multiply_the_default_counts(scale, counts):
    assert tuple(demo.scaled_counts(scale).values()) == counts
    assert list(demo.scaled_counts(scale)) == ["titles", "members", "ratings", "comments"]


@pytest.mark.parametrize("scale", ["huge", "10", "x", "0x", "-2x", "1.x", "10 x", "1e3x", ""])
def test_an_unknown_scale_is_refused_in_one_line_and_nothing_is_written(real_catalogue, scale):
    before = everything()
    with pytest.raises(CommandError, match=r"^--scale takes a number of times") as refused:
        call_command("seed_demo", f"--scale={scale}", stdout=io.StringIO(), stderr=io.StringIO())
    assert "\n" not in str(refused.value)
    assert repr(scale) in str(refused.value)
    assert everything() == before


def test_the_default_is_1x():
    parser = seed_demo.Command().create_parser("manage.py", "seed_demo")
    options = vars(parser.parse_args([]))
    assert options["scale"] == "1x"
    assert demo.scaled_counts(options["scale"]) == demo.BASE_COUNTS
    assert all(options[name] is None for name in demo.BASE_COUNTS), "counts come from the scale"


def test_a_bad_number_on_the_command_line_is_refused(real_catalogue):
    before = everything()
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("seed_demo", "--titles", "lots", stdout=io.StringIO())
    assert everything() == before


def test_it_needs_the_catalogues_themes_first(db):
    with pytest.raises(CommandError, match="no themes: load the catalogue first"):
        seed()
    assert not Title.objects.exists()


def indexes():
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: sorted(
                connection.introspection.get_constraints(cursor, model._meta.db_table)
            )
            for model in (Rating, RatingCause, Comment, Report, get_user_model(), Title)
        }


def test_a_load_that_fails_half_way_leaves_no_rows_and_every_index(real_catalogue, monkeypatch):
    before, indexes_before = everything(), indexes()

    def broken(*args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(demo, "reports_and_hidden", broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        seed()
    assert everything() == before
    assert indexes() == indexes_before


def every_key_and_index():
    """Every table's constraints and indexes, as the database describes them."""
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
            for model in apps.get_models()
        }


def test_a_seed_puts_back_every_key_and_index_it_took_away(real_catalogue):
    """
    The load drops the tables' keys and indexes (primary keys and the foreign keys of
    other tables that refer to them too, on PostgreSQL) and builds them again.
    """
    before = every_key_and_index()
    assert any(
        info["foreign_key"] == ("auth_user", "id") for info in before["django_admin_log"].values()
    ), "a table the seed does not load refers to the members"
    seed()
    assert every_key_and_index() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT id) FROM reviews_rating")
        count, distinct = cursor.fetchone()
    assert count == distinct == SMALL["ratings"]


def test_an_index_built_while_the_comments_are_planned_fails_the_whole_load(
    real_catalogue, monkeypatch
):
    """The ratings' indexes are built on a thread of their own: its error is the seed's."""
    before, indexes_before = everything(), indexes()
    take = bulk.Rebuild.take

    def with_a_broken_index(self, *models):
        statements = take(self, *models)
        return [*statements, "CREATE INDEX broken ON no_such_table (x)"] if models else statements

    monkeypatch.setattr(bulk.Rebuild, "take", with_a_broken_index)
    with pytest.raises(Exception, match="no_such_table|no such table"):
        seed()
    assert everything() == before
    assert indexes() == indexes_before


def test_visitors_cached_pages_show_the_seeded_data_at_once(real_catalogue, settings):
    settings.FRESHNESS_SECONDS = 600
    cache.clear()
    before = Client().get("/").content.decode()
    assert "demo000" not in before
    seed()
    after = Client().get("/").content.decode()
    assert "demo000" in after, "the newest comments are the demo members' ones"
    cache.clear()


def test_it_adds_replies_marks_watchlists_and_suggestions_with_exact_counts(real_catalogue):
    from catalogue.suggestions import Suggestion
    from reviews.models import CommentMark, CommunityMember, WatchlistEntry

    output, progress = seed(members=400)
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.count() == 75
    assert not replies.filter(parent__parent__isnull=False).exists(), "one level of replies"
    assert not replies.filter(parent__is_hidden=True).exists()
    assert CommentMark.objects.count() == 300
    assert not CommentMark.objects.filter(user=F("comment__user")).exists()
    assert WatchlistEntry.objects.count() == 400
    assert Suggestion.objects.count() == 2
    assert "75 replies, 300 “this hit me too” marks, 400 watchlist entries and 2 suggestions" in (
        output
    )
    assert recount_all() == []
    assert CommunityMember.objects.aggregate(total=Sum("watchlist_count"))["total"] == 400
    assert "plan replies, marks, lists and suggestions" in progress


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement timeout")
@pytest.mark.django_db
def test_a_bulk_load_is_not_stopped_by_the_sites_statement_timeout():
    # The site stops a request's statement after DATABASE_STATEMENT_TIMEOUT; seed_demo's
    # COPY of millions of ratings runs for minutes and must not be stopped by it.
    from django.db import transaction

    from reviews import bulk

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 50")
        with transaction.atomic():
            bulk.lift_statement_timeout()
            cursor.execute("SELECT pg_sleep(0.2)")
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("0",)


def shares(population, cum_weights):
    """The chance of each value of a (population, cum_weights) table, given it draws one."""
    chances = [high - low for low, high in itertools.pairwise([0.0, *cum_weights])]
    return {
        value: chance / cum_weights[-1] for value, chance in zip(population, chances, strict=True)
    }


def drawn_shares(draw, times=60_000):
    counts = Counter(draw() for _ in range(times))
    return {value: count / times for value, count in counts.items()}


@pytest.mark.parametrize("positions", [1, 10, 13, 50])
def test_a_moment_falls_as_a_beta_draw_of_each_rating_put_it(positions):
    # The extras are drawn from tables a title at a time; each must give every value the
    # chance that drawing the rating's own Beta variate and rounding it gave.
    rng = random.Random(positions)
    table = shares(*demo_insights.moment_table(positions))
    assert table[None] == pytest.approx(1 - demo_insights.MARKS_MOMENT)

    def one_by_one():
        if rng.random() >= demo_insights.MARKS_MOMENT:
            return None
        return max(1, min(positions, round(positions * rng.betavariate(5, 1.6))))

    drawn = drawn_shares(one_by_one)
    for value, chance in table.items():
        assert drawn.get(value, 0) == pytest.approx(chance, abs=0.006), value


@pytest.mark.parametrize("title_quality", [1.9, 3.4, 4.6])
def test_a_quality_is_given_as_a_rounded_normal_draw_gave_it(title_quality):
    rng = random.Random(7)
    table = shares(*demo_insights.quality_table(title_quality))

    def one_by_one():
        if rng.random() >= demo_insights.GIVES_QUALITY:
            return None
        return max(1, min(5, round(rng.gauss(title_quality, 0.8))))

    drawn = drawn_shares(one_by_one)
    for value, chance in table.items():
        assert drawn.get(value, 0) == pytest.approx(chance, abs=0.006), value


@pytest.mark.parametrize("offered", [(), (4,), (2, 9), (1, 3, 5, 8, 13)])
def test_causes_are_named_as_a_sample_of_the_offered_ones_named_them(offered):
    rng = random.Random(len(offered))
    table = shares(*demo_insights.cause_table(offered))

    def one_by_one():
        if not offered or rng.random() >= demo_insights.NAMES_CAUSES:
            return ()
        return tuple(sorted(rng.sample(offered, min(len(offered), rng.randint(1, 3)))))

    drawn = drawn_shares(one_by_one)
    assert set(drawn) <= set(table)
    for value, chance in table.items():
        assert drawn.get(value, 0) == pytest.approx(chance, abs=0.006), value


def test_an_ending_vote_gives_each_ending_of_the_tears_its_share():
    for tears, endings in demo_insights.ENDINGS_BY_TEARS.items():
        slots = Counter(demo_insights.ENDINGS_BY_SLOT[tears])
        assert slots[None] / demo_insights.ENDING_SLOTS == pytest.approx(0.7)
        for ending in set(endings):
            share = demo_insights.VOTES_ENDING * endings.count(ending) / len(endings)
            assert slots[ending] / demo_insights.ENDING_SLOTS == pytest.approx(share)


def test_distinct_draws_are_distinct_and_the_same_for_a_seed():
    members = range(1000, 101_000)
    for count in (0, 1, 50, 20_000, 90_000):
        drawn = demo.distinct(random.Random(count), members, count)
        assert len(drawn) == len(set(drawn)) == count
        assert set(drawn) <= set(members)
        assert drawn == demo.distinct(random.Random(count), members, count)
