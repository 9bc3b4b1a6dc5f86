"""
Request ids and one-line logs.

Every request gets an id: the load balancer's X-Request-ID when it sent a sane one,
else a new one. The id is echoed in the response, attached to every log line written
while the request is served, and closes the request with one summary line.
"""

import contextvars
import logging
import re
import time
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# What an upstream proxy may hand us: uuids, hex ids, trace ids. Anything else
# (too long, spaces, control characters) could forge or break log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")

# Control characters (NUL, BEL, ESC, C1 codes, DEL) in a line could ring a terminal,
# rewrite what an operator sees (ANSI escapes) or cut a line in a log tool. Tabs stay;
# line breaks are handled by OneLineFormatter.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

current_request_id = contextvars.ContextVar("request_id", default="-")
request_logger = logging.getLogger("sadlist.request")


def printable(text):
    """`text` with each control character written as an escape (ESC becomes \\x1b)."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def request_id_from(request):
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request)
        token = current_request_id.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            request_logger.info(
                "%s %s %s %.1fms",
                request.method,
                printable(request.path),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            current_request_id.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's, or "-" outside one."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """
    time level logger request_id message, on one line even for tracebacks, so that a
    log collector never splits one event into several, and with control characters
    escaped whatever logged them.
    """

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s")

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        line = super().format(record).replace("\r", "").replace("\n", " \\n ")
        return printable(line)
