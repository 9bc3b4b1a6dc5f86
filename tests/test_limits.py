"""
Abuse limits that hold across app processes, because they are counted in the database:
comments per member per minute and per day, and sign-in throttling (django-axes).
"""

import threading

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connections
from django.test import Client
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


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(
        "/account/signin/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["reader", "nobody"])
def test_repeated_failures_lock_an_account_with_a_clear_message(client, reader, password, username):
    for _ in range(4):
        assert sign_in(client, username, "wrong", "10.0.0.1").status_code == 200
    locked = sign_in(client, username, "wrong", "10.0.0.2")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many sign-in attempts" in html
    assert "signing in is paused after 5 failed attempts" in html
    assert "Please wait 15 minutes, then try again." in html
    # Even the right password, from another address, waits for the cool-off.
    assert sign_in(Client(), username, password, "10.0.0.3").status_code == 429


@pytest.mark.django_db
def test_the_right_password_is_refused_while_locked_then_accepted_after_the_cool_off(
    client, reader, password
):
    for _ in range(5):
        sign_in(client, "reader", "wrong", "10.0.0.1")
    assert sign_in(client, "reader", password, "10.0.0.9").status_code == 429
    assert client.session.get(SESSION_KEY) is None
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    response = sign_in(client, "reader", password, "10.0.0.9")
    assert response.status_code == 302
    assert client.session.get(SESSION_KEY) == str(reader.pk)


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked_but_others_are_not(
    reader, other_reader, password
):
    attacker, member = Client(), Client()
    for n in range(5):
        sign_in(attacker, f"guess{n}", "wrong", "203.0.113.7")
    assert sign_in(attacker, "reader", password, "203.0.113.7").status_code == 429
    assert sign_in(member, "other", password, "198.51.100.4").status_code == 302


@pytest.mark.django_db
def test_lockouts_live_in_the_database_shared_by_every_process(client, reader):
    for _ in range(3):
        sign_in(client, "reader", "wrong")
    attempts = AccessAttempt.objects.get(username="reader")
    assert attempts.failures_since_start == 3
    assert "wrong" not in attempts.post_data


@pytest.mark.django_db
def test_a_signed_in_member_is_not_bothered_by_the_throttle(reader, password):
    browser = Client()
    for _ in range(3):
        sign_in(browser, "reader", password)
    assert browser.session.get(SESSION_KEY) == str(reader.pk)
    assert get_user_model().objects.count() == 1
