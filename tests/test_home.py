"""
Home: the saddest right now, the most disputed, the newest comments, a search box,
and sensible empty states on a fresh site.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Mention
from reviews.models import Comment

from .factories import comment, make_catalogue, make_source, make_title, mention, rate

pytestmark = pytest.mark.django_db


def section(html, heading_id):
    """The markup of one home section, from its heading to the next section."""
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def card_names(markup):
    return re.findall(r'<span class="card-name">(.*?)</span>', markup)


def test_a_fresh_site_explains_every_empty_section(client, db):
    html = client.get("/").content.decode()
    assert html.count("<h1") == 1
    assert "The catalogue is empty for now." in html
    assert "Nobody has argued with the lists yet." in html
    assert "No comments yet." in html


def test_the_search_box_asks_browse_by_name(client, db):
    html = client.get("/").content.decode()
    assert (
        '<form class="hero-search" method="get" action="/titles/" role="search" '
        'aria-label="Find a title">'
    ) in html
    assert '<label for="home-search-q">' in html
    assert 'id="home-search-q" name="q"' in html


def test_before_anyone_rates_the_catalogue_fills_the_shelf_with_a_note(client, db):
    for name in ["Cherry", "Apple", "Banana"]:
        make_title(name)
    html = client.get("/").content.decode()
    assert card_names(section(html, "saddest-heading")) == ["Apple", "Banana", "Cherry"]
    assert "Not enough ratings yet to rank anything" in html


def card_reasons(markup):
    return re.findall(r'<span class="card-reason">(.*?)</span>', markup)


@pytest.fixture
def two_articles(db):
    """Two articles' rankings: movies and series in the first, one list in the second."""
    first, second = make_source("Twenty-one stories"), make_source("Ten more")
    movies = [make_title(f"Movie {rank}") for rank in (1, 2, 3)]
    series = [make_title(f"Series {rank}", kind="series") for rank in (1, 2)]
    for rank, title in enumerate(movies, start=1):
        mention(title, first, rank, Mention.Section.MOVIES)
    for rank, title in enumerate(series, start=1):
        mention(title, first, rank, Mention.Section.SERIES)
    mention(make_title("Ten more first"), second, 1)
    mention(series[0], second, 2)  # in both articles: shown once, as its #1
    mention(make_title("Ten more third"), second, 3)
    mention(make_title("Aardvark"), first, 1, Mention.Section.ALSO)
    make_title("Abacus")  # first in the alphabet, in no article
    return movies, series


def test_a_fresh_site_shows_each_articles_first_picks(client, two_articles):
    html = client.get("/").content.decode()
    shelf = section(html, "saddest-heading")
    assert "The lists' first picks</h2>" in html
    assert "here are each article's #1 and #2" in shelf
    assert card_names(shelf) == ["Movie 1", "Series 1", "Ten more first", "Movie 2", "Series 2"]
    assert card_reasons(shelf) == [
        "#1 movie in Twenty-one stories",
        "#1 series in Twenty-one stories",
        "#1 in Ten more",
        "#2 movie in Twenty-one stories",
        "#2 series in Twenty-one stories",
    ]


def test_the_community_chart_takes_over_once_a_title_has_enough_ratings(client, two_articles):
    movies, _ = two_articles
    rate(movies[2], [5, 5, 5, 5, 4])
    html = client.get("/").content.decode()
    shelf = section(html, "saddest-heading")
    assert "The saddest right now</h2>" in html
    assert "first picks" not in html
    assert card_names(shelf)[0] == "Movie 3"
    assert not card_reasons(shelf)


def test_the_first_picks_take_one_query_more_than_a_full_chart(
    client, two_articles, django_assert_num_queries
):
    # The well rated (none yet); the rest of the shelf, with the picks as subqueries;
    # most disputed; newest comments.
    with django_assert_num_queries(4):
        client.get("/")


@pytest.mark.parametrize("size", [8, 30])
def test_a_full_chart_is_one_query_whatever_the_catalogue_size(
    client, django_assert_num_queries, size
):
    titles = make_catalogue(size)
    for title in titles[:8]:
        rate(title, [4, 4, 4, 4, 4])
    # The well rated, saddest first (a full shelf: nothing else to read); most
    # disputed; newest comments.
    with django_assert_num_queries(3):
        html = client.get("/").content.decode()
    assert len(card_names(section(html, "saddest-heading"))) == 8
    assert "The saddest right now</h2>" in html


def test_titles_tied_on_tear_score_show_the_oldest_title_first(client, db):
    for name in ["Zebra", "Apple", "Mango"]:
        rate(make_title(name), [4, 4, 4, 4, 4])
    html = client.get("/").content.decode()
    assert card_names(section(html, "saddest-heading")) == ["Zebra", "Apple", "Mango"]


def test_a_few_well_rated_titles_lead_and_the_picks_fill_the_shelf(client, two_articles):
    movies, _ = two_articles
    rate(movies[2], [5, 5, 5, 5, 4])
    shelf = section(client.get("/").content.decode(), "saddest-heading")
    assert card_names(shelf) == [
        "Movie 3",
        "Movie 1",
        "Series 1",
        "Ten more first",
        "Movie 2",
        "Series 2",
        "Aardvark",
        "Abacus",
    ]
    assert not card_reasons(shelf)


def test_the_saddest_prefer_titles_with_five_ratings(client, db):
    settled = make_title("Settled")
    rate(settled, [4, 4, 4, 4, 3])
    fresh = make_title("One fan")
    rate(fresh, [5])
    top = make_title("Top")
    rate(top, [5, 5, 5, 5, 5, 4])
    make_title("Unrated")
    html = client.get("/").content.decode()
    assert card_names(section(html, "saddest-heading")) == ["Top", "Settled", "One fan", "Unrated"]
    assert "Not enough ratings yet" not in html


def test_the_most_disputed_are_titles_with_a_stance_most_disagreeing_first(client, db):
    half, all_out, calm = make_title("Half"), make_title("All out"), make_title("Calm")
    comment(half, stance="agree")
    comment(half, stance="disagree")
    comment(all_out, stance="disagree")
    comment(calm)
    html = client.get("/").content.decode()
    disputed = section(html, "disputed-heading")
    assert re.findall(r'<a href="/titles/[^"]+/">(.*?)</a>', disputed) == ["All out", "Half"]
    assert "disagree with the list: 1 of 2 comments taking a side" in disputed
    assert "Calm" not in disputed


def test_three_of_four_disagreeing_outrank_one_lone_disagreement(client, db):
    lone, three_of_four = make_title("Lone"), make_title("Three of four")
    comment(lone, stance="disagree")
    for stance in ["disagree", "disagree", "disagree", "agree"]:
        comment(three_of_four, stance=stance)
    disputed = section(client.get("/").content.decode(), "disputed-heading")
    assert re.findall(r'<a href="/titles/[^"]+/">(.*?)</a>', disputed) == ["Three of four", "Lone"]
    assert "disagree with the list: 3 of 4 comments taking a side" in disputed
    assert "disagree with the list: 1 of 1 comment taking a side" in disputed


def test_titles_everyone_agrees_with_are_not_disputed(client, db):
    comment(make_title("Agreed"), stance="agree")
    html = client.get("/").content.decode()
    assert "Agreed" not in section(html, "disputed-heading")
    assert "Nobody has argued with the lists yet." in html


def test_the_newest_visible_comments_show_with_spoilers_folded(client, db):
    title = make_title("Grave", slug="grave")
    comment(title, "The first one.")
    comment(title, "The ending broke me.", is_spoiler=True)
    hidden = comment(title, "Rude words.")
    hidden.hide()
    make_title("Secret", slug="secret", is_published=False)
    html = client.get("/").content.decode()
    comments = section(html, "comments-heading")
    assert comments.index("The ending broke me.") < comments.index("The first one.")
    assert (
        '<details class="spoiler"><summary>Contains spoilers: show</summary>'
        "<p>The ending broke me.</p></details>"
    ) in comments
    assert '<a href="/titles/grave/">Grave</a>' in comments
    assert "Rude words." not in html
    assert Comment.objects.filter(is_hidden=True).count() == 1


@pytest.mark.parametrize("size", [5, 50])
def test_home_takes_the_same_queries_whatever_the_catalogue_size(
    client, django_assert_num_queries, size
):
    make_catalogue(size)
    # The well rated (none: a young chart), the rest of the shelf, most disputed,
    # newest comments (with authors and titles).
    with django_assert_num_queries(4):
        html = client.get("/").content.decode()
    # Three ratings a title is a young chart: the list's #1 and #2 fill the shelf.
    assert len(card_names(section(html, "saddest-heading"))) == 2
    assert "Hurt." in html


def test_home_never_reads_the_ratings_table(client, db):
    make_catalogue(5)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not [query for query in queries if "reviews_rating" in query["sql"]]


def test_titles_tied_on_the_dispute_share_show_the_most_voices_then_the_oldest_first(client, db):
    zed, abe, loud = make_title("Zed"), make_title("Abe"), make_title("Loud")
    comment(zed, stance="disagree")
    comment(abe, stance="disagree")
    for stance in ["disagree", "disagree", "agree", "agree"]:
        comment(loud, stance=stance)  # 2 of 4 + 2: the same share as 1 of 1 + 2
    disputed = section(client.get("/").content.decode(), "disputed-heading")
    assert re.findall(r'<a href="/titles/[^"]+/">(.*?)</a>', disputed) == ["Loud", "Zed", "Abe"]
