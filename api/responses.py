"""
What every part of the JSON API answers with: absolute addresses, pages of results,
a form's errors by field, and answers shared by every visitor; and for writes, the
member behind a token that may write.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from pydantic import TypeAdapter

from api.limits import WRITES, TokenAuth
from api.problems import Problem
from pages.views import listed_titles
from sadlist.freshness import address_key, shared_part

# The largest id a database column holds (PostgreSQL's bigint).
BIGGEST_ID = 2**63 - 1


def absolute(request, path):
    return request.build_absolute_uri(path)


def paginate(request, items, number, per_page, count=None, convert=lambda item: item):
    """
    One page of `items` as a `Page`: a page past the last is a 404 problem (a program
    should not be handed another page than it asked for). `count` spares a COUNT(*)
    where a stored total exists.
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count
    pages = paginator.num_pages
    if number > pages:
        raise Problem(
            404, f"There {'is only 1 page' if pages == 1 else f'are only {pages} pages'}."
        )
    offset = (number - 1) * per_page
    results = [convert(item) for item in items[offset : offset + per_page]]

    def link(page_number):
        query = request.GET.copy()
        query["page"] = page_number
        return absolute(request, f"{request.path}?{query.urlencode()}")

    return {
        "count": paginator.count,
        "page": number,
        "pages": pages,
        "next": link(number + 1) if number < pages else None,
        "previous": link(number - 1) if number > 1 else None,
        "results": results,
    }


def field_errors(errors):
    """A form's errors by field; those about the whole request under "request"."""
    fields = {name: list(messages) for name, messages in errors.items() if name != "__all__"}
    if "__all__" in errors:
        fields["request"] = list(errors["__all__"])
    return fields


def for_everyone(request, schema, compute):
    """
    `compute()`'s answer as JSON in the shape of `schema`, shared for FRESHNESS_SECONDS
    like a visitor's page part (sadlist.freshness.shared_part), keyed by the whole
    address: the JSON is built once and served as it is. A request with a token is a
    member's program: it gets the answer built afresh, so it sees its own writes at
    once. The response itself stays private (no shared HTTP cache keeps it).
    """

    def as_json():
        return TypeAdapter(schema).dump_json(TypeAdapter(schema).validate_python(compute()))

    if "HTTP_AUTHORIZATION" in request.META:
        content = as_json()
    else:
        content = shared_part(request, f"api:{address_key(request)}", as_json)
    return HttpResponse(content, content_type="application/json; charset=utf-8")


def published_title(slug):
    return get_object_or_404(listed_titles(), slug=slug)


# Writes: a token that may write, the web forms' rules, the models' methods.

AUTH = {"auth": TokenAuth(), "throttle": [WRITES]}


def writer(request):
    """The member behind a token that may write; a read-only token is refused."""
    if not request.auth.can_write:
        raise Problem(403, "This token is read-only; make a read-write token to change data.")
    return request.auth.user


def form_problem(form):
    return Problem(422, "What was sent breaks a rule; see errors.", field_errors(form.errors))
