"""
`{% link "name" %}`: the address of a page that takes no arguments, for the links
every page carries (the header's, the footer's). `{% url %}` reverses the name on each
use, which costs more than the rest of the header; the answer depends only on the name
and the script prefix, so it is reversed once per process for each.
"""

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.simple_tag
def link(name):
    return _reversed(name, get_script_prefix())


@cache
def _reversed(name, script_prefix):
    # reverse() reads the same script prefix: the pair is the whole of its answer.
    return reverse(name)
