"""
Database triggers that keep the community's counts equal to their rows: each comment's
visible replies (Comment.reply_count) and "this hit me too" marks (mark_count), and
each member's watchlist size and open title suggestions (CommunityMember).

Why triggers, as for the title stats (reviews/triggers.py): the counts must be exact
whatever writes the rows — the site's forms, the admin, a shell, `loaddata`, a member
deleted with their replies and marks, a thread deleted with its first comment. Each
trigger changes one row with `column = column + delta`, so members marking the same
comment at once queue on that comment's row only (lock order: the mark or reply row,
then the comment it counts in). Installed after every `migrate` (reviews/apps.py) and
by the migration that made the tables.
"""

from catalogue.triggers import CountingTriggers, insert_missing

COMMENTS = "reviews_comment"
MEMBERS = "reviews_communitymember"


def _reply_change(vendor, row, sign):
    """Count or uncount the reply `row` in its thread, if the public sees it."""
    return (
        f"UPDATE {COMMENTS} SET reply_count = reply_count {sign} 1 "
        f"WHERE id = {row}.parent_id AND NOT {row}.is_hidden;"
    )


def _mark_change(vendor, row, sign):
    return f"UPDATE {COMMENTS} SET mark_count = mark_count {sign} 1 WHERE id = {row}.comment_id;"


def _member_row(vendor, row):
    """The member's CommunityMember row (a private, empty list) if it is missing."""
    columns = (
        "user_id, watchlist_count, open_suggestion_count, watchlist_is_public, replies_seen_at"
    )
    values = f"{row}.user_id, 0, 0, {'0' if vendor == 'sqlite' else 'false'}, NULL"
    return insert_missing(MEMBERS, columns, f"SELECT {values}")


def _watchlist_change(vendor, row, sign):
    rows = _member_row(vendor, row) if sign == "+" else ""
    return rows + (
        f"UPDATE {MEMBERS} SET watchlist_count = watchlist_count {sign} 1 "
        f"WHERE user_id = {row}.user_id;"
    )


def _suggestion_change(vendor, row, sign):
    """Count or uncount the suggestion `row` among its author's open ones, if open."""
    rows = _member_row(vendor, row) if sign == "+" else ""
    return rows + (
        f"UPDATE {MEMBERS} SET open_suggestion_count = open_suggestion_count {sign} 1 "
        f"WHERE user_id = {row}.user_id AND {row}.state = 'open';"
    )


# (name, table, columns whose change moves the count, how a row changes it)
COUNTED = [
    ("reviews_comment_replies", COMMENTS, ["parent_id", "is_hidden"], _reply_change),
    ("reviews_commentmark_counts", "reviews_commentmark", ["comment_id"], _mark_change),
    ("reviews_watchlist_counts", "reviews_watchlistentry", ["user_id"], _watchlist_change),
    (
        "catalogue_suggestion_counts",
        "catalogue_suggestion",
        ["state", "user_id"],
        _suggestion_change,
    ),
]


TRIGGERS = CountingTriggers(COUNTED, [table for _, table, *_ in COUNTED] + [MEMBERS])
install, remove, reinstall = TRIGGERS.install, TRIGGERS.remove, TRIGGERS.reinstall
