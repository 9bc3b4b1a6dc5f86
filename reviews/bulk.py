"""
Loading a million rows fast: the quickest path each database offers, for seed_demo.

PostgreSQL takes rows through a binary COPY; SQLite through executemany into a bare
temporary table, then one INSERT … SELECT, with syncing to disk off while it runs.
Indexes and constraints (on PostgreSQL primary keys too) are dropped for the load and
rebuilt after it (building an index once over sorted data is several times cheaper than
updating it row by row); the ones of tables already loaded can be built on a thread
while Python draws the next rows (Rebuild.meanwhile). Everything runs inside the
caller's transaction, and DDL is transactional on both databases, so a failed load
leaves the tables, indexes included, exactly as they were.
"""

import contextlib
import threading
import time

from django.core.management.color import no_style
from django.db import connection


def tune_sqlite_for_bulk_load():
    """
    Per-connection settings for a one-off load on SQLite: no fsync (a crash mid-seed
    loses only demo data, and the transaction is all or nothing anyway) and a large
    page cache so index builds stay in memory. They end with the connection. SQLite
    cannot change them inside a transaction, so under an outer one they are skipped.
    """
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
            cursor.execute("PRAGMA temp_store=MEMORY")


def lift_statement_timeout():
    """
    Let the load's statements run as long as they need, until the transaction ends: the
    site's statement timeout (DATABASE_STATEMENT_TIMEOUT) is for requests, and a COPY of
    ten million ratings takes minutes. SQLite's busy timeout only bounds waiting for
    another writer, so it stays.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")


def insert(model, columns, rows):
    """
    Insert `rows` (tuples in the order of `columns`, given as field attnames) into
    `model`'s table. Columns not given take their field's default, so a field added
    to the model later with a default does not break the load.
    """
    fields = {field.attname: field for field in model._meta.concrete_fields}
    rest = [f for name, f in fields.items() if name not in columns and not f.primary_key]
    names = [fields[name].column for name in columns] + [field.column for field in rest]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    quote = connection.ops.quote_name
    table, column_list = quote(model._meta.db_table), ", ".join(quote(name) for name in names)
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor:
            types = _column_types(cursor, model._meta.db_table, names)
            copy_rows = f"COPY {table} ({column_list}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(copy_rows) as copy:
                # Binary, each column's type told once: psycopg then converts a row in
                # C with no lookup per value, several times faster than the text format
                # (times must be datetimes, not text: reviews.demo.stamp).
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row + defaults if defaults else row)
    else:
        # Through a bare table of no constraints first, then one INSERT … SELECT: the
        # table's AUTOINCREMENT counter, constraints and unique index are then kept up in
        # one statement rather than one per row (bench/README.md, "Seeding").
        placeholders = ", ".join("?" * len(names))
        raw.execute(f"CREATE TEMP TABLE bulk_rows ({column_list})")
        try:
            raw.executemany(
                f"INSERT INTO temp.bulk_rows VALUES ({placeholders})",  # noqa: S608
                (row + defaults for row in rows) if defaults else rows,
            )
            raw.execute(
                f"INSERT INTO {table} ({column_list}) "  # noqa: S608 - quoted names only
                f"SELECT {column_list} FROM temp.bulk_rows"
            )
        finally:
            raw.execute("DROP TABLE temp.bulk_rows")


def _column_types(cursor, table, columns):
    """The type oids of `table`'s `columns`, in their order, as a binary COPY needs them."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [connection.ops.quote_name(table)],
    )
    types = dict(cursor.fetchall())
    return [types[column] for column in columns]


def reset_sequences(*models):
    """Move id sequences past the ids the load wrote itself (PostgreSQL; SQLite needs none)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# The order a table's statements are put back in: its indexes, then its primary key,
# then its unique constraints, then foreign keys (which need the keys they refer to).
INDEX, PRIMARY, UNIQUE, FOREIGN = range(4)
_RANKS = {"p": PRIMARY, "u": UNIQUE, "f": FOREIGN}


def _postgresql_constraints(cursor, tables):
    """
    (listed under, owner, rank, constraint name, definition) of every primary-key,
    unique and foreign-key constraint of `tables` (listed under its owner), and of every
    foreign key of another table that refers to one of them (owned by that table, listed
    under the one it refers to, so that it is put back after that table's primary key);
    foreign keys first, the order they can be dropped in.
    """
    cursor.execute(
        "SELECT referred.relname, owner.relname, con.contype, con.conname, "
        "pg_get_constraintdef(con.oid) FROM pg_constraint AS con "
        "JOIN pg_class AS owner ON owner.oid = con.conrelid "
        "LEFT JOIN pg_class AS referred ON referred.oid = con.confrelid "
        "WHERE owner.relnamespace = current_schema()::regnamespace AND ("
        "  (owner.relname = ANY(%s) AND con.contype IN ('p', 'u', 'f'))"
        "  OR (con.contype = 'f' AND referred.relname = ANY(%s)"
        "      AND owner.relname <> ALL(%s))"
        ") ORDER BY con.contype = 'f' DESC, owner.relname, con.conname",
        [tables, tables, tables],
    )
    return [
        (owner if owner in tables else referred, owner, _RANKS[kind], name, definition)
        for referred, owner, kind, name, definition in cursor.fetchall()
    ]


def _postgresql_indexes(cursor, table):
    """The indexes of `table` that no constraint owns, as (name, definition)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    return cursor.fetchall()


class Rebuild:
    """
    The statements that put back the indexes and constraints of the tables
    `without_keys_and_indexes` emptied of them, table by table, so that the ones of
    tables already loaded can be built while the load goes on (`meanwhile`).
    """

    def __init__(self):
        self.statements = {}  # table: [(rank, statement)]
        self.analyzed = ()  # models whose tables `meanwhile` analyzed

    def add(self, table, rank, statement):
        self.statements.setdefault(table, []).append((rank, statement))

    def take(self, *models):
        """The statements of `models`' tables (all tables when none are given)."""
        tables = [model._meta.db_table for model in models] or list(self.statements)
        taken = [each for table in tables for each in self.statements.pop(table, [])]
        # Every table's indexes before any table's keys, and every key before a foreign
        # key: a foreign key needs the unique index it refers to. (The sort is stable.)
        return [statement for _, statement in sorted(taken, key=lambda each: each[0])]

    @contextlib.contextmanager
    def meanwhile(self, *models, block_queries=False):
        """
        Build `models`' indexes and constraints on a thread of its own while the block
        runs, on this same connection and in its transaction, and wait for the build
        when the block ends (raising its error, if any). Both databases leave Python's
        lock while they work, so the build and the block's Python each get a core.

        A block that plans the next rows in Python must not use the database. One that
        does (`block_queries`: the recount) takes turns with the build on PostgreSQL,
        statement by statement (psycopg runs one command at a time on a connection and
        makes the other thread wait): the build fills the time the block spends in
        Python between its queries. SQLite cannot change a schema while another
        statement reads it, so there the build runs after such a block.
        """
        statements = self.take(*models)
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            quote = connection.ops.quote_name
            statements = [
                # The other core is the block's Python: no parallel workers to compete.
                "SET LOCAL max_parallel_maintenance_workers = 0",
                *statements,
                "SET LOCAL max_parallel_maintenance_workers TO DEFAULT",
                # Their planner statistics too, now rather than with the rest at the end.
                *(f"ANALYZE {quote(model._meta.db_table)}" for model in models),
            ]
            self.analyzed += models
        # The thread is given the DB-API connection itself: Django's connection object
        # is one per thread.
        connection.ensure_connection()
        raw, failed = connection.connection, []
        if block_queries and not postgresql:
            yield
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            return

        def build():
            try:
                cursor = raw.cursor()
                for statement in statements:
                    cursor.execute(statement)
                    # A block waiting for the connection takes it now: left alone, Python
                    # would give it back to this thread, and the next build first.
                    time.sleep(0)
                cursor.close()
            except Exception as error:  # noqa: BLE001 - raised again on the caller's thread
                failed.append(error)

        builder = threading.Thread(target=build, name="rebuild indexes")
        builder.start()
        try:
            yield
        finally:
            builder.join()
        if failed:
            raise failed[0]


@contextlib.contextmanager
def without_keys_and_indexes(*models, track=iter):
    """
    Drop the secondary indexes of `models`' tables (and, on PostgreSQL, their primary
    keys, unique and foreign-key constraints, and the foreign keys of other tables that
    refer to them) for the duration of the block and rebuild them after it. Must
    run inside a transaction: if the block fails, the rollback restores them.
    Yields a `Rebuild`, whose `meanwhile` builds some tables' indexes early.
    `track` is given the list of rebuild statements and returns them as an iterable,
    to show progress: on a large load the rebuild takes as long as a table's rows.
    """
    quote = connection.ops.quote_name
    rebuild = Rebuild()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign-key checks still queued from earlier writes would block the DROP.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Room to sort a million keys in memory when the indexes are rebuilt, and for
            # the recount's joins and groupings of a million ratings (seed_demo counts
            # inside this block): with the default, its count of causes per title
            # spills to disk (bench/README.md, "Seeding").
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        tables = [model._meta.db_table for model in models]
        if connection.vendor == "postgresql":
            # Primary keys too: a COPY into a table whose key is kept up row by row took
            # three times as long (bench/README.md, "Seeding").
            for table, owner, rank, name, definition in _postgresql_constraints(cursor, tables):
                cursor.execute(f"ALTER TABLE {quote(owner)} DROP CONSTRAINT {quote(name)}")
                rebuild.add(
                    table,
                    rank,
                    f"ALTER TABLE {quote(owner)} ADD CONSTRAINT {quote(name)} {definition}",
                )
        for table in tables:
            if connection.vendor == "postgresql":
                indexes = _postgresql_indexes(cursor, table)
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                    [table],
                )
                indexes = cursor.fetchall()
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
                rebuild.add(table, INDEX, definition)
    yield rebuild
    with connection.cursor() as cursor:
        for statement in track(rebuild.take()):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    analyze(*(model for model in models if model not in rebuild.analyzed))


@contextlib.contextmanager
def without_triggers(*models):
    """
    Switch off the triggers on `models`' tables for the block (the caller recounts what
    they would have kept), and switch them back on after it. Inside a transaction, so a
    failed load restores them with everything else.
    """
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")
            restore = [f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER" for table in tables]
        else:
            placeholders = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "  # noqa: S608 -- placeholders only
                f"WHERE type = 'trigger' AND tbl_name IN ({placeholders}) ORDER BY name",
                tables,
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {quote(name)}")
            restore = [definition for _, definition in triggers]
    yield
    with connection.cursor() as cursor:
        for statement in restore:
            cursor.execute(statement)


@contextlib.contextmanager
def every_core():
    """
    On PostgreSQL, let the block's queries take parallel workers wherever the planner
    can use them, for a block that runs while Python waits (seed_demo's recount): the
    default costs keep aggregates over a million freshly loaded ratings on one core,
    leaving the other idle (bench/README.md, "Seeding").
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL parallel_setup_cost = 0")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL parallel_setup_cost TO DEFAULT")
        cursor.execute("SET LOCAL parallel_tuple_cost TO DEFAULT")


def analyze(*models):
    """
    Fresh planner statistics for `models`' tables on PostgreSQL, now rather than whenever
    autovacuum comes by (a small table such as the mentions may never reach its
    threshold). Not on SQLite: no install of it ever has statistics (Django never runs
    ANALYZE), and with them its planner takes worse paths for some of our queries (the
    home page's newest comments scan every title and sort every comment: bench/README.md,
    "Seeding").
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
