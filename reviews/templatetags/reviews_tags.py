"""Showing what members wrote: tear level names, and comment text made safe to display."""

import re

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from reviews.models import TearLevel

register = template.Library()

# Only web links become clickable; anything else (javascript:, data:, mailto:) stays text.
WEB_LINK = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address: "see https://x.example."
TRAILING_PUNCTUATION = ".,;:!?)]}"


@register.filter
def tear_name(tears):
    """4 → 'Sobbing'; anything that is not a tear level → ''."""
    try:
        return TearLevel(int(tears)).label
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def moment(value):
    """
    A moment as <time>: the date and time with their zone ("29 Nov 2026, 19:10 UTC"),
    the full date on hover, the exact instant in `datetime`. Written out rather than
    "3 hours ago": these parts are cached and shared, where a relative time goes stale.
    """
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        date_format(local, "l j F Y, H:i:s T"),
        date_format(local, "j M Y, H:i T"),
    )


def _linked(text):
    """Escape `text`, turning http(s) addresses into links that search engines do not follow."""
    parts, position = [], 0
    for match in WEB_LINK.finditer(text):
        address = match.group().rstrip(TRAILING_PUNCTUATION)
        if "://" not in address or address.endswith("://"):
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html('<a href="{}" rel="nofollow ugc">{}</a>', address, address))
        position = match.start() + len(address)
    parts.append(escape(text[position:]))
    return "".join(parts)


@register.filter
def comment_html(body):
    """
    A comment's plain text as HTML: everything escaped (so <script> shows as text),
    blank lines make paragraphs, single line breaks are kept, web links are clickable.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", str(body)) if p.strip()]
    html = "".join(
        "<p>" + "<br>\n".join(_linked(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return mark_safe(html)  # noqa: S308 - every piece of member text went through escape()
