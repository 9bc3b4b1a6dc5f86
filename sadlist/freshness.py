"""
How fresh pages are: the contract in README ("How pages stay fresh"), kept here.

1. Totals in the database are always exact: triggers keep them (reviews/triggers.py).
2. A member sees their own writes at once: any change they make (a POST that
   succeeded) is followed, for FRESHNESS_SECONDS, by pages built afresh for them
   (`OwnWritesMiddleware` notes the time in a cookie; `is_catching_up`).
3. Curators' and moderators' changes reach everyone at once: every cache key carries
   the *generation* — the release and catalogue.ContentVersion, which triggers raise
   in the same transaction as any such change (catalogue/triggers.py) — read once per
   request. nginx, in front, keys its cache by the same generation (/_generation).
4. Everyone else sees other members' ratings and comments within FRESHNESS_SECONDS: a
   cached page or part is served only while younger than that, and tells shared HTTP
   caches to keep it no longer than it has left (`Cache-Control: s-maxage`,
   `X-Accel-Expires`). FRESHNESS_SECONDS = 0 caches nothing.
5. A deploy never serves HTML built by the previous release: the release is part of
   the generation.

Two caches, both in Django's cache (Redis when REDIS_URL is set):
- whole pages for visitors (`visitor_page`): no session, no messages, a GET for a
  canonical address (unknown or empty query parameters are redirected away first, so
  junk parameters never make entries);
- parts of a page that are the same for everyone (`shared_part`): what members'
  pages are built around (a title's facts and comments, browse's results), rendered
  without the request, so no member's name, CSRF token or nonce can get into them.
Neither holds a per-request value: a page that read the CSP nonce is never stored.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from redis.exceptions import RedisError

from catalogue.models import ContentVersion

logger = logging.getLogger(__name__)

# The cookie that says when this browser's member last changed something.
WROTE_COOKIE = "sadlist_wrote"


def clock():
    """Seconds since the epoch; tests move it instead of sleeping."""
    return time.time()


def generation(request=None):
    """
    The release and the content version, as one tag: it changes with every deploy and
    every change that everyone must see at once. Read once per request.
    """
    if request is not None and hasattr(request, "_generation"):
        return request._generation
    tag = f"{settings.RELEASE}.{ContentVersion.current()}"
    if request is not None:
        request._generation = tag
    return tag


def is_catching_up(request):
    """True while a member's own recent write may be missing from cached pages and parts."""
    if not request.user.is_authenticated:
        return False
    try:
        wrote_at = float(request.COOKIES.get(WROTE_COOKIE, ""))
    except ValueError:
        return False
    return clock() - wrote_at < settings.FRESHNESS_SECONDS


def _cached(key):
    """The cached value for `key`, or None; a cache that does not answer is a miss."""
    try:
        return cache.get(key)
    except RedisError as error:
        logger.warning("cache unavailable, building the page afresh: %s", error)
        return None


def _keep(key, value):
    try:
        # The freshness check reads the build time kept with the value; the timeout
        # only lets the cache drop entries nobody can be served any more.
        cache.set(key, value, settings.FRESHNESS_SECONDS + 1)
    except RedisError as error:
        logger.warning("cache unavailable, not storing %s: %s", key.split(":")[0], error)


def _fresh(entry):
    """The entry's value and its age when it may still be served, else (None, None)."""
    if entry is None:
        return None, None
    built_at, value = entry
    age = clock() - built_at
    if 0 <= age < settings.FRESHNESS_SECONDS:
        return value, age
    return None, None


def shared_part(request, name, compute):
    """
    `compute()`'s result, shared by every request for FRESHNESS_SECONDS within one
    generation: for parts of a page that are the same for everyone. `name` must say
    everything the result depends on besides the generation (the address, usually).
    A member catching up on their own write gets it computed afresh (and stored).
    `request` may be None for a part that no member's write can change.
    """
    if not settings.FRESHNESS_SECONDS:
        return compute()
    key = f"part:{generation(request)}:{name}"
    if request is None or not is_catching_up(request):
        value, _ = _fresh(_cached(key))
        if value is not None:
            return value
    value = compute()
    _keep(key, (clock(), value))
    return value


def shared_html(request, name, template_name, context_for):
    """
    `template_name` rendered with the context `context_for()` returns, as a shared part.
    It is rendered without the request, so no context processor can put one member's
    name, CSRF token or messages into HTML that everyone is then served: what the part
    needs from the request (its path, its query) goes into the context explicitly.
    """
    return shared_part(request, name, lambda: render_to_string(template_name, context_for()))


def address_key(request):
    """A short key for the page's address: path, query and host."""
    return hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()


def canonical_query(query, known):
    """
    `query` with only the `known` parameters that have a value, or None when it is
    canonical already (nothing to leave out).
    """
    kept = QueryDict(mutable=True)
    for name, values in query.lists():
        for value in values:
            if name in known and value.strip():
                kept.appendlist(name, value)
    if sum(len(values) for _, values in kept.lists()) == sum(
        len(values) for _, values in query.lists()
    ):
        return None
    return kept.urlencode()


def is_visitor(request):
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def mark_shared(response, seconds_left):
    """Let shared caches (nginx) keep a visitor's page for at most `seconds_left`."""
    seconds = max(0, int(seconds_left))
    patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
    response["X-Accel-Expires"] = str(seconds)
    patch_vary_headers(response, ["Cookie"])
    return response


def visitor_page(parameters=()):
    """
    Serve the view's 200 responses to visitors from the cache for FRESHNESS_SECONDS
    within one generation. `parameters` are the query parameters the page understands:
    a GET with any other (or an empty one) is redirected to the address without them,
    so every cached page has one canonical address and junk never makes entries.
    """
    known = set(parameters)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # What the page's canonical link keeps of the query (pages' findable tags).
            request.canonical_parameters = known
            if request.method in ("GET", "HEAD") and request.GET:
                query = canonical_query(request.GET, known)
                if query is not None:
                    return HttpResponseRedirect(
                        f"{request.path}?{query}" if query else request.path
                    )
            if request.method not in ("GET", "HEAD") or not is_visitor(request):
                return view(request, *args, **kwargs)
            if not settings.FRESHNESS_SECONDS:
                return mark_shared(view(request, *args, **kwargs), 0)
            key = f"page:{generation(request)}:{address_key(request)}"
            page, age = _fresh(_cached(key))
            if page is not None:
                content_type, content = page
                response = HttpResponse(content, content_type=content_type)
                return mark_shared(response, settings.FRESHNESS_SECONDS - age)
            response = view(request, *args, **kwargs)
            # A page that set a cookie (a CSRF token, a session) or used the CSP nonce
            # belongs to one visitor.
            if (
                response.status_code == 200
                and not response.cookies
                and not response.streaming
                and not getattr(request, "_csp_nonce", None)
            ):
                _keep(key, (clock(), (response["Content-Type"], response.content)))
                mark_shared(response, settings.FRESHNESS_SECONDS)
            return response

        return wrapper

    return decorator


class OwnWritesMiddleware:
    """
    After a member's change (a POST that did not fail), note the time in a cookie, so
    their next pages for FRESHNESS_SECONDS are built afresh and show the change.
    Every response that is not a visitor's shared page is private: it may hold a
    member's name, a form's CSRF token, a message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code < 400
            and settings.FRESHNESS_SECONDS
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            response.set_cookie(
                WROTE_COOKIE,
                f"{clock():.3f}",
                max_age=settings.FRESHNESS_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
        return response
