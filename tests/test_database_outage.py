"""
A database that is hung, stopped or locked costs a request seconds and a short 503 page,
never a 500 or a worker held until gunicorn kills it. Real faults: a proxy in front of
the real PostgreSQL that hangs or shuts (tests/faults.py), a port where nothing
listens, PostgreSQL's own statement timeout, and SQLite's write lock held by another
connection.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import connection

from reviews.models import Rating

from .faults import FaultyProxy
from .servers import ROOT, free_port, production_env

POSTGRES_PORT = 5432

# A Django process of its own (its own settings, its own connections), reading one
# request per line ("GET /healthz" or "SQL SELECT ...") and answering each with a line
# "answer {JSON}" among its log lines: what a visitor got, or what the database said,
# and how long it took.
CLIENT = """
import json, os, sys, time
from wsgiref.util import setup_testing_defaults
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sadlist.settings")
from django.core.wsgi import get_wsgi_application
from django.db import connection
application = get_wsgi_application()

def get(path):
    # Through the WSGI handler as gunicorn calls it, so that connections are checked
    # and dropped between requests as they are in production.
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    started = []
    result = application(environ, lambda status, headers: started.append(status))
    body = b"".join(result).decode()
    result.close()
    return {"status": int(started[0].split()[0]), "body": body}

def sql(statement):
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
        return {"error": None}
    except Exception as error:
        return {"error": type(error).__name__}

for line in sys.stdin:
    verb, argument = line.strip().split(" ", 1)
    started = time.monotonic()
    answer = get(argument) if verb == "GET" else sql(argument)
    answer["seconds"] = time.monotonic() - started
    print("answer", json.dumps(answer), flush=True)
"""


class SiteProcess:
    """The site in another process, on the database at `url`, asked one thing at a time."""

    def __init__(self, tmp_path, url, **env):
        self.process = subprocess.Popen(
            [sys.executable, "-c", CLIENT],
            cwd=ROOT,
            env=production_env(
                tmp_path, DEBUG="true", ALLOWED_HOSTS="testserver", DATABASE_URL=url, **env
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def ask(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith("answer "):
                return json.loads(line.removeprefix("answer "))
        raise AssertionError("the site process died")

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def site(tmp_path):
    started = []

    def start(url, **env):
        started.append(SiteProcess(tmp_path, url, **env))
        return started[-1]

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def postgres_proxy():
    try:
        psycopg.connect(
            f"postgres://postgres@127.0.0.1:{POSTGRES_PORT}/postgres", connect_timeout=3
        ).close()
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no PostgreSQL server answers here (CI always has one)")
    with FaultyProxy(POSTGRES_PORT) as proxy:
        yield proxy


def through(proxy):
    return f"postgres://postgres@127.0.0.1:{proxy.port}/postgres"


def assert_unavailable_page(answer, within):
    assert answer["status"] == 503
    assert "Sadlist cannot reach its database just now" in answer["body"]
    assert answer["seconds"] < within, answer["seconds"]


def test_healthz_and_pages_answer_503_quickly_with_a_hung_postgresql(site, postgres_proxy):
    postgres_proxy.hang()
    process = site(through(postgres_proxy), DATABASE_CONNECT_TIMEOUT="2")

    healthz = process.ask("GET /healthz")
    assert (healthz["status"], healthz["body"]) == (503, "database unavailable\n")
    assert healthz["seconds"] < 4
    assert_unavailable_page(process.ask("GET /titles/"), within=4)


def test_healthz_answers_503_quickly_when_postgresql_hangs_under_a_kept_connection(
    site, postgres_proxy
):
    process = site(through(postgres_proxy), DATABASE_CONNECT_TIMEOUT="2", CONN_MAX_AGE="60")
    assert process.ask("GET /healthz")["body"] == "ok\n"

    postgres_proxy.hang()

    # The kept connection's health check gives up after the connect timeout, then a
    # new connection does too.
    healthz = process.ask("GET /healthz")
    assert (healthz["status"], healthz["body"]) == (503, "database unavailable\n")
    assert healthz["seconds"] < 2 * 2 + 2, healthz["seconds"]

    postgres_proxy.forward()
    assert process.ask("GET /healthz")["body"] == "ok\n"


def test_healthz_and_pages_answer_503_at_once_when_postgresql_stops(site, postgres_proxy):
    process = site(through(postgres_proxy))
    assert process.ask("GET /healthz")["body"] == "ok\n"

    postgres_proxy.shut()

    healthz = process.ask("GET /healthz")
    assert (healthz["status"], healthz["body"]) == (503, "database unavailable\n")
    assert healthz["seconds"] < 1
    assert_unavailable_page(process.ask("GET /titles/"), within=1)

    postgres_proxy.forward()
    assert process.ask("GET /healthz")["body"] == "ok\n"


def test_pages_answer_503_at_once_when_nothing_listens_where_postgresql_should_be(site):
    process = site(f"postgres://postgres@127.0.0.1:{free_port()}/sadlist")
    assert_unavailable_page(process.ask("GET /"), within=1)


def test_a_statement_is_stopped_after_the_statement_timeout(site, postgres_proxy):
    process = site(through(postgres_proxy), DATABASE_STATEMENT_TIMEOUT="0.5")

    answer = process.ask("SQL SELECT pg_sleep(5)")

    assert answer["error"] == "OperationalError"
    assert 0.4 < answer["seconds"] < 2


def test_the_database_settings_carry_the_timeouts_and_server_side_binding():
    from sadlist.settings import database_from_url

    config = database_from_url("postgres://app@db.internal:5432/sadlist?sslmode=require")
    assert config["OPTIONS"] == {
        "sslmode": "require",
        "connect_timeout": 3,
        "options": "-c statement_timeout=20000",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    assert config["ENGINE"] == "sadlist.postgresql" and config["CONN_HEALTH_CHECKS"]
    assert database_from_url("sqlite:////srv/sadlist/db.sqlite3")["OPTIONS"]["timeout"] == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of psycopg")
@pytest.mark.django_db
def test_a_read_that_every_request_makes_is_prepared_after_a_few_times_on_postgresql(
    client, reader
):
    """The session and its member are read on every signed-in request, in one statement:
    parsed and planned once per connection, not each time."""
    client.force_login(reader)
    for _ in range(6):
        page = client.get("/")
        assert reader.username in page.content.decode()

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any(
        statement.startswith("SELECT s.session_data, u.")
        and "FROM accounts_session s LEFT JOIN auth_user u ON u.id = s.user_id "
        "WHERE s.session_key = $1"
        in statement
        for statement in prepared
    ), prepared


def test_sqlite_runs_on_our_backend_which_rewrites_a_statements_placeholders_once():
    from sadlist.settings import database_from_url
    from sadlist.sqlite3.base import qmark_style

    assert database_from_url("sqlite:////srv/sadlist/db.sqlite3")["ENGINE"] == "sadlist.sqlite3"
    assert qmark_style("SELECT '100%%', %s WHERE a = %s") == "SELECT '100%', ? WHERE a = ?"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="our SQLite backend")
@pytest.mark.django_db
def test_a_read_that_every_request_makes_is_rewritten_for_sqlite_once(client, reader):
    """The session and its member, read on every signed-in request: the text SQLite is
    sent is worked out the first time only, and each page still gets its own member."""
    from sadlist.sqlite3.base import qmark_style

    client.force_login(reader)
    client.get("/")
    before = qmark_style.cache_info()
    for _ in range(3):
        page = client.get("/")
        assert reader.username in page.content.decode()
    after = qmark_style.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


@pytest.mark.django_db(transaction=True)
def test_a_write_waits_for_a_locked_sqlite_no_longer_than_its_timeout_then_answers_503(
    reader_client, grave, monkeypatch
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.5)
    connection.close()
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write, never finished
    try:
        started = time.monotonic()
        response = reader_client.post(f"/titles/{grave.slug}/rate/", {"tears": "4"})
        seconds = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Sadlist cannot reach its database just now" in response.content.decode()
    assert 0.4 < seconds < 2
    assert not Rating.objects.exists()
