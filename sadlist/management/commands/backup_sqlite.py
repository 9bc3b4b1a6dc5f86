import sqlite3

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    """
    Copy the SQLite database to FILE with SQLite's online backup: a consistent
    snapshot, byte for byte, taken while the site keeps serving. (dumpdata would round
    times to the millisecond.) deploy/backup.sh calls this for SQLite.
    """

    help = "Copy the SQLite database to FILE, consistently, while the site serves."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        if connection.vendor != "sqlite":
            raise CommandError("backup_sqlite is for SQLite; use pg_dump for PostgreSQL.")
        connection.ensure_connection()
        with sqlite3.connect(file) as target:
            connection.connection.backup(target)
        target.close()
