"""
Title cards with a watchlist button for members, in parts of pages that are shared.

A shared part (sadlist.freshness) is rendered once for every member, so its cards may
hold no member's CSRF token and no member's list. Each card's button carries only the
title's address and submits the page's one "watchlist-actions" form (built for the
member, with their token and the page to come back to) through the HTML `form`
attribute, as the title page's "this hit me too" buttons do. In the shared part every
button offers to add; for a member whose list holds some of the titles shown, the
buttons of those titles alone are rendered again for them (one query, never stored).
"""

from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from reviews.models import WatchlistEntry

CARDS_TEMPLATE = "catalogue/_title_cards.html"
BUTTON_TEMPLATE = "catalogue/_card_list_button.html"


def render_cards(titles, for_members):
    """The <ul> of cards, for everyone: for members, every list button offers to add."""
    return render_to_string(
        CARDS_TEMPLATE, {"titles": titles, "for_members": for_members, "on_list": frozenset()}
    )


def shared_cards(titles, for_members):
    """What a shared part keeps of its cards: their HTML, and the titles for `for_reader`."""
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
    # Only the buttons change: each names its title's address, so it appears once.
    button = get_template(BUTTON_TEMPLATE)
    for title in part["card_titles"]:
        if title.pk in on_list:
            offer_to_add = button.render({"title": title, "on_list": frozenset()})
            offer_to_remove = button.render({"title": title, "on_list": on_list})
            html = html.replace(offer_to_add, offer_to_remove, 1)
    # Both are HTML the templates escaped.
    return mark_safe(html)  # noqa: S308
