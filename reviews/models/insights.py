"""
What a rating can tell beyond how hard: what made the member cry (causes), where it
hit hardest (the moment), how good it was (quality, a second axis kept apart from
tears) and how it ends. The extras live on the rating (Rating.moment, .quality,
.ending) or in its child rows (RatingCause), so removing a rating removes them.

The numbers kept from them (TitleInsights, TitleCauseStats, TitleMomentStats) follow
every write through database triggers (reviews/insight_triggers.py), as TitleStats
follows the tears; recount_tears checks and repairs them (reviews.insight_stats).
"""

from django.conf import settings
from django.db import connection, models
from django.db.models import Q

from catalogue.models import Title
from reviews.models.title_stats import TitleStats

MOST_CAUSES = 5
# A movie's moment is the part of its running time, in tenths.
MOVIE_PARTS = 10


def lock_title_stats(title_id):
    """
    Hold the title's stats row (as an UPDATE of it would) before a write that touches
    the title's cause or moment rows: every writer then takes the stats row first, and
    two members writing about one title queue there instead of deadlocking on the rest.
    """
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT title_id FROM {TitleStats._meta.db_table} "  # noqa: S608
                "WHERE title_id = %s FOR NO KEY UPDATE",
                [title_id],
            )


class Ending(models.TextChoices):
    """How a title ends, as members vote; darkest first (ties lead in this order)."""

    DEVASTATING = "devastating", "Devastating"
    BITTERSWEET = "bittersweet", "Bittersweet"
    HOPEFUL = "hopeful", "Hopeful"
    HAPPY = "happy", "Happy"


class Quality(models.IntegerChoices):
    """How good it was, apart from how sad: the second axis."""

    WEAK = 1, "Weak"
    UNEVEN = 2, "Uneven"
    GOOD = 3, "Good"
    VERY_GOOD = 4, "Very good"
    MASTERPIECE = 5, "A masterpiece"


class CauseQuerySet(models.QuerySet):
    def in_use(self):
        """Causes members may name and pages show: not retired by a curator."""
        return self.filter(is_retired=False)


class Cause(models.Model):
    """
    One thing that makes people cry, from the vocabulary curators keep. A cause that
    names a plot turn is a spoiler, and only shown inside the title page's closed
    disclosure. Retiring a cause hides it everywhere but keeps members' past choices.
    """

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=200, help_text="One neutral line.")
    is_spoiler = models.BooleanField(
        "naming it is a spoiler",
        default=False,
        help_text="Shown only inside the title page's closed “may spoil” disclosure.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Smaller comes first.")
    is_retired = models.BooleanField(
        "retired",
        default=False,
        help_text="No longer offered or shown; members' past choices are kept, out of view.",
    )

    objects = CauseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class RatingCause(models.Model):
    """A cause a member named in their rating of a title."""

    # No index of their own (migration 0012): rating_cause_once (rating, cause) serves
    # every lookup by rating, and nothing reads a cause's ratings.
    rating = models.ForeignKey(
        "reviews.Rating", on_delete=models.CASCADE, related_name="cause_links", db_index=False
    )
    # A cause in use is retired, not deleted: members' choices stay.
    cause = models.ForeignKey(
        Cause, on_delete=models.PROTECT, related_name="rating_links", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rating", "cause"], name="rating_cause_once"),
        ]

    def __str__(self):
        return f"{self.cause} in rating {self.rating_id}"


class TitleInsights(models.Model):
    """
    Running totals of a title's quality votes, ending votes and marked moments, and the
    ending that leads, so that pages and browse filters read stored columns. Every
    title has its row from creation (a trigger inserts it).
    """

    title = models.OneToOneField(
        Title, on_delete=models.CASCADE, primary_key=True, related_name="insights"
    )
    quality_count = models.PositiveIntegerField(default=0)
    quality_sum = models.PositiveIntegerField(default=0)
    quality_1 = models.PositiveIntegerField(default=0)
    quality_2 = models.PositiveIntegerField(default=0)
    quality_3 = models.PositiveIntegerField(default=0)
    quality_4 = models.PositiveIntegerField(default=0)
    quality_5 = models.PositiveIntegerField(default=0)
    quality_mean = models.FloatField(null=True, blank=True)
    ending_count = models.PositiveIntegerField(default=0)
    ending_devastating = models.PositiveIntegerField(default=0)
    ending_bittersweet = models.PositiveIntegerField(default=0)
    ending_hopeful = models.PositiveIntegerField(default=0)
    ending_happy = models.PositiveIntegerField(default=0)
    # NULL: no vote (the triggers count IS NOT NULL), kept apart from any value.
    leading_ending = models.CharField(max_length=12, choices=Ending.choices, null=True, blank=True)  # noqa: DJ001
    moment_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "title insights"
        indexes = [
            models.Index(fields=["leading_ending"], name="insights_leading_ending"),
        ]

    def __str__(self):
        return f"Insights for {self.title_id}"

    @property
    def quality_distribution(self):
        return [getattr(self, f"quality_{level}") for level in Quality.values]

    @property
    def ending_distribution(self):
        return [getattr(self, f"ending_{ending}") for ending in Ending.values]


class TitleCauseStats(models.Model):
    """How many of a title's raters named one cause, and how hard they cried (1–5)."""

    # No index of their own: title_cause_stats_once and cause_stats_by_cause start with them.
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="cause_stats", db_index=False
    )
    cause = models.ForeignKey(
        Cause, on_delete=models.CASCADE, related_name="title_stats", db_index=False
    )
    rater_count = models.PositiveIntegerField(default=0)
    tears_1 = models.PositiveIntegerField(default=0)
    tears_2 = models.PositiveIntegerField(default=0)
    tears_3 = models.PositiveIntegerField(default=0)
    tears_4 = models.PositiveIntegerField(default=0)
    tears_5 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "title cause stats"
        constraints = [
            models.UniqueConstraint(fields=["title", "cause"], name="title_cause_stats_once"),
        ]
        indexes = [
            # Browse's avoid and seek filters start from one cause's titles.
            models.Index(fields=["cause", "rater_count"], name="cause_stats_by_cause"),
        ]

    def __str__(self):
        return f"{self.cause_id} on {self.title_id}: {self.rater_count}"

    @property
    def distribution(self):
        return [getattr(self, f"tears_{level}") for level in range(1, 6)]


class TitleMomentStats(models.Model):
    """How many raters marked one episode (series) or tenth (movie) as where it hit."""

    # No index of its own: title_moment_once (title, position) starts with it.
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="moment_stats", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    rater_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "title moment stats"
        constraints = [
            models.UniqueConstraint(fields=["title", "position"], name="title_moment_once"),
        ]

    def __str__(self):
        return f"{self.title_id} at {self.position}: {self.rater_count}"


EXTRAS_CONSTRAINTS = [
    models.CheckConstraint(
        condition=Q(quality__isnull=True) | (Q(quality__gte=1) & Q(quality__lte=5)),
        name="rating_quality_1_to_5",
    ),
    models.CheckConstraint(
        condition=Q(ending__isnull=True) | Q(ending__in=Ending.values),
        name="rating_ending_known",
    ),
    # Where it hit is about tears: a dry-eyed rating has no moment.
    models.CheckConstraint(
        condition=Q(moment__isnull=True) | (Q(moment__gte=1) & Q(tears__gte=1)),
        name="rating_moment_needs_tears",
    ),
]


class AvoidedCause(models.Model):
    """
    A cause a member always wants to avoid: browse and the theme pages leave out, for
    them, the titles it counts for (with a note saying how many, and a way to show them).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="avoided_causes",
        db_index=False,
    )
    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="avoided_by")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "cause"], name="avoided_cause_once"),
        ]

    def __str__(self):
        return f"{self.user} avoids {self.cause}"
