"""
To cry later, from the lists: every card on browse and on the home page's chart has a
button for a signed-in member to put the title on their list or take it off, a plain
form that comes back to the same page. The cards are shared by everyone, so neither a
member's CSRF token nor what is on their list ever gets into the shared cache.
"""

import pickle
import re

import pytest
from django.core.cache import cache
from django.test import Client

from catalogue.models import Title
from reviews.models import WatchlistEntry

from .factories import make_catalogue, make_title

pytestmark = pytest.mark.django_db

ADD = 'Add<span class="visually-hidden"> {}</span> to your list</button>'
REMOVE = 'Remove<span class="visually-hidden"> {}</span> from your list</button>'


@pytest.fixture
def titles(db):
    return {
        "grave": make_title("Grave of the Fireflies", slug="grave-of-the-fireflies"),
        "clannad": make_title("Clannad", slug="clannad"),
    }


@pytest.fixture
def cached(settings):
    """Pages and parts kept for a minute, as in production."""
    settings.FRESHNESS_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def on_list(user):
    return sorted(WatchlistEntry.objects.filter(user=user).values_list("title__name", flat=True))


@pytest.mark.parametrize("url", ["/titles/?sort=name", "/"])
def test_a_member_adds_a_title_from_a_card_and_comes_back_to_the_same_page(
    reader_client, reader, titles, url
):
    html = reader_client.get(url).content.decode()
    assert ADD.format("Grave of the Fireflies") in html
    assert ADD.format("Clannad") in html
    assert (
        '<form id="watchlist-actions" method="post"><input type="hidden" name="csrfmiddlewaretoken"'
    ) in html
    assert f'<input type="hidden" name="next" value="{url}">' in html
    assert 'form="watchlist-actions" formaction="/titles/grave-of-the-fireflies/watchlist/"' in html

    response = reader_client.post("/titles/grave-of-the-fireflies/watchlist/", {"next": url})
    assert response.url == f"{url}#to-cry-later"
    assert on_list(reader) == ["Grave of the Fireflies"]
    html = reader_client.get(url).content.decode()
    assert "Grave of the Fireflies is on your list, to cry at later." in html
    assert REMOVE.format("Grave of the Fireflies") in html
    assert ADD.format("Clannad") in html

    response = reader_client.post(
        "/titles/grave-of-the-fireflies/watchlist/", {"remove": "1", "next": url}
    )
    assert response.url == f"{url}#to-cry-later"
    assert on_list(reader) == []
    assert ADD.format("Grave of the Fireflies") in reader_client.get(url).content.decode()


def test_a_card_button_never_leads_off_the_site(reader_client, reader, titles):
    response = reader_client.post(
        "/titles/clannad/watchlist/", {"next": "https://elsewhere.example/titles/"}
    )
    assert response.url == "/titles/clannad/#to-cry-later"
    assert on_list(reader) == ["Clannad"]


@pytest.mark.parametrize("url", ["/titles/", "/"])
def test_a_visitor_sees_no_list_buttons_and_no_form(titles, url):
    html = Client().get(url).content.decode()
    assert "Grave of the Fireflies" in html
    assert "to your list</button>" not in html
    assert "watchlist-actions" not in html


@pytest.mark.parametrize("url", ["/titles/?sort=name", "/"])
def test_one_members_list_and_token_never_reach_the_shared_cache(
    cached, reader, reader_client, other_client, titles, url
):
    WatchlistEntry.objects.add(reader, titles["grave"])
    mine = reader_client.get(url).content.decode()
    assert REMOVE.format("Grave of the Fireflies") in mine
    theirs = other_client.get(url).content.decode()
    assert ADD.format("Grave of the Fireflies") in theirs
    assert "from your list" not in theirs
    keys = [key.split(":", 2)[-1] for key in list(cache._cache)]
    kept = b"".join(pickle.dumps(cache.get(key)) for key in keys)
    assert b"csrfmiddlewaretoken" not in kept
    assert b"from your list" not in kept
    assert b"to your list" in kept  # the members' shared cards are there, all offering to add


@pytest.mark.parametrize("url", ["/titles/", "/"])
@pytest.mark.parametrize("size", [5, 50])
def test_list_buttons_cost_one_query_whatever_is_on_the_list(
    reader, reader_client, django_assert_num_queries, url, size
):
    make_catalogue(size)
    shown = re.findall(r'formaction="/titles/([^/]+)/watchlist/"', reader_client.get(url).text)
    # The first card shown, and titles not shown: a list that grows with the catalogue.
    for title in Title.objects.filter(slug=shown[0]) | Title.objects.exclude(slug__in=shown):
        WatchlistEntry.objects.add(reader, title)
    # Session with its member, avoid list, then the page's own (browse: 4 facets, the
    # causes offered, 1 page, no count, as every title is listed; home, with no title
    # rated enough yet: the well rated, the articles' picks, disputed titles and
    # comments), then which of the cards shown are on the member's list.
    with django_assert_num_queries(9 if url == "/titles/" else 7):
        html = reader_client.get(url).content.decode()
    assert html.count("from your list</button>") == 1
    assert html.count("to your list</button>") == len(shown) - 1
