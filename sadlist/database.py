"""
What a visitor gets while the database is down or hung: a short 503 page, not a 500.

The database's timeouts (settings: DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT)
turn a database that does not answer into an error within a few seconds; this says so
to the visitor, with Retry-After, and logs one line instead of a traceback. A database
error is not a bug in the page, and a 503 tells the load balancer and the visitor's
browser that trying again later is the right thing to do.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def unavailable_response():
    # Rendered without the request: its context processors would ask the database again.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 with a short page when a view fails because the database did not answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Only errors of reaching the database; a broken rule or bad SQL (IntegrityError,
        # ProgrammingError, DataError) is the code's own mistake and stays a 500.
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "database unavailable, answered 503: %s: %s",
            type(exception).__name__,
            str(exception).strip().replace("\n", " "),
        )
        return unavailable_response()
