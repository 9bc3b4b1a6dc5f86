"""
deploy/backup.sh and deploy/restore.sh give back an identical database: every row of
every table, and on PostgreSQL every sequence, so new rows do not collide with old ones.
"""

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from urllib.parse import urlsplit

import psycopg
import pytest

from .servers import ROOT, manage, production_env

SITE_DATA = textwrap.dedent("""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.auth import get_user_model
    from reviews.models import Comment, Rating
    from tests.factories import make_theme, make_title
    User = get_user_model()
    grief = make_theme("Grief", slug="grief")
    titles = [make_title(f"Title {n}", slug=f"title-{n}", themes=[grief]) for n in range(3)]
    User.objects.create_user("gone", "gone@example.com", "x").delete()  # a gap in the ids
    readers = [User.objects.create_user(f"reader{n}", f"r{n}@example.com", "Tearful-pass-42")
               for n in range(3)]
    for n, reader in enumerate(readers):
        for m, title in enumerate(titles):
            Rating.objects.rate(reader, title, (n + m) % 6)
    Comment.objects.post(readers[1], titles[0], "It wrecked me.\\r\\nTwice.", is_spoiler=True)
    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.add(Permission.objects.get(codename="change_title"))
    readers[2].groups.add(curators)
""")


def run_script(script, *args, env):
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def site_env(folder, database_url):
    return production_env(folder, DEBUG="true", DATABASE_URL=database_url, PYTHON=sys.executable)


def sqlite_contents(path):
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()  # noqa: S608
            for table in tables
        }


def test_an_sqlite_backup_restores_an_identical_database(tmp_path):
    source = site_env(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}")
    manage(source, "migrate", "--noinput")
    manage(source, "shell", "-c", SITE_DATA)
    run_script("backup.sh", str(tmp_path / "backup.json"), env=source)

    restored = site_env(tmp_path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    run_script("restore.sh", str(tmp_path / "backup.json"), "--yes", env=restored)

    before = sqlite_contents(tmp_path / "source.sqlite3")
    after = sqlite_contents(tmp_path / "restored.sqlite3")
    assert len(before["reviews_rating"]) == 9 and len(before["reviews_comment"]) == 1
    assert len(before["auth_user_groups"]) == 1 and before["auth_group_permissions"]
    assert after == before


def test_restore_refuses_to_replace_data_without_yes(tmp_path):
    env = site_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / "restore.sh"), str(tmp_path / "backup.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Add --yes" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def postgres_server():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return parts._replace(path="").geturl(), parts.path.lstrip("/")
    return "postgres://postgres@127.0.0.1:5432", "sadlist"


@pytest.fixture
def postgres_databases():
    """Two new, empty PostgreSQL databases (source, restored), dropped afterwards."""
    if shutil.which("pg_dump") is None and not os.environ.get("CI"):
        pytest.skip("pg_dump is not installed here (CI always has it)")
    server, prefix = postgres_server()
    try:
        psycopg.connect(f"{server}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no PostgreSQL server answers here (CI always has one)")
    names = [f"{prefix}_backup_{secrets.token_hex(4)}_{side}" for side in ("source", "restored")]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield [f"{server}/{name}" for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_contents(url):
    with psycopg.connect(url) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        sequences = [
            name
            for (name,) in connection.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        contents = {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()  # noqa: S608
            for table in tables
        }
        contents["sequences"] = {
            name: connection.execute(f'SELECT last_value, is_called FROM "{name}"').fetchone()  # noqa: S608
            for name in sequences
        }
        return contents


def test_a_postgresql_backup_restores_an_identical_database(tmp_path, postgres_databases):
    source_url, restored_url = postgres_databases
    source = site_env(tmp_path, source_url)
    manage(source, "migrate", "--noinput")
    manage(source, "shell", "-c", SITE_DATA)
    run_script("backup.sh", str(tmp_path / "backup.dump"), env=source)

    run_script(
        "restore.sh", str(tmp_path / "backup.dump"), "--yes", env=site_env(tmp_path, restored_url)
    )

    before = postgres_contents(source_url)
    assert len(before["reviews_rating"]) == 9 and before["sequences"]
    assert postgres_contents(restored_url) == before


DUMPDATA = [
    "dumpdata",
    "--natural-foreign",
    "--exclude",
    "contenttypes",
    "--exclude",
    "auth.permission",
    # A counter of changes, raised by the load itself, and the totals and published
    # counts that the target's triggers count from the rows as they are loaded
    # (README, "Backups").
    "--exclude",
    "catalogue.contentversion",
    "--exclude",
    "catalogue.themestats",
    "--exclude",
    "catalogue.kindstats",
    "--exclude",
    "reviews.titlestats",
]


def test_a_json_dump_moves_an_sqlite_site_to_postgresql(tmp_path, postgres_databases):
    """README's way from SQLite to PostgreSQL: dumpdata, then loaddata into a migrated database."""
    source = site_env(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}")
    manage(source, "migrate", "--noinput")
    manage(source, "shell", "-c", SITE_DATA)
    manage(source, *DUMPDATA, "--output", str(tmp_path / "data.json"))

    target = site_env(tmp_path, postgres_databases[1])
    manage(target, "migrate", "--noinput")
    manage(target, "loaddata", str(tmp_path / "data.json"))
    manage(target, "recount_tears")

    moved = json.loads(manage(target, *DUMPDATA))
    assert moved == json.loads((tmp_path / "data.json").read_text())
    assert sum(row["model"] == "reviews.rating" for row in moved) == 9
    totals = ["dumpdata", "reviews.titlestats"]
    assert json.loads(manage(target, *totals)) == json.loads(manage(source, *totals))
    # The sequences moved on too: a new row does not collide with a loaded one.
    created = manage(
        target,
        "shell",
        "-c",
        "from tests.factories import make_title; print(make_title('New', slug='brand-new').pk)",
    )
    loaded_titles = [row["pk"] for row in moved if row["model"] == "catalogue.title"]
    assert int(created.split()[-1]) > max(loaded_titles)
