"""
Errors as RFC 9457 problem details (`application/problem+json`): a `title` a person can
read, the HTTP `status`, a `detail` sentence, and for bad input `errors`, one entry per
field with its messages, so a program can show each message beside its own field.
"""

import json
import logging

from django.http import HttpResponse

PROBLEM_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
}


class Problem(Exception):
    """Raised by an endpoint to answer with a problem document."""

    def __init__(self, status, detail, errors=None, retry_after=None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or {}
        self.retry_after = retry_after


def problem_response(request, status, detail, errors=None):
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = [
            {"field": field, "messages": [str(message) for message in messages]}
            for field, messages in errors.items()
        ]
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "messages"],
                "properties": {
                    "field": {"type": "string"},
                    "messages": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
# What any operation may answer besides its success; with a token, also 401 and 403.
ANY_OPERATION = (400, 404, 422, 429)
WITH_TOKEN = (401, 403)


def document_problems(schema):
    """
    Add the problem answers to every operation of an OpenAPI document, so that a
    client (and the schema's own fuzzing in CI) knows every status it can get.
    """
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            statuses = ANY_OPERATION + (WITH_TOKEN if operation.get("security") else ())
            for status in statuses:
                answer = {"description": TITLES[status], "content": problem}
                if status == 429:
                    answer["headers"] = {
                        "Retry-After": {
                            "description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer"},
                        }
                    }
                operation["responses"][str(status)] = answer
    return schema


def field_name(location):
    """`("query", "page")` or `("body", "payload", "tears")` → "page", "tears"."""
    parts = [str(part) for part in location if part not in ("query", "body", "path", "payload")]
    return ".".join(parts) or "request"


def install(api):
    """Every error the API can raise answers as a problem document."""
    from django.http import Http404
    from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

    @api.exception_handler(Problem)
    def on_problem(request, error):
        response = problem_response(request, error.status, error.detail, error.errors)
        if error.retry_after:
            response["Retry-After"] = str(error.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def on_invalid(request, error):
        errors = {}
        for item in error.errors:
            errors.setdefault(field_name(item.get("loc", ())), []).append(item.get("msg", ""))
        return problem_response(
            request, 422, "Some of what was sent is not valid; see errors.", errors
        )

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, error):
        response = problem_response(
            request,
            401,
            "Send a personal access token as “Authorization: Bearer <token>”; make one on "
            "your account page. This one is missing, unknown or revoked.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="sadlist"'
        return response

    @api.exception_handler(Throttled)
    def on_throttled(request, error):
        return problem_response(
            request, 429, "Too many requests; wait for the number of seconds in Retry-After."
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, error):
        return problem_response(request, error.status_code, str(error))

    @api.exception_handler(Http404)
    def on_not_found(request, error):
        return problem_response(request, 404, "There is nothing at this address.")

    @api.exception_handler(Exception)
    def on_crash(request, error):
        logger.exception("API error on %s", request.path)
        return problem_response(request, 500, "Something went wrong on our side.")
