"""
A Redis that is hung, stopped or unreachable takes no page down and slows none: pages
are built without the cache, the server stays ready, and the outage is logged once.
Real faults: a proxy in front of the real Redis that hangs or shuts (tests/faults.py),
and a port where nothing listens.
"""

import logging
import os
import secrets
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from sadlist import cache as fail_fast

from .faults import FaultyProxy
from .servers import free_port

pytestmark = pytest.mark.django_db

REDIS_PORT = 6379
# Long enough that a page which waited for it cannot pass for one built on a busy machine.
TIMEOUT = 1.5


@pytest.fixture
def redis_proxy():
    """A proxy in front of the real Redis, and the site's cache going through it."""
    import redis

    try:
        redis.Redis(port=REDIS_PORT, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis answers on 127.0.0.1:6379 here (CI always has one)")
    with FaultyProxy(REDIS_PORT) as proxy, site_cache(proxy.port):
        yield proxy


def site_cache(port, retry_after=5):
    """The settings' own cache configuration, pointed at `port` with short timeouts."""
    from sadlist.settings import cache_from_url

    config = cache_from_url(f"redis://127.0.0.1:{port}/0")
    config.update(KEY_PREFIX=f"test-outage-{secrets.token_hex(6)}", RETRY_AFTER=retry_after)
    config["OPTIONS"].update(socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    return override_settings(CACHES={"default": config}, FRESHNESS_SECONDS=600)


def timed_page(path):
    started = time.monotonic()
    response = Client().get(path)
    return response, time.monotonic() - started


@pytest.fixture(autouse=True)
def _fresh_breaker():
    """Each test starts with every cache answering, as a new app process does."""
    fail_fast._paused_until.clear()
    fail_fast._failing.clear()


def test_the_settings_use_the_fail_fast_cache_with_short_timeouts():
    from sadlist.settings import cache_from_url

    config = cache_from_url("redis://cache.internal:6379/0")
    assert config["BACKEND"] == "sadlist.cache.FailFastRedisCache"
    assert config["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert config["RETRY_AFTER"] == 5


def test_pages_come_from_the_cache_while_redis_answers(redis_proxy, listed_titles):
    first, _ = timed_page("/titles/")
    assert "Grave of the Fireflies" in first.content.decode()
    assert cache.get_many([]) == {} and cache.set("probe", "kept") is None
    assert cache.get("probe") == "kept"


PAGES = ["/", "/titles/", "/titles/grave-of-the-fireflies/", "/themes/", "/lists/"]


def test_pages_are_quick_with_a_hung_redis(redis_proxy, listed_titles, caplog):
    for path in PAGES:  # templates compiled, covers drawn: only the cache is left to time
        timed_page(path)
    redis_proxy.hang()
    caplog.set_level(logging.WARNING, logger="sadlist.cache")

    timings = []
    for path in PAGES:
        response, seconds = timed_page(path)
        assert response.status_code == 200 and "Grave of the Fireflies" in response.content.decode()
        timings.append(seconds)

    # The first cache call waits one timeout; then this process skips Redis for a while.
    assert timings[0] < TIMEOUT + 1.0
    # Each page asks the cache several times: without the pause each would wait too.
    assert max(timings[1:]) < TIMEOUT, timings
    warnings = [r.getMessage() for r in caplog.records if r.name == "sadlist.cache"]
    assert len(warnings) == 1
    assert warnings[0].startswith("cache unavailable, pages are built without it")


def test_pages_are_quick_with_a_stopped_redis_and_it_is_used_again_once_back(
    redis_proxy, listed_titles, caplog
):
    caplog.set_level(logging.WARNING, logger="sadlist.cache")
    with site_cache(redis_proxy.port, retry_after=0.2):
        redis_proxy.shut()
        response, seconds = timed_page("/titles/")
        assert "Grave of the Fireflies" in response.content.decode() and seconds < 1
        assert cache.get("anything") is None

        redis_proxy.forward()
        time.sleep(0.3)
        cache.set("after", "stored again")
        assert cache.get("after") == "stored again"
    messages = [r.getMessage() for r in caplog.records if r.name == "sadlist.cache"]
    assert [message.split(" (")[0].split(",")[0] for message in messages] == [
        "cache unavailable",
        "cache answers again",
    ]


def test_pages_are_quick_when_nothing_listens_where_redis_should_be(listed_titles):
    with site_cache(free_port()):
        response, seconds = timed_page("/")
        assert "Grave of the Fireflies" in response.content.decode()
        assert seconds < 1


def test_readyz_stays_ready_with_a_hung_redis_and_says_the_cache_is_out(redis_proxy, client):
    assert client.get("/readyz").content == b"ready\n"
    redis_proxy.hang()

    started = time.monotonic()
    response = client.get("/readyz")

    assert time.monotonic() - started < TIMEOUT + 1.0
    assert (response.status_code, response.content) == (
        200,
        b"ready\ncache unavailable: pages are built without it\n",
    )
