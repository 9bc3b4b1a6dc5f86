"""
Who is signed in, decided by Django with the member the session was read with.

Django's AuthenticationMiddleware, except that while Django's `get_user` runs for the
request, the member its session row was read with (accounts.sessions) is at hand for
MemberBackend.get_user (accounts.backends), which then sends no query of its own. Every
check stays Django's: the backend named in the session, the member's id, the session
hash (a changed password ends the session), `is_active`, the flush of a session that
fails them.
"""

from django.contrib import auth
from django.contrib.auth import middleware
from django.utils.functional import SimpleLazyObject

from accounts.backends import preloaded_member


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        # Django's checks and request.auser (which reads the member itself), then our user.
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


def get_user(request):
    """django.contrib.auth.middleware.get_user, with the session's member at hand."""
    if not hasattr(request, "_cached_user"):
        offered = preloaded_member.set(request.session.member)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            preloaded_member.reset(offered)
    return request._cached_user
