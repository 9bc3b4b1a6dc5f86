"""
Every public page is valid HTML: rendered with realistic data and checked by the
Nu HTML Checker, with zero errors. One vnu run per test (the JVM is slow to start).
"""

import pytest
from django.template.loader import render_to_string

from .check_tools import VNU_INSTALL_HINT, missing_vnu_tools, require
from .factories import make_theme
from .html_validation import assert_valid_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def vnu():
    require(missing_vnu_tools(), VNU_INSTALL_HINT)


def rendered(client, url, status=200, shows=""):
    """The HTML a visitor gets at `url`, after checking it is the page we mean."""
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == status, url
    assert shows in html, f"{url} does not show {shows!r}"
    return html


def test_every_public_page_is_valid_html(vnu, client, request):
    # The empty site first, then the same pages full: one vnu run checks both.
    pages = {"home, empty catalogue": rendered(client, "/", shows="catalogue is empty")}
    request.getfixturevalue("listed_titles")
    make_theme("Music", slug="music")
    pages |= {
        "home": rendered(client, "/", shows="Grave of the Fireflies"),
        "title page": rendered(
            client, "/titles/grave-of-the-fireflies/", shows="Where it was listed"
        ),
        "series title page": rendered(client, "/titles/your-lie-in-april/", shows="Also known as"),
        "theme page": rendered(client, "/themes/grief/", shows="Losing someone"),
        "theme page without titles": rendered(client, "/themes/music/", shows="No published"),
        "page not found": rendered(client, "/titles/no-such-anime/", 404, "Page not found"),
        "server error": render_to_string("500.html"),
    }
    assert_valid_html(pages)


@pytest.mark.urls("tests.broken_page_urls")
def test_the_checker_reports_a_broken_page(vnu, client):
    html = rendered(client, "/broken/", shows="A broken page")
    with pytest.raises(AssertionError) as failure:
        assert_valid_html({"broken page": html})
    report = str(failure.value)
    assert "broken page:" in report
    assert "An “img” element must have an “alt” attribute" in report
    assert "Duplicate ID “broken”" in report
    assert "Unclosed element “div”" in report
    assert '<p id="broken">The same id again.</p>' in report  # the offending source line
