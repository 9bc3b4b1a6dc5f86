"""
Browse /titles/: every filter, every sort, pages that never repeat or skip a title,
and bad input that is explained and ignored, never a server error.
"""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import Title
from reviews.models import TearPrior

from .factories import (
    comment,
    make_catalogue,
    make_source,
    make_theme,
    make_title,
    mention,
    rate,
)

pytestmark = pytest.mark.django_db


def card_names(response):
    """The titles shown as cards, in page order."""
    html = response.content.decode()
    return [unescape(name) for name in re.findall(r'<span class="card-name">(.*?)</span>', html)]


def notes(response):
    """The sentences of the 'could not use all of your request' box."""
    html = response.content.decode()
    box = re.search(r'<div class="notice" role="status">(.*?)</div>', html, re.S)
    return [unescape(note) for note in re.findall(r"<li>(.*?)</li>", box.group(1))] if box else []


@pytest.fixture
def shelf(db):
    """Six titles differing in every way the filters look at."""
    grief, war, love = (
        make_theme("Grief", slug="grief"),
        make_theme("War", slug="war"),
        make_theme("First love", slug="first-love"),
    )
    first, second = make_source("First list", slug="first"), make_source("Second", slug="second")
    titles = {
        "fireflies": make_title("Fireflies", kind="movie", year=1988, themes=[grief, war]),
        "garden": make_title("Garden", kind="movie", year=2013, themes=[love]),
        "april": make_title("April", kind="series", year=2014, themes=[grief, love]),
        "clannad": make_title("Clannad", kind="series", year=2008, themes=[grief]),
        "barefoot": make_title("Barefoot", kind="movie", year=1983, themes=[war]),
        "hidden": make_title("Hidden", kind="movie", year=2000, themes=[grief], is_published=False),
    }
    mention(titles["fireflies"], first, 1)
    mention(titles["april"], first, 2)
    mention(titles["clannad"], second, 1)
    rate(titles["fireflies"], [5, 5, 5, 5, 4, 5])
    rate(titles["april"], [4, 4, 5])
    rate(titles["clannad"], [3, 4, 3, 2, 3, 3, 3])
    rate(titles["garden"], [1])
    comment(titles["april"], stance="disagree")
    comment(titles["april"], stance="disagree")
    comment(titles["clannad"], stance="agree")
    comment(titles["clannad"], stance="disagree")
    comment(titles["clannad"])
    comment(titles["clannad"])
    TearPrior.refresh()  # as the site does once the ratings have moved the mean
    return titles


def test_it_shows_published_titles_saddest_first(client, shelf):
    response = client.get("/titles/")
    # Barefoot has no ratings: it scores the site-wide mean, above the two that
    # members rated lower than that.
    assert card_names(response) == ["Fireflies", "April", "Barefoot", "Clannad", "Garden"]
    html = response.content.decode()
    assert "5 titles, by tear score" in html
    assert "<h1>Browse the catalogue</h1>" in html
    assert "Hidden" not in html


def test_cards_show_the_score_and_the_number_of_ratings(client, shelf):
    html = client.get("/titles/").content.decode()
    assert "<strong>4.3</strong> tears · 6 ratings</span>" in html
    assert '3 ratings <span class="few">(few yet)</span>' in html
    assert html.count("Not rated yet") == 1  # Barefoot


def test_facet_counts_label_the_choices(client, shelf):
    html = client.get("/titles/").content.decode()
    assert "Movie (3)" in html
    assert "Series (2)" in html
    assert "Grief (3)" in html  # the unpublished one is not counted
    assert "War (2)" in html
    assert "First list (2)" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=movie", ["Fireflies", "Barefoot", "Garden"]),
        ("kind=series", ["April", "Clannad"]),
        ("theme=war", ["Fireflies", "Barefoot"]),
        ("theme=war&theme=first-love", ["Fireflies", "April", "Barefoot", "Garden"]),
        ("theme=grief&theme=first-love", ["Fireflies", "April", "Clannad", "Garden"]),
        ("year_min=2008", ["April", "Clannad", "Garden"]),
        ("year_max=1988", ["Fireflies", "Barefoot"]),
        ("year_min=1985&year_max=2010", ["Fireflies", "Clannad"]),
        ("tears_min=4", ["Fireflies"]),
        ("tears_min=3.5&tears_max=4", ["April", "Barefoot"]),
        ("tears_max=3.5", ["Clannad", "Garden"]),
        ("min_ratings=5", ["Fireflies", "Clannad"]),
        ("min_ratings=1", ["Fireflies", "April", "Clannad", "Garden"]),
        ("min_ratings=0", ["Fireflies", "April", "Barefoot", "Clannad", "Garden"]),
        ("source=first", ["Fireflies", "April"]),
        ("source=second", ["Clannad"]),
        ("q=GARDEN", ["Garden"]),
    ],
)
def test_each_filter_narrows_the_list(client, shelf, query, expected):
    assert card_names(client.get(f"/titles/?{query}")) == expected


def test_filters_combine(client, shelf):
    response = client.get("/titles/?kind=series&theme=grief&tears_min=3.2&min_ratings=3")
    assert card_names(response) == ["April", "Clannad"]
    response = client.get("/titles/?kind=movie&theme=war&year_min=1985&source=first")
    assert card_names(response) == ["Fireflies"]


def test_a_title_with_two_chosen_themes_appears_once(client, shelf):
    response = client.get("/titles/?theme=grief&theme=war")
    assert card_names(response).count("Fireflies") == 1
    assert "4 titles" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("kimi no na wa", "your-name"),
        ("KIMI NO NA WA", "your-name"),
        ("your name", "your-name"),
        ("koe no katachi", "a-silent-voice"),
        ("the shape of voice", "a-silent-voice"),
    ],
)
def test_search_finds_any_name_ignoring_case(client, catalogue, query, slug):
    title = Title.objects.get(slug=slug)
    response = client.get("/titles/", {"q": query})
    assert title.name in card_names(response)
    assert f'value="{query}"' in response.content.decode()


SORTED = {
    "tears": ["Fireflies", "April", "Barefoot", "Clannad", "Garden"],
    "rated": ["Clannad", "Fireflies", "April", "Garden", "Barefoot"],
    "discussed": ["Clannad", "April", "Fireflies", "Barefoot", "Garden"],
    # Titles nobody took a side on tie at 0: the oldest title first.
    "disputed": ["April", "Clannad", "Fireflies", "Garden", "Barefoot"],
    "rank": ["Clannad", "Fireflies", "April", "Barefoot", "Garden"],
    "year": ["April", "Garden", "Clannad", "Fireflies", "Barefoot"],
    "name": ["April", "Barefoot", "Clannad", "Fireflies", "Garden"],
}


@pytest.mark.parametrize("sort", SORTED)
def test_each_sort_orders_the_titles(client, shelf, sort):
    assert card_names(client.get(f"/titles/?sort={sort}")) == SORTED[sort]


def test_most_disputed_ranks_three_of_four_above_one_lone_disagreement(client, db):
    lone, three_of_four = make_title("Lone"), make_title("Three of four")
    make_title("Quiet")
    comment(lone, stance="disagree")
    for stance in ["disagree", "disagree", "disagree", "agree"]:
        comment(three_of_four, stance=stance)
    assert card_names(client.get("/titles/?sort=disputed")) == ["Three of four", "Lone", "Quiet"]


@pytest.mark.parametrize("sort", SORTED)
def test_every_sort_pages_through_every_title_exactly_once(client, db, sort):
    # 50 titles that tie on everything a sort looks at except the tie-breakers.
    for number in range(50):
        make_title("Same name", slug=f"same-{number}", year=2000)
    seen = []
    for page in (1, 2, 3):
        seen += re.findall(
            r'href="/titles/(same-\d+)/"',
            client.get(f"/titles/?sort={sort}&page={page}").content.decode(),
        )
    assert len(seen) == 50
    assert set(seen) == {f"same-{number}" for number in range(50)}
    assert seen == [f"same-{number}" for number in range(50)]  # ties fall back to age


def test_it_shows_24_titles_a_page_with_links_that_keep_the_filters(client, db):
    for number in range(60):
        make_title(f"Series {number:02}", kind="series")
    make_title("A movie", kind="movie")
    response = client.get("/titles/?kind=series&sort=name&page=2")
    html = response.content.decode()
    assert card_names(response) == [f"Series {number:02}" for number in range(24, 48)]
    assert "60 titles, by name" in html and "page 2 of 3" in html
    assert 'rel="prev" href="/titles/?kind=series&amp;sort=name"' in html
    assert 'rel="next" href="/titles/?kind=series&amp;sort=name&amp;page=3"' in html
    assert 'href="/titles/?kind=series&amp;sort=name&amp;page=2" aria-current="page"' in html
    assert (
        'property="og:url" content="http://testserver/titles/?kind=series&amp;sort=name'
        '&amp;page=2"' in html
    )


def test_active_filters_are_shown_and_each_can_be_removed(client, shelf):
    html = client.get("/titles/?kind=movie&theme=war&theme=grief&year_min=1980").content.decode()
    assert '<a href="/titles/?theme=war&amp;theme=grief&amp;year_min=1980">Kind: Movie' in html
    assert '<a href="/titles/?kind=movie&amp;theme=grief&amp;year_min=1980">Theme: War' in html
    assert '<a href="/titles/?kind=movie&amp;theme=war&amp;year_min=1980">Theme: Grief' in html
    assert '<a href="/titles/?kind=movie&amp;theme=war&amp;theme=grief">From year: 1980' in html
    assert '<a class="chip-clear" href="/titles/">Clear all</a>' in html
    # The form shows what applies, so the next search keeps it.
    assert '<input type="radio" name="kind" value="movie" checked> Movie (3)' in html
    assert '<input type="checkbox" name="theme" value="war" checked> War (2)' in html
    assert '<input type="checkbox" name="theme" value="first-love"> First love (2)' in html
    assert (
        '<input type="number" name="year_min" id="filter-year-min" min="1917" max="2100" '
        'value="1980">' in html
    )
    assert '<details class="filter-more" open>' in html


def test_nothing_matching_says_so_and_offers_a_way_back(client, shelf):
    response = client.get("/titles/?kind=series&theme=war")
    html = response.content.decode()
    assert card_names(response) == []
    assert "Nothing matches all of these filters." in html
    assert '<a href="/titles/">see the whole catalogue</a>' in html
    assert '<a href="/titles/?theme=war">Kind: Series' in html


def test_an_empty_catalogue_says_so(client, db):
    html = client.get("/titles/").content.decode()
    assert "0 titles" in html
    assert "The catalogue is empty for now." in html


# Bad input: a note, the value ignored, everything else still applied, never a 500.


def test_a_year_that_is_not_a_number_is_ignored_and_said_so(client, shelf):
    response = client.get("/titles/?year_min=abc&kind=series")
    assert response.status_code == 200
    assert card_names(response) == ["April", "Clannad"]
    assert notes(response) == ["Year from: Enter a whole number. We ignored it."]
    html = response.content.decode()
    assert 'value="abc"' not in html  # the form does not pretend it applies
    assert '<input type="radio" name="kind" value="series" checked>' in html
    assert "From year" not in html


@pytest.mark.parametrize(
    ("query", "note"),
    [
        (
            "year_min=99999999999999999999",
            "Year from: Ensure this value is less than or equal to 2100. We ignored it.",
        ),
        ("tears_min=nan", "Tear score from: Enter a number. We ignored it."),
        (
            "tears_max=-1",
            "Tear score to: Ensure this value is greater than or equal to 0. We ignored it.",
        ),
        ("min_ratings=1e3", "At least this many ratings: Enter a whole number. We ignored it."),
        ("kind=documentary", "Kind: There is no kind “documentary”. We ignored it."),
        ("source=nowhere", "Listed in: There is no article “nowhere”. We ignored it."),
        (
            "year_min=2010&year_max=1990",
            "Filters: The year range starts after it ends. We ignored it.",
        ),
        (
            "tears_min=4&tears_max=1",
            "Filters: The tear score range starts after it ends. We ignored it.",
        ),
    ],
)
def test_bad_filter_values_are_explained_and_ignored(client, shelf, query, note):
    response = client.get(f"/titles/?{query}")
    assert response.status_code == 200
    assert notes(response) == [note]
    assert len(card_names(response)) == 5


def test_an_unknown_sort_falls_back_to_tear_score_and_says_so(client, shelf):
    response = client.get("/titles/?sort=drop%20table")
    assert card_names(response) == SORTED["tears"]
    assert notes(response) == [
        "We cannot sort by “drop table”, so the titles are sorted by tear score."
    ]
    html = response.content.decode()
    assert "5 titles, by tear score" in html
    assert '<option value="tears" selected>Tear score</option>' in html


def test_an_unknown_theme_is_left_out_and_the_known_ones_apply(client, shelf):
    response = client.get("/titles/?theme=unknown&theme=war")
    assert card_names(response) == ["Fireflies", "Barefoot"]
    assert notes(response) == ["There is no theme “unknown”; we left it out."]
    response = client.get("/titles/?theme=unknown")
    assert len(card_names(response)) == 5


@pytest.mark.parametrize(
    ("page", "note"),
    [
        ("0", "Pages start at 1; here is the first page."),
        ("-3", "Pages start at 1; here is the first page."),
        ("abc", "“abc” is not a page number; here is the first page."),
        ("a%00b", "“a b” is not a page number; here is the first page."),
        ("99999", "There are only 3 pages; here is the last one."),
        ("9" * 400, "There are only 3 pages; here is the last one."),
    ],
)
def test_a_page_that_does_not_exist_gives_a_real_page_and_a_note(client, db, page, note):
    for number in range(50):
        make_title(f"Title {number:02}")
    response = client.get(f"/titles/?sort=name&page={page}")
    assert response.status_code == 200
    assert notes(response) == [note]
    expected_first = "Title 48" if "last" in note else "Title 00"
    assert card_names(response)[0] == expected_first


def test_a_10000_character_search_is_shortened_and_said_so(client, shelf):
    response = client.get("/titles/", {"q": "Garden" + "x" * 9994})
    html = response.content.decode()
    assert response.status_code == 200
    assert notes(response) == ["Your search was shortened to its first 100 characters."]
    assert card_names(response) == []
    search_box = re.search(r'<input type="search" name="q" id="filter-q"[^>]*>', html).group()
    assert search_box.endswith('value="Garden' + "x" * 94 + '">')
    assert "Name like: Garden" + "x" * 94 + " <" in html
    assert "Nothing matches all of these filters." in html


def test_control_characters_are_stripped_from_the_search(client, shelf):
    response = client.get("/titles/", {"q": "Gar\x00den\x07 \x1b"})
    assert response.status_code == 200
    # "Gar den": the NUL became a space, and both words are in "Garden".
    assert card_names(response) == ["Garden"]
    response = client.get("/titles/", {"q": "\x00Garden\t\n"})
    assert card_names(response) == ["Garden"]
    assert "\x00" not in response.content.decode()
    response = client.get("/titles/", {"q": "\x00\x1b", "kind": "\x00"})
    assert len(card_names(response)) == 5
    assert "Showing only" not in response.content.decode()


def test_control_characters_never_reach_the_page(client, shelf):
    response = client.get("/titles/", {"kind": "docu\x00mentary", "theme": "gr\x1bief"})
    html = response.content.decode()
    assert notes(response) == [
        "There is no theme “gr ief”; we left it out.",
        "Kind: There is no kind “docu mentary”. We ignored it.",
    ]
    assert "\x00" not in html and "\x1b" not in html


def test_repeated_parameters_use_the_last_value_and_say_so(client, shelf):
    response = client.get("/titles/?kind=movie&kind=series&sort=name&sort=year")
    assert card_names(response) == ["April", "Clannad"]
    assert notes(response) == [
        "“kind” was given 2 times; we used the last value, “series”.",
        "“sort” was given 2 times; we used the last value, “year”.",
    ]
    response = client.get("/titles/?page=2&page=1")
    assert notes(response) == ["The page number was given more than once; we used the last one."]


def test_bad_input_changes_nothing_in_the_database(client, shelf):
    before = list(Title.objects.order_by("pk").values())
    client.get("/titles/?year_min=abc&page=0&sort=drop%20table&theme=unknown&q=%00")
    assert list(Title.objects.order_by("pk").values()) == before


# Performance: a fixed number of queries, and no aggregation over the ratings table.


@pytest.mark.parametrize("size", [5, 50])
def test_browse_takes_the_same_queries_whatever_the_catalogue_size(
    client, django_assert_num_queries, size
):
    make_catalogue(size)
    # 4 facets (kinds, themes, articles, services; the first two stored counts), the
    # causes offered, 1 page of titles: with no filter, the stored counts of each kind
    # are the total, so no title is counted.
    with django_assert_num_queries(6):
        response = client.get("/titles/")
    assert len(card_names(response)) == min(size, 24)
    # With filters, 1 count of the titles they leave as well.
    with django_assert_num_queries(7):
        response = client.get(
            "/titles/?kind=movie&theme=sized-theme-0&min_ratings=0&sort=rank&page=1"
        )
    assert card_names(response)


def test_browse_never_aggregates_over_the_ratings_table(client, db):
    make_catalogue(5)
    with CaptureQueriesContext(connection) as queries:
        client.get("/titles/?sort=rated&min_ratings=1")
    assert not [query for query in queries if "reviews_rating" in query["sql"]]


def test_clear_all_keeps_the_chosen_sort(client, shelf):
    html = client.get("/titles/?kind=movie&theme=war&sort=name").content.decode()
    assert '<a class="chip-clear" href="/titles/?sort=name">Clear all</a>' in html
    html = client.get("/titles/?kind=movie").content.decode()
    assert '<a class="chip-clear" href="/titles/">Clear all</a>' in html


def test_a_submitted_filter_form_lands_on_a_clean_address(client, shelf):
    response = client.get("/titles/?q=&kind=movie&theme=&year_min=&sort=tears")
    assert response.status_code == 302
    assert response["Location"] == "/titles/?kind=movie&sort=tears"


def test_a_filtered_list_is_counted_up_to_a_limit_and_paged_that_far(client, monkeypatch):
    # Counting stops at the limit, so a filter's count costs the same at any catalogue
    # size; the page says "more than" and pages through the first titles up to it.
    from pages import views

    monkeypatch.setattr(views, "FILTERED_COUNT_LIMIT", 30)
    for number in range(50):
        make_title(f"Movie {number:02}", kind="movie")
    make_title("A series", kind="series", episodes=12)

    html = client.get("/titles/?kind=movie&sort=name").content.decode()
    assert "More than 30 titles, by name" in html and "page 1 of 2" in html

    response = client.get("/titles/?kind=movie&sort=name&page=7")
    assert notes(response) == [
        "We page through the first 30 titles of a filtered list; add a filter to narrow it. "
        "Here is the last of those pages."
    ]
    assert card_names(response)[0] == "Movie 24"

    # Under the limit, the count is exact; with no filter, every title is counted.
    assert "1 title, by name" in client.get("/titles/?kind=series&sort=name").content.decode()
    assert "51 titles, by name" in client.get("/titles/?sort=name").content.decode()
