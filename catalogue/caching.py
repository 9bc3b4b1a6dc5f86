"""
Whole-page caching for visitors, with exact invalidation.

A visitor (no session, no pending message) gets the same bytes as every other
visitor, so those pages are cached under a key that includes
SiteStats.content_version. Every write that visitors can see — a rating, a comment,
a moderation action, a curator's change — raises the version in the same transaction
(reviews.stats.touch), so the next request builds a fresh page: a cached page is never
staler than the database. Reading the version costs one indexed query, which also makes
this exact with a per-process cache: no process can miss another's invalidation.

Signed-in members get pages built for them (their name, their own rating, forms with
their CSRF token), around parts that are the same for everyone — a page's list of
titles, a title's facts and comments — rendered once per content version and shared
(`while_unchanged`, `shared_html`).
"""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from redis.exceptions import RedisError

from catalogue.models import SiteStats

logger = logging.getLogger(__name__)


def cached(key):
    """The cached value for `key`, or None; a cache that does not answer is a miss."""
    try:
        return cache.get(key)
    except RedisError as error:
        logger.warning("cache unavailable, building the page afresh: %s", error)
        return None


def keep(key, value, seconds):
    """Cache `value`; if the cache does not answer, the page is simply built next time too."""
    try:
        cache.set(key, value, seconds)
    except RedisError as error:
        logger.warning("cache unavailable, not storing %s: %s", key.split(":")[0], error)


def while_unchanged(name, compute):
    """
    `compute()`'s result, computed once per content version and then shared by every
    request and member until anything visitors can see changes. For the parts of a
    page that are the same for everyone (browse's facet counts and results, a title's
    facts and comments), so signed-in members do not pay for them on every request
    either. `name` must say everything the result depends on besides the version.
    """
    seconds = settings.VISITOR_PAGE_CACHE_SECONDS
    if not seconds:
        return compute()
    key = f"shared-part:{SiteStats.current_version()}:{name}"
    value = cached(key)
    if value is None:
        value = compute()
        keep(key, value, seconds)
    return value


def shared_html(name, template_name, context_for):
    """
    `template_name` rendered with the context `context_for()` returns, once per content
    version, for a part of a page that is the same for everyone. It is rendered without
    the request, so no context processor can put one member's name, CSRF token or
    messages into HTML that everyone is then served: what the part needs from the request
    (its path, its query) goes into the context explicitly.
    """
    return while_unchanged(name, lambda: render_to_string(template_name, context_for()))


def address_key(request):
    """A short cache key for the page's whole address: path, query and host."""
    return hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def is_anonymous_visit(request):
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def page_key(request, version):
    return f"visitor-page:{version}:{address_key(request)}"


def cache_for_visitors(view):
    """Serve `view`'s 200 responses to visitors from the cache until anything changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.VISITOR_PAGE_CACHE_SECONDS
        if not seconds or not is_anonymous_visit(request):
            return view(request, *args, **kwargs)
        key = page_key(request, SiteStats.current_version())
        page = cached(key)
        if page is not None:
            content_type, content = page
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        # A page that set a cookie (a CSRF token, a session) belongs to one visitor.
        if response.status_code == 200 and not response.cookies and not response.streaming:
            keep(key, (response["Content-Type"], response.content), seconds)
        return response

    return wrapper
