"""
Keeping catalogue.TitleStats and SiteStats equal to what the ratings and comments say.

Every function here is called inside the transaction that writes the rating or
comment, and changes the totals with database-side arithmetic (F expressions), so
two members writing at once cannot overwrite each other's counts. Locks are taken
in one order everywhere — rating or comment row, then TitleStats rows by title id,
then SiteStats — so concurrent writers queue instead of deadlocking.

`recount_all` rebuilds every total from the rows themselves and reports any drift.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from catalogue.models import SiteStats, Title, TitleStats

LEVELS = range(6)
COUNTERS = (
    ["rating_count", "rating_sum"]
    + [f"tears_{level}" for level in LEVELS]
    + ["comment_count", "stance_count", "disagree_count"]
)


def _apply(model, pk, changes):
    """Add `changes` ({field: delta}) to one stats row, creating the row if it is missing."""
    changes = {field: delta for field, delta in changes.items() if delta}
    if not changes:
        return
    update = {field: F(field) + delta for field, delta in changes.items()}
    if model.objects.filter(pk=pk).update(**update):
        return
    # First write for this row. ignore_conflicts makes a concurrent creation harmless;
    # the update after it then applies on top of whichever insert won.
    model.objects.bulk_create([model(pk=pk)], ignore_conflicts=True)
    model.objects.filter(pk=pk).update(**update)


def _rating_changes(title_id, count, total, levels):
    _apply(TitleStats, title_id, {"rating_count": count, "rating_sum": total, **levels})
    _apply(SiteStats, 1, {"rating_count": count, "rating_sum": total, "content_version": 1})


def touch():
    """
    Note that something visitors can see has changed, so that every cached visitor page
    is rebuilt (catalogue.caching). Rating changes do this as part of their own update.
    """
    _apply(SiteStats, 1, {"content_version": 1})


def add_rating(title_id, tears):
    _rating_changes(title_id, 1, tears, {f"tears_{tears}": 1})


def remove_rating(title_id, tears):
    _rating_changes(title_id, -1, -tears, {f"tears_{tears}": -1})


def change_rating(title_id, old, new):
    _rating_changes(title_id, 0, new - old, {f"tears_{old}": -1, f"tears_{new}": 1})


def _comment_changes(stance, sign):
    return {
        "comment_count": sign,
        "stance_count": sign if stance != "none" else 0,
        "disagree_count": sign if stance == "disagree" else 0,
    }


def add_comment(title_id, stance):
    _apply(TitleStats, title_id, _comment_changes(stance, 1))
    touch()


def remove_comment(title_id, stance):
    _apply(TitleStats, title_id, _comment_changes(stance, -1))
    touch()


def change_comment_stance(title_id, old, new):
    removed, added = _comment_changes(old, -1), _comment_changes(new, 1)
    _apply(
        TitleStats,
        title_id,
        {field: removed[field] + added[field] for field in ("stance_count", "disagree_count")},
    )


def remove_member(user):
    """
    Delete a member's account: their ratings leave the stats and their comments are
    deleted (visible ones leave the counts), all in one transaction.
    """
    from reviews.models import Comment, Rating

    with transaction.atomic():
        ratings = list(
            Rating.objects.select_for_update()
            .filter(user=user)
            .order_by("title_id")
            .values_list("title_id", "tears")
        )
        comments = list(
            Comment.objects.select_for_update()
            .filter(user=user, is_hidden=False)
            .order_by("title_id")
            .values_list("title_id", "stance")
        )
        changes = defaultdict(lambda: defaultdict(int))
        for title_id, tears in ratings:
            changes[title_id]["rating_count"] -= 1
            changes[title_id]["rating_sum"] -= tears
            changes[title_id][f"tears_{tears}"] -= 1
        for title_id, stance in comments:
            for field, delta in _comment_changes(stance, -1).items():
                changes[title_id][field] += delta
        for title_id in sorted(changes):
            _apply(TitleStats, title_id, changes[title_id])
        _apply(
            SiteStats,
            1,
            {
                "rating_count": -len(ratings),
                "rating_sum": -sum(t for _, t in ratings),
                "content_version": 1,
            },
        )
        user.delete()


def _lock_writers_out():
    """
    Keep ratings and comments from changing while totals are recounted. SQLite's
    IMMEDIATE transactions already hold the write lock; PostgreSQL needs a table lock
    that lets readers through but makes writers wait.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE reviews_rating, reviews_comment IN SHARE MODE")


def expected_totals():
    """Every title's totals computed from the ratings and visible comments themselves."""
    from reviews.models import Comment, Rating

    totals = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    rating_rows = (
        Rating.objects.order_by()
        .values("title_id")
        .annotate(
            rating_count=Count("id"),
            rating_sum=Sum("tears"),
            **{f"tears_{level}": Count("id", filter=Q(tears=level)) for level in LEVELS},
        )
    )
    comment_rows = (
        Comment.objects.visible()
        .order_by()
        .values("title_id")
        .annotate(
            comment_count=Count("id"),
            stance_count=Count("id", filter=~Q(stance="none")),
            disagree_count=Count("id", filter=Q(stance="disagree")),
        )
    )
    for row in [*rating_rows, *comment_rows]:
        title_id = row.pop("title_id")
        totals[title_id].update(row)
    return totals


def recount_all():
    """
    Recompute every TitleStats row and SiteStats from the ratings and comments, fix
    whatever differs, and return one line per drift repaired (empty when all was exact).
    """
    drift = []
    with transaction.atomic():
        _lock_writers_out()
        expected = expected_totals()
        stored = {row.pk: row for row in TitleStats.objects.all()}
        names = dict(Title.objects.values_list("pk", "name"))
        to_update, to_create = [], []
        for title_id in sorted(names):
            want = expected.get(title_id, dict.fromkeys(COUNTERS, 0))
            row = stored.get(title_id)
            have = {field: getattr(row, field) for field in COUNTERS} if row else None
            if have == want:
                continue
            if row is None and not any(want.values()):
                continue  # a missing row already means all zeros
            differences = [
                f"{field} {have[field] if have else 0} → {want[field]}"
                for field in COUNTERS
                if (have[field] if have else 0) != want[field]
            ]
            if differences:
                drift.append(f"{names[title_id]}: " + ", ".join(differences))
            if row is None:
                to_create.append(TitleStats(pk=title_id, **want))
            else:
                for field, value in want.items():
                    setattr(row, field, value)
                to_update.append(row)
        TitleStats.objects.bulk_create(to_create, batch_size=500)
        TitleStats.objects.bulk_update(to_update, COUNTERS, batch_size=500)

        site = SiteStats.current()
        want_count = sum(t["rating_count"] for t in expected.values())
        want_sum = sum(t["rating_sum"] for t in expected.values())
        if (site.rating_count, site.rating_sum) != (want_count, want_sum):
            if site.rating_count or site.rating_sum or want_count:
                drift.append(
                    f"site-wide: rating_count {site.rating_count} → {want_count}, "
                    f"rating_sum {site.rating_sum} → {want_sum}"
                )
            site.rating_count, site.rating_sum = want_count, want_sum
            # Only the totals: the content version may have moved under us.
            site.save(update_fields=None if site._state.adding else ["rating_count", "rating_sum"])
        if drift:
            touch()  # repaired numbers show at once on cached visitor pages
    return drift
