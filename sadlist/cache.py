"""
The shared cache, built so that a Redis that is down or hung slows no page.

Everything the site caches can be built again from the database, so a cache that does
not answer is treated as empty: a read is a miss, a write is dropped. Two things keep
that cheap. Short socket timeouts (settings: CACHE_CONNECT_TIMEOUT, CACHE_TIMEOUT) bound
what one call can cost; and after a call fails, this process stops asking Redis for
CACHE_RETRY_AFTER seconds, so a hung Redis costs one timeout per process every few
seconds instead of one per cache call (a page makes several). The outage is logged once
when it starts and once when Redis answers again.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Per process and per Redis address, shared by the cache objects of every thread.
# Written without a lock: two threads that both see a failure just set the same pause.
_paused_until = {}
_failing = set()


class FailFastRedisCache(RedisCache):
    """
    Django's Redis cache that gives way when Redis does not answer: reads miss and
    writes are dropped, and after a failure Redis is not asked again for
    `RETRY_AFTER` seconds (a top-level key of the CACHES entry, default 5).
    `incr`/`decr` are left to fail loudly: a count that silently stays put is wrong.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.retry_after = params.get("RETRY_AFTER", 5)
        self._address = ",".join(self._servers)

    def is_available(self):
        """False while this process is skipping Redis after a failure."""
        return time.monotonic() >= _paused_until.get(self._address, 0)

    def _guarded(self, call, fallback, *args, **kwargs):
        if not self.is_available():
            return fallback
        try:
            result = call(*args, **kwargs)
        except RedisError as error:
            _paused_until[self._address] = time.monotonic() + self.retry_after
            if self._address not in _failing:
                _failing.add(self._address)
                logger.warning(
                    "cache unavailable, pages are built without it (asking again every "
                    "%ss): %s: %s",
                    self.retry_after,
                    type(error).__name__,
                    error,
                )
            return fallback
        if self._address in _failing:
            _failing.discard(self._address)
            logger.warning("cache answers again")
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded(super().delete_many, None, keys, version)

    def clear(self):
        return self._guarded(super().clear, False)
