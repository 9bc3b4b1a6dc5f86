"""Themes: every theme with its titles, and each theme's own page."""

import re

import pytest

from .factories import make_catalogue, make_theme, make_title, rate

pytestmark = pytest.mark.django_db


def test_the_themes_page_lists_each_theme_with_its_titles(client, db):
    grief = make_theme("Grief", slug="grief", description="Losing someone.")
    war = make_theme("War", slug="war")
    make_theme("Music", slug="music")
    make_title("Fireflies", slug="fireflies", themes=[grief, war])
    make_title("April", slug="april", themes=[grief])
    make_title("Hidden", themes=[war], is_published=False)
    html = client.get("/themes/").content.decode()
    assert "<h1>Themes</h1>" in html
    assert '<h2><a href="/themes/grief/">Grief</a> <span class="count">2 titles</span></h2>' in html
    assert '<h2><a href="/themes/war/">War</a> <span class="count">1 title</span></h2>' in html
    assert "Losing someone." in html
    grief_titles = html.split('href="/themes/grief/"', 1)[1].split('class="theme-entry"', 1)[0]
    assert re.findall(r'href="/titles/([^/]+)/"', grief_titles) == ["april", "fireflies"]
    assert "Hidden" not in html
    assert "No published titles carry this theme yet." in html  # Music


def test_a_large_theme_names_its_first_twelve_and_links_to_the_rest(client, db):
    grief = make_theme("Grief", slug="grief")
    for number in range(15):
        make_title(f"Title {number:02}", themes=[grief])
    html = client.get("/themes/").content.decode()
    assert len(re.findall(r'href="/titles/[^/"]+/"', html)) == 12
    assert '<a href="/themes/grief/">All 15 titles about grief</a>' in html


def test_a_theme_page_shows_its_titles_saddest_first(client, db):
    grief = make_theme("Grief", slug="grief", description="Losing someone.")
    make_title("Mild", themes=[grief])
    rate(make_title("Wrecking", themes=[grief]), [5, 5, 5])
    rate(make_title("Dry", themes=[grief]), [0, 0])
    make_title("Elsewhere", themes=[make_theme("War")])
    html = client.get("/themes/grief/").content.decode()
    assert "<h1>Grief</h1>" in html and "Losing someone." in html
    assert re.findall(r'<span class="card-name">(.*?)</span>', html) == ["Wrecking", "Mild", "Dry"]
    assert '<a href="/titles/?theme=grief">Filter and sort these titles</a>' in html


def test_an_empty_theme_says_so(client, db):
    make_theme("Music", slug="music")
    html = client.get("/themes/music/").content.decode()
    assert "No published titles carry this theme yet." in html


def test_an_unknown_theme_is_a_404(client, db):
    assert client.get("/themes/no-such-theme/").status_code == 404


@pytest.mark.parametrize("size", [5, 50])
def test_theme_pages_take_the_same_queries_whatever_the_catalogue_size(
    client, django_assert_num_queries, size
):
    make_catalogue(size)
    # Themes with their counts, then the first titles of every theme.
    with django_assert_num_queries(2):
        html = client.get("/themes/").content.decode()
    assert "Sized theme 0" in html
    # The theme, its titles.
    with django_assert_num_queries(2):
        html = client.get("/themes/sized-theme-0/").content.decode()
    tagged = [index for index in range(size) if index % 4 in (0, 3)]
    assert html.count('<li class="card">') == min(len(tagged), 24)
