"""
Checking and repairing the insight totals (TitleInsights, TitleCauseStats,
TitleMomentStats) against the ratings' extras: the part of `recount_tears` that covers
them (reviews.stats.recount_all calls `recount`).
"""

from django.db.models import Count, Q, Sum

from reviews import bulk
from reviews.models import (
    Ending,
    Quality,
    Rating,
    RatingCause,
    TitleCauseStats,
    TitleInsights,
    TitleMomentStats,
)
from sadlist.rows import plain_rows


def _expected_insights():
    counts = (
        Rating.objects.order_by()
        .values("title_id")
        .annotate(
            quality_count=Count("id", filter=Q(quality__isnull=False)),
            quality_sum=Sum("quality", default=0),
            **{
                f"quality_{level}": Count("id", filter=Q(quality=level)) for level in Quality.values
            },
            ending_count=Count("id", filter=Q(ending__isnull=False)),
            **{
                f"ending_{ending}": Count("id", filter=Q(ending=ending)) for ending in Ending.values
            },
            moment_count=Count("id", filter=Q(moment__isnull=False)),
        )
    )
    names = list(counts.query.annotation_select)
    return {title_id: dict(zip(names, rest, strict=True)) for title_id, *rest in plain_rows(counts)}


# Ending.values builds its list anew on every read; the recount asks once per title.
ENDINGS = Ending.values


def _leader(counts):
    if not counts["ending_count"]:
        return None
    return max(ENDINGS, key=lambda e: (counts[f"ending_{e}"], -ENDINGS.index(e)))


def _recount_rows(model, keys, expected, counters, label):
    """Make `model`'s (title, key) rows equal `expected`; one line per drift repaired."""
    drift = []
    stored = {(row.title_id, getattr(row, keys)): row for row in model.objects.all()}
    zeros = dict.fromkeys(counters, 0)
    to_update, to_create = [], []
    for pair in sorted(set(stored) | set(expected)):
        want, row = expected.get(pair, zeros), stored.get(pair)
        if row is None:
            drift.append(f"title {pair[0]}, {label} {pair[1]}: row was missing")
            to_create.append((*pair, *(want[field] for field in counters)))
            continue
        differences = [
            f"{field} {getattr(row, field)} → {want[field]}"
            for field in counters
            if getattr(row, field) != want[field]
        ]
        if differences:
            drift.append(f"title {pair[0]}, {label} {pair[1]}: " + ", ".join(differences))
            for field, value in want.items():
                setattr(row, field, value)
            to_update.append(row)
    # Missing rows go in through the bulk loader: after seed_demo, every one is missing.
    bulk.insert(model, ["title_id", keys, *counters], to_create)
    model.objects.bulk_update(to_update, counters, batch_size=500)
    return drift


def recount(names):
    """
    Recompute every title's insight totals from the ratings' extras and fix what
    differs; one line per drift repaired. Runs inside recount_all's transaction, with
    writers locked out. `names`: {title id: name}.
    """
    drift = []
    expected = _expected_insights()
    counters = [field.name for field in TitleInsights._meta.fields][1:]
    counters.remove("quality_mean")
    counters.remove("leading_ending")
    created_columns = [*counters, "leading_ending", "quality_mean"]
    stored = {row.pk: row for row in TitleInsights.objects.all()}
    to_update, to_create = [], []
    for title_id in sorted(names):
        want = expected.get(title_id, dict.fromkeys(counters, 0))
        want = {
            **want,
            "leading_ending": _leader(want),
            "quality_mean": want["quality_sum"] / want["quality_count"]
            if want["quality_count"]
            else None,
        }
        row = stored.get(title_id)
        if row is None:
            drift.append(f"{names[title_id]}: insights row was missing")
            to_create.append((title_id, *(want[field] for field in created_columns)))
            continue
        differences = [
            f"{field} {getattr(row, field)} → {value}"
            for field, value in want.items()
            if field != "quality_mean" and getattr(row, field) != value
        ]
        if differences:
            drift.append(f"{names[title_id]}: " + ", ".join(differences))
            for field, value in want.items():
                setattr(row, field, value)
            to_update.append(row)
    bulk.insert(TitleInsights, ["title_id", *created_columns], to_create)
    TitleInsights.objects.bulk_update(
        to_update, [*counters, "quality_mean", "leading_ending"], batch_size=500
    )
    levels = [f"tears_{level}" for level in range(1, 6)]
    # Counted per (title, cause) by the database, each level a filtered count, so that
    # one row comes back per stats row rather than one per (title, cause, tears).
    cause_counts = (
        RatingCause.objects.order_by()
        .values("rating__title_id", "cause_id")
        .annotate(
            rater_count=Count("id"),
            **{
                f"tears_{level}": Count("id", filter=Q(rating__tears=level))
                for level in range(1, 6)
            },
        )
    )
    names = ["rater_count", *levels]
    cause_expected = {
        (title_id, cause_id): dict(zip(names, rest, strict=True))
        for title_id, cause_id, *rest in plain_rows(cause_counts)
    }
    drift += _recount_rows(
        TitleCauseStats, "cause_id", cause_expected, ["rater_count", *levels], "cause"
    )
    moments = {
        (title_id, moment): {"rater_count": number}
        for title_id, moment, number in plain_rows(
            Rating.objects.filter(moment__isnull=False)
            .order_by()
            .values("title_id", "moment")
            .annotate(number=Count("id"))
        )
    }
    drift += _recount_rows(TitleMomentStats, "position", moments, ["rater_count"], "moment")
    return drift
