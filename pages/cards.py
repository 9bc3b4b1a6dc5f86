"""
Title cards with a watchlist button for members, in parts of pages that are shared.

A shared part (sadlist.freshness) is rendered once for every member, so its cards may
hold no member's CSRF token and no member's list. Each card's button carries only the
title's address and submits the page's one "watchlist-actions" form (built for the
member, with their token and the page to come back to) through the HTML `form`
attribute, as the title page's "this hit me too" buttons do. In the shared part every
button offers to add; for a member whose list holds some of the titles shown, those
cards alone are rendered again for them (one query, never stored).
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from reviews.models import WatchlistEntry

CARDS_TEMPLATE = "catalogue/_title_cards.html"


def render_cards(titles, for_members, on_list=frozenset()):
    """The <ul> of cards; with a list button on each for members (`on_list`: title ids)."""
    return render_to_string(
        CARDS_TEMPLATE, {"titles": titles, "for_members": for_members, "on_list": on_list}
    )


def shared_cards(titles, for_members):
    """What a shared part keeps of its cards: their HTML and the titles, to redo them."""
    return {"cards": render_cards(titles, for_members), "card_titles": titles}


def for_reader(user, part, name):
    """
    `part[name]` (HTML holding `part`'s shared cards) as `user` sees it: for a member,
    the buttons of the titles on their list offer to remove them. One query for a member.
    """
    html = part[name]
    if not user.is_authenticated or not part["card_titles"]:
        return html
    on_list = frozenset(
        WatchlistEntry.objects.filter(
            user=user, title_id__in=[title.pk for title in part["card_titles"]]
        ).values_list("title_id", flat=True)
    )
    if not on_list:
        return html
    own = render_cards(part["card_titles"], True, on_list)
    # Both are HTML the templates escaped; the shared cards appear once in `html`.
    return mark_safe(html.replace(part["cards"], own, 1))  # noqa: S308
