from django import template

from catalogue.search import clean_search_text, without_controls

register = template.Library()


@register.filter
def search_text(value):
    """
    A search as the browse page applies it (control characters as spaces, spaces
    collapsed, shortened to the longest search), for the header's search box and the
    page's title: the raw query string may hold anything.
    """
    return clean_search_text(without_controls(value or ""))[0]
