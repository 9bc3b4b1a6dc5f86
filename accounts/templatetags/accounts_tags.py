"""The header's account links."""

from urllib.parse import quote

from django import template
from django.urls import reverse

register = template.Library()

# A page address longer than this is not carried to the sign-in page in full: the
# header repeats it on every page, so a 10,000-character search URL would otherwise
# weigh down every page it appears on. Browse URLs with all their filters stay under it.
NEXT_MAX_LENGTH = 300


@register.simple_tag(takes_context=True)
def sign_in_url(context):
    """
    The sign-in address that brings the visitor back to this page: with its query
    string when the whole address is short, without it when only the path is, and
    with no `next` at all from the home page, the account pages, or a very long path.
    """
    url = reverse("accounts:login")
    request = context.get("request")
    if request is None or request.path == "/" or request.path.startswith("/account/"):
        return url
    for back in (request.get_full_path(), request.path):
        if len(back) <= NEXT_MAX_LENGTH:
            return f"{url}?next={quote(back, safe='/')}"
    return url
