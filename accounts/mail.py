"""
Mail sent after the response, by one background thread per process.

A request that sends mail itself answers only when the mail server has answered,
so its timing tells whether a mail was sent (for password reset: whether the
address belongs to a member). Requests hand the job to the queue instead and answer
at once. The queue is bounded, so a flood of requests cannot fill the memory: past
MAX_WAITING a job is dropped with a logged error. Jobs still waiting when the
process exits are sent first, for up to EXIT_GRACE_SECONDS.
"""

import atexit
import logging
import queue
import threading
import time

log = logging.getLogger(__name__)

MAX_WAITING = 1000
EXIT_GRACE_SECONDS = 10

_jobs = queue.Queue(maxsize=MAX_WAITING)
_worker_lock = threading.Lock()
_worker = None


def _work():
    while True:
        job, args, kwargs = _jobs.get()
        try:
            job(*args, **kwargs)
        except Exception:  # one failed mail must not stop those after it
            log.exception("A mail could not be sent.")
        finally:
            _jobs.task_done()


def _ensure_worker():
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="mail", daemon=True)
            _worker.start()


def send_later(job, *args, **kwargs):
    """Run `job(*args, **kwargs)` (which builds and sends mail) after this request."""
    _ensure_worker()
    try:
        _jobs.put_nowait((job, args, kwargs))
    except queue.Full:
        log.error("The mail queue is full (%d waiting); a mail was dropped.", MAX_WAITING)


def wait_until_sent(timeout=EXIT_GRACE_SECONDS):
    """Block until every queued mail is sent or `timeout` passes; True if all were sent."""
    deadline = time.monotonic() + timeout
    while _jobs.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


atexit.register(wait_until_sent)
