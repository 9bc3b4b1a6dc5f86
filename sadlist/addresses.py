"""
Addresses of pages that take one slug or one id, for pages that link to dozens of
them: a title page's comments carry six links each, a browse page a card per title.
reverse() matches the whole URLconf again for each one; here a view's address is
reversed once per URLconf and script prefix, around a mark, and each object's slug or
id is put where the mark was.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Marks that reverse() leaves as they are: a slug is letters, digits, - and _, and an id
# is digits. Neither appears in any of our addresses otherwise.
SLUG_MARK = "slug-goes-here"
ID_MARK = 918273645


@functools.lru_cache(maxsize=64)
def _around(view_name, mark, root_urlconf, urlconf, script_prefix):
    before, _, after = reverse(view_name, args=[mark]).rpartition(str(mark))
    return before, after


def address(view_name, value):
    """
    reverse(view_name, args=[value]) for a view whose one argument is a slug (a str of
    letters, digits, - and _, as a SlugField holds) or an id (an int).
    """
    mark = ID_MARK if isinstance(value, int) else SLUG_MARK
    before, after = _around(
        view_name, mark, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()
    )
    return f"{before}{value}{after}"
