"""Signing up, in and out, changing and resetting a password, without leaking who is a member."""

import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from accounts.models import Session

pytestmark = pytest.mark.django_db

User = get_user_model()


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_signing_up_creates_the_member_and_signs_them_in(client):
    response = client.post(
        "/account/signup/",
        {
            "username": "hotaru",
            "email": "",
            "password1": "fireflies-in-1945",
            "password2": "fireflies-in-1945",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Welcome to Sadlist, hotaru." in html
    assert '<a href="/members/hotaru/">hotaru</a>' in html
    member = User.objects.get(username="hotaru")
    assert member.email == ""
    assert member.check_password("fireflies-in-1945")
    assert signed_in_as(client) == str(member.pk)


def test_signing_up_from_a_title_returns_there(client, grave):
    response = client.post(
        "/account/signup/?next=/titles/grave-of-the-fireflies/",
        {
            "username": "hotaru",
            "email": "h@example.com",
            "password1": "fireflies-in-1945",
            "password2": "fireflies-in-1945",
            "next": "/titles/grave-of-the-fireflies/",
        },
    )
    assert response.url == "/titles/grave-of-the-fireflies/"


@pytest.mark.parametrize(
    "password, message",
    [
        ("password123", "This password is too common."),
        ("12345678901", "This password is entirely numeric."),
        ("short", "This password is too short. It must contain at least 8 characters."),
        ("hotaru1945", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, unchanged, password, message):
    with unchanged():
        response = client.post(
            "/account/signup/",
            {
                "username": "hotaru",
                "password1": password,
                "password2": password,
            },
        )
    assert message in response.content.decode()


def test_a_taken_username_and_mismatched_passwords_are_explained(client, reader, unchanged):
    with unchanged():
        html = client.post(
            "/account/signup/",
            {
                "username": "READER",
                "password1": "fireflies-in-1945",
                "password2": "other-one-9",
            },
        ).content.decode()
    assert "That username, or one that looks the same, is taken. Choose another." in html
    assert "The two password fields didn’t match." in html


def test_signing_in_returns_to_where_the_member_was(client, reader, password, grave):
    response = client.post(
        "/account/signin/",
        {
            "username": "reader",
            "password": password,
            "next": "/titles/grave-of-the-fireflies/",
        },
    )
    assert response.url == "/titles/grave-of-the-fireflies/"
    assert signed_in_as(client) == str(reader.pk)


@pytest.mark.parametrize(
    "evil",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "http://evil.example/titles/",
        "javascript:alert(1)",
        "\\\\evil.example",
    ],
)
def test_a_next_address_off_the_site_is_ignored(client, reader, password, evil):
    form = client.get("/account/signin/", {"next": evil}).content.decode()
    assert "evil.example" not in form and "javascript" not in form
    response = client.post(
        "/account/signin/",
        {
            "username": "reader",
            "password": password,
            "next": evil,
        },
    )
    assert response.url == "/"
    assert signed_in_as(client) == str(reader.pk)


def test_signing_up_ignores_a_next_address_off_the_site(client):
    response = client.post(
        "/account/signup/",
        {
            "username": "hotaru",
            "password1": "fireflies-in-1945",
            "password2": "fireflies-in-1945",
            "next": "//evil.example",
        },
    )
    assert response.url == "/"


def test_signing_in_starts_a_new_session(client, reader, password):
    session = client.session
    session["seen"] = True
    session.save()
    before = session.session_key
    client.post("/account/signin/", {"username": "reader", "password": password})
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert signed_in_as(client) == str(reader.pk)


def without_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(client, reader):
    wrong = client.post("/account/signin/", {"username": "reader", "password": "nope-nope"})
    unknown = client.post("/account/signin/", {"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    message = "Please enter a correct username and password."
    assert message in wrong.content.decode()
    assert without_tokens(wrong.content.decode()).replace(
        'value="reader"', 'value="nobody"'
    ) == without_tokens(unknown.content.decode())
    assert signed_in_as(client) is None


def test_signing_out_needs_a_post(reader_client, reader):
    assert reader_client.get("/account/signout/").status_code == 405
    assert signed_in_as(reader_client) == str(reader.pk)
    html = reader_client.post("/account/signout/", follow=True).content.decode()
    assert signed_in_as(reader_client) is None
    assert 'href="/account/signin/">Sign in</a>' in html


def test_the_header_shows_the_member_and_a_sign_out_button(reader_client, grave):
    html = reader_client.get("/titles/grave-of-the-fireflies/").content.decode()
    assert '<a href="/members/reader/">reader</a>' in html
    assert '<form method="post" action="/account/signout/"' in html
    assert '<button type="submit">Sign out</button>' in html


def test_the_header_sign_in_link_comes_back_to_the_page(client, grave):
    html = client.get("/titles/grave-of-the-fireflies/").content.decode()
    assert 'href="/account/signin/?next=/titles/grave-of-the-fireflies/">Sign in</a>' in html


def test_the_header_sign_in_link_keeps_a_short_query_string(client, grave):
    html = client.get("/titles/?kind=movie&theme=war").content.decode()
    assert 'href="/account/signin/?next=/titles/%3Fkind%3Dmovie%26theme%3Dwar">Sign in</a>' in html


def test_the_header_sign_in_link_drops_a_very_long_query_string(client, grave):
    response = client.get("/titles/", {"q": "tears " * 2000})
    html = response.content.decode()
    assert "Your search was shortened to its first 100 characters." in html
    assert 'href="/account/signin/?next=/titles/">Sign in</a>' in html
    assert "tears%20" not in html
    assert len(html) < 40_000


def test_the_header_sign_in_link_has_no_next_from_a_very_long_path(client, db):
    response = client.get("/titles/" + "x" * 1000 + "/")
    assert response.status_code == 404
    assert 'href="/account/signin/">Sign in</a>' in response.content.decode()


def test_changing_a_password_keeps_the_member_signed_in(reader_client, reader, password):
    html = reader_client.post(
        "/account/password/",
        {
            "old_password": "not-it",
            "new_password1": "a-new-Passphrase-77",
            "new_password2": "a-new-Passphrase-77",
        },
    ).content.decode()
    assert "Your old password was entered incorrectly." in html
    reader.refresh_from_db()
    assert reader.check_password(password)

    response = reader_client.post(
        "/account/password/",
        {
            "old_password": password,
            "new_password1": "a-new-Passphrase-77",
            "new_password2": "a-new-Passphrase-77",
        },
        follow=True,
    )
    assert "Your new password is in use." in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password("a-new-Passphrase-77")
    assert signed_in_as(reader_client) == str(reader.pk)


def test_password_change_is_for_members_only(client):
    assert client.get("/account/password/").url == "/account/signin/?next=/account/password/"


def test_a_reset_link_arrives_by_email_and_sets_a_new_password(client, reader, mail_sent):
    response = client.post("/account/password/reset/", {"email": "READER@example.com"}, follow=True)
    assert "If an account exists with that email address" in response.content.decode()
    mailoutbox = mail_sent()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["reader@example.com"]
    assert mailoutbox[0].subject == "Reset your Sadlist password"
    link = re.search(r"http://testserver(/account/password/reset/\S+/)", mailoutbox[0].body)[1]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "Grave-new-passphrase-1",
            "new_password2": "Grave-new-passphrase-1",
        },
        follow=True,
    )
    assert "Your password is reset" in done.content.decode()
    reader.refresh_from_db()
    assert reader.check_password("Grave-new-passphrase-1")
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client, reader, mail_sent):
    known = client.post("/account/password/reset/", {"email": "reader@example.com"})
    unknown = client.post("/account/password/reset/", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == "/account/password/reset/sent/"
    assert len(mail_sent()) == 1


def test_a_forged_reset_link_changes_nothing(client, reader, password, unchanged):
    with unchanged():
        html = client.get("/account/password/reset/MQ/forged-token/", follow=True)
        response = client.post(
            "/account/password/reset/MQ/forged-token/",
            {
                "new_password1": "Grave-new-passphrase-1",
                "new_password2": "Grave-new-passphrase-1",
            },
        )
    assert "This link no longer works" in html.content.decode()
    assert "This link no longer works" in response.content.decode()


def test_account_changes_need_a_csrf_token(csrf_client, reader, password, unchanged):
    with unchanged():
        assert (
            csrf_client.post(
                "/account/signup/",
                {
                    "username": "hotaru",
                    "password1": "fireflies-in-1945",
                    "password2": "fireflies-in-1945",
                },
            ).status_code
            == 403
        )
        assert (
            csrf_client.post(
                "/account/signin/",
                {
                    "username": "reader",
                    "password": password,
                },
            ).status_code
            == 403
        )
    assert signed_in_as(csrf_client) is None


@pytest.mark.parametrize(
    "url", ["/account/signin/", "/account/signup/", "/account/password/reset/"]
)
def test_the_account_forms_need_no_query_for_a_visitor(client, url, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert '<button type="submit">' in response.content.decode()


def email_settings(**env):
    from .test_settings import run_manage

    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, "
        "s.DEFAULT_FROM_EMAIL, sep='|')",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split("|")


def test_reset_emails_print_to_the_console_in_development(tmp_path):
    backend, *_ = email_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_reset_emails_go_through_smtp_from_the_environment_in_production(tmp_path):
    assert email_settings(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="sadlist",
        DEFAULT_FROM_EMAIL="Sadlist <hello@example.com>",
    ) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "2525",
        "sadlist",
        "True",
        "Sadlist <hello@example.com>",
    ]
