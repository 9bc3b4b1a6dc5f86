"""
What bench/multiserver.py needs around its checks: PostgreSQL and Redis up, nginx in
front of the app servers (deploy/nginx.conf filled in for loopback), and a Site object
that talks to nginx or to one app server the way a browser would.
"""

import functools
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
import traceback
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

from tests.servers import HOST, ROOT, free_port, request

POSTGRES = os.environ.get("MULTISERVER_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("MULTISERVER_REDIS", "redis://127.0.0.1:6379/0")
PASSWORD = "Tearful-pass-42"  # noqa: S105 -- the throwaway members' password


NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
NGINX_MISSING = "nginx is not installed: apt-get install nginx"
# Debian installs nginx in /usr/sbin, which a non-root user's PATH often lacks.
SYSTEM_FOLDERS = ["/usr/sbin", "/sbin"]


def find_nginx(search_path=None):
    """The nginx binary, or SystemExit with one line saying how to install it."""
    if search_path is None:
        search_path = os.pathsep.join([os.environ.get("PATH", ""), *SYSTEM_FOLDERS])
    binary = shutil.which("nginx", path=search_path)
    if binary is None:
        raise SystemExit(NGINX_MISSING)
    return binary


class Nginx:
    """
    nginx on a loopback port in front of the app servers: deploy/nginx.conf filled in,
    with its own prefix, temp folders, cache and a throwaway certificate, all in
    `folder`; started in the foreground of its own process group and always stopped.
    """

    tls = True

    def __init__(self, binary, servers, folder):
        self.binary = binary
        self.servers = servers
        self.folder = Path(folder)
        self.port = free_port()
        self.http_port = free_port()
        self.process = None

    def write_config(self):
        folder = self.folder
        for name in ("cache", "temp", "logs"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [  # noqa: S607 -- a self-signed certificate for loopback only
                "openssl", "req", "-x509", "-nodes", "-days", "1", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-subj", f"/CN={HOST}", "-keyout", str(folder / "site.key"),
                "-out", str(folder / "site.crt"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        values = {
            "SERVER_NAME": HOST,
            "LISTEN": f"127.0.0.1:{self.port}",
            "LISTEN_HTTP": f"127.0.0.1:{self.http_port}",
            "CERTIFICATE": str(folder / "site.crt"),
            "CERTIFICATE_KEY": str(folder / "site.key"),
            "APP_SERVERS": "\n    ".join(
                f"server 127.0.0.1:{server.port} max_fails=1 fail_timeout=10s;"
                for server in self.servers
            ),
            "CACHE_PATH": str(folder / "cache"),
            "ACCESS_LOG": str(folder / "logs" / "access.log"),
        }
        lines = []
        for line in NGINX_TEMPLATE.read_text().splitlines(keepends=True):
            if not line.lstrip().startswith("#"):  # the comments name the @NAME@s
                line = re.sub(r"@([A-Z_]+)@", lambda name: values[name[1]], line)
            lines.append(line)
        site = "".join(lines)
        (folder / "sadlist.conf").write_text(site)
        temp = folder / "temp"
        # Run as root (CI), nginx's workers drop to an unprivileged user, who must be
        # able to write the cache and temp folders.
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(f"""\
{user}
worker_processes 2;
pid {folder / "nginx.pid"};
error_log {folder / "logs" / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {folder / "sadlist.conf"};
}}
""")
        if os.geteuid() == 0:
            shutil.chown(folder, "nobody", "nogroup")
            for path in folder.rglob("*"):
                shutil.chown(path, "nobody", "nogroup")

    def command(self):
        """
        nginx with its own prefix, configuration and error log: nothing of the system's
        nginx (its service, /etc/nginx, /var/log/nginx) is read or written.
        """
        return [
            self.binary, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"),
            "-e", str(self.folder / "logs" / "error.log"),
        ]  # fmt: skip

    def start(self, deadline=15):
        self.write_config()
        command = self.command()
        tested = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        if tested.returncode != 0:
            raise RuntimeError(f"nginx rejected its configuration:\n{tested.stderr}")
        with open(self.folder / "logs" / "stderr.log", "ab") as stderr:
            self.process = subprocess.Popen(
                [*command, "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}; see its logs")
            try:
                if https_request(self.port, "GET", "/readyz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"nginx on port {self.port} did not answer in {deadline}s")

    def stop(self, grace=10):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the master and its workers
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def logs(self):
        return sorted((self.folder / "logs").glob("*.log"))


@functools.cache
def tls_context():
    """
    No verification: the certificate is a throwaway for loopback. One context for every
    connection: building one (loading the system's CA list) costs more than a request.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def https_request(port, method, path, headers=None, body=None, timeout=15):
    """(status, [(header, value)], body text) of one request to nginx, as a browser sends it."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, timeout=timeout, context=tls_context()
    )
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        return response.status, response.getheaders(), content.decode("utf-8", "replace")
    finally:
        connection.close()


def send(target, method, path, headers=None, body=None, timeout=15):
    """One request to nginx (over TLS) or straight to one app server (as nginx would)."""
    if getattr(target, "tls", False):
        return https_request(target.port, method, path, headers, body, timeout)
    return request(target.port, method, path, headers=headers, body=body, timeout=timeout)


def header(headers, name):
    """The value of one response header, or None."""
    return next((value for key, value in headers if key.lower() == name.lower()), None)


class Site:
    """nginx, the two app servers behind it, and how the checks talk to them like a browser."""

    def __init__(self, servers, database_url, env, front=None):
        self.servers = servers
        self.front = front
        self.database_url = database_url
        self.env = env

    def get(self, server, path, cookies=None, timeout=15):
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        return send(server, "GET", path, headers=headers, timeout=timeout)

    def post(self, server, path, fields, cookies):
        """POST a form as a browser would: with the CSRF cookie, token and Referer."""
        body = urlencode({"csrfmiddlewaretoken": cookies["csrftoken"], **fields})
        return send(
            server,
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
        status, headers, _ = send(
            server,
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


def log_sizes(site):
    """How far each app server's log has been written, to read a check's part later."""
    return {
        server.log_path: server.log_path.stat().st_size
        for server in site.servers
        if server.log_path and server.log_path.exists()
    }


def errors_logged_since(sizes, most=30):
    """The app servers' log lines about errors written since `sizes` (the last `most`)."""
    lines = []
    for path, size in sizes.items():
        with open(path, "rb") as log:
            log.seek(size)
            lines += [
                f"    {path.stem}: {line}"
                for line in log.read().decode(errors="replace").splitlines()
                if "ERROR" in line or "Error" in line or "Traceback" in line
            ]
    return lines[-most:]


def run_checks(checks, site):
    passed = failed = 0
    for function in checks:
        started = time.monotonic()
        sizes = log_sizes(site)
        try:
            function(site)
        except Exception as error:  # noqa: BLE001 -- report every check, then fail
            failed += 1
            detail = str(error) if isinstance(error, AssertionError) else traceback.format_exc()
            print(f"FAIL {function.__name__} ({time.monotonic() - started:.1f}s): {detail}")
            for line in errors_logged_since(sizes):
                print(line)
        else:
            passed += 1
            print(f"ok   {function.__name__} ({time.monotonic() - started:.1f}s)")
    return passed, failed
