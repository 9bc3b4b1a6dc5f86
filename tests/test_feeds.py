"""
Atom feeds, as a feed reader sees them: each is well-formed Atom (RFC 4287's required
elements on the feed and every entry), shows what the page it mirrors shows, hides a
spoiler behind "Contains spoilers" and a link, and is linked from that page.
"""

import defusedxml.ElementTree as ET
import pytest
from django.test import Client

from catalogue.models import Title
from reviews.models import Comment, Rating

from .factories import make_catalogue, make_title

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(path):
    """The feed's entries as dicts, after checking what Atom requires of it."""
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='alternate']") is not None
    entries = []
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text, required
        entries.append(
            {
                "title": entry.find(f"{ATOM}title").text,
                "summary": entry.find(f"{ATOM}summary").text,
                "link": entry.find(f"{ATOM}link").get("href"),
            }
        )
    return entries


@pytest.fixture
def talk(grave, reader, other_reader):
    open_comment = Comment.objects.post(reader, grave, "The ending <b>wrecked</b> me.")
    spoiler = Comment.objects.post(other_reader, grave, "Setsuko dies.", is_spoiler=True)
    hidden = Comment.objects.post(other_reader, grave, "Rude words.")
    hidden.hide()
    return open_comment, spoiler


def test_the_site_comments_feed_hides_spoilers_and_hidden_comments(talk):
    open_comment, spoiler = talk
    entries = read_feed("/feed/comments/")
    assert [entry["title"] for entry in entries] == [
        "other on Grave of the Fireflies",
        "reader on Grave of the Fireflies",
    ]
    assert entries[0]["summary"] == "Contains spoilers: read it on Sadlist."
    assert (
        entries[0]["link"]
        == f"http://testserver/titles/grave-of-the-fireflies/#comment-{spoiler.pk}"
    )
    assert entries[1]["summary"] == "The ending <b>wrecked</b> me."
    body = Client().get("/feed/comments/").content.decode()
    assert "Setsuko" not in body and "Rude words" not in body
    assert "&lt;b&gt;wrecked" in body


def test_a_titles_feed_has_only_its_comments(talk):
    other = make_title("Clannad", slug="clannad")
    Comment.objects.post(talk[0].user, other, "Different title.")
    entries = read_feed("/titles/grave-of-the-fireflies/feed/")
    assert len(entries) == 2
    assert all("Grave of the Fireflies" in entry["title"] for entry in entries)


def test_a_members_feed_has_their_ratings_and_comments(grave, reader):
    Rating.objects.rate(reader, grave, 5)
    Comment.objects.post(reader, grave, "Never again.", is_spoiler=True)
    entries = read_feed("/members/reader/feed/")
    assert {entry["title"] for entry in entries} == {
        "Rated Grave of the Fireflies: 5 — Cried a river",
        "Commented on Grave of the Fireflies",
    }
    assert "Never again." not in Client().get("/members/reader/feed/").content.decode()


def test_the_new_titles_feed_leaves_out_unpublished_titles(listed_titles):
    make_title("Hidden Draft", slug="hidden-draft", is_published=False)
    entries = read_feed("/feed/titles/")
    assert {entry["title"] for entry in entries} == {
        "Grave of the Fireflies (1988)",
        "Your Lie in April (2014)",
    }


def test_feeds_of_unknown_or_unpublished_things_are_404(grave):
    Title.objects.filter(pk=grave.pk).update(is_published=False)
    assert Client().get("/titles/grave-of-the-fireflies/feed/").status_code == 404
    assert Client().get("/members/nobody/feed/").status_code == 404


def test_pages_link_the_feeds_they_mirror(grave, reader):
    def alternates(path):
        html = Client().get(path).content.decode()
        return [
            line.split('href="')[1].split('"')[0]
            for line in html.splitlines()
            if 'rel="alternate" type="application/atom+xml"' in line
        ]

    assert alternates("/") == ["/feed/comments/", "/feed/titles/"]
    assert alternates("/titles/") == ["/feed/titles/"]
    assert alternates("/titles/grave-of-the-fireflies/") == ["/titles/grave-of-the-fireflies/feed/"]
    assert alternates("/members/reader/") == ["/members/reader/feed/"]


@pytest.mark.parametrize("size", [3, 30])
def test_feeds_cost_the_same_queries_whatever_the_size(django_assert_num_queries, size):
    make_catalogue(size)
    with django_assert_num_queries(1):
        Client().get("/feed/comments/")
    with django_assert_num_queries(1):
        Client().get("/feed/titles/")
