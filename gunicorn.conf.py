"""
gunicorn settings for Sadlist, read from the environment like sadlist/settings.py.

    gunicorn sadlist.wsgi            # picks this file up from the working directory

Every value can be overridden with an environment variable (below) or on the command
line (`--bind`, `--workers`, ...), which wins over this file.
"""

import multiprocessing
import os


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Behind a load balancer, listen on the private address the balancer reaches.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The classic 2 x cores + 1 sync workers: requests are short and mostly wait on
# PostgreSQL. Capped, because each worker holds a database connection and memory.
workers = env_int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "sync"

# A request that takes longer than this is stuck; the worker is replaced.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Recycle workers now and then so that a slow leak cannot grow without bound; the
# jitter keeps them from all restarting at the same moment.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Trust X-Forwarded-Proto & co. only from the balancer's address(es).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Django logs one line per request with its request id (sadlist.middleware), so
# gunicorn's own access log would only repeat it. Its error log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Each worker loads the app itself (no preload_app), so that `kill -HUP` (systemctl
# reload) starts workers on the newly deployed code while the old ones finish.
preload_app = False
