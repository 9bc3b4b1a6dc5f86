"""
Tear insights: writing a rating's extras, reading a title's insight totals for its page,
the member's own extras and avoid list. (Checking the totals: reviews/insight_stats.py.)

The extras are what a member may tell beyond the tears (reviews/models/insights.py).
Writes go through `rate_telling_more`, which keeps the lock order of the triggers
(reviews/insight_triggers.py): the rating row, the title's stats row, then the rest.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q

from reviews.models import (
    AvoidedCause,
    Cause,
    Ending,
    Quality,
    Rating,
    TearLevel,
    TitleCauseStats,
    TitleInsights,
    TitleMomentStats,
    whole_percentages,
)
from reviews.models.insights import MOST_CAUSES, MOVIE_PARTS
from sadlist.freshness import shared_part

TENTHS = [
    "the first tenth",
    "the second tenth",
    "the third tenth",
    "the fourth tenth",
    "the middle (fifth tenth)",
    "the sixth tenth",
    "the seventh tenth",
    "the eighth tenth",
    "the ninth tenth",
    "the last tenth",
]


def causes_in_use(request=None):
    """
    The causes members may name, in the curators' order: they change only with curators,
    so they are shared. `request` lets the generation be read once per request.
    """
    return shared_part(request, "causes-in-use", lambda: list(Cause.objects.in_use()))


def moment_positions(title):
    """How many places a moment can be for `title` (episodes, or tenths), or 0 if unknown."""
    if title.kind == title.Kind.MOVIE:
        return MOVIE_PARTS
    return title.episodes or 0


def moment_name(title, position):
    """ "episode 7", or "in the last tenth"."""
    return moment_label(title.kind == title.Kind.MOVIE, position)


def moment_label(movie, position):
    """A moment's name in a movie (a tenth of it) or in a series (an episode)."""
    return f"in {TENTHS[position - 1]}" if movie else f"episode {position}"


def extras_problem(title, tears, cause_ids, moment, quality, ending):
    """
    Why these extras cannot be kept with a rating of `title` with `tears` (a sentence),
    or "" when they can.
    Whether the causes are still offered is checked as they are written
    (Rating.objects.tell), in the same statement that reads the ones named before.
    """
    if len(cause_ids) > MOST_CAUSES:
        return f"Name at most {MOST_CAUSES} causes."
    if (cause_ids or moment) and not tears:
        return "A rating of 0 tears has no cause and no moment."
    if moment is not None and not 1 <= moment <= moment_positions(title):
        return "That moment is not within the title."
    if quality is not None and quality not in Quality.values:
        return "Quality is from 1 to 5."
    if ending is not None and ending not in Ending.values:
        return "That is not one of the endings."
    return ""


def rate_telling_more(user, title, tears, cause_ids=(), moment=None, quality=None, ending=None):
    """
    Rate `title` with `tears` and keep the extras told with it, replacing those told
    before. Causes a curator has retired since are kept, out of view: the member can
    no longer see or change them. Refused with ValueError (nothing saved) when the
    extras do not fit (extras_problem, or a cause no longer offered); the form says why
    before it gets here.
    """
    cause_ids = sorted(set(cause_ids))
    extras = {"moment": moment, "quality": quality, "ending": ending}
    if problem := extras_problem(title, tears, cause_ids, **extras):
        raise ValueError(problem)
    return Rating.objects.tell(user, title, tears, cause_ids, **extras)


def my_extras(rating, cause_ids):
    """
    The extras of a member's `rating` (its values as reviews.threads.member_context
    reads them, or None) and the `cause_ids` they named, as the form's initial values.
    """
    if rating is None:
        return {}
    return {
        "causes": [str(pk) for pk in cause_ids],
        "moment": rating["moment"],
        "quality": rating["quality"],
        "ending": rating["ending"],
    }


def share_of(part, whole):
    """`part` of `whole` as a whole percentage, by the site's one rounding rule."""
    return whole_percentages([part, max(whole - part, 0)])[0]


def how_hard(distribution):
    """How hard raters who named a cause cried, in words: "most of them: Sobbing"."""
    total = sum(distribution)
    if not total:
        return ""
    top = max(range(5), key=lambda index: (distribution[index], index))
    level = TearLevel(top + 1).label
    if distribution[top] * 2 > total:
        return f"most of them: {level}"
    return f"most often: {level}"


def cause_rows(title, rating_count):
    """The title's named causes in use, most named first, each in words."""
    stats = (
        TitleCauseStats.objects.filter(title=title, rater_count__gt=0, cause__is_retired=False)
        .select_related("cause")
        .order_by("-rater_count", "cause__order", "cause__name")
    )
    return [
        {
            "cause": row.cause,
            "count": row.rater_count,
            "percent": share_of(row.rater_count, rating_count),
            "how_hard": how_hard(row.distribution),
            "tears": row.distribution,
        }
        for row in stats
    ]


def moment_chart(title, insights):
    """Each episode or tenth with how many raters marked it, the peak, and SVG bar sizes."""
    positions = moment_positions(title)
    counts = dict(
        TitleMomentStats.objects.filter(title=title, rater_count__gt=0).values_list(
            "position", "rater_count"
        )
    )
    if not insights.moment_count or not positions:
        return None
    highest = max(counts.values(), default=0)
    # The strip is drawn at most this wide, however many episodes a series has.
    width = 600
    step = width / positions
    bars = []
    for position in range(1, positions + 1):
        count = counts.get(position, 0)
        height = round(80 * count / highest) if highest else 0
        bars.append(
            {
                "position": position,
                "name": moment_name(title, position),
                "count": count,
                "x": round((position - 1) * step, 2),
                "width": round(max(step - 1, 0.5), 2),
                "y": 80 - height,
                "height": height,
            }
        )
    peak = max(bars, key=lambda bar: (bar["count"], -bar["position"]))
    return {
        "bars": bars,
        "rows": [bar for bar in bars if bar["count"]],
        "peak": peak,
        "width": width,
        "marked": insights.moment_count,
    }


def title_insights(title):
    """
    What the title page shows of the extras, the same for everyone: the causes (the
    spoiling ones apart), quality, where it hit and how it ends. Three queries.
    """
    insights = TitleInsights.objects.get(pk=title.pk)
    rating_count = title.stats.rating_count
    causes = cause_rows(title, rating_count)
    ending_counts = insights.ending_distribution
    quality_counts = insights.quality_distribution
    return {
        "title": title,
        "rating_count": rating_count,
        "open_causes": [row for row in causes if not row["cause"].is_spoiler],
        "spoiler_causes": [row for row in causes if row["cause"].is_spoiler],
        "quality": {
            "count": insights.quality_count,
            "mean": f"{insights.quality_mean:.1f}" if insights.quality_count else "",
            "mean_value": insights.quality_mean if insights.quality_count else None,
            "rows": [
                {"level": level, "name": name, "count": count, "percent": percent}
                for (level, name), count, percent in zip(
                    reversed(Quality.choices),
                    reversed(quality_counts),
                    reversed(whole_percentages(quality_counts)),
                    strict=True,
                )
            ],
        },
        "endings": {
            "count": insights.ending_count,
            "leading": Ending(insights.leading_ending).label if insights.leading_ending else "",
            "rows": [
                {"name": name, "count": count, "percent": percent}
                for (_, name), count, percent in zip(
                    Ending.choices, ending_counts, whole_percentages(ending_counts), strict=True
                )
            ],
        },
        "moments": moment_chart(title, insights),
    }


def cause_counts_for_title():
    """
    The condition under which a cause counts for a title, on TitleCauseStats rows:
    named by at least CAUSE_MIN_RATERS raters and CAUSE_MIN_SHARE percent of them.
    """
    return Q(rater_count__gte=settings.CAUSE_MIN_RATERS) & Q(
        rater_count__gte=F("title__stats__rating_count") * settings.CAUSE_MIN_SHARE / 100.0
    )


# The member's own history and export -----------------------------------------------


def with_own_extras(ratings):
    """`ratings` with the causes each names (those still offered), in one more query."""
    return ratings.prefetch_related(
        Prefetch("causes", queryset=Cause.objects.in_use(), to_attr="causes_named")
    )


def own_extras(rating):
    """
    A rating's extras as plain values, for its member only (their history and export):
    the moment and the ending may spoil, so no one else is ever shown them this way.
    Needs with_own_extras().
    """
    return {
        "causes": [cause.name for cause in rating.causes_named],
        "moment": rating.moment,
        "where_it_hit": moment_name(rating.title, rating.moment) if rating.moment else "",
        "quality": rating.quality,
        "quality_level": rating.get_quality_display() if rating.quality else "",
        "ending": rating.ending or "",
    }


# A member's avoid list -------------------------------------------------------------


def avoided_cause_ids(user):
    """
    The causes (still offered) `user` always avoids, as sorted ids; none for a visitor.
    Every page a member opens reads it first, so it is one written SELECT: building it
    through the ORM cost more than the round trip.
    """
    if not user.is_authenticated:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT avoided.cause_id FROM reviews_avoidedcause avoided "
            "JOIN reviews_cause cause ON cause.id = avoided.cause_id "
            "WHERE avoided.user_id = %s AND NOT cause.is_retired ORDER BY avoided.cause_id",
            [user.pk],
        )
        return [cause_id for (cause_id,) in cursor.fetchall()]


def set_avoided(user, cause_ids):
    """Make `user`'s avoid list exactly `cause_ids` (causes still offered)."""
    with transaction.atomic():
        AvoidedCause.objects.filter(user=user).exclude(cause_id__in=cause_ids).delete()
        AvoidedCause.objects.bulk_create(
            [AvoidedCause(user=user, cause_id=pk) for pk in cause_ids], ignore_conflicts=True
        )


def leave_out_avoided(titles, cause_ids):
    """
    (`titles` without those any of `cause_ids` counts for, how many were left out): two
    queries' worth of subqueries on the stored cause counts, whatever the list's length.
    """
    if not cause_ids:
        return titles, 0
    counted = titles_counted_for(cause_ids)
    return titles.exclude(pk__in=counted), titles.filter(pk__in=counted).count()


def titles_counted_for(cause_ids):
    """The ids of the titles any of `cause_ids` counts for, as a subquery."""
    return (
        TitleCauseStats.objects.filter(cause_id__in=cause_ids)
        .filter(cause_counts_for_title())
        .values("title_id")
    )
