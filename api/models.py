"""
Personal access tokens: how another program acts for a member through the JSON API.

A token is shown once, when it is made; only its SHA-256 digest is stored, so a copy of
the database cannot be used to act as anyone. Tokens are long random strings, so an
unsalted fast hash is enough (nothing to guess), and the digest can be looked up by
index. Revoking deletes the row: the next request with that token is refused.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models

# Every token starts with this, so that secret scanners and members can recognise one.
TOKEN_PREFIX = "sadlist_"  # noqa: S105 -- a marker, not a secret
# The first characters after the prefix, kept in clear so a member can tell tokens apart.
VISIBLE_CHARACTERS = 6


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def issue(self, user, name, can_write):
        """Make a token for `user`; returns (the row, the token itself, shown only now)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = self.create(
            user=user,
            name=name,
            can_write=can_write,
            digest=token_digest(token),
            hint=token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + VISIBLE_CHARACTERS],
        )
        return row, token

    def holder(self, token):
        """The active member the token belongs to, with the token's row, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = token_digest(token)
        row = (
            self.select_related("user")
            .filter(digest=digest, user__is_active=True)
            .only("pk", "digest", "can_write", "user")
            .first()
        )
        # The lookup is by an index on the digest; the comparison is in constant time
        # anyway, so nothing about a stored digest can be learnt from response times.
        if row is None or not hmac.compare_digest(row.digest, digest):
            return None
        return row


class AccessToken(models.Model):
    """A member's personal access token for the API: read-only or read-write."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=60, help_text="What the member uses it for.")
    can_write = models.BooleanField(
        default=False, help_text="May rate and comment; otherwise it can only read."
    )
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=VISIBLE_CHARACTERS)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        # Never the digest: a token's row may end up in a log line.
        return f"{self.name} ({TOKEN_PREFIX}{self.hint}…)"

    @property
    def shown_as(self):
        return f"{TOKEN_PREFIX}{self.hint}…"
