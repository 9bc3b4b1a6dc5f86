"""
The member of each request is read with its session, in one written statement
(accounts.sessions, accounts.middleware, accounts.backends): the same member, the same
refusals, and sessions signed in before keep working.
"""

from datetime import timedelta
from importlib import import_module
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import MemberBackend, preloaded_member
from accounts.middleware import AuthenticationMiddleware
from accounts.models import Session
from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db

SIGNED_IN_AS_READER = '<a href="/members/reader/">reader</a>'
SIGNED_IN_AS_OTHER = '<a href="/members/other/">other</a>'
SIGN_IN_LINK = ">Sign in</a>"
migration = import_module("accounts.migrations.0004_session")


def django_session(member, backend="django.contrib.auth.backends.ModelBackend"):
    """A session in the old table, written by Django's own database store."""
    store = DjangoSessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.save()
    return store.session_key


def old_session(member, backend="django.contrib.auth.backends.ModelBackend"):
    """
    A session as members had before sessions named their member: written by Django's
    own store, then copied by the migration (which leaves user_id empty); the old table
    is emptied again, so that the next copy copies only the next session.
    """
    key = django_session(member, backend)
    with connection.cursor() as cursor:
        cursor.execute(migration.COPY_SESSIONS)
    DjangoSession.objects.all().delete()
    return key


def signed_in_session(client, member, password):
    """A session signed in now, through the sign-in form."""
    client.post("/account/signin/", {"username": member.username, "password": password})
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def home_with(client, session_key):
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client.get("/").content.decode()


def test_a_member_signed_in_before_stays_signed_in(client, reader):
    key = old_session(reader)
    assert Session.objects.get(session_key=key).user_id is None
    assert SIGNED_IN_AS_READER in home_with(client, key)


def test_signing_in_now_names_the_member_backend_and_reads_the_same_member(
    client, reader, password
):
    client.post("/account/signin/", {"username": "reader", "password": password})
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.MemberBackend"
    assert SIGNED_IN_AS_READER in client.get("/").content.decode()
    reader.refresh_from_db()
    lean, orm = MemberBackend().get_user(reader.pk), ModelBackend().get_user(reader.pk)
    read_with_the_session = SessionStore(client.session.session_key).member
    for field in User._meta.concrete_fields:
        assert getattr(lean, field.attname) == getattr(orm, field.attname), field.name
        assert getattr(read_with_the_session, field.attname) == getattr(orm, field.attname)
    assert lean._state.adding is False and read_with_the_session._state.adding is False
    assert lean.last_login is not None


def test_signing_in_writes_the_member_on_the_session_row(client, reader, other_reader, password):
    key = signed_in_session(client, reader, password)
    assert Session.objects.get(session_key=key).user_id == reader.pk
    client.post("/account/signout/")
    key = signed_in_session(client, other_reader, password)
    assert Session.objects.get(session_key=key).user_id == other_reader.pk


def test_a_session_without_a_member_names_none(client):
    store = SessionStore()
    store["seen"] = True
    store.save()
    assert Session.objects.get(session_key=store.session_key).user_id is None
    assert SessionStore(store.session_key).member is None


def test_a_signed_in_page_reads_the_session_and_the_member_in_one_query(client, reader, password):
    signed_in_session(client, reader, password)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/account/password/changed/").content.decode()
    assert SIGNED_IN_AS_READER in html
    [query] = [query["sql"] for query in queries.captured_queries]
    assert "FROM accounts_session s LEFT JOIN auth_user u ON u.id = s.user_id" in query


def test_a_session_saved_before_reads_its_member_on_its_own_until_it_is_saved_again(
    client, reader, django_assert_num_queries
):
    key = old_session(reader, backend="accounts.backends.MemberBackend")
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    with django_assert_num_queries(2):  # the session, then its member
        html = client.get("/account/password/changed/").content.decode()
    assert SIGNED_IN_AS_READER in html
    store = SessionStore(key)
    store["seen"] = True
    store.save()
    assert Session.objects.get(session_key=key).user_id == reader.pk
    with django_assert_num_queries(1):
        html = client.get("/account/password/changed/").content.decode()
    assert SIGNED_IN_AS_READER in html


def test_a_wrong_password_is_checked_once_and_counted_once(client, reader):
    with mock.patch.object(User, "check_password", autospec=True, return_value=False) as check:
        response = client.post("/account/signin/", {"username": "reader", "password": "wrong"})
    assert check.call_count == 1
    assert SESSION_KEY not in client.session
    assert "Please enter a correct username and password" in response.content.decode()
    assert [attempt.failures_since_start for attempt in AccessAttempt.objects.all()] == [1]


@pytest.mark.parametrize("signed_in", ["now", "before"])
def test_an_expired_session_signs_nobody_in(client, reader, password, signed_in):
    key = signed_in_session(client, reader, password) if signed_in == "now" else old_session(reader)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    html = home_with(client, key)
    assert SIGNED_IN_AS_READER not in html
    assert SIGN_IN_LINK in html


@pytest.mark.parametrize("signed_in", ["now", "before"])
@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        # A new password ends every session signed in with the old one.
        {"password": "another-hash"},
    ],
)
def test_a_deactivated_member_or_a_changed_password_ends_the_session(
    client, reader, password, change, signed_in
):
    if signed_in == "now":
        key = signed_in_session(client, reader, password)
    else:
        key = old_session(reader, backend="accounts.backends.MemberBackend")
    User.objects.filter(pk=reader.pk).update(**change)
    html = home_with(client, key)
    assert SIGNED_IN_AS_READER not in html
    assert SIGN_IN_LINK in html
    if "password" in change:
        # Django's check of the session's hash flushes the session: its row is gone.
        assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize("signed_in", ["now", "before"])
def test_a_member_who_is_gone_is_nobody(client, reader, password, signed_in):
    if signed_in == "now":
        key = signed_in_session(client, reader, password)
    else:
        key = old_session(reader, backend="accounts.backends.MemberBackend")
    assert MemberBackend().get_user(reader.pk + 1000) is None
    reader.delete()
    response = client.get("/", headers={"cookie": f"{settings.SESSION_COOKIE_NAME}={key}"})
    assert response.status_code == 200
    assert SIGN_IN_LINK in response.content.decode()


def test_a_session_row_naming_another_member_never_signs_in_as_them(
    client, reader, other_reader, password
):
    key = signed_in_session(client, reader, password)
    Session.objects.filter(session_key=key).update(user_id=other_reader.pk)
    html = home_with(client, key)
    assert SIGNED_IN_AS_READER in html
    assert SIGNED_IN_AS_OTHER not in html
    reader.delete()
    html = home_with(client, key)
    assert SIGNED_IN_AS_OTHER not in html
    assert SIGN_IN_LINK in html


def test_the_backend_takes_the_offered_member_only_when_it_is_the_one_asked_for(
    reader, other_reader, django_assert_num_queries
):
    offered = preloaded_member.set(other_reader)
    try:
        with django_assert_num_queries(0):
            assert MemberBackend().get_user(other_reader.pk) == other_reader
        with django_assert_num_queries(1):
            assert MemberBackend().get_user(reader.pk) == reader
    finally:
        preloaded_member.reset(offered)


def test_the_member_is_offered_only_while_django_decides_who_is_signed_in(client, reader, password):
    key = signed_in_session(client, reader, password)
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    AuthenticationMiddleware(lambda request: None).process_request(request)
    assert request.user.username == "reader"
    assert preloaded_member.get() is None


def test_signing_out_deletes_the_session_row(client, reader, password):
    key = signed_in_session(client, reader, password)
    client.post("/account/signout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert SIGN_IN_LINK in home_with(client, key)


def test_the_migration_copies_every_session_and_back(client, reader):
    """
    Forward, every row of django_session as it was; back, every session as it is now
    (those started, changed and ended since included).
    """
    member_key = django_session(reader, backend="accounts.backends.MemberBackend")
    visitor = DjangoSessionStore()
    visitor["seen"] = True
    visitor.save()
    before = set(DjangoSession.objects.values_list("session_key", "session_data", "expire_date"))
    assert len(before) == 2

    with connection.cursor() as cursor:
        cursor.execute(migration.COPY_SESSIONS)

    copied = Session.objects.values_list("session_key", "session_data", "expire_date", "user_id")
    assert set(copied) == {(*row, None) for row in before}
    assert SIGNED_IN_AS_READER in home_with(client, member_key)

    Session.objects.filter(session_key=visitor.session_key).delete()
    changed = SessionStore(member_key)
    changed["seen"] = True
    changed.save()
    started = SessionStore()
    started["seen"] = True
    started.save()
    with connection.cursor() as cursor:
        for statement in migration.COPY_SESSIONS_BACK:
            cursor.execute(statement)

    now = set(Session.objects.values_list("session_key", "session_data", "expire_date"))
    assert set(DjangoSession.objects.values_list("session_key", "session_data", "expire_date")) == (
        now
    )
    assert {key for key, *_ in now} == {member_key, started.session_key}


def test_session_data_decoded_again_comes_from_memory_as_a_copy_and_a_forged_text_is_refused(
    monkeypatch,
):
    from accounts import sessions

    monkeypatch.setattr(sessions, "_decoded", {})
    store = SessionStore()
    text = store.encode({SESSION_KEY: "7", "seen": [1]})
    first = store.decode(text)
    first["seen"].append(2)  # a request changing its session's data
    with mock.patch.object(DjangoSessionStore, "decode") as decoded_by_django:
        again = store.decode(text)
    assert again == {SESSION_KEY: "7", "seen": [1]}
    decoded_by_django.assert_not_called()
    # A text changed by hand is checked, whatever was decoded before: no session.
    forged = text[:-1] + ("A" if text[-1] != "A" else "B")
    assert store.decode(forged) == {}
    assert store.decode(store.encode({SESSION_KEY: "7", "seen": [1, 2]}))["seen"] == [1, 2]


def test_the_memory_of_decoded_sessions_is_bounded(monkeypatch):
    from accounts import sessions

    monkeypatch.setattr(sessions, "_decoded", {})
    monkeypatch.setattr(sessions, "DECODED_KEPT", 3)
    store = SessionStore()
    for number in range(10):
        assert store.decode(store.encode({SESSION_KEY: str(number)})) == {SESSION_KEY: str(number)}
        assert len(sessions._decoded) <= 3
