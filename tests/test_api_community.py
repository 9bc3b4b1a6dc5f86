"""
A title's conversation through the API, as its page shows it: only the comments that
start a thread are listed, each with how many visible replies it has and how many
members it hit too; a thread's replies are read at their own address, oldest first,
a page at a time; a hidden comment's thread is not there.
"""

import pytest
from django.test import Client

from reviews.models import Comment, CommentMark, reply

from .factories import comment

pytestmark = pytest.mark.django_db

COMMENTS = "/api/v1/titles/grave-of-the-fireflies/comments/"


def replies_of(start, query=""):
    return Client().get(f"/api/v1/comments/{start.pk}/replies/{query}")


@pytest.fixture
def thread(grave, reader, other_reader):
    """reader's comment, two replies by other_reader (one hidden), one mark."""
    start = comment(grave, "Setsuko's tin of drops.", user=reader)
    reply(other_reader, start, "The fruit drops. I can't.")
    reply(other_reader, start, "Rude words.").hide()
    CommentMark.objects.mark(other_reader, start)
    return start


def test_only_thread_starters_are_listed_with_their_counts(thread, grave):
    body = Client().get(COMMENTS).json()
    assert body["count"] == 1
    (listed,) = body["results"]
    assert listed["id"] == thread.pk and listed["in_reply_to"] is None
    assert (listed["reply_count"], listed["mark_count"]) == (1, 1)


def test_a_threads_visible_replies_oldest_first(thread, grave, reader):
    reply(reader, thread, "It still hurts.")
    body = replies_of(thread).json()
    assert body["count"] == 2
    assert [each["body"] for each in body["results"]] == [
        "The fruit drops. I can't.",
        "It still hurts.",
    ]
    first = body["results"][0]
    assert (first["author"], first["in_reply_to"]) == ("other", thread.pk)
    assert (first["reply_count"], first["mark_count"], first["title"]) == (
        0,
        0,
        "grave-of-the-fireflies",
    )
    assert "Rude words." not in replies_of(thread).content.decode()


def test_replies_come_a_page_at_a_time(thread, grave, other_reader, settings):
    settings.COMMENTS_PER_MINUTE = settings.COMMENTS_PER_DAY = 100
    for number in range(20):
        reply(other_reader, thread, f"Reply {number}")
    first = replies_of(thread).json()
    assert (first["count"], first["pages"], len(first["results"])) == (21, 2, 20)
    second = Client().get(first["next"]).json()
    assert [each["body"] for each in second["results"]] == ["Reply 19"]
    response = replies_of(thread, "?page=3")
    assert response.status_code == 404 and response.json()["detail"] == "There are only 2 pages."


def test_a_hidden_comments_thread_or_a_reply_is_not_a_thread(thread, grave):
    a_reply = Comment.objects.get(body="The fruit drops. I can't.")
    for missing in (a_reply.pk, 999_999):
        response = Client().get(f"/api/v1/comments/{missing}/replies/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    thread.hide()
    assert replies_of(thread).status_code == 404
    assert Client().get(COMMENTS).json()["results"] == []


def test_comments_most_marked_first(thread, grave, reader, other_reader):
    later = comment(grave, "Later, unmarked.", user=other_reader)
    newest = [each["id"] for each in Client().get(COMMENTS).json()["results"]]
    assert newest == [later.pk, thread.pk]
    marked = [each["id"] for each in Client().get(COMMENTS + "?order=marks").json()["results"]]
    assert marked == [thread.pk, later.pk]


def test_a_thread_costs_the_same_queries_whatever_its_size(
    thread, grave, other_reader, settings, django_assert_num_queries
):
    settings.COMMENTS_PER_MINUTE = settings.COMMENTS_PER_DAY = 100
    # The thread's first comment with its title, one page of replies (the stored count).
    with django_assert_num_queries(2):
        assert replies_of(thread).json()["count"] == 1
    for number in range(30):
        reply(other_reader, thread, f"Reply {number}")
    with django_assert_num_queries(2):
        assert replies_of(thread).json()["count"] == 31
