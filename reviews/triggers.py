"""
Database triggers that keep TitleStats equal to the ratings and comments (and each
listing's MentionStats equal to the stances about it), and raise
catalogue.ContentVersion when a moderator's or an admin's decision changes what
everyone sees.

Why triggers: the totals must be exact whatever writes a rating or a comment — the
site's forms, the admin, `loaddata`, a shell's save() or delete(), a member deleted
with everything they wrote (a cascade), a bulk insert. A trigger runs inside the
statement that writes the row, so no path can skip it and no caller has to remember
it. Each one changes its own title's stats row with `column = column + delta`, so
members rating at once queue only on the row of the title they rate (lock order:
the rating or comment row, then its title's stats row), and the tear score is
recomputed in the same statement from the stored prior (TearPrior), so nothing shared
by every title is written; so is the dispute share, from the stance counts. Installed
by migrations; changing one means a new migration that runs `install()` again.

What raises the content version here (everyone sees it at once):
- a member renamed or deleted (their name is on their comments);
- a comment hidden, restored or deleted (moderation; an author's delete too);
- a new tear-score prior (every score moves).
"""

from functools import partial

from catalogue.triggers import (
    create_bump_trigger,
    execute,
    insert_missing,
    reinstall_after_migrate,
)

STATS = "catalogue_titlestats"
MENTION_STATS = "reviews_mentionstats"
PRIOR_MEAN = "COALESCE((SELECT mean FROM reviews_tearprior WHERE id = 1), 2.5)"
PRIOR_WEIGHT = "COALESCE((SELECT weight FROM reviews_tearprior WHERE id = 1), 5)"
COUNTERS = [
    "rating_count",
    "rating_sum",
    *(f"tears_{level}" for level in range(6)),
    "comment_count",
    "stance_count",
    "disagree_count",
]


# Each listing's stance counts (MentionStats), and the stance each one counts.
MENTION_COUNTERS = {
    "agree_count": "agree",
    "too_high_count": "too_high",
    "too_low_count": "too_low",
    "off_list_count": "off_list",
}
# What TitleStats.disagree_count counts (reviews.models.comments.DISAGREEING).
DISAGREEING = ("too_high", "too_low", "off_list", "disagree")
# The dispute share counts this many phantom comments agreeing with the list beside the
# real ones: disagree / (took a side + 2). One lone disagreement (1/3) then ranks below
# three of four (3/6), a title nobody took a side on stays at 0, and the share nears
# the plain one as more members take a side. A damped share rather than a Wilson
# bound: plain arithmetic that any database computes without a square root.
DISPUTE_PRIOR_AGREEMENTS = 2


def as_number(vendor, condition):
    """1 when `condition` holds, else 0."""
    return f"({condition})" if vendor == "sqlite" else f"({condition})::int"


def ensure_row(title_id):
    """
    Insert the title's stats row (all zeros, scored at the prior) if it is missing.
    (Its dispute share takes the column's default, 0.)
    """
    columns = ", ".join(["title_id", *COUNTERS, "tear_score"])
    values = ", ".join([title_id, *("0" for _ in COUNTERS), PRIOR_MEAN])
    return insert_missing(STATS, columns, f"SELECT {values}")


def rating_change(vendor, row, sign):
    """Count (sign +1) or uncount (-1) the rating `row` (NEW or OLD) in its title's stats."""
    levels = ", ".join(
        f"tears_{level} = tears_{level} {sign} {as_number(vendor, f'{row}.tears = {level}')}"
        for level in range(6)
    )
    return (
        f"UPDATE {STATS} SET rating_count = rating_count {sign} 1, "
        f"rating_sum = rating_sum {sign} {row}.tears, {levels}, "
        f"tear_score = (rating_sum {sign} {row}.tears + {PRIOR_WEIGHT} * {PRIOR_MEAN}) * 1.0 "
        f"/ (rating_count {sign} 1 + {PRIOR_WEIGHT}) "
        f"WHERE title_id = {row}.title_id;"
    )


def rating_retold(vendor):
    """
    A rating's tears changed and its title did not: one UPDATE of the title's stats,
    where uncounting the old rating and counting the new one take two and an insert.
    It writes what those would (the same sums, the score from the same expression).
    """
    levels = ", ".join(
        f"tears_{level} = tears_{level} - {as_number(vendor, f'OLD.tears = {level}')} "
        f"+ {as_number(vendor, f'NEW.tears = {level}')}"
        for level in range(6)
    )
    return (
        f"UPDATE {STATS} SET rating_sum = rating_sum - OLD.tears + NEW.tears, {levels}, "
        f"tear_score = (rating_sum - OLD.tears + NEW.tears + {PRIOR_WEIGHT} * {PRIOR_MEAN}) "
        f"* 1.0 / (rating_count + {PRIOR_WEIGHT}) "
        "WHERE title_id = NEW.title_id;"
    )


def ensure_mention_row(mention_id):
    """Insert the listing's stance counts (all zeros) if it has none yet; not for no listing."""
    columns = ", ".join(["mention_id", *MENTION_COUNTERS])
    values = ", ".join([mention_id, *("0" for _ in MENTION_COUNTERS)])
    return insert_missing(MENTION_STATS, columns, f"SELECT {values} WHERE {mention_id} IS NOT NULL")


def comment_change(vendor, row, sign, mentions=True, replies=True, shares=True):
    """
    Count or uncount the comment `row` in its title's stats, and its stance in its
    listing's, if the public sees it, recomputing the title's dispute share from the
    new counts. `replies`: whether comments can be replies yet; a reply is counted in
    its thread (reviews/community_triggers.py), not here. `shares`: whether the stats
    have their dispute share yet.
    """
    takes_a_side = as_number(vendor, f"{row}.stance <> 'none'")
    stances = ", ".join(f"'{stance}'" for stance in DISAGREEING)
    disagrees = as_number(vendor, f"{row}.stance IN ({stances})")
    visible = f"NOT {row}.is_hidden" + (f" AND {row}.parent_id IS NULL" if replies else "")
    # Every expression of an UPDATE reads the row as it was, so the share is written
    # from the counts this statement writes; divided as doubles on both databases, so
    # it is exactly the share Python computes from the same counts.
    share = (
        f", dispute_share = CAST(disagree_count {sign} {disagrees} AS DOUBLE PRECISION) "
        f"/ (stance_count {sign} {takes_a_side} + {DISPUTE_PRIOR_AGREEMENTS})"
        if shares
        else ""
    )
    title = (
        f"UPDATE {STATS} SET comment_count = comment_count {sign} 1, "
        f"stance_count = stance_count {sign} {takes_a_side}, "
        f"disagree_count = disagree_count {sign} {disagrees}{share} "
        f"WHERE title_id = {row}.title_id AND {visible};"
    )
    if not mentions:
        return title
    per_stance = ", ".join(
        f"{column} = {column} {sign} {as_number(vendor, f'{row}.stance = {stance!r}')}"
        for column, stance in MENTION_COUNTERS.items()
    )
    return title + (
        f"UPDATE {MENTION_STATS} SET {per_stance} "
        f"WHERE mention_id = {row}.mention_id AND {visible};"
    )


def rating_rows(vendor, row):
    return ensure_row(f"{row}.title_id")


def comment_rows(vendor, row, mentions=True):
    rows = ensure_row(f"{row}.title_id")
    return rows + ensure_mention_row(f"{row}.mention_id") if mentions else rows


def counted(mentions=True, replies=True, shares=True):
    """
    (table, columns whose change moves the counts, how a row changes the counts, the
    counting rows a new row needs, and how a change within one title moves them in one
    statement, if it can). `mentions`, `replies`: whether comments have their listing
    and their thread yet, `shares`: whether the stats have their dispute share yet, so
    that migrations from before install the triggers of their time.
    """
    comment_columns = ["is_hidden", "stance", "title_id"] + (["mention_id"] if mentions else [])
    comment_columns += ["parent_id"] if replies else []
    return [
        ("reviews_rating", ["tears", "title_id"], rating_change, rating_rows, rating_retold),
        (
            "reviews_comment",
            comment_columns,
            partial(comment_change, mentions=mentions, replies=replies, shares=shares),
            partial(comment_rows, mentions=mentions),
            None,
        ),
    ]


COUNTED = counted()


def _changed(columns, vendor):
    # Null-safe: a comment's listing may change from none to one, or back.
    compare = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {compare} NEW.{column}" for column in columns)


def _sqlite_counting(table, columns, change, rows, within_title):
    # SQLite runs a trigger's statements in process, where one more costs little; a
    # change within one title takes the general path.
    vendor = "sqlite"
    bodies = {
        "insert": ("INSERT", "", rows(vendor, "NEW") + change(vendor, "NEW", "+")),
        "delete": ("DELETE", "", change(vendor, "OLD", "-")),
        "update": (
            f"UPDATE OF {', '.join(columns)}",
            f" WHEN {_changed(columns, vendor)}",
            change(vendor, "OLD", "-") + rows(vendor, "NEW") + change(vendor, "NEW", "+"),
        ),
    }
    statements = []
    for suffix, (event, condition, body) in bodies.items():
        name = f"{table}_counts_{suffix}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"BEGIN {body} END",
        ]
    return statements


def _postgres_counting(table, columns, change, rows, within_title):
    vendor = "postgresql"
    function = f"{table}_counts"
    # Each statement of a PL/pgSQL function is a plan run on the server: a member
    # changing their rating is one UPDATE instead of three.
    retold = (
        f"IF TG_OP = 'UPDATE' AND OLD.title_id = NEW.title_id THEN "
        f"{within_title(vendor)} RETURN NULL; END IF; "
        if within_title
        else ""
    )
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {retold}"
        f"IF TG_OP <> 'INSERT' THEN {change(vendor, 'OLD', '-')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {rows(vendor, 'NEW')} "
        f"{change(vendor, 'NEW', '+')} END IF; "
        "RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"CREATE TRIGGER {function} AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"DROP TRIGGER IF EXISTS {function}_update ON {table}",
        f"CREATE TRIGGER {function}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW WHEN ({_changed(columns, vendor)}) EXECUTE FUNCTION {function}()",
    ]


def _new_title_row(vendor):
    """Every title gets its stats row when it is created, so pages join it plainly."""
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS catalogue_title_stats_row",
            "CREATE TRIGGER catalogue_title_stats_row AFTER INSERT ON catalogue_title "
            f"FOR EACH ROW BEGIN {ensure_row('NEW.id')} END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION catalogue_title_stats_row() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {ensure_row('NEW.id')} RETURN NULL; END $$",
        "DROP TRIGGER IF EXISTS catalogue_title_stats_row ON catalogue_title",
        "CREATE TRIGGER catalogue_title_stats_row AFTER INSERT ON catalogue_title "
        "FOR EACH ROW EXECUTE FUNCTION catalogue_title_stats_row()",
    ]


def _everyone_sees_at_once(vendor):
    """(trigger name, table, event, condition) for decisions that reach everyone at once."""
    return [
        ("auth_user_renamed", "auth_user", "UPDATE OF username", _changed(["username"], vendor)),
        ("auth_user_deleted", "auth_user", "DELETE", ""),
        (
            "reviews_comment_moderated",
            "reviews_comment",
            "UPDATE OF is_hidden",
            _changed(["is_hidden"], vendor),
        ),  # fmt: skip
        ("reviews_comment_deleted", "reviews_comment", "DELETE", ""),
        ("reviews_tearprior_changed_insert", "reviews_tearprior", "INSERT", ""),
        ("reviews_tearprior_changed_update", "reviews_tearprior", "UPDATE", ""),
    ]


def _statements(vendor, mentions=True, replies=True, shares=True):
    statements = []
    for table, columns, change, rows, within_title in counted(mentions, replies, shares):
        counting = _sqlite_counting if vendor == "sqlite" else _postgres_counting
        statements += counting(table, columns, change, rows, within_title)
    statements += _new_title_row(vendor)
    for name, table, event, condition in _everyone_sees_at_once(vendor):
        statements += create_bump_trigger(vendor, name, table, event, when=condition)
    return statements


def _drops(vendor):
    names = [(name, table) for name, table, _, _ in _everyone_sees_at_once(vendor)]
    names.append(("catalogue_title_stats_row", "catalogue_title"))
    if vendor == "sqlite":
        names += [
            (f"{table}_counts_{suffix}", table)
            for table, *_ in COUNTED
            for suffix in ("insert", "delete", "update")
        ]
        return [f"DROP TRIGGER IF EXISTS {name}" for name, _ in names]
    names += [(f"{table}_counts", table) for table, *_ in COUNTED]
    names += [(f"{table}_counts_update", table) for table, *_ in COUNTED]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in names] + [
        f"DROP FUNCTION IF EXISTS {function}() CASCADE"
        for function in ["catalogue_title_stats_row", *(f"{t}_counts" for t, *_ in COUNTED)]
    ]


def install(apps, schema_editor):
    comment_fields = {field.name for field in apps.get_model("reviews", "Comment")._meta.fields}
    mentions, replies = "mention" in comment_fields, "parent" in comment_fields
    stats_fields = {field.name for field in apps.get_model("reviews", "TitleStats")._meta.fields}
    shares = "dispute_share" in stats_fields
    execute(schema_editor, _statements(schema_editor.connection.vendor, mentions, replies, shares))


def reinstall(sender, using="default", **kwargs):
    """post_migrate receiver: see catalogue.triggers.reinstall_after_migrate."""
    tables = [table for table, *_ in COUNTED] + [
        STATS,
        MENTION_STATS,
        "reviews_tearprior",
        "auth_user",
    ]

    def statements(vendor):
        # Migrated back to before the stored share, the triggers of that time.
        from django.db import connections

        connection = connections[using]
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, STATS)
        return _statements(vendor, shares="dispute_share" in {column.name for column in columns})

    reinstall_after_migrate(statements, tables, using)


def remove(apps, schema_editor):
    execute(schema_editor, _drops(schema_editor.connection.vendor))
