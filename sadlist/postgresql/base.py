"""
Django's PostgreSQL backend, with a health check that gives up.

Each request checks its kept connection first (CONN_HEALTH_CHECKS). Django's own check
waits for the answer without a limit, so a server that hangs while app processes hold
connections to it would hold every request until gunicorn kills the worker; the
connect and statement timeouts do not help there (the connection exists, and the
server is not running the statement). This check waits at most the connect timeout,
after which the connection is dropped and a new one is tried, which the connect
timeout bounds in turn.
"""

import select
import time

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None:
            return False
        pgconn = self.connection.pgconn
        deadline = time.monotonic() + float(
            self.settings_dict["OPTIONS"].get("connect_timeout") or 3
        )
        try:
            pgconn.send_query(b"SELECT 1")
            while pgconn.flush():
                if not _wait(pgconn.socket, deadline, write=True):
                    return False
            results = []
            while True:
                while pgconn.is_busy():
                    if not _wait(pgconn.socket, deadline):
                        return False
                    pgconn.consume_input()
                result = pgconn.get_result()
                if result is None:
                    break
                results.append(result.status)
        except (psycopg.Error, OSError):
            return False
        return results == [pq.ExecStatus.TUPLES_OK]


def _wait(socket, deadline, write=False):
    """True when the socket is ready before the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return False
    watched = ([], [socket]) if write else ([socket], [])
    ready = select.select(watched[0], watched[1], [], remaining)
    return bool(ready[0] or ready[1])
