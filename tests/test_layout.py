"""Every public page shares one layout: landmarks, skip link, one <h1>, title, Open Graph."""

import re

import pytest

from .factories import make_source, make_theme, make_title, mention

pytestmark = pytest.mark.django_db

PAGES = {
    "/": "Anime that make people cry",
    "/titles/": "Browse",
    "/titles/grave/": "Grave",
    "/themes/": "Themes",
    "/themes/war/": "War",
    "/lists/": "The lists against the community",
    "/titles/missing/": "Page not found",
}


@pytest.fixture
def site(db):
    war = make_theme("War", slug="war")
    mention(make_title("Grave", slug="grave", themes=[war]), make_source("A list"), 1)


@pytest.mark.parametrize(("url", "title"), PAGES.items())
def test_every_page_has_the_shared_layout(client, site, url, title):
    html = client.get(url).content.decode()
    assert f"<title>{title} · Sadlist</title>" in html
    assert html.count("<h1") == 1
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main" tabindex="-1">' in html
    assert '<header class="site-header">' in html and '<footer class="site-footer">' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert re.search(r'<meta property="og:title" content="[^"]+">', html)
    assert re.search(r'<meta property="og:description" content="[^"]+">', html)
    assert '<meta property="og:url" content="http://testserver' in html
    assert '<label class="visually-hidden" for="site-search-q">' in html


def test_the_current_section_is_marked_in_the_navigation(client, site):
    html = client.get("/themes/").content.decode()
    assert '<a href="/themes/" aria-current="page">Themes</a>' in html
    assert '<a href="/titles/">Browse</a>' in html


def test_every_image_has_alt_text_and_ids_are_unique(client, site):
    for url in PAGES:
        html = client.get(url).content.decode()
        assert all('alt="' in img for img in re.findall(r"<img [^>]+>", html)), url
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), url
