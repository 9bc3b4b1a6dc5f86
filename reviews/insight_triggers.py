"""
Database triggers that keep a title's insight totals (TitleInsights, TitleCauseStats,
TitleMomentStats) equal to its ratings' extras, for the same reason the tear totals
have triggers (reviews/triggers.py): every path that writes a rating or a cause
(forms, admin, shell, cascades, loaddata) passes through them.

Lock order: the rating row, then the title's TitleStats row (the tear triggers, or
reviews.models.insights.lock_title_stats taken first by a change of extras alone), then its
TitleInsights row, then its cause and moment rows. Holding the TitleStats row first
means two members rating one title queue there and cannot deadlock on the cause rows.

A rating's causes are deleted before the rating (Django deletes a cascade's children
first), so the cause rows are uncounted by the RatingCause triggers with the rating's
tears still readable. Changes of curators to causes (reviews_cause) raise the content
version: everyone sees a renamed or retired cause at once.
"""

from catalogue.triggers import (
    create_bump_trigger,
    execute,
    insert_missing,
    reinstall_after_migrate,
)
from reviews.models.insights import Ending, Quality
from reviews.triggers import as_number

INSIGHTS = "reviews_titleinsights"
CAUSE_STATS = "reviews_titlecausestats"
MOMENT_STATS = "reviews_titlemomentstats"
INSIGHT_COUNTERS = [
    "quality_count",
    "quality_sum",
    *(f"quality_{level}" for level in Quality.values),
    "ending_count",
    *(f"ending_{ending}" for ending in Ending.values),
    "moment_count",
]
TEAR_LEVELS = range(1, 6)


def ensure_insights_row(title_id):
    columns = ", ".join(["title_id", *INSIGHT_COUNTERS])
    values = ", ".join([title_id, *("0" for _ in INSIGHT_COUNTERS)])
    return insert_missing(INSIGHTS, columns, f"SELECT {values}")


def leader_and_mean(value):
    """
    SET clauses that recompute the leading ending (ties: the darker) and the quality
    mean from the totals, each total read as `value(column)` gives it: the stored
    column, or what the same UPDATE sets it to (an UPDATE's expressions all read the
    row as it was, so one statement can count a rating and recompute both).
    """
    cases = []
    for index, ending in enumerate(Ending.values):
        rest = Ending.values[index + 1 :]
        beats = (
            " AND ".join(
                f"{value(f'ending_{ending}')} >= {value(f'ending_{other}')}" for other in rest
            )
            or "1 = 1"
        )
        cases.append(f"WHEN {beats} THEN '{ending}'")
    return (
        f"leading_ending = CASE WHEN {value('ending_count')} = 0 THEN NULL "
        f"{' '.join(cases)} END, "
        f"quality_mean = CASE WHEN {value('quality_count')} = 0 THEN NULL "
        f"ELSE {value('quality_sum')} * 1.0 / {value('quality_count')} END"
    )


def is_quality(row, level):
    return f"COALESCE({row}.quality, 0) = {level}"


def is_ending(row, ending):
    return f"COALESCE({row}.ending, '') = '{ending}'"


def rating_extras_change(vendor, row, sign):
    """
    Count or uncount the rating `row`'s quality, ending and moment: one UPDATE of the
    title's insights row (its totals, leading ending and mean together) and one of
    the moment's row.
    """

    def number(condition):
        return as_number(vendor, condition)

    deltas = {
        "quality_count": number(f"{row}.quality IS NOT NULL"),
        "quality_sum": f"COALESCE({row}.quality, 0)",
        **{f"quality_{level}": number(is_quality(row, level)) for level in Quality.values},
        "ending_count": number(f"{row}.ending IS NOT NULL"),
        **{f"ending_{ending}": number(is_ending(row, ending)) for ending in Ending.values},
        "moment_count": number(f"{row}.moment IS NOT NULL"),
    }

    def changed(column):
        return f"({column} {sign} {deltas[column]})"

    totals = ", ".join(f"{column} = {changed(column)}" for column in deltas)
    insights = (
        f"UPDATE {INSIGHTS} SET {totals}, {leader_and_mean(changed)} "
        f"WHERE title_id = {row}.title_id;"
    )
    moment = (
        f"UPDATE {MOMENT_STATS} SET rater_count = rater_count {sign} 1 "
        f"WHERE title_id = {row}.title_id AND position = {row}.moment;"
    )
    return insights + moment


def cause_counts(vendor, sign, tears, where):
    """UPDATE of the cause rows matching `where`, for a rater who cried `tears`."""
    levels = ", ".join(
        f"tears_{level} = tears_{level} {sign} {as_number(vendor, f'{tears} = {level}')}"
        for level in TEAR_LEVELS
    )
    return f"UPDATE {CAUSE_STATS} SET rater_count = rater_count {sign} 1, {levels} WHERE {where};"


def ensure_cause_rows(title_id, cause_ids):
    columns = ", ".join(
        ["title_id", "cause_id", "rater_count", *(f"tears_{n}" for n in TEAR_LEVELS)]
    )
    zeros = ", ".join("0" for _ in range(6))
    return insert_missing(
        CAUSE_STATS,
        columns,
        f"SELECT {title_id}, cause_id, {zeros} FROM ({cause_ids}) AS c WHERE true",
    )


def rating_causes_change(vendor, row, sign):
    """A rating's tears or title changed: move its named causes' counts with it."""
    causes = f"SELECT cause_id FROM reviews_ratingcause WHERE rating_id = {row}.id"
    return cause_counts(
        vendor, sign, f"{row}.tears", f"title_id = {row}.title_id AND cause_id IN ({causes})"
    )


def rating_rows(vendor, row):
    causes = f"SELECT cause_id FROM reviews_ratingcause WHERE rating_id = {row}.id"
    moment = insert_missing(
        MOMENT_STATS,
        "title_id, position, rater_count",
        f"SELECT {row}.title_id, {row}.moment, 0 WHERE {row}.moment IS NOT NULL",
    )
    return (
        ensure_insights_row(f"{row}.title_id")
        + moment
        + ensure_cause_rows(f"{row}.title_id", causes)
    )


def rating_change(vendor, row, sign):
    return rating_extras_change(vendor, row, sign) + rating_causes_change(vendor, row, sign)


def _of_rating(column, row):
    return f"(SELECT {column} FROM reviews_rating WHERE id = {row}.rating_id)"


def link_change(vendor, row, sign):
    """
    Count or uncount one named cause (a RatingCause row) for its rating's title. On
    PostgreSQL the rating is read once (UPDATE … FROM); SQLite's triggers read its
    tears and title through a subquery each.
    """
    if vendor != "sqlite":
        levels = ", ".join(
            f"tears_{level} = tears_{level} {sign} {as_number(vendor, f'rating.tears = {level}')}"
            for level in TEAR_LEVELS
        )
        return (
            f"UPDATE {CAUSE_STATS} SET rater_count = rater_count {sign} 1, {levels} "
            f"FROM (SELECT tears, title_id FROM reviews_rating WHERE id = {row}.rating_id) "
            f"AS rating WHERE {CAUSE_STATS}.title_id = rating.title_id "
            f"AND {CAUSE_STATS}.cause_id = {row}.cause_id;"
        )
    return cause_counts(
        vendor,
        sign,
        _of_rating("tears", row),
        f"title_id = {_of_rating('title_id', row)} AND cause_id = {row}.cause_id",
    )


def link_rows(vendor, row):
    return ensure_cause_rows(_of_rating("title_id", row), f"SELECT {row}.cause_id AS cause_id")


def rating_tells_nothing(row):
    """
    The rating `row` counts in no insight: no moment, quality, ending or named cause.
    Most ratings are tears alone; for them the triggers skip their nine statements,
    which would each add or subtract nothing.
    """
    return (
        f"{row}.moment IS NULL AND {row}.quality IS NULL AND {row}.ending IS NULL "
        f"AND NOT EXISTS (SELECT 1 FROM reviews_ratingcause WHERE rating_id = {row}.id)"
    )


def rating_tears_moved(vendor):
    """
    A rating whose tears alone changed (the same title, moment, quality and ending),
    as every change of the tears alone is (Rating.objects.rate): of its insights only
    its named causes' counts of tears depend on the tears, so one UPDATE moves them
    from the old level to the new, where uncounting and counting again everything it
    told would take nine statements. The condition, and the body.
    """
    others = _changed(["title_id", "moment", "quality", "ending"], vendor)
    condition = f"OLD.tears <> NEW.tears AND NOT ({others})"
    levels = ", ".join(
        f"tears_{level} = tears_{level} - {as_number(vendor, f'OLD.tears = {level}')} "
        f"+ {as_number(vendor, f'NEW.tears = {level}')}"
        for level in TEAR_LEVELS
    )
    body = (
        f"UPDATE {CAUSE_STATS} SET {levels} WHERE title_id = NEW.title_id AND cause_id IN "
        "(SELECT cause_id FROM reviews_ratingcause WHERE rating_id = NEW.id);"
    )
    return condition, body


COUNTED = [
    (
        "reviews_rating",
        ["tears", "title_id", "moment", "quality", "ending"],
        rating_change,
        rating_rows,
        rating_tells_nothing,
        rating_tears_moved,
    ),
    ("reviews_ratingcause", ["rating_id", "cause_id"], link_change, link_rows, None, None),
]


def _changed(columns, vendor):
    compare = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {compare} NEW.{column}" for column in columns)


def _counting(vendor, table, columns, change, rows, idle, shortcut):
    """
    The triggers that count `table`'s rows; a row for which `idle(row)` holds counts
    nothing, so it is not looked at (the title's insights row exists from its creation,
    and recount_tears puts back one that went missing). A `shortcut` gives a kind of
    change (its condition) a trigger of its own (its body), which the general update
    trigger then leaves alone.
    """
    name = f"{table}_insights"
    counts = (lambda row: f"NOT ({idle(row)})") if idle else (lambda row: "true")
    changed = _changed(columns, vendor)
    statements = []
    if shortcut:
        condition, body = shortcut(vendor)
        changed = f"({changed}) AND NOT ({condition})"
        statements += _shortcut_trigger(vendor, table, f"{name}_shortcut", condition, body)
    if vendor == "sqlite":
        bodies = {
            "insert": (
                "INSERT",
                f" WHEN {counts('NEW')}",
                rows(vendor, "NEW") + change(vendor, "NEW", "+"),
            ),
            "delete": ("DELETE", f" WHEN {counts('OLD')}", change(vendor, "OLD", "-")),
            "update": (
                f"UPDATE OF {', '.join(columns)}",
                f" WHEN ({changed}) AND ({counts('OLD')} OR {counts('NEW')})",
                change(vendor, "OLD", "-") + rows(vendor, "NEW") + change(vendor, "NEW", "+"),
            ),
        }
        for suffix, (event, condition, body) in bodies.items():
            statements += [
                f"DROP TRIGGER IF EXISTS {name}_{suffix}",
                f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON {table} FOR EACH ROW"
                f"{condition} BEGIN {body} END",
            ]
        return statements
    return statements + [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP <> 'INSERT' AND {counts('OLD')} THEN {change(vendor, 'OLD', '-')} END IF; "
        f"IF TG_OP <> 'DELETE' AND {counts('NEW')} THEN "
        f"{rows(vendor, 'NEW')} {change(vendor, 'NEW', '+')} END IF; "
        "RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        f"DROP TRIGGER IF EXISTS {name}_update ON {table}",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()",
    ]


def _shortcut_trigger(vendor, table, name, condition, body):
    """An update trigger of `table` that runs `body` for the rows `condition` holds for."""
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN {condition} BEGIN {body} END",
        ]
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW WHEN ({condition}) "
        f"EXECUTE FUNCTION {name}()",
    ]


def _new_title_row(vendor):
    """Every title gets its insights row when it is created, so pages join it plainly."""
    name = "catalogue_title_insights_row"
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER INSERT ON catalogue_title "
            f"FOR EACH ROW BEGIN {ensure_insights_row('NEW.id')} END",
        ]
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {ensure_insights_row('NEW.id')} RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON catalogue_title",
        f"CREATE TRIGGER {name} AFTER INSERT ON catalogue_title "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _statements(vendor):
    statements = []
    for table, columns, change, rows, idle, shortcut in COUNTED:
        statements += _counting(vendor, table, columns, change, rows, idle, shortcut)
    statements += _new_title_row(vendor)
    if vendor == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements += create_bump_trigger(
                vendor, f"reviews_cause_changed_{event.lower()}", "reviews_cause", event
            )
    else:
        statements += create_bump_trigger(
            vendor, "reviews_cause_changed", "reviews_cause", "INSERT OR UPDATE OR DELETE"
        )
    return statements


def _drops(vendor):
    if vendor == "sqlite":
        names = [
            f"{table}_insights_{suffix}"
            for table, *_ in COUNTED
            for suffix in ("insert", "delete", "update", "shortcut")
        ]
        names += ["catalogue_title_insights_row"]
        names += [f"reviews_cause_changed_{event}" for event in ("insert", "update", "delete")]
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    pairs = [(f"{table}_insights", table) for table, *_ in COUNTED]
    pairs += [(f"{table}_insights_update", table) for table, *_ in COUNTED]
    pairs += [(f"{table}_insights_shortcut", table) for table, *_ in COUNTED]
    pairs += [
        ("catalogue_title_insights_row", "catalogue_title"),
        ("reviews_cause_changed", "reviews_cause"),
    ]
    functions = [f"{table}_insights" for table, *_ in COUNTED]
    functions += [f"{table}_insights_shortcut" for table, *_ in COUNTED]
    functions += ["catalogue_title_insights_row"]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in pairs] + [
        f"DROP FUNCTION IF EXISTS {function}() CASCADE" for function in functions
    ]


def install(apps, schema_editor):
    execute(schema_editor, _statements(schema_editor.connection.vendor))


def reinstall(sender, using="default", **kwargs):
    """post_migrate receiver: see catalogue.triggers.reinstall_after_migrate."""
    tables = ["reviews_rating", "reviews_ratingcause", INSIGHTS, CAUSE_STATS, MOMENT_STATS]
    reinstall_after_migrate(_statements, [*tables, "reviews_cause", "catalogue_title"], using)


def remove(apps, schema_editor):
    execute(schema_editor, _drops(schema_editor.connection.vendor))
