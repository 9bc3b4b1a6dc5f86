"""SQLite is set up for several writers at once."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_uses_wal_and_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["OPTIONS"]["timeout"] >= 5
