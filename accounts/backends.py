"""
How a signed-in member is read on every request.

MemberBackend is Django's ModelBackend with `get_user`, which runs on every signed-in
request. It takes the member that was read with the session, in the same statement
(accounts.sessions), when AuthenticationMiddleware (accounts.middleware) offers it and it
is the member asked for; otherwise (a session saved before sessions named their member,
one whose member is gone, a call from outside a request) it reads the member with one
written SELECT: building the same primary-key query through the ORM each time costs
about twice the round trip. Signing in is ModelBackend's own.

ModelBackend stays listed after it (settings.AUTHENTICATION_BACKENDS) only so that
sessions signed in before MemberBackend existed, which name ModelBackend, keep their
member. It never checks a password: when MemberBackend refuses one, it stops the search
(PermissionDenied), so a wrong password is hashed once, as before.
"""

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from sadlist.rows import select_one

# The member the current request's session row named, read with it; set only while
# Django decides who is signed in (accounts.middleware), None at any other time.
preloaded_member = ContextVar("preloaded_member", default=None)


class MemberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        user = preloaded_member.get()
        # The session row's member is taken only when it is the one the session's data
        # names: the column is written from that data, but the data decides.
        if user is None or str(user.pk) != str(user_id):
            model = get_user_model()
            user = select_one(model, [model._meta.pk.column], [user_id])
        return user if user is not None and self.user_can_authenticate(user) else None
