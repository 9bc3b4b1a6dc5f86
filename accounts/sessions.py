"""
Django's database sessions, each read together with its member in one plain statement.

Every signed-in request reads its session, then the member it is signed in as, before
anything else. The session row (accounts.models.Session) names that member beside its
data, so one written SELECT joins the two and a signed-in request pays one round trip
for both instead of two (building the same reads through the ORM each time would cost
about twice the round trip itself). The member read here is offered to Django's own
check of who is signed in (accounts.middleware, accounts.backends), which still decides.
Writing, expiring and deleting sessions are Django's own.
"""

import copy

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from accounts.models import Session
from sadlist.rows import instance_from_row, select_list

# Session data decoded lately, by the text stored. A text always decodes to the same
# data (its signature and the secret key decide, and the key changes only with a
# restart), so a member's next requests skip checking the signature and unpacking the
# text again. At most this many are kept: past that the memo starts again.
DECODED_KEPT = 1000
_decoded = {}


class SessionStore(db.SessionStore):
    _member = None

    def decode(self, session_data):
        data = _decoded.get(session_data)
        if data is None:
            data = super().decode(session_data)
            if not data:
                # Empty, or refused (Django logs a refused one): not kept.
                return data
            if len(_decoded) >= DECODED_KEPT:
                _decoded.clear()
            _decoded[session_data] = data
        # The request may change its session's data: it gets a copy of its own.
        return copy.deepcopy(data)

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = member_id(data)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.user_id = member_id(data)
        return session

    @property
    def member(self):
        """
        The member the session row names, read with it (the session is read first if it
        has not been yet); None when it names nobody or that member no longer exists.
        """
        self._get_session()
        return self._member

    def load(self):
        member_model = get_user_model()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                # The member's columns come from its model; every value is a parameter.
                f"SELECT s.session_data, {select_list(member_model, 'u')} "  # noqa: S608
                "FROM accounts_session s LEFT JOIN auth_user u ON u.id = s.user_id "
                "WHERE s.session_key = %s AND s.expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._member = None
            # As Django's store does: a missing or expired session gets a new key when saved.
            self._session_key = None
            return {}
        session_data, *member_row = row
        # A join that found no member gives NULL in each of its columns.
        found = any(value is not None for value in member_row)
        self._member = instance_from_row(member_model, member_row) if found else None
        return self.decode(session_data)


def member_id(data):
    """The id of the member session `data` is signed in as, or None."""
    try:
        return int(data.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None
