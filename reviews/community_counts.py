"""
Checking and repairing the community's counts (reviews/community_triggers.py keeps
them): each comment's visible replies and marks, each member's watchlist size and
open suggestions. Run by `recount_tears` with the title totals, in its transaction.
"""

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from catalogue.suggestions import Suggestion
from reviews.models import Comment, CommentMark, CommunityMember, WatchlistEntry


def _count(rows, key):
    """A correlated COUNT of `rows` per comment (grouped by `key`): no joined product."""
    counted = rows.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def _comment_drift():
    """Comments whose stored reply or mark count differs from their rows."""
    replies = Comment.objects.filter(parent=OuterRef("pk"), is_hidden=False)
    marks = CommentMark.objects.filter(comment=OuterRef("pk"))
    counted = Comment.objects.annotate(
        replies_now=_count(replies, "parent"), marks_now=_count(marks, "comment")
    )
    return counted.exclude(reply_count=F("replies_now"), mark_count=F("marks_now"))


def recount_community():
    """Fix every drifted count; one line per row repaired."""
    drift = []
    for comment in _comment_drift().order_by("pk"):
        parts = []
        if comment.reply_count != comment.replies_now:
            parts.append(f"reply_count {comment.reply_count} → {comment.replies_now}")
        if comment.mark_count != comment.marks_now:
            parts.append(f"mark_count {comment.mark_count} → {comment.marks_now}")
        drift.append(f"comment {comment.pk}: " + ", ".join(parts))
    if drift:
        # One statement for every drifted comment (after a bulk load, that is all of them).
        replies = Comment.objects.filter(parent=OuterRef("pk"), is_hidden=False)
        marks = CommentMark.objects.filter(comment=OuterRef("pk"))
        Comment.objects.filter(pk__in=_comment_drift().values("pk")).update(
            reply_count=_count(replies, "parent"), mark_count=_count(marks, "comment")
        )
    drift += _recount_members()
    return drift


def _recount_members():
    """Each member's watchlist size and open suggestions, from the rows themselves."""
    per_member = {
        "watchlist_count": WatchlistEntry.objects.all(),
        "open_suggestion_count": Suggestion.objects.open(),
    }
    wanted = {
        field: dict(
            rows.order_by().values("user_id").annotate(n=Count("pk")).values_list("user_id", "n")
        )
        for field, rows in per_member.items()
    }
    stored = {row.pk: row for row in CommunityMember.objects.all()}
    drift, to_update, to_create = [], [], []
    for user_id in sorted(set(stored).union(*wanted.values())):
        want = {field: counts.get(user_id, 0) for field, counts in wanted.items()}
        row = stored.get(user_id)
        if row is None:
            drift.append(
                f"member {user_id}: counts were missing → "
                + ", ".join(f"{field} {value}" for field, value in want.items())
            )
            to_create.append(CommunityMember(user_id=user_id, **want))
            continue
        differences = [
            f"{field} {getattr(row, field)} → {value}"
            for field, value in want.items()
            if getattr(row, field) != value
        ]
        if differences:
            drift.append(f"member {user_id}: " + ", ".join(differences))
            for field, value in want.items():
                setattr(row, field, value)
            to_update.append(row)
    CommunityMember.objects.bulk_create(to_create, batch_size=500)
    CommunityMember.objects.bulk_update(to_update, list(per_member), batch_size=500)
    return drift
