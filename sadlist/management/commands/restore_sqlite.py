import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    """
    Replace the SQLite database's contents with a copy made by backup_sqlite, in one
    step under SQLite's lock: other processes see the old database or the new one,
    never a mix. deploy/restore.sh calls this for SQLite.
    """

    help = "Replace the SQLite database with FILE (made by backup_sqlite)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        if connection.vendor != "sqlite":
            raise CommandError("restore_sqlite is for SQLite; use pg_restore for PostgreSQL.")
        if not Path(file).is_file():
            raise CommandError(f"{file} does not exist.")
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as source:
            try:
                source.execute("SELECT count(*) FROM django_migrations").fetchone()
            except sqlite3.DatabaseError:
                raise CommandError(f"{file} is not a Sadlist SQLite backup.") from None
            connection.ensure_connection()
            source.backup(connection.connection)
        source.close()
