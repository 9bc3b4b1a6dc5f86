"""
Checking and repairing the community's counts (reviews/community_triggers.py keeps
them): each comment's visible replies and marks, each member's watchlist size and
open suggestions. Run by `recount_tears` with the title totals, in its transaction.
"""

from django.db import connection
from django.db.models import Count

from catalogue.suggestions import Suggestion
from reviews import bulk
from reviews.models import Comment, CommentMark, CommunityMember, WatchlistEntry
from sadlist.rows import plain_rows


def _comment_drift():
    """
    SQL and its parameters for each comment whose stored reply or mark count differs
    from its rows: (id, replies_had, replies, marks_had, marks). The visible replies and
    the marks are counted in one grouped pass each and joined to the comments, rather
    than counted again for each comment by a correlated subquery: after a bulk load
    every comment is compared, and the correlated form was most of seed_demo's recount
    (bench/README.md).
    """
    replies = Comment.objects.visible().filter(parent__isnull=False)
    replies = replies.order_by().values("parent_id").annotate(number=Count("pk"))
    marks = CommentMark.objects.order_by().values("comment_id").annotate(number=Count("pk"))
    replies_sql, replies_params = replies.query.sql_with_params()
    marks_sql, marks_params = marks.query.sql_with_params()
    sql = f"""
        SELECT comment.id AS id,
               comment.reply_count AS replies_had, COALESCE(replies.number, 0) AS replies,
               comment.mark_count AS marks_had, COALESCE(marks.number, 0) AS marks
        FROM {Comment._meta.db_table} AS comment
        LEFT JOIN ({replies_sql}) AS replies ON replies.parent_id = comment.id
        LEFT JOIN ({marks_sql}) AS marks ON marks.comment_id = comment.id
        WHERE comment.reply_count <> COALESCE(replies.number, 0)
           OR comment.mark_count <> COALESCE(marks.number, 0)
    """  # noqa: S608 -- built from the ORM's own SQL and table name
    return sql, (*replies_params, *marks_params)


def recount_community():
    """Fix every drifted count; one line per row repaired."""
    drift = []
    drifted, params = _comment_drift()
    with connection.cursor() as cursor:
        cursor.execute(f"{drifted} ORDER BY comment.id", params)
        for pk, replies_had, replies, marks_had, marks in cursor.fetchall():
            parts = []
            if replies_had != replies:
                parts.append(f"reply_count {replies_had} → {replies}")
            if marks_had != marks:
                parts.append(f"mark_count {marks_had} → {marks}")
            drift.append(f"comment {pk}: " + ", ".join(parts))
        if drift:
            # One statement for every drifted comment (after a bulk load, that is all of
            # them). UPDATE … FROM: PostgreSQL, and SQLite from 3.33 on.
            table = Comment._meta.db_table
            cursor.execute(
                f"UPDATE {table} "  # noqa: S608 -- the model's table and the query above
                "SET reply_count = drifted.replies, mark_count = drifted.marks "
                f"FROM ({drifted}) AS drifted WHERE {table}.id = drifted.id",
                params,
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
        field: dict(plain_rows(rows.order_by().values("user_id").annotate(n=Count("pk"))))
        for field, rows in per_member.items()
    }
    fields = list(per_member)
    # Stored counts as plain tuples: a model instance for each of 100,000 members costs
    # seconds and is needed only for the few rows that drifted.
    stored = {
        user_id: dict(zip(fields, counts, strict=True))
        for user_id, *counts in CommunityMember.objects.values_list("pk", *fields)
    }
    drift, to_update, to_create = [], [], []
    for user_id in sorted(set(stored).union(*wanted.values())):
        want = {field: counts.get(user_id, 0) for field, counts in wanted.items()}
        have = stored.get(user_id)
        if have is None:
            drift.append(
                f"member {user_id}: counts were missing → "
                + ", ".join(f"{field} {value}" for field, value in want.items())
            )
            to_create.append((user_id, *want.values()))
            continue
        differences = [
            f"{field} {have[field]} → {value}"
            for field, value in want.items()
            if have[field] != value
        ]
        if differences:
            drift.append(f"member {user_id}: " + ", ".join(differences))
            to_update.append(CommunityMember(pk=user_id, **want))
    # Missing rows go in through the bulk loader: after seed_demo, every one is missing.
    bulk.insert(CommunityMember, ["user_id", *fields], to_create)
    CommunityMember.objects.bulk_update(to_update, fields, batch_size=500)
    return drift
