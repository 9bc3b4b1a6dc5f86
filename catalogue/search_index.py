"""
SQLite's trigram index of titles' search keys (catalogue/search.py): an FTS5 table
with the trigram tokenizer over catalogue_title.search_key, and two fts5vocab tables
over it: how many titles hold each trigram, and where each occurs.

PostgreSQL needs none of this: pg_trgm's GIN index on the key does the same.

Triggers keep the index in step with every insert, update and delete, whatever makes
it (save(), bulk_create(), loaddata, raw SQL). Something that switches triggers off
for a bulk load (seed_demo) rebuilds the index after it (`rebuild`). On SQLite a
migration that alters catalogue_title rebuilds the table and drops its triggers with
it, so they are installed again after every `migrate`, and the index rebuilt when they
were missing.

SQLite gained the trigram tokenizer in 3.34 and may be built without FTS5; without
them no index is made, and search reads every key instead, as before it had one.
"""

# Every name put into SQL here is one of this module's constants.
# ruff: noqa: S608

import sqlite3

from catalogue.search import TRIGRAM_PLACES, TRIGRAM_TABLE, TRIGRAM_TERMS

TABLE = "catalogue_title"
TRIGGERS = {
    f"{TRIGRAM_TABLE}_insert": (
        "AFTER INSERT",
        f"INSERT INTO {TRIGRAM_TABLE} (rowid, search_key) VALUES (new.id, new.search_key);",
    ),
    f"{TRIGRAM_TABLE}_delete": (
        "AFTER DELETE",
        f"INSERT INTO {TRIGRAM_TABLE} ({TRIGRAM_TABLE}, rowid, search_key) "
        "VALUES ('delete', old.id, old.search_key);",
    ),
    f"{TRIGRAM_TABLE}_update": (
        "AFTER UPDATE OF id, search_key",
        f"INSERT INTO {TRIGRAM_TABLE} ({TRIGRAM_TABLE}, rowid, search_key) "
        "VALUES ('delete', old.id, old.search_key); "
        f"INSERT INTO {TRIGRAM_TABLE} (rowid, search_key) VALUES (new.id, new.search_key);",
    ),
}


def supported(connection):
    """Whether this SQLite can make the index: FTS5 with the trigram tokenizer."""
    if connection.vendor != "sqlite" or sqlite3.sqlite_version_info < (3, 34):
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return ("ENABLE_FTS5",) in cursor.fetchall()


def _exists(cursor, kind, name):
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = %s AND name = %s", [kind, name])
    return cursor.fetchone() is not None


def _install_triggers(cursor):
    for name, (event, body) in TRIGGERS.items():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"CREATE TRIGGER {name} {event} ON {TABLE} FOR EACH ROW BEGIN {body} END")


def rebuild(connection):
    """Index every title's key afresh (after a load that switched the triggers off)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if _exists(cursor, "table", TRIGRAM_TABLE):
            cursor.execute(f"INSERT INTO {TRIGRAM_TABLE} ({TRIGRAM_TABLE}) VALUES ('rebuild')")


def create(connection):
    """Make the index, its triggers and its list of trigrams, and fill it."""
    if not supported(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TRIGRAM_TABLE} USING fts5(search_key, "
            f"content='{TABLE}', content_rowid='id', tokenize='trigram')"
        )
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TRIGRAM_TERMS} "
            f"USING fts5vocab({TRIGRAM_TABLE}, 'row')"
        )
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TRIGRAM_PLACES} "
            f"USING fts5vocab({TRIGRAM_TABLE}, 'instance')"
        )
        _install_triggers(cursor)
    rebuild(connection)


def drop(connection):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TRIGRAM_PLACES}")
        cursor.execute(f"DROP TABLE IF EXISTS {TRIGRAM_TERMS}")
        cursor.execute(f"DROP TABLE IF EXISTS {TRIGRAM_TABLE}")


def reinstall(sender, using="default", **kwargs):
    """post_migrate receiver: the triggers again, and the index rebuilt if any was gone."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if not _exists(cursor, "table", TRIGRAM_TABLE):
            return
        missing = not all(_exists(cursor, "trigger", name) for name in TRIGGERS)
        _install_triggers(cursor)
    if missing:
        rebuild(connection)
