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

from catalogue.triggers import execute, reinstall_after_migrate

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
    if vendor == "sqlite":
        return f"INSERT OR IGNORE INTO {MEMBERS} ({columns}) VALUES ({values});"
    return f"INSERT INTO {MEMBERS} ({columns}) VALUES ({values}) ON CONFLICT (user_id) DO NOTHING;"


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


def _changed(vendor, columns):
    compare = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {compare} NEW.{column}" for column in columns)


def _sqlite(name, table, columns, change):
    vendor = "sqlite"
    bodies = {
        "insert": ("INSERT", "", change(vendor, "NEW", "+")),
        "delete": ("DELETE", "", change(vendor, "OLD", "-")),
        "update": (
            f"UPDATE OF {', '.join(columns)}",
            f" WHEN {_changed(vendor, columns)}",
            change(vendor, "OLD", "-") + change(vendor, "NEW", "+"),
        ),
    }
    statements = []
    for suffix, (event, condition, body) in bodies.items():
        statements += [
            f"DROP TRIGGER IF EXISTS {name}_{suffix}",
            f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"BEGIN {body} END",
        ]
    return statements


def _postgres(name, table, columns, change):
    vendor = "postgresql"
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {change(vendor, 'OLD', '-')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {change(vendor, 'NEW', '+')} END IF; "
        "RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        f"DROP TRIGGER IF EXISTS {name}_update ON {table}",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW WHEN ({_changed(vendor, columns)}) EXECUTE FUNCTION {name}()",
    ]


def _statements(vendor):
    build = _sqlite if vendor == "sqlite" else _postgres
    return [statement for counted in COUNTED for statement in build(*counted)]


def _drops(vendor):
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}_{suffix}"
            for name, *_ in COUNTED
            for suffix in ("insert", "delete", "update")
        ]
    return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name, *_ in COUNTED]


def install(apps, schema_editor):
    execute(schema_editor, _statements(schema_editor.connection.vendor))


def remove(apps, schema_editor):
    execute(schema_editor, _drops(schema_editor.connection.vendor))


def reinstall(sender, using="default", **kwargs):
    """post_migrate receiver: see catalogue.triggers.reinstall_after_migrate."""
    tables = [table for _, table, *_ in COUNTED] + [MEMBERS]
    reinstall_after_migrate(_statements, tables, using)
