"""
The numbers kept from members' ratings and comments: each title's running totals and
tear score (TitleStats), and the tear score's prior (TearPrior).

Database triggers keep TitleStats equal to the ratings and comments, in the same
statement that writes them, whatever writes them (reviews/triggers.py); recount_tears
checks and repairs them (reviews.stats.recount_all).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone

from catalogue.models import Mention, Title, TitleQuerySet
from reviews.triggers import DISPUTE_PRIOR_AGREEMENTS

logger = logging.getLogger(__name__)

# Scores that differ by less than this are the same score written twice.
SCORE_TOLERANCE = 1e-9


def dispute_share(stance_count, disagree_count):
    """
    The damped share of a title's comments taking a side that disagree with the list,
    as the triggers store it (TitleStats.dispute_share; DISPUTE_PRIOR_AGREEMENTS says
    why damped).
    """
    return disagree_count / (stance_count + DISPUTE_PRIOR_AGREEMENTS)


def lock_writers_out():
    """
    Keep ratings and comments from changing until the transaction ends. SQLite's
    IMMEDIATE transactions already hold the write lock; PostgreSQL needs a table lock
    that lets readers through but makes writers wait. PostgreSQL takes a statement's
    snapshot after its locks, so a rating that waited here reads what was committed.

    EXCLUSIVE, not SHARE: a change holds its row (the insert that found it holds it),
    then the title's stats row, and only then writes. SHARE let the lock in between the
    hold and the write, and the two then waited on each other (the write on this lock,
    this transaction on the stats row) until PostgreSQL turned one away as a deadlock.
    EXCLUSIVE waits for such a change to end; plain reads still go through.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE reviews_rating, reviews_comment IN EXCLUSIVE MODE")


def whole_percentages(counts):
    """
    Whole-number percentages of `counts` that add up to exactly 100 (or all 0 when
    nothing is counted): each share is rounded down, and the points still missing go
    to the largest remainders, ties to the earlier position.
    """
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [count * 100 / total for count in counts]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(shares)]:
        shares[i] += 1
    return shares


class TearPrior(models.Model):
    """
    The tear score's prior, one row (pk=1): the site-wide mean C that a title with few
    ratings is pulled toward, and the weight m (how many ratings it counts as).

        tear_score = (rating_sum + m * C) / (rating_count + m)

    C is stored rather than read live so that a rating changes only its own title's
    score: every score is then a stored, indexed column (TitleStats.tear_score), and no
    rating has to touch a row shared by all titles. reviews.stats.refresh_prior
    recomputes C and every score in one statement, when `manage.py refresh_tear_prior`
    runs or when the stored C is due (refresh_if_due).
    """

    # Before anyone has rated: the middle of the 0–5 scale.
    DEFAULT_MEAN = 2.5

    mean = models.FloatField(default=DEFAULT_MEAN)
    weight = models.PositiveSmallIntegerField(default=5)
    rating_count = models.PositiveBigIntegerField(
        default=0, help_text="How many ratings the mean was computed from."
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="tear_prior_one_row")]

    def __str__(self):
        return f"Tear prior {self.mean:.3f} (weight {self.weight})"

    @classmethod
    def current(cls):
        """The stored prior, or the one a site without ratings starts from."""
        return cls.objects.filter(pk=1).first() or cls(
            pk=1, weight=settings.TEAR_SCORE_PRIOR_WEIGHT
        )

    @staticmethod
    def site_totals():
        """(number of ratings, sum of their tears) over the whole site, from per-title stats."""
        totals = TitleStats.objects.aggregate(count=Sum("rating_count"), total=Sum("rating_sum"))
        return totals["count"] or 0, totals["total"] or 0

    @classmethod
    def refresh(cls):
        """
        Store the site-wide mean as the prior and recompute every title's score from
        it, in one statement; return the new prior. Ratings wait while it runs, so none
        is scored with the old prior after the new one is stored. The prior's trigger
        raises the content version: every page shows the new scores at once.
        """
        with transaction.atomic():
            lock_writers_out()
            count, total = cls.site_totals()
            prior, _ = cls.objects.select_for_update().get_or_create(pk=1)
            prior.mean = total / count if count else cls.DEFAULT_MEAN
            prior.weight = settings.TEAR_SCORE_PRIOR_WEIGHT
            prior.rating_count = count
            prior.refreshed_at = timezone.now()
            prior.save()
            TitleStats.objects.update(tear_score=prior.score_expression())
        return prior

    # When this process next looks at the prior (time.monotonic()); see refresh_if_due.
    next_look = 0.0

    @classmethod
    def refresh_if_due(cls):
        """
        Refresh the prior when the stored mean has drifted from the site's mean by more
        than TEAR_PRIOR_TOLERANCE, or is older than TEAR_PRIOR_MAX_AGE and has moved at
        all; True if it did.

        Run after each rating commits, it looks at most once every
        TEAR_PRIOR_CHECK_SECONDS in each process: a look reads the whole stats table
        for the site's mean, cheap once a minute and wasteful on every rating. Drift
        catches a young site, whose mean moves with every rating; age bounds how long a
        slow drift below the tolerance builds up. A refresh re-scores every title and
        rebuilds every cached page, so it is skipped while the mean stands still.
        """
        now = time.monotonic()
        if now < cls.next_look:
            return False
        cls.next_look = now + settings.TEAR_PRIOR_CHECK_SECONDS
        prior = cls.current()
        count, total = cls.site_totals()
        mean = total / count if count else cls.DEFAULT_MEAN
        moved = abs(mean - prior.mean)
        too_old = prior.refreshed_at is None or (
            timezone.now() - prior.refreshed_at > timedelta(seconds=settings.TEAR_PRIOR_MAX_AGE)
        )
        if moved > settings.TEAR_PRIOR_TOLERANCE or (too_old and moved > SCORE_TOLERANCE):
            cls.refresh()
            logger.info(
                "tear prior refreshed: %.4f → %.4f over %d ratings", prior.mean, mean, count
            )
            return True
        if too_old:
            cls.objects.filter(pk=1).update(refreshed_at=timezone.now())
        return False

    def score(self, rating_count, rating_sum):
        """The tear score of a title with these totals, under this prior."""
        return (rating_sum + self.weight * self.mean) / (rating_count + self.weight)

    def score_expression(self):
        """score() as a database expression over TitleStats' own columns."""
        return (Cast(F("rating_sum"), models.FloatField()) + Value(self.weight * self.mean)) / Cast(
            F("rating_count") + Value(self.weight), models.FloatField()
        )


class TitleStats(models.Model):
    """
    Running totals of a title's ratings and visible comments, and its tear score, so
    that no page has to aggregate over the ratings table. Every title has its row from
    the moment it is created (a trigger inserts it), so pages join it without fallbacks.
    """

    title = models.OneToOneField(
        Title, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    tears_0 = models.PositiveIntegerField(default=0)
    tears_1 = models.PositiveIntegerField(default=0)
    tears_2 = models.PositiveIntegerField(default=0)
    tears_3 = models.PositiveIntegerField(default=0)
    tears_4 = models.PositiveIntegerField(default=0)
    tears_5 = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0, help_text="Visible comments.")
    stance_count = models.PositiveIntegerField(
        default=0, help_text="Visible comments that agree or disagree with the list."
    )
    disagree_count = models.PositiveIntegerField(default=0)
    tear_score = models.FloatField(default=TearPrior.DEFAULT_MEAN)
    # A default in the database too: the triggers insert a new title's row without it.
    dispute_share = models.FloatField(
        default=0,
        db_default=0,
        help_text="The damped share of visible comments taking a side that disagree "
        "with the list (dispute_share()); kept by the comment triggers.",
    )

    class Meta:
        # The table keeps the name it had when the catalogue app held these totals.
        db_table = "catalogue_titlestats"
        verbose_name_plural = "title stats"
        # Each list sorted by one of these columns is read in its index's order and
        # stopped after one page, instead of sorting every title: browse by tear score
        # (and home's saddest shelf, walking it for the well rated), by most rated, most
        # discussed and most disputed (and home's most disputed). Each ends with the
        # title, so ties keep one fixed order. A rating or comment already rewrites its
        # stats row's index entries (the tear score, indexed, changes with every
        # rating), so each index costs a write one more entry, in its own title's place.
        indexes = [
            models.Index(fields=["-tear_score", "title"], name="titlestats_saddest"),
            models.Index(
                fields=["-rating_count", "-tear_score", "title"], name="titlestats_most_rated"
            ),
            models.Index(
                fields=["-comment_count", "-tear_score", "title"],
                name="titlestats_most_discussed",
            ),
            models.Index(
                fields=["-dispute_share", "-stance_count", "title"],
                name="titlestats_most_disputed",
            ),
        ]

    def __str__(self):
        return f"Stats for {self.title_id}"

    @property
    def distribution(self):
        return [getattr(self, f"tears_{level}") for level in range(6)]

    @property
    def mean(self):
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def percentages(self):
        return whole_percentages(self.distribution)


class MentionStats(models.Model):
    """
    Running totals of the visible comments' stances about one listing of a title (an
    article's mention of it), so that the lists page shows which way members lean
    without counting comments. Kept by the same triggers as TitleStats; a listing gets
    its row with the first stance about it (pages read a missing row as all zeros).
    """

    mention = models.OneToOneField(
        Mention, on_delete=models.CASCADE, primary_key=True, related_name="stance_stats"
    )
    agree_count = models.PositiveIntegerField(
        default=0, help_text="Ranked about right, or belongs on the list."
    )
    too_high_count = models.PositiveIntegerField(default=0)
    too_low_count = models.PositiveIntegerField(default=0)
    off_list_count = models.PositiveIntegerField(
        default=0, help_text="Does not belong on the list."
    )

    class Meta:
        verbose_name_plural = "mention stats"

    def __str__(self):
        return f"Stances on mention {self.mention_id}"


class RatedTitleQuerySet(TitleQuerySet):
    def with_stats(self):
        """
        Join each title's stats (an inner join: every title has its row) and annotate
        tear_score, rating_count, comment_count, stance_count and dispute_share
        (TitleStats.dispute_share, stored: see dispute_share()).
        """
        return (
            self.filter(stats__isnull=False)
            .select_related("stats")
            .annotate(
                tear_score=F("stats__tear_score"),
                rating_count=F("stats__rating_count"),
                comment_count=F("stats__comment_count"),
                stance_count=F("stats__stance_count"),
                dispute_share=F("stats__dispute_share"),
            )
        )

    def sharing_themes_with(self, title, theme_ids):
        """
        Other titles that share at least one of `theme_ids` (the title's themes),
        the most shared themes first, then the highest tear score. Needs with_stats().
        """
        return (
            self.exclude(pk=title.pk)
            .filter(themes__in=theme_ids)
            .annotate(shared_themes=Count("themes"))
            .order_by("-shared_themes", F("tear_score").desc(), "name", "pk")
        )

    def rated_high_by_fans_of(self, title, count, fans_considered=200):
        """
        The `count` other titles that most members who rated `title` 4 or 5 also rated
        4 or 5, the most such members first (then by name), each with fan_count: a list.

        Only `fans_considered` high ratings of `title` are read, the 5s before the
        4s, straight from the (title, tears) index in its order, so the query stays
        bounded however many ratings the title has. (Ordering them by date as well
        would make the database read and sort every high rating of the title.)

        Two queries: the ranking groups the fans' ratings by title id and name alone,
        then the titles it picked are read whole. Grouping by every column of a title
        and its stats (as SQLite must, in one query) cost twice as long.
        """
        rating_model = Title._meta.get_field("ratings").related_model
        fans = (
            rating_model.objects.filter(title=title, tears__gte=4)
            .order_by("-tears")
            .values("user_id")[:fans_considered]
        )
        ranking = list(
            self.exclude(pk=title.pk)
            .filter(ratings__user_id__in=fans, ratings__tears__gte=4)
            .values_list("pk")
            .annotate(fan_count=Count("ratings"))
            .order_by("-fan_count", "name", "pk")[:count]
        )
        picked = self.in_bulk([pk for pk, _ in ranking])
        chosen = []
        for pk, fan_count in ranking:
            if pk in picked:  # (a curator may have taken it down in between)
                picked[pk].fan_count = fan_count
                chosen.append(picked[pk])
        return chosen


class RatedTitle(Title):
    """A title as the public pages show it: with the numbers members' ratings made."""

    objects = RatedTitleQuerySet.as_manager()

    class Meta:
        proxy = True
