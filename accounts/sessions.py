"""
Django's database sessions, read with one plain statement.

Every signed-in request reads its session before anything else. Django's store builds
that primary-key read through the ORM each time, which costs about twice the round
trip itself; this store sends the same SELECT as written SQL. Writing, expiring and
deleting sessions are Django's own, on the same table.
"""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT session_data FROM django_session "
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store does: a missing or expired session gets a new key when saved.
            self._session_key = None
            return {}
        return self.decode(row[0])
