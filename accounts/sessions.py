"""
Django's database sessions, read with one plain statement.

Every signed-in request reads its session before anything else. Django's store builds
that primary-key read through the ORM each time, which costs about twice the round
trip itself; this store sends the same SELECT as written SQL. The session row
(accounts.models.Session) also names the member it is signed in as, written from its
data each time it is saved. Writing, expiring and deleting sessions are Django's own.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from accounts.models import Session


class SessionStore(db.SessionStore):
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

    def load(self):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT session_data FROM accounts_session "
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store does: a missing or expired session gets a new key when saved.
            self._session_key = None
            return {}
        return self.decode(row[0])


def member_id(data):
    """The id of the member session `data` is signed in as, or None."""
    try:
        return int(data.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None
