"""
Sign-in limits that stop password guessing without letting anyone keep a member out:
per (account, address) pair, a far higher ceiling per address, pauses that tries
cannot stretch, and addresses read only from the proxies we trust.
"""

import ipaddress

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from .test_settings import run_manage

pytestmark = pytest.mark.django_db

ACCOUNT_PAUSE = "signing in to this account from your network is paused after 5 failed attempts"


def sign_in(username, password, address="127.0.0.1", client=None, **headers):
    client = client or Client()
    response = client.post(
        "/account/signin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )
    response.signed_in_as = client.session.get(SESSION_KEY)
    return response


def minutes_pass(minutes):
    """Moves every recorded failure back in time, as if `minutes` went by."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timezone.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


@pytest.mark.parametrize("username", ["reader", "nobody"])
def test_failures_pause_the_account_from_that_address_with_a_clear_message(
    reader, password, username
):
    for _ in range(4):
        assert sign_in(username, "wrong", "10.0.0.1").status_code == 200
    locked = sign_in(username, "wrong", "10.0.0.1")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many sign-in attempts" in html
    assert ACCOUNT_PAUSE in html
    assert "Please wait 15 minutes, then try again." in html
    refused = sign_in(username, password, "10.0.0.1")
    assert refused.status_code == 429 and refused.signed_in_as is None


def test_the_right_password_from_another_address_is_never_refused(reader, password):
    for attacker in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        for _ in range(5):
            sign_in("reader", "wrong", attacker)
    member = sign_in("reader", password, "192.0.2.44")
    assert member.status_code == 302
    assert member.signed_in_as == str(reader.pk)


def test_tries_during_a_pause_do_not_extend_it(reader, password):
    for _ in range(5):
        sign_in("reader", "wrong", "203.0.113.7")
    # One try every few minutes, as an attacker keeping the pause alive would.
    for _ in range(3):
        minutes_pass(4)
        assert sign_in("reader", "wrong", "203.0.113.7").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5
    minutes_pass(4)  # 16 minutes since the fifth failure
    member = sign_in("reader", password, "203.0.113.7")
    assert member.status_code == 302
    assert member.signed_in_as == str(reader.pk)


def test_members_behind_one_address_do_not_lock_each_other_out(
    reader, other_reader, curator, password
):
    campus = "203.0.113.50"
    for _ in range(2):
        sign_in("reader", "wrong", campus)
    for _ in range(3):
        sign_in("other", "wrong", campus)
    third = sign_in("curator", password, campus)
    assert third.status_code == 302
    assert third.signed_in_as == str(curator.pk)
    assert sign_in("reader", password, campus).signed_in_as == str(reader.pk)


def test_one_address_trying_many_accounts_reaches_the_address_ceiling(
    settings, reader, other_reader, password
):
    assert settings.SIGNIN_ADDRESS_FAILURE_LIMIT == 50
    sprayer = "198.51.100.66"
    answers = [sign_in(f"member{n}", "Summer2026!", sprayer).status_code for n in range(50)]
    assert answers == [200] * 49 + [429]
    paused = sign_in("reader", password, sprayer)
    assert paused.status_code == 429 and paused.signed_in_as is None
    assert "signing in from your network is paused after 50 failed attempts on any accounts" in (
        paused.content.decode()
    )
    # Tries during the pause were not counted, and nobody elsewhere is affected.
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 50
    assert sign_in("other", password, "192.0.2.10").status_code == 302
    minutes_pass(16)
    assert sign_in("reader", password, sprayer).signed_in_as == str(reader.pk)


def recorded_addresses():
    return set(AccessAttempt.objects.values_list("ip_address", flat=True))


@pytest.fixture
def behind_a_balancer(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.2"),)


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(behind_a_balancer, reader):
    for n in range(5):
        response = sign_in("reader", "wrong", "198.51.100.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert response.status_code == 429
    assert recorded_addresses() == {"198.51.100.9"}


def test_a_forged_entry_through_the_balancer_counts_against_the_real_client(
    behind_a_balancer, reader, password
):
    # The client sent "X-Forwarded-For: 192.0.2.1"; the balancer appended what it saw.
    for n in range(5):
        sign_in(
            "reader",
            "wrong",
            "10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9",
        )
    assert recorded_addresses() == {"198.51.100.9"}
    assert (
        sign_in("reader", password, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9").status_code
        == 429
    )
    # Someone else behind the same balancer is not the attacker.
    member = sign_in("reader", password, "10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert member.signed_in_as == str(reader.pk)


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings, reader):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/24"),)
    sign_in("reader", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9, 10.0.0.7")
    sign_in("reader", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR="garbage, 10.0.0.7")
    assert recorded_addresses() == {"198.51.100.9", "10.0.0.7"}


def test_a_case_or_lookalike_variant_counts_as_the_same_account(reader, password):
    for username in ("reader", "READER", "rеader", "Reader", "rеаder"):  # Cyrillic е, а
        sign_in(username, "wrong", "203.0.113.7")
    assert sign_in("reader", password, "203.0.113.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"reader"}


def test_failures_are_recorded_without_the_password(reader):
    for _ in range(3):
        sign_in("reader", "wrong-guess")
    attempts = AccessAttempt.objects.get(username="reader")
    assert attempts.failures_since_start == 3
    assert "wrong-guess" not in attempts.post_data


def test_a_signed_in_member_is_not_bothered_by_the_limits(reader, password):
    browser = Client()
    for _ in range(3):
        assert sign_in("reader", password, client=browser).signed_in_as == str(reader.pk)
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"PROXIES_IN_FRONT": "1"},
            "Sadlist cannot start: PROXIES_IN_FRONT is replaced by TRUSTED_PROXIES",
        ),
        (
            {"TRUSTED_PROXIES": "10.0.0.2,balancer"},
            "Sadlist cannot start: TRUSTED_PROXIES must list IP addresses or networks "
            "(such as 10.0.0.0/8), not 'balancer'.",
        ),
    ],
)
def test_a_bad_proxy_setting_stops_start_up_with_one_line(tmp_path, env, message):
    result = run_manage("check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message)
