"""
Real gunicorn app servers on loopback ports, for checks that need production settings
or several processes: the Observatory test and bench/multiserver.py.

Every server runs in its own process group and is always stopped (SIGTERM, then
SIGKILL after a grace period), whatever happens in the test that started it.
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "sadlist.example"
# Variables of the developer's shell that must not leak into a server under test.
PRIVATE_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "DJANGO_SETTINGS_MODULE",
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(folder, **overrides):
    """The environment of a production app server whose files all live in `folder`."""
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        STATIC_ROOT=str(folder / "static"),
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(env, *args, timeout=180):
    """Run manage.py with `env`; fail with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def request(port, method, path, headers=None, body=None, https=True, timeout=15):
    """(status, [(header, value)], body text) of one request, as if through the balancer."""
    sent = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if https else {}), **(headers or {})}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        return response.status, response.getheaders(), content.decode("utf-8", "replace")
    finally:
        connection.close()


class AppServer:
    """One gunicorn master (and its workers) serving the site on 127.0.0.1:port."""

    def __init__(self, env, port=None, workers=2, log_path=None):
        self.env = env
        self.port = port or free_port()
        self.workers = workers
        self.log_path = log_path
        self.process = None

    def start(self, ready_path="/readyz", deadline=30):
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "sadlist.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if log is not subprocess.DEVNULL:
            log.close()
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn on port {self.port} exited with "
                    f"{self.process.returncode}; see {self.log_path}"
                )
            try:
                if request(self.port, "GET", ready_path, https=False, timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn on port {self.port} was not ready in {deadline}s")

    def kill(self):
        """Kill the server at once, as a crashed machine would go."""
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, grace=10):
        if self.process is None or self.process.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum):
        try:
            os.killpg(self.process.pid, signum)  # the group this server was started in
        except ProcessLookupError:
            pass

    def get(self, path, **kwargs):
        return request(self.port, "GET", path, **kwargs)


@contextmanager
def running(*servers):
    """Start the servers, and stop every one of them on the way out."""
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
