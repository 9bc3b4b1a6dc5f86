"""Start-up explains a bad environment in one line instead of a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://root@localhost/db", "postgres://localhost", "redis://localhost"]
)
def test_a_malformed_database_url_stops_start_up_with_one_line(url):
    result = run_manage("check", DATABASE_URL=url)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Sadlist cannot start: DATABASE_URL")


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Sadlist cannot start: SECRET_KEY is not set: production (DEBUG=false) "
        "needs a long random SECRET_KEY."
    )


def test_development_starts_without_configuration(tmp_path):
    result = run_manage("check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr


def test_no_model_change_lacks_a_migration(tmp_path):
    result = run_manage(
        "makemigrations",
        "--check",
        "--dry-run",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "value, message",
    [
        ("-5", "FRESHNESS_SECONDS must be a number of seconds, not '-5'."),
        ("ten", "FRESHNESS_SECONDS must be a number of seconds, not 'ten'."),
    ],
)
def test_a_bad_freshness_window_stops_start_up_with_one_line(tmp_path, value, message):
    result = run_manage(
        "check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", FRESHNESS_SECONDS=value
    )
    assert result.returncode != 0
    assert result.stderr.strip() == f"Sadlist cannot start: {message}"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CACHE_TIMEOUT", "fast"),
        ("CACHE_CONNECT_TIMEOUT", "-1"),
        ("CACHE_RETRY_AFTER", "nan"),
        ("DATABASE_STATEMENT_TIMEOUT", "20s"),
    ],
)
def test_a_timeout_that_is_not_a_number_of_seconds_stops_start_up_with_one_line(
    tmp_path, name, value
):
    result = run_manage(
        "check",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        **{name: value},
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"Sadlist cannot start: {name} must be a number of seconds, not {value!r}."
    )


def test_a_connect_timeout_that_is_not_a_whole_number_stops_start_up_with_one_line(tmp_path):
    result = run_manage(
        "check", DATABASE_URL="postgres://app@db.internal/sadlist", DATABASE_CONNECT_TIMEOUT="3.5"
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Sadlist cannot start: DATABASE_CONNECT_TIMEOUT must be a whole number, not '3.5'."
    )
