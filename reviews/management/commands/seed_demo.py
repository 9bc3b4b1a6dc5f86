import contextlib
import itertools
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max

from catalogue import search_index
from catalogue.covers import render_cover
from catalogue.models import Mention, Source, Theme, Title
from catalogue.suggestions import Suggestion
from reviews import bulk, demo, demo_community, demo_insights
from reviews.models import (
    Cause,
    Comment,
    CommentMark,
    CommunityMember,
    MentionStats,
    Rating,
    RatingCause,
    Report,
    TearPrior,
    TitleCauseStats,
    TitleInsights,
    TitleMomentStats,
    TitleStats,
    WatchlistEntry,
)
from reviews.stats import recount_all

# Demo titles share these covers: drawing ten thousand would take longer than the seed.
DEMO_COVERS = {kind: f"covers/demo-{kind}.png" for kind in Title.Kind.values}


class Progress:
    """A one-line progress bar per step on stderr, redrawn every 1%."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.interactive = stream.isatty()
        self.started = time.monotonic()

    def track(self, label, rows, total):
        """`rows`, drawing the bar every 1% of `total` (Python runs once per 1%, not per row)."""
        return itertools.chain.from_iterable(self._hundredths(label, rows, total))

    def _hundredths(self, label, rows, total):
        step = max(1, total // 100)
        self._draw(label, 0, total)
        rows, done = iter(rows), 0
        while batch := list(itertools.islice(rows, step)):
            yield batch
            done += len(batch)
            if self.interactive:
                self._draw(label, done, total)
        self._draw(label, done, total, final=True)

    @contextlib.contextmanager
    def running(self, label):
        """A step with nothing to count: its line shows while it runs, and its end time."""
        self._draw(label, 0, 1)
        yield
        self._draw(label, 1, 1, final=True)

    def _draw(self, label, done, total, final=False):
        if not (final or self.interactive):
            return
        filled = self.WIDTH * done // total if total else self.WIDTH
        line = (
            f"\r{label:<22} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{done:>9,}/{total:<9,} {time.monotonic() - self.started:6.1f}s"
        )
        self.stream.write(line, style_func=str, ending="\n" if final else "")
        self.stream.flush()


class Command(BaseCommand):
    """
    Add synthetic members, titles, ratings, comments and reports to the catalogue, for
    load tests and demos. Deterministic for a seed; stats exact when it ends.
    """

    help = (
        "Add synthetic but plausible demo data (members demo000001…, made-up titles on the "
        "real themes, skewed ratings, comments with stances, spoilers and reports) using the "
        "database's fastest bulk path. Refuses a database with real members unless --force."
    )

    def add_arguments(self, parser):
        base = ", ".join(f"{count:,} {name}" for name, count in demo.BASE_COUNTS.items())
        parser.add_argument(
            "--scale",
            default="1x",
            help=f"How much data, as a multiple of 1x ({base}), such as 10x or 0.1x; "
            "--titles, --members, --ratings and --comments, when given, win.",
        )
        for name in demo.BASE_COUNTS:
            parser.add_argument(f"--{name}", type=int, help="(default: from --scale)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--password",
            help="The password every demo member signs in with (default: none can sign in).",
        )
        parser.add_argument(
            "--without-extras",
            action="store_true",
            help="Ratings tell their tears only: no causes, moments, quality or endings "
            "(everything else is what the same seed gives with them).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though the database has members not created by seed_demo.",
        )

    def handle(self, *args, scale, seed, password, force, without_extras, **options):
        started = time.monotonic()
        try:
            counts = demo.scaled_counts(scale)
        except ValueError as error:
            raise CommandError(error) from None
        for name in counts:
            if options[name] is not None:
                counts[name] = options[name]
            if counts[name] < 0:
                raise CommandError(f"--{name} must be zero or more, not {counts[name]}.")
        titles, members, ratings, comments = (counts[name] for name in demo.BASE_COUNTS)
        user_model = get_user_model()
        self._refuse_real_members(user_model, force)
        theme_ids = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
        if titles and not theme_ids:
            raise CommandError(
                "There are no themes: load the catalogue first "
                "(manage.py loaddata fixtures/catalogue.json); demo titles take its themes."
            )
        existing = list(Title.objects.published().order_by("pk").values_list("pk", "year"))
        published = len(existing) + titles - titles // demo.UNPUBLISHED_EVERY
        if ratings > published * members:
            raise CommandError(
                f"--ratings {ratings:,} is more than possible: each of the {members:,} new "
                f"members can rate each of the {published:,} published titles once "
                f"({published * members:,} ratings at most)."
            )
        if comments and not (members and published):
            raise CommandError("--comments needs at least one new member and a published title.")

        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        progress = Progress(self.stderr)
        bulk.tune_sqlite_for_bulk_load()
        with transaction.atomic():
            bulk.lift_statement_timeout()
            plan = {
                "first_user": self._next_id(user_model),
                "first_number": self._next_member_number(user_model),
                "first_title": self._next_id(Title),
                "first_comment": self._next_id(Comment),
                "first_rating": self._next_id(Rating),
                "taken_slugs": set(Title.objects.values_list("slug", flat=True)),
                "existing": existing,
                "theme_ids": theme_ids,
                "covers": self._demo_covers(),
                # Hashed once for all members: a hundred thousand hashes would take hours.
                "password": make_password(password),
            }
            # The recount only reads these: their indexes are built while it counts.
            talk = (Comment, Report, CommentMark, WatchlistEntry, Suggestion)
            tables = (user_model, Title, Title.themes.through, Rating, RatingCause, *talk)
            # The recount fills the stats tables from the loaded rows (after a load, nearly
            # every one of their rows is missing): their indexes and constraints, too, are
            # built once, after it, rather than checked and updated row by row.
            counted = (TitleStats, TitleInsights, TitleCauseStats, TitleMomentStats)
            counted += (MentionStats, CommunityMember)
            rebuilding = bulk.without_keys_and_indexes(
                *tables,
                *counted,
                track=lambda steps: progress.track("rebuild indexes", steps, len(steps)),
            )
            # Counting each row as it arrives would cost a trigger call per row; the
            # totals are counted once, from all the rows, when the load is done.
            with rebuilding as rebuild, bulk.without_triggers(*tables):
                reports, community = self._load(
                    rng,
                    progress,
                    plan,
                    rebuild,
                    (titles, members, ratings, comments),
                    with_extras=not without_extras,
                )
                bulk.reset_sequences(*tables)
                # Every title's totals and stats row, from the rows just loaded, while
                # the indexes of the tables it only reads are built in the time it
                # spends in Python between its queries.
                with (
                    progress.running("count stats"),
                    rebuild.meanwhile(*talk, block_queries=True),
                    bulk.every_core(),
                ):
                    recount_all()
            with progress.running("index names for search"):
                search_index.rebuild(connection)  # its triggers were off for the load
            with progress.running("score titles"):
                TearPrior.refresh()  # the new mean, every score, and a new content version
                # The totals were all rewritten, and the catalogue's mentions and themes
                # never changed enough for autovacuum to analyze them.
                bulk.analyze(TitleStats, Mention, Theme, Source)
        self.stdout.write(
            f"Added {members:,} members, {titles:,} titles, {ratings:,} ratings, "
            f"{comments:,} comments and {reports:,} reports "
            f"(seed {seed}) in {time.monotonic() - started:.1f}s; stats are exact.\n"
            + "Among them {replies:,} replies, {marks:,} “this hit me too” marks, "
            "{watchlist:,} watchlist entries and {suggestions:,} suggestions.".format(**community)
            + (" The ratings tell their tears only (--without-extras)." if without_extras else "")
        )

    def _load(self, rng, progress, plan, rebuild, counts, with_extras):
        """
        Stream every demo row into its table; returns the number of reports, and the
        numbers of the community's rows by kind. Without `with_extras`, the ratings tell
        nothing beyond their tears.
        """
        titles, members, ratings, comments = counts
        user_model = get_user_model()
        member_ids = range(plan["first_user"], plan["first_user"] + members)
        bulk.insert(
            user_model,
            demo.MEMBER_COLUMNS,
            progress.track(
                "members",
                demo.member_rows(
                    rng, plan["first_user"], plan["first_number"], members, plan["password"]
                ),
                members,
            ),
        )

        title_rows = list(
            progress.track(
                "titles",
                demo.title_rows(
                    rng, plan["first_title"], titles, plan["taken_slugs"], plan["covers"]
                ),
                titles,
            )
        )
        bulk.insert(Title, demo.TITLE_COLUMNS, title_rows)
        theme_rows = list(
            demo.title_theme_rows(rng, [row[0] for row in title_rows], plan["theme_ids"])
        )
        bulk.insert(
            Title.themes.through,
            ["title_id", "theme_id"],
            progress.track("themes of titles", theme_rows, len(theme_rows)),
        )

        # The real catalogue's titles are the famous ones: the most rated and discussed.
        existing = list(plan["existing"])
        new = [(row[0], row[6]) for row in title_rows if row[15]]
        rng.shuffle(existing)
        rng.shuffle(new)
        ranked = existing + new
        extras = self._demo_extras(rng, [row[0] for row in ranked], with_extras)
        # Nothing else is loaded yet: the database builds the members' and titles'
        # indexes while Python plans the ratings.
        with (
            rebuild.meanwhile(user_model, Title, Title.themes.through),
            progress.running("plan ratings"),
        ):
            planned = demo.planned_ratings(rng, ranked, member_ids, ratings, extras)
        links = []
        bulk.insert(
            Rating,
            ["id", *demo.RATING_COLUMNS, *demo_insights.EXTRA_COLUMNS],
            progress.track(
                "ratings", demo.rating_rows(plan["first_rating"], planned, links), ratings
            ),
        )
        bulk.insert(
            RatingCause,
            ["rating_id", "cause_id"],
            progress.track("causes of ratings", links, len(links)),
        )
        del links
        del planned  # the largest thing the seed holds: free it before planning comments
        # The ratings are all in: the database builds their indexes while Python plans
        # the comments and the community's rows, each on a core of its own.
        with rebuild.meanwhile(Rating, RatingCause):
            with progress.running("plan comments"):
                comment_rows = demo.comment_rows(
                    rng, plan["first_comment"], ranked, member_ids, comments
                )
                report_rows = demo.reports_and_hidden(rng, comment_rows, member_ids)
            rows = self._plan_community(rng, progress, plan, ranked, member_ids, comment_rows)
            # The comments go in after their replies and marks are drawn, with their counts.
            counted = demo_community.with_counts(comment_rows, rows["replies"], rows["marks"])
        bulk.insert(
            Comment,
            demo.COMMENT_COLUMNS + demo_community.COUNTED_COLUMNS,
            progress.track("comments", counted, comments),
        )
        del counted
        bulk.insert(
            Report, demo.REPORT_COLUMNS, progress.track("reports", report_rows, len(report_rows))
        )
        rows["replies"] = demo_community.with_counts(rows["replies"], [], rows["marks"])
        for label, model, columns in [
            ("replies", Comment, demo_community.REPLY_COLUMNS + demo_community.COUNTED_COLUMNS),
            ("marks", CommentMark, demo_community.MARK_COLUMNS),
            ("watchlist", WatchlistEntry, demo_community.WATCHLIST_COLUMNS),
            ("suggestions", Suggestion, demo_community.SUGGESTION_COLUMNS),
        ]:
            bulk.insert(model, columns, progress.track(label, rows[label], len(rows[label])))
        return len(report_rows), {label: len(each) for label, each in rows.items()}

    def _plan_community(self, rng, progress, plan, ranked, member_ids, comment_rows):
        """Replies, marks, watchlists and suggestions, as rows by kind."""
        wanted = demo_community.counts(len(comment_rows), len(member_ids))
        with progress.running("plan replies, marks, lists and suggestions"):
            first_reply = plan["first_comment"] + len(comment_rows)
            rows = {
                "replies": demo_community.reply_rows(
                    rng, first_reply, comment_rows, member_ids, wanted["replies"]
                ),
                "watchlist": demo_community.watchlist_rows(
                    rng, ranked, member_ids, wanted["watchlist"]
                ),
                "suggestions": demo_community.suggestion_rows(
                    rng, member_ids, wanted["suggestions"]
                ),
            }
            rows["marks"] = demo_community.mark_rows(
                rng, comment_rows + rows["replies"], member_ids, wanted["marks"]
            )
        return rows

    def _demo_extras(self, rng, title_ids, with_extras):
        """
        What the demo ratings tell beyond tears, drawn from their own stream of the seed
        (taken from the seed's stream either way, so that the rest of the data is the
        same with extras and without).
        """
        extras_rng = random.Random(rng.random())  # noqa: S311 - reproducible demo data
        if not with_extras:
            return demo_insights.NoExtras()
        titles = {
            pk: (kind, episodes)
            for pk, kind, episodes in Title.objects.filter(pk__in=title_ids).values_list(
                "pk", "kind", "episodes"
            )
        }
        themes = {}
        for title_id, slug in Title.themes.through.objects.filter(
            title_id__in=title_ids
        ).values_list("title_id", "theme__slug"):
            themes.setdefault(title_id, []).append(slug)
        cause_ids = dict(Cause.objects.in_use().values_list("slug", "pk"))
        return demo_insights.DemoExtras(extras_rng, titles, themes, cause_ids)

    def _refuse_real_members(self, user_model, force):
        real = user_model.objects.exclude(
            username__regex=rf"^{demo.MEMBER_PREFIX}[0-9]{{6,}}$",
            email__endswith=f"@{demo.MEMBER_EMAIL_DOMAIN}",
        )
        if not force and real.exists():
            raise CommandError(
                f"This database has {real.count():,} real member(s) (for example "
                f"{real.order_by('pk').first().username!r}): seed_demo adds tens of thousands "
                "of fake ones beside them. Use a separate database, or pass --force."
            )

    def _next_id(self, model):
        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def _next_member_number(self, user_model):
        """Demo members are numbered on from the last run's, so runs can add up."""
        last = (
            user_model.objects.filter(username__regex=rf"^{demo.MEMBER_PREFIX}[0-9]{{6,}}$")
            .order_by("-pk")
            .values_list("username", flat=True)
            .first()
        )
        return int(last.removeprefix(demo.MEMBER_PREFIX)) + 1 if last else 1

    def _demo_covers(self):
        for kind, name in DEMO_COVERS.items():
            if not default_storage.exists(name):
                label = Title.Kind(kind).label
                default_storage.save(name, ContentFile(render_cover("A demo title", label)))
        return DEMO_COVERS
