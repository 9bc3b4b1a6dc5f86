"""
Two app servers, one PostgreSQL database, one Redis: the production shape on loopback.

    .venv/bin/python bench/multiserver.py [--keep LOG_FOLDER]

Creates a fresh PostgreSQL database and a private Redis key prefix, starts two gunicorn
servers with the production settings on two free loopback ports, waits for /readyz on
both, runs every check below, and always stops the servers and drops the database. It
prints one line per check, then "N passed, N failed", and exits non-zero on a failure
or after DEADLINE seconds.

A check is a function decorated with @check that takes the Site and raises
AssertionError (with a message a person understands) when the site misbehaves. The
server-killing check runs last.
"""

import argparse
import concurrent.futures
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import redis  # noqa: E402

from tests.servers import HOST, AppServer, manage, production_env, request  # noqa: E402

POSTGRES = os.environ.get("MULTISERVER_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("MULTISERVER_REDIS", "redis://127.0.0.1:6379/0")
DEADLINE = int(os.environ.get("MULTISERVER_DEADLINE", "300"))
PASSWORD = "Tearful-pass-42"  # noqa: S105 -- the throwaway members' password

SITE_DATA = textwrap.dedent(f"""
    from django.contrib.auth import get_user_model
    from tests.factories import make_theme, make_title
    grief = make_theme("Grief", slug="grief")
    make_title("Grave of the Fireflies", slug="grave-of-the-fireflies", themes=[grief])
    User = get_user_model()
    User.objects.create_superuser("curator", "curator@example.com", "{PASSWORD}")
    for n in range(20):
        User.objects.create_user(f"member{{n}}", f"member{{n}}@example.com", "{PASSWORD}")
""")

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


class Site:
    """The two servers and what the checks need to talk to them like a browser."""

    def __init__(self, servers, database_url, env):
        self.servers = servers
        self.database_url = database_url
        self.env = env

    def get(self, server, path, cookies=None):
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        return request(server.port, "GET", path, headers=headers)

    def post(self, server, path, fields, cookies):
        """POST a form as a browser would: with the CSRF cookie, token and Referer."""
        body = urlencode({"csrfmiddlewaretoken": cookies["csrftoken"], **fields})
        return request(server.port, "POST", path, body=body, headers={
            "Cookie": cookie_header(cookies),
            "Referer": f"https://{HOST}{path}",
            "Content-Type": "application/x-www-form-urlencoded",
        })

    def sign_in(self, server, username, login_path="/admin/login/"):
        """Sign in through `server`; return the browser's cookies."""
        status, headers, html = self.get(server, login_path)
        cookies = set_cookies(headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cookies["csrftoken"] = cookies.get("csrftoken", token)
        status, headers, _ = request(server.port, "POST", login_path, body=urlencode({
            "csrfmiddlewaretoken": token, "username": username, "password": PASSWORD,
        }), headers={"Cookie": cookie_header(cookies), "Referer": f"https://{HOST}{login_path}",
                     "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"signing in {username} through port {server.port} gave {status}"
        cookies.update(set_cookies(headers))
        return cookies


def set_cookies(headers):
    return dict(value.split(";")[0].split("=", 1) for name, value in headers
                if name.lower() == "set-cookie")


def cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@check
def both_servers_are_ready_and_share_one_database(site):
    for server in site.servers:
        status, _, body = request(server.port, "GET", "/readyz", https=False)
        assert (status, body) == (200, "ready\n"), f"port {server.port}: {status} {body!r}"
        status, _, html = site.get(server, "/titles/grave-of-the-fireflies/")
        assert status == 200 and "Grave of the Fireflies" in html, f"port {server.port}"


@check
def a_session_started_on_one_server_is_honoured_and_ended_on_the_other(site):
    first, second = site.servers
    cookies = site.sign_in(first, "curator")
    status, _, html = site.get(second, "/admin/", cookies)
    assert status == 200 and "Site administration" in html, (
        f"signed in through port {first.port}, but port {second.port} answered {status}")
    status, _, _ = site.post(second, "/admin/logout/", {}, cookies)
    assert status in (200, 302), f"signing out through port {second.port} gave {status}"
    status, headers, _ = site.get(first, "/admin/", cookies)
    location = [v for k, v in headers if k.lower() == "location"]
    assert status == 302 and "/admin/login/" in location[0], (
        f"signed out through port {second.port}, still signed in on port {first.port}")


@check
def the_other_server_keeps_serving_when_one_is_killed_under_load(site):
    """
    200 requests from 20 clients, alternating between the servers like a balancer,
    which retries a request on the other server when a connection is refused. One
    server is killed after a quarter of them: every request must still succeed.
    """
    first, second = site.servers
    total, clients = 200, 20
    done = threading.Semaphore(0)
    outcomes = []
    killed_at = []

    def one(number):
        order = (first, second) if number % 2 == 0 else (second, first)
        try:
            for attempt, server in enumerate(order):
                try:
                    status, _, html = site.get(server, "/titles/grave-of-the-fireflies/")
                except (http.client.HTTPException, OSError):
                    continue  # refused or cut off: the balancer tries the other server
                return number, server.port, attempt, status, "Grave of the Fireflies" in html
            return number, None, 2, None, False
        finally:
            done.release()

    def killer():
        for _ in range(total // 4):
            done.acquire()
        first.kill()
        killed_at.append(time.monotonic())

    threading.Thread(target=killer, daemon=True).start()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        outcomes = list(pool.map(one, range(total)))
    assert killed_at, "the first server was never killed"
    failed = [o for o in outcomes if o[3] != 200 or not o[4]]
    assert not failed, f"{len(failed)} of {total} requests failed: {failed[:5]}"
    served_by_second = sum(1 for o in outcomes if o[1] == second.port)
    retried = sum(1 for o in outcomes if o[2] == 1)
    print(f"    {total} requests: {total - served_by_second} by the killed server before it "
          f"died, {served_by_second} by the survivor ({retried} retried there)")


def ensure_running():
    """Start PostgreSQL and Redis if they are down, as .ci/run does."""
    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        clusters = os.listdir("/etc/postgresql")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[0], "main",  # noqa: S603, S607
                        "start"], check=True)
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.ConnectionError:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",  # noqa: S603, S607
                        "--port", "6379"], check=True)
    for _ in range(30):
        try:
            psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
            client.ping()
            return
        except (psycopg.OperationalError, redis.ConnectionError):
            time.sleep(1)
    raise RuntimeError("PostgreSQL or Redis did not come up")


def run_checks(site):
    passed = failed = 0
    for function in CHECKS:
        started = time.monotonic()
        try:
            function(site)
        except Exception as error:  # noqa: BLE001 -- report every check, then fail
            failed += 1
            detail = str(error) if isinstance(error, AssertionError) else traceback.format_exc()
            print(f"FAIL {function.__name__} ({time.monotonic() - started:.1f}s): {detail}")
        else:
            passed += 1
            print(f"ok   {function.__name__} ({time.monotonic() - started:.1f}s)")
    return passed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--keep", type=Path, help="copy the servers' logs to this folder")
    arguments = parser.parse_args()

    def out_of_time(signum, frame):
        raise TimeoutError(f"the multi-server check took more than {DEADLINE}s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(DEADLINE)
    ensure_running()
    token = secrets.token_hex(4)
    database = f"sadlist_multiserver_{token}"
    folder = Path(tempfile.mkdtemp(prefix="sadlist-multiserver-"))
    env = production_env(folder, DATABASE_URL=f"{POSTGRES}/{database}", REDIS_URL=REDIS,
                         CACHE_KEY_PREFIX=f"multiserver-{token}", LOG_LEVEL="INFO",
                         MEDIA_ROOT=str(folder / "shared-media"))
    servers = [AppServer(env, log_path=folder / f"server-{n}.log") for n in (1, 2)]
    passed, failed = 0, 1
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            manage(env, "shell", "-c", SITE_DATA)
            manage(env, "make_covers")
            for server in servers:
                server.start()
            print(f"two servers on ports {servers[0].port} and {servers[1].port}, "
                  f"database {database}")
            passed, failed = run_checks(Site(servers, f"{POSTGRES}/{database}", env))
        finally:
            signal.alarm(0)
            for server in servers:
                server.stop()
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            cache = redis.Redis.from_url(REDIS)
            for key in cache.scan_iter(f"multiserver-{token}:*"):
                cache.delete(key)
            if arguments.keep:
                arguments.keep.mkdir(parents=True, exist_ok=True)
                for log in folder.glob("*.log"):
                    shutil.copy(log, arguments.keep / log.name)
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
