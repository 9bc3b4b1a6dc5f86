"""
Signing in: who is asking (the member's address, read only from proxies we trust),
which account they mean (the same whatever the case or lookalike letters), and the
limits on wrong passwords, built so that nobody can use them to keep a member out.

Two limits, both counted in the database (django-axes' AccessAttempt rows), so they
hold across every app process, and both lifted SIGNIN_COOLOFF_MINUTES after the
failure that reached them:

- SIGNIN_FAILURE_LIMIT wrong passwords for one account from one address pause that
  account *from that address*. The member elsewhere, or a neighbour behind the same
  campus or carrier address, signs in as usual: someone else's failures never refuse
  the right password from another address, nor another account from the same one.
- SIGNIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address, whatever the accounts,
  pause every sign-in from that address: the ceiling against trying one common
  password on many accounts. It is far higher, so people sharing an address do not
  reach it by mistyping.

Attempts made during a pause are refused without being counted, so they cannot
stretch it: one try per cool-off does not keep anyone out for longer.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from accounts.usernames import fold

# What axes stores of the username: at most its column, and never a NUL (PostgreSQL
# refuses NUL in text). Real usernames are at most 150 characters.
USERNAME_COLUMN_LENGTH = 255


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address):
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_address(request):
    """
    The member's address. REMOTE_ADDR is whoever connected; only when that is one of
    TRUSTED_PROXIES is X-Forwarded-For read, from the right: each trusted proxy appends
    the address it saw, so the right-most entry that is not itself a trusted proxy is
    the first one that no client could have written. Anything a client put further
    left (a forged entry) is never taken.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    if not _trusted(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:
            # A garbled entry: everything left of it is unreliable, so the last
            # trustworthy hop is the one that passed it on.
            break
        if not _trusted(address):
            return str(address)
        peer = address
    return str(peer)


def throttle_username(request, credentials=None):
    """
    The name failures are counted under: folded (accounts.usernames), so `Reader`,
    `READER` and `rеader` with a Cyrillic е are one account to the limits as at sign-in,
    and cut to fit the attempts table.
    """
    if credentials is not None:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        return None
    return fold(str(username).replace("\x00", ""))[:USERNAME_COLUMN_LENGTH]


class SignInThrottle(AxesDatabaseHandler):
    """
    django-axes' database handler with the two limits above. Failures are recorded
    per (account, address) pair (AXES_LOCKOUT_PARAMETERS); the address ceiling sums
    the same rows over every account.
    """

    def _recent(self, request):
        return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

    def address_failures(self, request):
        if not request.axes_ip_address:
            return 0
        failures = self._recent(request).filter(ip_address=request.axes_ip_address)
        return failures.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_locked(self, request, credentials=None):
        if self.get_failures(request, credentials) >= settings.AXES_FAILURE_LIMIT:
            request.signin_pause = "account"
            return True
        if self.address_failures(request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            request.signin_pause = "address"
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # The failure that reaches the address ceiling already answers with the pause.
        if request is not None and not request.axes_locked_out and self.is_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def lockout_response(request, original_response=None, credentials=None):
    """The pause page: which limit was reached, and how long to wait."""
    pause = getattr(request, "signin_pause", "account")
    return render(
        request,
        "registration/locked_out.html",
        {
            "pause": pause,
            "failure_limit": (
                settings.AXES_FAILURE_LIMIT
                if pause == "account"
                else settings.SIGNIN_ADDRESS_FAILURE_LIMIT
            ),
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
