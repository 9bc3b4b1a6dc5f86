"""Small helpers that make catalogue rows for tests that need more than the fixtures."""

import itertools

from catalogue.models import Source, Theme, Title

_numbers = itertools.count(1)


def make_theme(name=None, **fields):
    number = next(_numbers)
    name = name or f"Theme {number}"
    return Theme.objects.create(name=name, slug=fields.pop("slug", f"theme-{number}"), **fields)


def make_title(name=None, themes=(), **fields):
    number = next(_numbers)
    name = name or f"Title {number}"
    defaults = {
        "slug": f"title-{number}",
        "kind": Title.Kind.MOVIE,
        "year": 2000 + number % 25,
        "synopsis": f"A synopsis of {name}.",
    }
    defaults.update(fields)
    title = Title.objects.create(name=name, **defaults)
    if themes:
        title.themes.set(themes)
    return title


def make_source(name=None, **fields):
    number = next(_numbers)
    name = name or f"Source {number}"
    return Source.objects.create(name=name, slug=fields.pop("slug", f"source-{number}"), **fields)
