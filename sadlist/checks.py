"""
System checks for how the site is deployed.

The per-process cache is reported as Info, not Warning: one machine without Redis is
a supported deployment (the laptop, a small site), and `check --deploy --fail-level
WARNING` must pass there. Info still shows in the output of `manage.py check` (and of
migrate, which runs the checks) in production, so an operator who adds a second app
server sees that limits are not shared. Development (DEBUG on, one runserver process)
is spared the line on every command.
"""

from django.conf import settings
from django.core import checks

SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "sadlist.cache.FailFastRedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.db.DatabaseCache",
}


@checks.register(checks.Tags.caches)
def check_cache_is_shared(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend in SHARED_CACHE_BACKENDS:
        return []
    return [
        checks.Info(
            "The cache is per process (REDIS_URL is not set): cached pages and rate "
            "limits are counted separately in each app server process.",
            hint="Set REDIS_URL to share them when more than one process serves the site.",
            id="sadlist.I001",
        )
    ]
