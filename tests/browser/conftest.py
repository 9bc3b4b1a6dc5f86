"""
Browser tests: Debian's Chromium, driven by Playwright, against a real server
(pytest-django's live_server, with a transactional database the server can see).

Fixtures: `browser` (one Chromium for the session), `page` (a fresh context per test,
so no cookie or storage leaks between tests; it fails the test when a picture, style
sheet or script of ours does not load) and `sign_in` (a member signed in without
typing a password, for journeys that are not about signing in).
"""

import os

import pytest
from django.conf import settings
from django.test import Client

from tests.check_tools import (
    BROWSER_INSTALL_HINT,
    CHROMIUM,
    in_ci,
    missing_browser_tools,
    require,
)

# Playwright's sync API runs an asyncio event loop in the test's thread, which makes
# Django refuse ORM calls from tests ("SynchronousOnlyOperation"). Nothing here is
# async: the server runs in its own thread, and the test thread only sets up data.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's Chromium, never a browser that Playwright downloads. The network flags keep
# Chromium from calling home, which a closed network answers slowly or not at all.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
BROWSER_DIR = os.path.dirname(__file__)


def pytest_collection_modifyitems(config, items):
    """Without Chromium or node_modules, skip this package (never under CI=true)."""
    missing = missing_browser_tools()
    if not missing or in_ci():
        return
    for item in items:
        if str(item.path).startswith(BROWSER_DIR):
            item.add_marker(pytest.mark.skip(reason=BROWSER_INSTALL_HINT))


@pytest.fixture(scope="session")
def browser():
    require(missing_browser_tools(), BROWSER_INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def failed_loads():
    """Pictures, style sheets and scripts of ours that answered with an error, as 'status url'."""
    return []


@pytest.fixture
def page(browser, live_server, failed_loads):
    """A new browser tab with its own cookies, opening relative URLs on the live server."""
    # bypass_csp lets axe-core be injected into pages that forbid inline scripts.
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()

    def check_resource(response):
        own = response.url.startswith(live_server.url)
        if own and response.status >= 400 and response.request.resource_type != "document":
            failed_loads.append(f"{response.status} {response.url}")

    tab.on("response", check_resource)
    yield tab
    context.close()
    assert not failed_loads, "The page linked to files that did not load:\n" + "\n".join(
        failed_loads
    )


@pytest.fixture
def sign_in(live_server):
    """
    sign_in(page, user): give the page's browser a session of `user`, made by Django's
    test client on the live server's database, as if they had signed in.
    """

    def sign_in(page, user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return sign_in
