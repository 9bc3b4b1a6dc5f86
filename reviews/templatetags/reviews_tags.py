"""Showing what members wrote: tear level names, and comment text made safe to display."""

import re

from django import template
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
