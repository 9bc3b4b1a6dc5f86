"""
To cry later: a member keeps a watchlist, adds and removes titles from the title page
and from their profile, chooses whether others see it, and is offered to take a title
off once they rated it. The list's size is kept exact by a trigger.
"""

import threading

import pytest
from django.db import connections
from django.test import Client

from reviews.models import CommunityMember, Rating, WatchlistEntry
from reviews.stats import recount_all, remove_member

from .factories import make_members, make_title

TITLE_URL = "/titles/grave-of-the-fireflies/"
LIST_URL = TITLE_URL + "watchlist/"


def on_list(user):
    return list(WatchlistEntry.objects.filter(user=user).values_list("title__name", flat=True))


@pytest.mark.django_db
def test_a_member_adds_a_title_from_its_page_and_sees_it_on_their_profile(
    reader_client, reader, grave
):
    html = reader_client.get(TITLE_URL).content.decode()
    assert "Add to my watchlist" in html
    response = reader_client.post(LIST_URL, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(TITLE_URL + "#to-cry-later", 302)]
    assert "Grave of the Fireflies is on your list, to cry at later." in html
    assert "Remove from my watchlist" in html
    assert on_list(reader) == ["Grave of the Fireflies"]
    assert CommunityMember.objects.get(user=reader).watchlist_count == 1
    profile = reader_client.get("/members/reader/").content.decode()
    assert 'To cry later <span class="count">(1)</span>' in profile
    assert '<a href="/titles/grave-of-the-fireflies/">Grave of the Fireflies</a>' in profile


@pytest.mark.django_db
def test_a_second_add_keeps_one_entry(reader_client, reader, grave):
    reader_client.post(LIST_URL)
    html = reader_client.post(LIST_URL, follow=True).content.decode()
    assert "Grave of the Fireflies was already on your list." in html
    assert on_list(reader) == ["Grave of the Fireflies"]
    assert CommunityMember.objects.get(user=reader).watchlist_count == 1


@pytest.mark.django_db
def test_a_member_removes_a_title_from_their_profile(reader_client, reader, grave):
    WatchlistEntry.objects.add(reader, grave)
    response = reader_client.post(
        LIST_URL, {"remove": "1", "next": "/members/reader/"}, follow=True
    )
    assert response.redirect_chain == [("/members/reader/#to-cry-later", 302)]
    assert "Grave of the Fireflies is off your list." in response.content.decode()
    assert on_list(reader) == []
    assert CommunityMember.objects.get(user=reader).watchlist_count == 0


@pytest.mark.django_db
def test_next_never_leads_off_the_site(reader_client, grave):
    response = reader_client.post(LIST_URL, {"next": "https://elsewhere.example/"})
    assert response["Location"] == TITLE_URL + "#to-cry-later"


@pytest.mark.django_db
def test_an_unpublished_title_cannot_go_on_a_list(reader_client, reader, unchanged):
    make_title("Draft", slug="draft", is_published=False)
    with unchanged():
        html = reader_client.post("/titles/draft/watchlist/", follow=True).content.decode()
    assert "That title is not on the site yet; it cannot go on a list." in html


@pytest.mark.django_db
def test_adding_needs_a_post_and_a_signed_in_member(reader_client, grave, unchanged):
    with unchanged():
        assert reader_client.get(LIST_URL).status_code == 405
        response = Client().post(LIST_URL)
    assert response.status_code == 302 and "/account/signin/" in response["Location"]


@pytest.mark.django_db
def test_the_list_is_private_until_the_member_shows_it(reader_client, reader, grave):
    client = Client()
    WatchlistEntry.objects.add(reader, grave)
    assert "To cry later" not in client.get("/members/reader/").content.decode()
    html = reader_client.post(
        "/watchlist/privacy/", {"watchlist_is_public": "on"}, follow=True
    ).content.decode()
    assert "Your watchlist is now shown to everyone." in html
    visitor_view = client.get("/members/reader/").content.decode()
    assert "Grave of the Fireflies" in visitor_view
    assert "Remove" not in visitor_view
    reader_client.post("/watchlist/privacy/", {})
    assert "To cry later" not in client.get("/members/reader/").content.decode()


@pytest.mark.django_db
def test_rating_a_listed_title_offers_to_take_it_off(reader_client, reader, grave):
    WatchlistEntry.objects.add(reader, grave)
    html = reader_client.post(TITLE_URL + "rate/", {"tears": "5"}, follow=True).content.decode()
    assert "You have rated it: take it off your list?" in html
    assert Rating.objects.get(user=reader).tears == 5


@pytest.mark.django_db
def test_visitors_are_asked_to_sign_in(client, grave):
    html = client.get(TITLE_URL).content.decode()
    assert "to keep Grave of the Fireflies on a list to watch later." in html


@pytest.mark.django_db
def test_deleting_a_member_or_a_title_keeps_the_counts_exact(reader, other_reader, grave):
    other = make_title("Other", slug="other")
    WatchlistEntry.objects.add(reader, grave)
    WatchlistEntry.objects.add(reader, other)
    WatchlistEntry.objects.add(other_reader, grave)
    other.delete()
    assert CommunityMember.objects.get(user=reader).watchlist_count == 1
    remove_member(other_reader)
    assert not CommunityMember.objects.filter(user_id=other_reader.pk).exists()
    assert recount_all() == []


@pytest.mark.django_db
def test_recount_repairs_a_drifted_list_size(reader, grave):
    WatchlistEntry.objects.add(reader, grave)
    CommunityMember.objects.filter(user=reader).update(watchlist_count=5)
    assert recount_all() == [f"member {reader.pk}: watchlist_count 5 → 1"]
    assert CommunityMember.objects.get(user=reader).watchlist_count == 1


# The profile with a public list: the member, a count of ratings and of comments (none
# to read), their community settings, a count and (unless empty) a page of the list.
@pytest.mark.django_db
@pytest.mark.parametrize("listed, queries", [(0, 5), (40, 6)])
def test_the_profile_costs_the_same_whatever_the_list_size(
    client, reader, listed, queries, django_assert_num_queries
):
    CommunityMember.settings_for(reader, watchlist_is_public=True)
    for index in range(listed):
        WatchlistEntry.objects.add(reader, make_title(f"Listed {index}", slug=f"listed-{index}"))
    with django_assert_num_queries(queries):
        html = client.get("/members/reader/").content.decode()
    assert f'To cry later <span class="count">({listed})</span>' in html


@pytest.mark.django_db(transaction=True)
def test_members_adding_at_once_are_all_counted(reader):
    titles = [make_title(f"At once {index}", slug=f"at-once-{index}") for index in range(8)]
    members = make_members(32)
    errors = []
    barrier = threading.Barrier(len(members))

    def add(member, title):
        try:
            barrier.wait(timeout=30)
            WatchlistEntry.objects.add(member, title)
            WatchlistEntry.objects.add(member, title)  # a double submit
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [
        threading.Thread(target=add, args=(member, titles[index % 8]))
        for index, member in enumerate(members)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert WatchlistEntry.objects.count() == 32
    assert sorted(CommunityMember.objects.values_list("watchlist_count", flat=True)) == [1] * 32
    assert recount_all() == []
