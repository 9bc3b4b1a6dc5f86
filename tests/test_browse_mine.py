"""
Browse for a signed-in member: only the titles on their list, only those they have not
rated yet. Built for them alone (never shared with another member or a visitor); a
visitor who asks gets every title and a note saying the filter is for members.
"""

import pytest
from django.test import Client

from reviews.models import Rating, WatchlistEntry

from .factories import make_catalogue, make_title
from .test_browse import card_names, notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db):
    """Four titles; the reader keeps two on their list and rated one of those and one other."""
    return {name: make_title(name) for name in ("Clannad", "Fireflies", "Garden", "Hotarubi")}


@pytest.fixture
def readers_titles(reader, other_reader, shelf):
    WatchlistEntry.objects.add(reader, shelf["Fireflies"])
    WatchlistEntry.objects.add(reader, shelf["Garden"])
    Rating.objects.create(user=reader, title=shelf["Garden"], tears=5)
    Rating.objects.create(user=reader, title=shelf["Clannad"], tears=4)
    # Another member's list and ratings play no part in the reader's results.
    WatchlistEntry.objects.add(other_reader, shelf["Hotarubi"])
    Rating.objects.create(user=other_reader, title=shelf["Fireflies"], tears=3)
    return shelf


def test_a_member_sees_exactly_the_titles_on_their_list(reader_client, readers_titles):
    response = reader_client.get("/titles/?on_my_list=1&sort=name")
    assert card_names(response) == ["Fireflies", "Garden"]
    html = response.content.decode()
    assert 'name="on_my_list" value="1" checked' in html
    assert "On my list: yes" in html


def test_a_member_sees_exactly_the_titles_they_have_not_rated(reader_client, readers_titles):
    response = reader_client.get("/titles/?not_rated_by_me=1&sort=name")
    assert card_names(response) == ["Fireflies", "Hotarubi"]
    both = reader_client.get("/titles/?on_my_list=1&not_rated_by_me=1&sort=name")
    assert card_names(both) == ["Fireflies"]


def test_another_members_list_is_theirs_alone(other_client, readers_titles):
    assert card_names(other_client.get("/titles/?on_my_list=1&sort=name")) == ["Hotarubi"]
    assert card_names(other_client.get("/titles/?not_rated_by_me=1&sort=name")) == [
        "Clannad",
        "Garden",
        "Hotarubi",
    ]


def test_one_members_results_never_reach_another_through_the_cache(
    settings, reader, reader_client, other_client, readers_titles
):
    settings.FRESHNESS_SECONDS = 60  # same address, one after the other, cached a minute
    assert card_names(reader_client.get("/titles/?on_my_list=1")) != []
    assert card_names(other_client.get("/titles/?on_my_list=1")) == ["Hotarubi"]
    assert card_names(reader_client.get("/titles/?on_my_list=1&sort=name")) == [
        "Fireflies",
        "Garden",
    ]
    # A member's own change shows at once, cache or not.
    WatchlistEntry.objects.add(reader, readers_titles["Clannad"])
    assert card_names(reader_client.get("/titles/?on_my_list=1&sort=name")) == [
        "Clannad",
        "Fireflies",
        "Garden",
    ]


def test_a_visitor_asking_for_a_list_gets_every_title_and_a_note(readers_titles):
    visitor = Client()
    response = visitor.get("/titles/?on_my_list=1&not_rated_by_me=1&sort=name")
    assert response.status_code == 200
    assert card_names(response) == ["Clannad", "Fireflies", "Garden", "Hotarubi"]
    assert notes(response) == [
        "“On my list” is for signed-in members; here is every title.",
        "“Not rated by me yet” is for signed-in members; here is every title.",
    ]
    html = response.content.decode()
    assert 'name="on_my_list"' not in html
    assert "Showing only" not in html


def test_the_filters_are_offered_to_members_only(reader_client, shelf):
    assert 'name="on_my_list"' in reader_client.get("/titles/").content.decode()
    visitor_html = Client().get("/titles/").content.decode()
    assert 'name="on_my_list"' not in visitor_html
    assert 'name="not_rated_by_me"' not in visitor_html


def test_a_visitor_page_is_never_one_built_for_a_member(settings, reader_client, readers_titles):
    settings.FRESHNESS_SECONDS = 60
    reader_client.get("/titles/")
    reader_client.get("/titles/?on_my_list=1")
    visitor = Client()
    assert 'name="on_my_list"' not in visitor.get("/titles/").content.decode()
    assert len(card_names(visitor.get("/titles/?on_my_list=1"))) == 4


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("on_my_list=yes", "Only titles on my list: “yes” is not a choice here; tick the box."),
        ("not_rated_by_me=0", "Only titles I have not rated yet: “0” is not a choice here;"),
    ],
)
def test_an_unknown_value_is_explained_and_changes_nothing(
    reader_client, readers_titles, unchanged, query, note
):
    with unchanged():
        response = reader_client.get(f"/titles/?{query}&sort=name")
    assert card_names(response) == ["Clannad", "Fireflies", "Garden", "Hotarubi"]
    assert any(each.startswith(note) for each in notes(response)), notes(response)


@pytest.mark.parametrize("size", [5, 50])
def test_a_members_own_titles_take_the_same_queries_whatever_the_size(
    reader_client, reader, django_assert_num_queries, size
):
    make_catalogue(size)
    from catalogue.models import Title

    for title in Title.objects.all()[: size // 2]:
        WatchlistEntry.objects.add(reader, title)
    # Session with its member, avoid list, 4 facets, the causes offered, 1 count, 1
    # page of titles (the list and the ratings are subqueries of both), which of the
    # cards shown are on the list.
    with django_assert_num_queries(10):
        response = reader_client.get("/titles/?on_my_list=1&not_rated_by_me=1")
    assert len(card_names(response)) == min(size // 2, 24)
