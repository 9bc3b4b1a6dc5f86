"""
Tears against quality: each title with enough ratings of both as a point that links to
its page, in quadrants with names, with a sortable table of the same numbers, for the
whole catalogue and per theme.
"""

import re

import pytest

from reviews.insights import rate_telling_more

from .factories import make_members, make_theme, make_title

pytestmark = pytest.mark.django_db

URL = "/tears-against-quality/"


@pytest.fixture
def scattered(db, settings):
    settings.FEW_RATINGS_THRESHOLD = 3
    war = make_theme("War", slug="war")
    titles = {
        "Grave": make_title("Grave", slug="grave", themes=[war]),
        "Cheerful": make_title("Cheerful", slug="cheerful"),
        "Few": make_title("Few", slug="few", themes=[war]),
    }
    for name, tears, quality, count in (
        ("Grave", 5, 5, 4),
        ("Cheerful", 0, 4, 3),
        ("Few", 5, 1, 2),
    ):
        for member in make_members(count):
            rate_telling_more(member, titles[name], tears, quality=quality)
    return titles


def point_links(html):
    return re.findall(r'<a href="(/titles/[^"]+/)"><circle', html)


def table_names(html):
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)


def test_every_title_with_enough_ratings_of_both_is_a_linked_point(client, scattered):
    html = client.get(URL).content.decode()
    assert sorted(point_links(html)) == ["/titles/cheerful/", "/titles/grave/"]
    for quadrant in (
        "Worth every tear",
        "Good without the tears",
        "Tears without much else",
        "Neither moving nor memorable",
    ):
        assert quadrant in html
    assert "Tear score: how hard it made members cry" in html
    assert "How good it is" in html
    assert table_names(html) == ["Grave", "Cheerful"]
    assert "<td>Worth every tear</td>" in html


def test_the_table_sorts_without_javascript(client, scattered):
    html = client.get(URL + "?sort=name").content.decode()
    assert table_names(html) == ["Cheerful", "Grave"]
    assert '<a href="?sort=quality">How good</a>' in html


def test_a_theme_shows_only_its_titles(client, scattered):
    html = client.get(URL + "?theme=war").content.decode()
    assert point_links(html) == ["/titles/grave/"]
    assert "<h1>Tears against quality: War</h1>" in html
    assert client.get(URL + "?theme=nothing").status_code == 404


@pytest.mark.parametrize("more", [0, 5])
def test_the_page_takes_the_same_queries_whatever_the_data(
    client, scattered, more, django_assert_num_queries
):
    for index in range(more):
        title = make_title(f"More {index}")
        for member in make_members(3):
            rate_telling_more(member, title, 3, quality=3)
    # The themes, the titles with their stats and insights.
    with django_assert_num_queries(2):
        html = client.get(URL).content.decode()
    assert len(point_links(html)) == 2 + more
