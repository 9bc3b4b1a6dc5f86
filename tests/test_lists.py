"""
The lists: each article's ranking beside the community's ranking of the same titles,
the biggest disagreements marked in words.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Mention, Source, Title

from .factories import comment, make_catalogue, make_source, make_title, mention, rate

pytestmark = pytest.mark.django_db

FIRST = "sad-anime-21-stories"


def ranking_section(html, html_id):
    return html.split(f'<h3 id="{html_id}">', 1)[1].split('<section class="ranking"', 1)[0]


def article_rows(markup):
    """[(article rank, slug)] in the order the table shows them."""
    rows = re.findall(
        r'<td class="number">#(\d+)</td>\s*<th scope="row"><a href="/titles/([^/]+)/">', markup
    )
    return [(int(rank), slug) for rank, slug in rows]


def community_rows(markup):
    """[(slug, community rank, verdict)] from the table."""
    rows = re.findall(
        r'<a href="/titles/([^/]+)/">[^<]*</a></th>\s*<td class="community-cell">'
        r'<span class="community-rank">#(\d+)</span> <span class="verdict">(.*?)</span>(.*?)</td>',
        markup,
        re.S,
    )
    return [(slug, int(rank), (verdict + flag).strip()) for slug, rank, verdict, flag in rows]


@pytest.mark.parametrize(
    ("source_slug", "section"),
    [(FIRST, "movies"), (FIRST, "series"), (FIRST, "also"), ("cbr-saddest-anime", "ranked")],
)
def test_it_reproduces_each_articles_ranking(client, catalogue, source_slug, section):
    html = client.get("/lists/").content.decode()
    expected = list(
        Mention.objects.filter(source__slug=source_slug, section=section)
        .order_by("rank")
        .values_list("rank", "title__slug")
    )
    assert expected
    assert article_rows(ranking_section(html, f"{source_slug}-{section}")) == expected


def test_every_source_has_its_own_section(client, catalogue):
    html = client.get("/lists/").content.decode()
    assert html.count("<h1>") == 1
    for source in Source.objects.all():
        assert f'<h2 id="source-{source.slug}"><cite>{source.name}</cite></h2>' in html
    assert "The article lists these without ranking them" in html
    assert "Nobody has rated these titles yet" in html
    assert "Big disagreement" not in html


@pytest.fixture
def ranked_list(db):
    source = make_source("The ranked list", slug="ranked-list")
    titles = [make_title(f"Number {rank}", slug=f"number-{rank}") for rank in range(1, 7)]
    for rank, title in enumerate(titles, start=1):
        mention(title, source, rank)
    return titles


def test_the_community_ranks_the_same_titles_by_tear_score(client, ranked_list):
    # The community loves #6 most and #1 least; the rest are unrated.
    rate(ranked_list[5], [5, 5, 5, 5, 5])
    rate(ranked_list[0], [0, 0, 1, 0, 0])
    html = client.get("/lists/").content.decode()
    rows = community_rows(ranking_section(html, "ranked-list-ranked"))
    assert rows == [
        ("number-1", 6, '5 places lower <strong class="flag">Big disagreement</strong>'),
        ("number-2", 2, "Not rated yet"),
        ("number-3", 3, "Not rated yet"),
        ("number-4", 4, "Not rated yet"),
        ("number-5", 5, "Not rated yet"),
        ("number-6", 1, '5 places higher <strong class="flag">Big disagreement</strong>'),
    ]
    community = html.split("The community's order</h4>", 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'href="/titles/([^/]+)/"', community) == [
        "number-6",
        "number-2",
        "number-3",
        "number-4",
        "number-5",
        "number-1",
    ]
    assert "Number 6</a>: #6 in the article, #1 for the community" in html


def test_three_of_four_disagreeing_are_more_disputed_than_one_lone_disagreement(
    client, ranked_list
):
    comment(ranked_list[0], stance="disagree")
    for stance in ["disagree", "disagree", "disagree", "agree"]:
        comment(ranked_list[3], stance=stance)
    comment(ranked_list[4], stance="agree")
    html = ranking_section(client.get("/lists/").content.decode(), "ranked-list-ranked")
    disputed = html.split("Most disputed placements:", 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", disputed) == [
        '<a href="/titles/number-4/">Number 4</a>: 3 of 4 comments taking a side disagree '
        "with the list",
        '<a href="/titles/number-1/">Number 1</a>: 1 of 1 comment taking a side disagrees '
        "with the list",
    ]


def test_small_gaps_are_not_marked(client, ranked_list):
    rate(ranked_list[2], [5, 5, 5, 5, 5])  # #3 in the article, #1 for the community
    html = client.get("/lists/").content.decode()
    rows = dict(
        (slug, verdict)
        for slug, _, verdict in community_rows(ranking_section(html, "ranked-list-ranked"))
    )
    assert rows["number-3"] == "2 places higher"
    assert "Big disagreement" not in html
    assert "Biggest disagreements" not in html


def test_unpublished_titles_are_left_out_of_both_rankings(client, ranked_list):
    Title.objects.filter(slug="number-2").update(is_published=False)
    html = client.get("/lists/").content.decode()
    rows = article_rows(ranking_section(html, "ranked-list-ranked"))
    assert [rank for rank, _ in rows] == [1, 3, 4, 5, 6]
    assert "number-2" not in html


@pytest.mark.parametrize("size", [5, 50])
def test_the_lists_page_takes_the_same_queries_whatever_the_catalogue_size(
    client, django_assert_num_queries, size
):
    make_catalogue(size)
    # Mentions with their sources, the listed titles with their stats.
    with django_assert_num_queries(2):
        html = client.get("/lists/").content.decode()
    assert len(article_rows(html)) == size


def test_the_lists_page_never_reads_the_ratings_table(client, db):
    make_catalogue(5)
    with CaptureQueriesContext(connection) as queries:
        client.get("/lists/")
    assert not [query for query in queries if "reviews_rating" in query["sql"]]
