"""
Checking and repairing the numbers kept from ratings and comments, and the tear score's
prior.

Database triggers keep every TitleStats row exact as ratings and comments are written
(reviews/triggers.py); this module is what runs beside them:
- `recount_all` rebuilds every total and score (and each listing's stance counts,
  the community's counts and the catalogue's published counts of each kind and
  theme) from the rows themselves and reports any drift (`manage.py recount_tears`);
- the tear score's prior is refreshed by TearPrior.refresh() and refresh_if_due();
- `remove_member` deletes an account with its stats rows locked in title order;
  `lock_stats_of_deleted_title` does the same for a title however it is deleted.

Lock order everywhere: the rating or comment row, then TitleStats rows by title id.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, Sum

from catalogue.models import ContentVersion, Mention, Title
from catalogue.published_counts import recount_published
from reviews import bulk, insight_stats
from reviews.community_counts import recount_community
from reviews.models import Comment, MentionStats, Rating, TearPrior, TitleStats
from reviews.models.comments import DISAGREEING
from reviews.models.insights import lock_title_stats
from reviews.models.title_stats import SCORE_TOLERANCE, dispute_share, lock_writers_out
from reviews.triggers import MENTION_COUNTERS
from sadlist.rows import plain_rows

LEVELS = range(6)
COUNTERS = (
    ["rating_count", "rating_sum"]
    + [f"tears_{level}" for level in LEVELS]
    + ["comment_count", "stance_count", "disagree_count"]
)


def remove_member(user):
    """
    Delete a member's account with everything they wrote; triggers take their ratings
    and visible comments out of the stats. The stats rows they touch are locked first,
    in title order, so two deletions at once queue instead of deadlocking.
    """
    with transaction.atomic():
        titles = (
            Rating.objects.filter(user=user)
            .values("title_id")
            .union(Comment.objects.filter(user=user).values("title_id"))
        )
        list(
            TitleStats.objects.select_for_update()
            .filter(pk__in=[row["title_id"] for row in titles])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        user.delete()


def lock_stats_of_deleted_title(sender, instance, **kwargs):
    """
    pre_delete receiver for catalogue.Title: a title being deleted (the admin, a
    queryset, a shell) has its stats row taken first. Django deletes its ratings'
    causes before its ratings, and their triggers would take the title's cause rows
    before the ratings' triggers take its stats row: the reverse of the order every
    member's write keeps (reviews/insight_triggers.py), so a member rating the title
    at that moment would deadlock with the deletion. A receiver, because nothing else
    sees this write: the cascade is Django's.
    """
    lock_title_stats(instance.pk)


def expected_totals():
    """Every title's totals computed from the ratings and visible comments themselves."""
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
        .threads()
        .order_by()
        .values("title_id")
        .annotate(
            comment_count=Count("id"),
            stance_count=Count("id", filter=~Q(stance="none")),
            disagree_count=Count("id", filter=Q(stance__in=DISAGREEING)),
        )
    )
    for counts in (rating_rows, comment_rows):
        names = list(counts.query.annotation_select)
        for title_id, *rest in plain_rows(counts):
            totals[title_id].update(zip(names, rest, strict=True))
    return totals


def expected_mention_totals():
    """Every listing's stance counts computed from the visible comments about it."""
    rows = (
        Comment.objects.visible()
        .threads()
        .filter(mention__isnull=False)
        .order_by()
        .values("mention_id")
        .annotate(
            **{
                column: Count("id", filter=Q(stance=stance))
                for column, stance in MENTION_COUNTERS.items()
            }
        )
    )
    return {row.pop("mention_id"): row for row in rows}


def recount_mentions():
    """Fix every listing's stance counts (MentionStats); one line per drift repaired."""
    drift = []
    expected = expected_mention_totals()
    stored = {row.pk: row for row in MentionStats.objects.all()}
    zeros = dict.fromkeys(MENTION_COUNTERS, 0)
    to_update, to_create = [], []
    for mention in Mention.objects.select_related("title", "source").order_by("pk"):
        want = expected.get(mention.pk, zeros)
        row = stored.get(mention.pk)
        if row is None:
            if want != zeros:
                drift.append(f"{mention.title.name}, {mention}: stance counts were missing")
                to_create.append(MentionStats(pk=mention.pk, **want))
            continue
        differences = [
            f"{field} {getattr(row, field)} → {want[field]}"
            for field in MENTION_COUNTERS
            if getattr(row, field) != want[field]
        ]
        if differences:
            drift.append(f"{mention.title.name}, {mention}: " + ", ".join(differences))
            for field, value in want.items():
                setattr(row, field, value)
            to_update.append(row)
    MentionStats.objects.bulk_create(to_create, batch_size=500)
    MentionStats.objects.bulk_update(to_update, list(MENTION_COUNTERS), batch_size=500)
    return drift


def recount_all():
    """
    Recompute every TitleStats row (totals, tear score under the stored prior, and
    dispute share) from
    the ratings and comments, fix whatever differs, and return one line per drift
    repaired (empty when all was exact). A repair raises the content version, so the
    repaired numbers show at once.
    """
    drift = []
    with transaction.atomic():
        lock_writers_out()
        prior = TearPrior.current()
        expected = expected_totals()
        # Stored rows as plain values: model instances for every title would cost more
        # than the comparison, and only the rows that drifted are written back.
        columns = [*COUNTERS, "tear_score", "dispute_share"]
        stored = {
            pk: dict(zip(columns, values, strict=True))
            for pk, *values in TitleStats.objects.values_list("pk", *columns)
        }
        names = dict(Title.objects.values_list("pk", "name"))
        to_update, to_create = [], []
        for title_id in sorted(names):
            want = expected.get(title_id, dict.fromkeys(COUNTERS, 0))
            want_score = prior.score(want["rating_count"], want["rating_sum"])
            want_share = dispute_share(want["stance_count"], want["disagree_count"])
            row = stored.get(title_id)
            have = dict.fromkeys(COUNTERS, 0) if row is None else row
            differences = [
                f"{field} {have[field]} → {want[field]}"
                for field in COUNTERS
                if have[field] != want[field]
            ]
            if row is not None and abs(row["tear_score"] - want_score) > SCORE_TOLERANCE:
                differences.append(f"tear_score {row['tear_score']:.4f} → {want_score:.4f}")
            if row is not None and abs(row["dispute_share"] - want_share) > SCORE_TOLERANCE:
                differences.append(f"dispute_share {row['dispute_share']:.4f} → {want_share:.4f}")
            wanted_row = {**want, "tear_score": want_score, "dispute_share": want_share}
            if row is None:
                # Every title has its row from the start; pages would leave it out.
                drift.append(
                    f"{names[title_id]}: stats row was missing; "
                    + ", ".join(differences or ["created"])
                )
                to_create.append((title_id, *(wanted_row[field] for field in columns)))
            elif differences:
                drift.append(f"{names[title_id]}: " + ", ".join(differences))
                to_update.append(TitleStats(pk=title_id, **wanted_row))
        # Missing rows go in through the bulk loader: after seed_demo, every one is missing.
        bulk.insert(TitleStats, ["title_id", *columns], to_create)
        TitleStats.objects.bulk_update(to_update, columns, batch_size=500)
        drift += recount_mentions()
        drift += insight_stats.recount(names)
        drift += recount_community()
        drift += recount_published()
        if drift:
            ContentVersion.bump()
    return drift
