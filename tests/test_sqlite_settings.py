"""SQLite is set up for several writers at once, and kept open between requests."""

import pytest
from django.db import connection

from sadlist.settings import database_from_url


@pytest.mark.django_db
def test_sqlite_uses_wal_and_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["OPTIONS"]["timeout"] >= 5


@pytest.mark.django_db
def test_sqlite_copies_its_log_back_every_ten_thousand_pages_and_cuts_it_back_to_64_mb():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 10_000
        cursor.execute("PRAGMA journal_size_limit")
        assert cursor.fetchone()[0] == 64 * 1024 * 1024


def test_sqlite_keeps_its_connection_between_requests_as_postgresql_does(monkeypatch):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    # Opening it again would read the schema and run its PRAGMAs on every request.
    assert database_from_url("sqlite:///sadlist.sqlite3")["CONN_MAX_AGE"] == 60
    assert database_from_url("postgres://sadlist@db/sadlist")["CONN_MAX_AGE"] == 60
