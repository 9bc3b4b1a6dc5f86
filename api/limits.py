"""
Who is calling (a personal access token in the Authorization header), and how often
they may: requests per minute counted in the Django cache (Redis in production), so the
limit holds across every app process. The session cookie never authenticates an API
request, which is why the API needs no CSRF token: a page on another site can make a
browser send cookies, never an Authorization header.
"""

import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from redis.exceptions import RedisError

from accounts.signin import client_address
from api.models import AccessToken


class TokenAuth(HttpBearer):
    """A personal access token; the row (with its member) becomes `request.auth`."""

    def authenticate(self, request, token):
        return AccessToken.objects.holder(token)


def token_member(request):
    """
    The member behind a valid token in the Authorization header, or None: for an
    operation anyone may call that answers a member with a token for them.
    """
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    holder = AccessToken.objects.holder(token.strip())
    return holder.user if holder is not None else None


class PerMinuteLimit(BaseThrottle):
    """
    At most `setting` requests a minute per member (by token) or per address: a fixed
    window counted with the cache's atomic increment. A cache that does not answer lets
    requests through rather than refuse everyone.
    """

    def __init__(self, scope, setting):
        self.scope, self.setting = scope, setting

    def allow_request(self, request):
        limit = getattr(settings, self.setting)
        if not limit:
            return True
        auth = getattr(request, "auth", None)
        caller = f"member:{auth.user_id}" if auth is not None else client_address(request)
        now = time.time()
        window = int(now // 60)
        key = f"api-limit:{self.scope}:{caller}:{window}"
        try:
            cache.add(key, 0, 61)
            count = cache.incr(key)
        except (RedisError, ValueError):
            return True
        return count <= limit

    def wait(self):
        # The window ends on the next whole minute; computed here rather than kept,
        # because one limit object serves every thread.
        return 60 - int(time.time() % 60)


READS = PerMinuteLimit("read", "API_READS_PER_MINUTE")
WRITES = PerMinuteLimit("write", "API_WRITES_PER_MINUTE")
