"""
The member of each request is read with written SQL (accounts.sessions,
accounts.backends): the same member, the same refusals, and sessions signed in before
keep working.
"""

from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.backends import MemberBackend

pytestmark = pytest.mark.django_db

SIGNED_IN_AS_READER = '<a href="/members/reader/">reader</a>'


def django_session(member, backend="django.contrib.auth.backends.ModelBackend"):
    """A session written by Django's own database store, as members had before."""
    store = DjangoSessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.save()
    return store.session_key


def home_with(client, session_key):
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client.get("/").content.decode()


def test_a_member_signed_in_before_stays_signed_in(client, reader):
    assert SIGNED_IN_AS_READER in home_with(client, django_session(reader))


def test_signing_in_now_names_the_member_backend_and_reads_the_same_member(
    client, reader, password
):
    client.post("/account/signin/", {"username": "reader", "password": password})
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.MemberBackend"
    assert SIGNED_IN_AS_READER in client.get("/").content.decode()
    reader.refresh_from_db()
    lean, orm = MemberBackend().get_user(reader.pk), ModelBackend().get_user(reader.pk)
    for field in User._meta.concrete_fields:
        assert getattr(lean, field.attname) == getattr(orm, field.attname), field.name
    assert lean._state.adding is False
    assert lean.last_login is not None


def test_a_wrong_password_is_checked_once_and_counted_once(client, reader):
    with mock.patch.object(User, "check_password", autospec=True, return_value=False) as check:
        response = client.post("/account/signin/", {"username": "reader", "password": "wrong"})
    assert check.call_count == 1
    assert SESSION_KEY not in client.session
    assert "Please enter a correct username and password" in response.content.decode()
    assert [attempt.failures_since_start for attempt in AccessAttempt.objects.all()] == [1]


def test_an_expired_session_signs_nobody_in(client, reader):
    key = django_session(reader)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    html = home_with(client, key)
    assert SIGNED_IN_AS_READER not in html
    assert ">Sign in</a>" in html


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        # A new password ends every session signed in with the old one.
        {"password": "another-hash"},
    ],
)
def test_a_deactivated_member_or_a_changed_password_ends_the_session(client, reader, change):
    key = django_session(reader, backend="accounts.backends.MemberBackend")
    User.objects.filter(pk=reader.pk).update(**change)
    assert SIGNED_IN_AS_READER not in home_with(client, key)


def test_a_member_who_is_gone_is_nobody(client, reader):
    key = django_session(reader, backend="accounts.backends.MemberBackend")
    assert MemberBackend().get_user(reader.pk + 1000) is None
    reader.delete()
    assert ">Sign in</a>" in home_with(client, key)
