"""
Database triggers that raise catalogue.ContentVersion with every change to the catalogue.

Why triggers rather than code that calls "invalidate" after each write: a rule that
every write must follow belongs where every write passes. Curators change the catalogue
through the admin (saves, inlines, bulk actions that run QuerySet.update), commands
(`loaddata`, `make_covers`, `load_catalogue`), a shell, and cascades; a trigger sees all
of them, in the same transaction as the change, so a page built after the commit can
never be older than the change. Curators' changes are rare, so one shared row is cheap.

Other apps install their own triggers with `bump_statements()` (reviews/triggers.py).
Installed and removed by migrations; changing a trigger means a new migration that runs
`install()` again (each statement replaces what it creates).
"""

# Tables whose every insert, update or delete changes what visitors see.
CATALOGUE_TABLES = [
    "catalogue_title",
    "catalogue_title_themes",
    "catalogue_theme",
    "catalogue_source",
    "catalogue_mention",
    # Where to watch: the services and each title's options show on title pages.
    "catalogue_streamingservice",
    "catalogue_watchoption",
]

BUMP_FUNCTION = "catalogue_bump_content_version"


def insert_missing(table, columns, select):
    """
    SQL for a trigger body, on either database, that inserts the row `select` gives
    unless its unique key is taken. Not SQLite's INSERT OR IGNORE: inside the triggers a
    statement fires, SQLite lets that statement's own conflict handling win, and a
    rating's upsert (INSERT … ON CONFLICT DO UPDATE) made every OR IGNORE there fail on
    the unique key. A `select` with a FROM needs a WHERE, or SQLite reads ON CONFLICT as
    a join's ON.
    """
    return f"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING;"


def bump_statements(vendor):
    """The SQL statements, inside a SQLite trigger body, that raise the version."""
    assert vendor == "sqlite"
    return insert_missing("catalogue_contentversion", "id, number", "SELECT 1, 0") + (
        " UPDATE catalogue_contentversion SET number = number + 1 WHERE id = 1;"
    )


def create_bump_trigger(vendor, name, table, event, when="", row_level=False):
    """
    SQL that creates trigger `name`, raising the version after `event` ("INSERT",
    "UPDATE OF col", "DELETE", or several joined by OR on PostgreSQL) on `table`.
    `when` is a condition on OLD/NEW (row-level only). PostgreSQL fires once per
    statement when it can, so a bulk action costs one raise, not one per row.
    """
    if vendor == "sqlite":
        condition = f" WHEN {when}" if when else ""
        return [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"BEGIN {bump_statements(vendor)} END",
        ]
    level = "ROW" if (when or row_level) else "STATEMENT"
    condition = f" WHEN ({when})" if when else ""
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH {level}{condition} "
        f"EXECUTE FUNCTION {BUMP_FUNCTION}()",
    ]


def _postgres_function():
    return (
        f"CREATE OR REPLACE FUNCTION {BUMP_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "INSERT INTO catalogue_contentversion (id, number) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET number = catalogue_contentversion.number + 1; "
        "RETURN NULL; "
        "END $$"
    )


def _statements(vendor, tables=CATALOGUE_TABLES):
    statements = [_postgres_function()] if vendor == "postgresql" else []
    for table in tables:
        if vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                statements += create_bump_trigger(
                    vendor, f"{table}_changed_{event.lower()}", table, event
                )
        else:
            statements += create_bump_trigger(
                vendor, f"{table}_changed", table, "INSERT OR UPDATE OR DELETE"
            )
    return statements


def _drops(vendor, tables=CATALOGUE_TABLES):
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_changed_{event}"
            for table in tables
            for event in ("insert", "update", "delete")
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_changed ON {table}" for table in tables] + [
        f"DROP FUNCTION IF EXISTS {BUMP_FUNCTION}() CASCADE"
    ]


def changed(vendor, columns):
    """A trigger's condition: any of `columns` differs between OLD and NEW (null-safe)."""
    compare = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {compare} NEW.{column}" for column in columns)


def counting_triggers(vendor, name, table, columns, change):
    """
    SQL that creates the triggers `name` on `table` keeping a count: `change(vendor,
    row, sign)` gives the statements that count (sign "+") or uncount ("-") the row
    `row` (NEW or OLD). An insert counts NEW, a delete uncounts OLD, and an update of
    one of `columns` that changes it does both. Each statement replaces what it creates.
    """
    if vendor == "sqlite":
        bodies = {
            "insert": ("INSERT", "", change(vendor, "NEW", "+")),
            "delete": ("DELETE", "", change(vendor, "OLD", "-")),
            "update": (
                f"UPDATE OF {', '.join(columns)}",
                f" WHEN {changed(vendor, columns)}",
                change(vendor, "OLD", "-") + change(vendor, "NEW", "+"),
            ),
        }
        statements = []
        for suffix, (event, condition, body) in bodies.items():
            statements += [
                f"DROP TRIGGER IF EXISTS {name}_{suffix}",
                f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON {table} "
                f"FOR EACH ROW{condition} BEGIN {body} END",
            ]
        return statements
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
        f"FOR EACH ROW WHEN ({changed(vendor, columns)}) EXECUTE FUNCTION {name}()",
    ]


def counting_drops(vendor, name):
    """SQL that removes what counting_triggers(vendor, name, …) created."""
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}_{suffix}" for suffix in ("insert", "delete", "update")
        ]
    return [f"DROP FUNCTION IF EXISTS {name}() CASCADE"]


class CountingTriggers:
    """
    One module's counting triggers: `counted` lists (name, table, columns whose change
    moves the count, change) for counting_triggers; `tables` must all exist before
    they are reinstalled. `install` and `remove` are for migrations' RunPython,
    `reinstall` is the post_migrate receiver (see reinstall_after_migrate).
    """

    def __init__(self, counted, tables):
        self.counted, self.tables = counted, tables

    def statements(self, vendor):
        return [
            statement
            for name, table, columns, change in self.counted
            for statement in counting_triggers(vendor, name, table, columns, change)
        ]

    def install(self, apps, schema_editor):
        execute(schema_editor, self.statements(schema_editor.connection.vendor))

    def remove(self, apps, schema_editor):
        vendor = schema_editor.connection.vendor
        drops = [each for name, *_ in self.counted for each in counting_drops(vendor, name)]
        execute(schema_editor, drops)

    def reinstall(self, sender, using="default", **kwargs):
        reinstall_after_migrate(self.statements, self.tables, using)


def execute(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def _present(schema_editor):
    """The catalogue tables that exist yet: a migration from before a table runs without it."""
    existing = set(schema_editor.connection.introspection.table_names())
    return [table for table in CATALOGUE_TABLES if table in existing]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    execute(schema_editor, _statements(vendor, _present(schema_editor)))


def reinstall_after_migrate(statements, tables, using):
    """
    Create `statements` again once every migration has run, if `tables` exist. On
    SQLite, a migration that alters a table rebuilds it and drops its triggers with
    it; installing them after every `migrate` (each statement replaces what it
    creates) means no future migration can leave a table without them.
    """
    from django.db import connections

    connection = connections[using]
    if not set(tables) <= set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor):
            cursor.execute(statement)


def reinstall(sender, using="default", **kwargs):
    """post_migrate receiver: see reinstall_after_migrate."""
    reinstall_after_migrate(_statements, [*CATALOGUE_TABLES, "catalogue_contentversion"], using)


def remove(apps, schema_editor):
    execute(schema_editor, _drops(schema_editor.connection.vendor, _present(schema_editor)))
