"""
Abuse limits that hold across app processes, because they are counted in the database:
comments per member per minute and per day (sign-in limits: test_signin_limits.py).
"""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from reviews.models import Comment, CommentLimitReached
from reviews.stats import recount_all

from .factories import make_title

POST_URL = "/titles/grave-of-the-fireflies/comments/"


def post(client, body):
    return client.post(POST_URL, {"body": body, "stance": "none"}, follow=True)


def age_comments(minutes):
    Comment.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=minutes))


@pytest.mark.django_db
def test_a_limit_of_one_comment_is_told_in_the_singular(reader_client, grave, settings, unchanged):
    settings.COMMENTS_PER_MINUTE = 1
    post(reader_client, "The only one")
    with unchanged():
        html = post(reader_client, "A second").content.decode()
    assert "You have posted 1 comment in the last minute, the most we allow." in html


@pytest.mark.django_db
def test_a_sixth_comment_within_a_minute_waits(reader_client, grave, unchanged):
    for n in range(5):
        post(reader_client, f"Thought {n}")
    with unchanged():
        html = post(reader_client, "One too many").content.decode()
    assert "You have posted 5 comments in the last minute, the most we allow." in html
    assert "One too many</textarea>" in html
    age_comments(2)
    post(reader_client, "One too many")
    assert Comment.objects.count() == 6


@pytest.mark.django_db
def test_the_daily_limit_counts_the_last_24_hours(
    reader_client, reader, grave, settings, unchanged
):
    settings.COMMENTS_PER_DAY = 8
    for n in range(8):
        Comment.objects.post(reader, grave, f"Earlier {n}")
    age_comments(60 * 23)
    with unchanged():
        html = post(reader_client, "Ninth today").content.decode()
    assert "You have posted 8 comments in the last 24 hours" in html
    age_comments(60 * 24 + 1)
    post(reader_client, "Ninth today")
    assert Comment.objects.filter(body="Ninth today").exists()


@pytest.mark.django_db
def test_limits_are_per_member(reader_client, other_client, grave):
    for n in range(5):
        post(reader_client, f"Thought {n}")
    post(other_client, "My first")
    assert Comment.objects.filter(user__username="other").count() == 1


@pytest.mark.django_db
def test_a_double_submit_of_the_same_comment_posts_it_once(reader_client, grave):
    post(reader_client, "Sent twice")
    html = post(reader_client, "Sent twice").content.decode()
    assert Comment.objects.count() == 1
    assert html.count("Sent twice") == 1
    assert recount_all() == []


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_from_one_member_cannot_pass_the_limit(reader):
    title = make_title()
    barrier, errors = threading.Barrier(8), []

    def attempt(n):
        try:
            barrier.wait(timeout=30)
            Comment.objects.post_from_member(reader, title, f"Burst {n}")
        except CommentLimitReached:
            pass
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Comment.objects.count() == 5
    assert recount_all() == []
