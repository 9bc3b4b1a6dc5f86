"""Small helpers that make catalogue rows for tests that need more than the fixtures."""

import itertools

from django.contrib.auth import get_user_model

from catalogue.models import Mention, Source, Theme, Title
from reviews.models import Comment, Rating

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


def mention(title, source, rank, section=Mention.Section.RANKED):
    return Mention.objects.create(title=title, source=source, section=section, rank=rank)


def make_members(count):
    """`count` new members (no password: they only rate and comment in tests)."""
    start = next(_numbers)
    user_model = get_user_model()
    return user_model.objects.bulk_create(
        [user_model(username=f"member-{start}-{index}") for index in range(count)]
    )


def rate(title, tears):
    """Have one new member per value in `tears` rate `title`, as the rating form would."""
    for member, value in zip(make_members(len(tears)), tears, strict=True):
        Rating.objects.rate(member, title, value)


def comment(title, body="It hurt.", stance=Comment.Stance.NONE, is_spoiler=False, user=None):
    user = user or make_members(1)[0]
    return Comment.objects.post(user, title, body, is_spoiler=is_spoiler, stance=stance)


def make_catalogue(size):
    """
    `size` published titles with themes, one article's ranking, ratings and comments:
    enough variety for every page to show everything it can, made in a few queries.
    """
    themes = [make_theme(f"Sized theme {index}", slug=f"sized-theme-{index}") for index in range(4)]
    source = make_source("A sized list")
    start = next(_numbers)
    titles = Title.objects.bulk_create(
        [
            Title(
                slug=f"sized-{start}-{index}",
                name=f"Sized title {index}",
                original_name=f"Saizu {index}",
                kind="movie" if index % 2 else "series",
                year=1990 + index % 30,
                synopsis="A synopsis.",
                cover=f"covers/sized-{index}.png",
            )
            for index in range(size)
        ]
    )
    Title.themes.through.objects.bulk_create(
        [
            Title.themes.through(title=title, theme=themes[(index + step) % 4])
            for index, title in enumerate(titles)
            for step in (0, 1)
        ]
    )
    Mention.objects.bulk_create(
        [
            Mention(title=title, source=source, section=Mention.Section.RANKED, rank=index + 1)
            for index, title in enumerate(titles)
        ]
    )
    members = make_members(3)
    for index, title in enumerate(titles[:5]):
        for member in members:
            Rating.objects.rate(member, title, (index + member.pk) % 6)
        Comment.objects.post(members[0], title, "Hurt.", stance=Comment.Stance.DISAGREE)
        Comment.objects.post(
            members[1], title, "Fine.", stance=Comment.Stance.AGREE, is_spoiler=True
        )
    return titles
