"""
What bench/multiserver.py needs around its checks: PostgreSQL and Redis up, and a Site
object that talks to the app servers the way a browser behind a balancer would.
"""

import os
import re
import subprocess
import time
import traceback
from urllib.parse import urlencode

import psycopg
import redis

from tests.servers import HOST, request

POSTGRES = os.environ.get("MULTISERVER_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("MULTISERVER_REDIS", "redis://127.0.0.1:6379/0")
PASSWORD = "Tearful-pass-42"  # noqa: S105 -- the throwaway members' password


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
        return request(
            server.port,
            "POST",
            path,
            body=body,
            headers={
                "Cookie": cookie_header(cookies),
                "Referer": f"https://{HOST}{path}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )

    def sign_in(self, server, username, login_path="/admin/login/"):
        """Sign in through `server`; return the browser's cookies."""
        status, headers, html = self.get(server, login_path)
        cookies = set_cookies(headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cookies["csrftoken"] = cookies.get("csrftoken", token)
        status, headers, _ = request(
            server.port,
            "POST",
            login_path,
            body=urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "username": username,
                    "password": PASSWORD,
                }
            ),
            headers={
                "Cookie": cookie_header(cookies),
                "Referer": f"https://{HOST}{login_path}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert status == 302, f"signing in {username} through port {server.port} gave {status}"
        cookies.update(set_cookies(headers))
        return cookies


def set_cookies(headers):
    return dict(
        value.split(";")[0].split("=", 1) for name, value in headers if name.lower() == "set-cookie"
    )


def cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def ensure_running():
    """Start PostgreSQL and Redis if they are down, as .ci/run does."""
    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        clusters = os.listdir("/etc/postgresql")
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                clusters[0],
                "main",  # noqa: S603, S607
                "start",
            ],
            check=True,
        )
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.ConnectionError:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",  # noqa: S603, S607
                "--port",
                "6379",
            ],
            check=True,
        )
    for _ in range(30):
        try:
            psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
            client.ping()
            return
        except (psycopg.OperationalError, redis.ConnectionError):
            time.sleep(1)
    raise RuntimeError("PostgreSQL or Redis did not come up")


def run_checks(checks, site):
    passed = failed = 0
    for function in checks:
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
