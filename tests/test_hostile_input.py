"""
Requests no browser would send, from anyone: NUL bytes, over-long values, `next`
values that are not addresses, control characters in the path. Each gets an answer
(never a server error), changes nothing it should not, and leaves the log readable.
Run on both databases: PostgreSQL refuses NUL in text and overlong varchars where
SQLite does not.
"""

import logging
import threading

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client

from sadlist.middleware import OneLineFormatter

pytestmark = pytest.mark.django_db

User = get_user_model()
SIGNUP = {"username": "hotaru", "password1": "fireflies-in-1945", "password2": "fireflies-in-1945"}


@pytest.mark.parametrize("next_value", ["home", "titles/", "javascript:alert(1)", "\x00", " /x"])
def test_signing_up_with_a_next_that_is_not_a_path_goes_home(client, next_value):
    form = client.get("/account/signup/", {"next": next_value}).content.decode()
    assert 'name="next"' not in form
    response = client.post("/account/signup/", SIGNUP | {"next": next_value})
    assert response.status_code == 302 and response.url == "/"
    member = User.objects.get(username="hotaru")
    assert client.session[SESSION_KEY] == str(member.pk)


def test_a_profile_address_with_a_nul_is_not_found(client, reader):
    response = client.get("/members/%00/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/members/reader%00/").status_code == 404


@pytest.mark.parametrize("url", ["/account/signin/", "/admin/login/"])
@pytest.mark.parametrize(
    "username",
    ["r" * 256, "r" * 151, "reader\x00", "x" * 10_000],
    ids=["256", "151", "nul", "10000"],
)
def test_an_impossible_username_at_sign_in_is_a_wrong_sign_in(client, reader, url, username):
    response = client.post(url, {"username": username, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert any(
        message in html
        for message in (
            "Please enter a correct username and password",
            "Ensure this value has at most 150 characters",
            "Null characters are not allowed.",
            "Please enter the correct username and password for a staff account.",
        )
    )
    assert client.session.get(SESSION_KEY) is None


@pytest.mark.parametrize("url", ["/account/signin/", "/admin/login/"])
def test_an_overlong_username_is_counted_by_the_limits(client, settings, url):
    settings.AXES_FAILURE_LIMIT = 2
    # The form refuses more than 150 characters before any password is checked, so
    # failures are counted under names that fit.
    for _ in range(3):
        client.post(url, {"username": "é" * 150, "password": "wrong"})
    assert AccessAttempt.objects.get().username == "é" * 150


def test_control_characters_in_a_path_are_escaped_in_the_log(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="sadlist.request"):
        client.get("/titles/%1b[31mred%07%00/")
    (record,) = [r for r in caplog.records if r.name == "sadlist.request"]
    assert "\x1b" not in record.getMessage() and "\x07" not in record.getMessage()
    assert "GET /titles/\\x1b[31mred\\x07\\x00/ 404" in record.getMessage()
    line = OneLineFormatter().format(logging.makeLogRecord({"msg": "bell\x07 esc\x1b[2J"}))
    assert line.endswith("bell\\x07 esc\\x1b[2J")


class HeldBackend(EmailBackend):
    """Delivers only once the test lets it, to see what the request waits for."""

    release = threading.Event()

    def send_messages(self, messages):
        assert self.release.wait(10), "the mail was never released"
        return super().send_messages(messages)


def test_a_reset_answers_known_and_unknown_addresses_with_the_same_work(
    client, reader, settings, django_assert_num_queries, mail_sent
):
    settings.EMAIL_BACKEND = f"{__name__}.HeldBackend"
    HeldBackend.release.clear()
    answers = []
    for email in ("reader@example.com", "ghost@example.com"):
        # The same queries: the session, the lookup of accounts. Nothing is sent yet.
        with django_assert_num_queries(1):
            answers.append(client.post("/account/password/reset/", {"email": email}))
        assert mail.outbox == []
    assert answers[0].url == answers[1].url == "/account/password/reset/sent/"
    assert answers[0].content == answers[1].content
    HeldBackend.release.set()
    (sent,) = mail_sent()
    assert sent.to == ["reader@example.com"]
    assert "/account/password/reset/" in sent.body


NUL, LONG, OFF_SITE = "a\x00b", "x" * 20_000, "home"


def hostile_values():
    return [NUL, LONG, OFF_SITE, "\x1b[2J", "//evil.example"]


@pytest.fixture
def members_client(reader):
    browser = Client()
    browser.force_login(reader)
    return browser


ANONYMOUS_FORMS = [
    ("/account/signin/", ["username", "password", "next"]),
    ("/account/signup/", ["username", "email", "password1", "password2", "next"]),
    ("/account/password/reset/", ["email"]),
    ("/admin/login/", ["username", "password", "next"]),
]
MEMBER_FORMS = [
    ("/account/email/", ["email", "password"]),
    ("/account/password/", ["old_password", "new_password1", "new_password2"]),
    ("/account/delete/", ["password"]),
    ("/titles/grave-of-the-fireflies/rate/", ["tears", "next"]),
    (
        "/titles/grave-of-the-fireflies/rate/",
        ["tears", "tell_more", "causes", "moment", "quality", "ending"],
    ),
    ("/titles/grave-of-the-fireflies/comments/", ["body", "stance", "is_spoiler", "next"]),
]
QUERY_PAGES = [
    ("/", ["q"]),
    ("/titles/", ["q", "kind", "theme", "year_min", "year_max", "tears_min", "tears_max",
                  "min_ratings", "source", "avoid", "seek", "ending", "quality_min", "sort",
                  "page", "on_my_list", "not_rated_by_me", "show_avoided"]),
    ("/tears-against-quality/", ["theme", "sort"]),
    ("/titles/grave-of-the-fireflies/", ["comments"]),
    ("/themes/", ["page"]),
    ("/lists/", ["source"]),
    ("/members/reader/", ["ratings", "comments"]),
    ("/account/signin/", ["next"]),
    ("/account/signup/", ["next"]),
]  # fmt: skip


def test_hostile_values_in_every_form_get_an_answer_and_change_nothing(
    client, members_client, grave, reader, unchanged
):
    with unchanged():
        for browser, forms in ((client, ANONYMOUS_FORMS), (members_client, MEMBER_FORMS)):
            for url, fields in forms:
                for field in fields:
                    for value in hostile_values():
                        data = {name: "x" for name in fields} | {field: value}
                        response = browser.post(url, data)
                        assert response.status_code < 500, (url, field, value[:20])
                        if response.status_code == 302:
                            assert response.url.startswith("/"), (url, field, response.url)
    assert not User.objects.exclude(pk=reader.pk).exists()


def test_hostile_values_in_every_address_parameter_get_an_answer(
    client, members_client, grave, reader
):
    for browser in (client, members_client):
        for url, parameters in QUERY_PAGES:
            for parameter in parameters:
                for value in hostile_values():
                    response = browser.get(url, {parameter: value})
                    assert response.status_code < 500, (url, parameter, value[:20])
                    assert 'href="//evil.example' not in response.content.decode()
        for path in (
            "/members/a%00b/",
            "/titles/a%00b/",
            "/themes/a%00b/",
            "/members/" + LONG + "/",
        ):
            assert browser.get(path).status_code == 404
