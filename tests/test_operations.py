"""
Running Sadlist: health and readiness probes, request ids and one-line logs, the shared
cache and sessions with REDIS_URL, the deployment checks, gunicorn's configuration, and
uploaded files served by the app servers.
"""

import logging
import re
import secrets
import subprocess
import sys
import time

import pytest
from django.db import DatabaseError
from django.db.backends.utils import CursorWrapper

from sadlist.middleware import OneLineFormatter, RequestIdLogFilter, current_request_id

from .servers import GUNICORN, ROOT, free_port, production_env, request

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"


def run(*command, **env):
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def manage(tmp_path, *args, **overrides):
    """manage.py in production mode (unless overridden) on a database of its own."""
    env = production_env(tmp_path, **overrides)
    return run(sys.executable, "manage.py", *args, **env)


# Health and readiness


def test_readyz_is_ready_when_the_database_and_the_cache_answer(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")
    assert "no-cache" in response["Cache-Control"]


def test_readyz_stays_ready_and_names_the_cache_when_it_does_not_answer(client, settings):
    # The cache is shared: a load balancer that took servers out for it would take out all.
    settings.CACHES = {
        "default": {
            "BACKEND": "sadlist.cache.FailFastRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (
        200,
        b"ready\ncache unavailable: pages are built without it\n",
    )


def test_readyz_names_the_database_when_it_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"database unavailable\n")


# Request ids and logs


def test_every_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_balancers_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c2e-0001"})
    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


@pytest.mark.parametrize("forged", ["two words", "x" * 129, "a\tb", "id;drop", ""])
def test_an_unsafe_request_id_is_replaced(client, forged):
    response = client.get("/healthz", headers={"X-Request-ID": forged})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_is_logged_once_with_method_path_status_and_time(client, caplog):
    with caplog.at_level(logging.INFO, logger="sadlist.request"):
        response = client.get("/titles/no-such-anime/")
    (record,) = [r for r in caplog.records if r.name == "sadlist.request"]
    assert re.fullmatch(r"GET /titles/no-such-anime/ 404 \d+\.\dms", record.getMessage())
    assert response["X-Request-ID"]


def test_a_traceback_is_logged_on_one_line_with_the_request_id():
    token = current_request_id.set("req-42")
    try:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            record = logging.getLogger("sadlist").makeRecord(
                "sadlist", logging.ERROR, __file__, 1, "It broke", (), sys.exc_info()
            )
        RequestIdLogFilter().filter(record)
        line = OneLineFormatter().format(record)
    finally:
        current_request_id.reset(token)
    assert "\n" not in line
    assert re.match(r"\d{4}-\d\d-\d\d [\d:,]+ ERROR sadlist request_id=req-42 It broke", line)
    assert "ZeroDivisionError: division by zero" in line


def test_production_logs_one_line_per_request_to_stdout(production_site):
    server, folder = production_site
    request(server.port, "GET", "/themes/grief/", headers={"X-Request-ID": "trace-abc-123"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            line
            for line in (folder / "gunicorn.log").read_text().splitlines()
            if "request_id=trace-abc-123" in line
        ]
        if lines:
            break
        time.sleep(0.1)
    assert len(lines) == 1
    assert re.search(
        r"INFO sadlist\.request request_id=trace-abc-123 GET /themes/grief/ 200 "
        r"\d+\.\dms$",
        lines[0],
    )


# Cache, sessions and the deployment checks


def test_without_redis_check_says_limits_are_per_process(tmp_path):
    result = manage(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "sadlist.I001" in output
    assert "rate limits are counted separately in each app server process" in output


@pytest.mark.parametrize(
    "env", [{"REDIS_URL": REDIS_URL}, {"DEBUG": "true"}], ids=["with Redis", "in development"]
)
def test_check_has_nothing_to_say_with_redis_or_in_development(tmp_path, env):
    result = manage(tmp_path, "check", **env)
    assert result.returncode == 0, result.stderr
    assert "sadlist.I001" not in result.stdout + result.stderr


@pytest.mark.parametrize("redis", ["", REDIS_URL])
def test_check_deploy_passes_with_production_settings(tmp_path, redis):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", REDIS_URL=redis)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_a_malformed_redis_url_stops_start_up_with_one_line(tmp_path):
    result = manage(tmp_path, "check", DEBUG="true", REDIS_URL="memcached://127.0.0.1")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Sadlist cannot start: REDIS_URL must start with redis://, rediss:// or unix://, "
        "not 'memcached://127.0.0.1'."
    )


SHOW_CACHE = (
    "from django.conf import settings; from django.core.cache import cache; "
    "import sys; print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE); "
    "print(cache.get('shared')) if sys.argv[-1] == 'read' else cache.set('shared', 'seen', 60)"
)


def test_app_processes_share_the_cache_through_redis(tmp_path):
    env = production_env(
        tmp_path, DEBUG="true", REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=f"test-{secrets.token_hex(6)}"
    )
    writer = run(
        sys.executable,
        "-c",
        f"import django, os; os.environ.setdefault("
        f"'DJANGO_SETTINGS_MODULE', 'sadlist.settings'); django.setup(); {SHOW_CACHE}",
        "write",
        **env,
    )
    reader = run(
        sys.executable,
        "-c",
        f"import django, os; os.environ.setdefault("
        f"'DJANGO_SETTINGS_MODULE', 'sadlist.settings'); django.setup(); {SHOW_CACHE}",
        "read",
        **env,
    )
    assert writer.returncode == 0, writer.stderr
    assert reader.stdout.splitlines() == [
        "sadlist.cache.FailFastRedisCache accounts.sessions",
        "seen",
    ]


def test_without_redis_the_cache_is_per_process_and_sessions_in_the_database(settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.SESSION_ENGINE == "accounts.sessions"


# gunicorn


def gunicorn_config(**env):
    result = run(
        str(GUNICORN),
        "--print-config",
        "sadlist.wsgi",
        **production_env(ROOT / ".no-such-folder", **env),
    )
    assert result.returncode == 0, result.stderr
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
        if value
    )


def test_gunicorn_defaults_are_sensible():
    config = gunicorn_config()
    import multiprocessing

    assert config["workers"] == str(min(2 * multiprocessing.cpu_count() + 1, 9))
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["timeout"] == "30"
    assert int(config["max_requests"]) > 0 and int(config["max_requests_jitter"]) > 0
    assert config["accesslog"] == "None"
    assert config["preload_app"] == "False"  # so that a reload picks up new code


def test_gunicorn_reads_its_settings_from_the_environment():
    config = gunicorn_config(
        GUNICORN_BIND="10.0.0.5:9000", GUNICORN_WORKERS="3", FORWARDED_ALLOW_IPS="10.0.0.1"
    )
    assert config["bind"] == "['10.0.0.5:9000']"
    assert config["workers"] == "3"
    assert config["forwarded_allow_ips"] == "['10.0.0.1']"


def test_the_systemd_unit_runs_gunicorn_with_this_configuration():
    unit = (ROOT / "deploy" / "sadlist.service").read_text()
    assert re.search(r"^ExecStart=\S+/gunicorn -c \S+gunicorn\.conf\.py sadlist\.wsgi$", unit, re.M)
    assert re.search(r"^EnvironmentFile=", unit, re.M)
    assert re.search(r"^Restart=on-failure$", unit, re.M)


# Uploaded files


def test_the_app_serves_uploaded_files_with_the_sites_headers(
    client, settings, django_assert_num_queries
):
    (settings.MEDIA_ROOT / "posters").mkdir(parents=True)
    (settings.MEDIA_ROOT / "posters" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    with django_assert_num_queries(0):
        response = client.get("/media/posters/x.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nfake"
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../sadlist/settings.py",
        "/media/%2e%2e/manage.py",
        "/media/posters/",
        "/media/missing.png",
    ],
)
def test_nothing_outside_uploaded_files_is_served(client, settings, path):
    (settings.MEDIA_ROOT / "posters").mkdir(parents=True)
    response = client.get(path)
    assert response.status_code in (400, 404)  # 400: Django refuses a path leaving the folder
    assert b"SECRET_KEY" not in response.content
