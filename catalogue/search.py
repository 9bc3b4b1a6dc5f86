"""
Finding titles by any of their names, the way people type them: in any case, with or
without accents or punctuation, and misspelt.

Every title stores `search_key`, all its names folded (lower case, accents and
punctuation gone, spaces collapsed) and joined between bars: "| your lie in april |
shigatsu wa kimi no uso |", spaced so that every word starts and ends like one.
Folding is Python's (unicodedata), the same on both databases: SQLite can neither
strip accents nor lower-case beyond ASCII in SQL. A search folds the visitor's text
the same way and compares the two in the database:

- exact: the text is one whole name;
- prefix: a name starts with it;
- contains: some name contains it;
- words: every word of it appears somewhere in the names ("your lie april");
- fuzzy: most of its trigrams (three-letter pieces) appear in the names, so
  "clanad" finds Clannad. On PostgreSQL this is pg_trgm's word similarity, served
  by a trigram index; on SQLite, which has no such module, the database counts with
  instr() which of the text's trigrams each key holds.
"""

import math
import unicodedata

from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual
from django.db.models.query_utils import DeferredAttribute

# How close (see similarity()) names must come to count as a near miss, and the lower
# closeness a name needs to be offered under "Did you mean …?". pg_trgm's measure
# divides by the trigrams of both the text and the name, SQLite's by the text's only,
# so the same misspellings need a lower bar on PostgreSQL; its index finds candidates
# at pg_trgm's default of 0.6, and a slightly higher bar keeps "Garden" from matching
# "Gardenxxxxxx…" while "clanad" still finds Clannad (0.67).
FUZZY_THRESHOLD = {"postgresql": 0.65, "sqlite": 0.7}
SUGGESTION_THRESHOLD = {"postgresql": 0.3, "sqlite": 0.4}
SUGGESTIONS = 3
# Shorter texts have too few trigrams to tell a misspelling from a different name.
FUZZY_MIN_LENGTH = 3

# Letters without a decomposition, spelt the way English-language sites spell them.
_SPELLED_OUT = {"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o"}
_SPELLED_OUT |= {"đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ð": "d", "Ð": "d", "þ": "th"}
_SPELLED_OUT |= {"Þ": "th", "ı": "i"}
# Apostrophes join ("Hell's" is "hells"); other punctuation separates words. The bar
# separates names in the key, so a search can never contain one.
_JOINING = "'’ʼ`´"
_SEPARATING = (
    '!"#$%&()*+,-./:;<=>?@[\\]^_{|}~¡¿«»‐‑‒–—―‘“”„†•…‹›・、。「」『』【】〜～！？：；（）\t'
)


# The longest search we apply; longer text is shortened, with a note.
SEARCH_MAX_LENGTH = 100


def without_controls(text):
    """`text` with control characters (NUL, escape, …) turned into spaces."""
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


def clean_search_text(text):
    """Collapse spaces, and say whether the text had to be shortened."""
    text = " ".join(text.split())
    if len(text) > SEARCH_MAX_LENGTH:
        return text[:SEARCH_MAX_LENGTH].rstrip(), True
    return text, False


def _fold_table():
    """{character: replacement} for every accented Latin letter and punctuation mark."""
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        plain = "".join(
            part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
        ).lower()
        if plain != char and plain.isascii() and plain.isalpha():
            table[char] = plain
    table |= _SPELLED_OUT
    table |= {char: "" for char in _JOINING}
    table |= {char: " " for char in _SEPARATING}
    return table


FOLDS = _fold_table()
_TRANSLATION = str.maketrans(FOLDS)


def fold(text):
    """`text` as search keys spell it: "Ōkami: Kodomo!" is "okami kodomo"."""
    return " ".join(text.translate(_TRANSLATION).lower().split())


def names_key(*names):
    """The search key of a title with these names: "| your lie in april | shigatsu wa … |"."""
    folded = [fold(name) for name in names]
    return "| " + " | ".join(name for name in folded if name) + " |"


class FoldedNamesAttribute(DeferredAttribute):
    """
    Reads as the folded names of the instance as they are now, so whatever saves it
    (save(), bulk_create(), fixtures, which skip save()) writes a key that matches
    them. Only QuerySet.update() of a name, which loads no instance, leaves the key
    behind until the title is next saved.
    """

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        loaded = instance.__dict__
        sources = self.field.sources
        if all(source in loaded for source in sources):
            names = []
            for source in sources:
                names.extend(loaded[source].splitlines() or [""])
            return names_key(*names)
        return super().__get__(instance, cls)

    def __set__(self, instance, value):
        # A data descriptor, so that __get__ runs even once a value was loaded or set.
        instance.__dict__[self.field.attname] = value


class SearchKeyField(models.TextField):
    """A title's names, folded for search, kept by FoldedNamesAttribute; `sources` in order."""

    descriptor_class = FoldedNamesAttribute

    def __init__(self, *args, sources=(), **kwargs):
        self.sources = tuple(sources)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        return name, path, args, kwargs


def trigrams(text):
    """The distinct three-letter pieces of each word of folded `text`, padded with spaces."""
    pieces = set()
    for word in text.split():
        padded = f" {word} "
        pieces.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return sorted(pieces)


def similarity(text):
    """
    An expression: how much of folded `text` the title's names hold, from 0 to 1.
    PostgreSQL: pg_trgm's word similarity. SQLite: the share of the text's trigrams
    found in the key.
    """
    if connection.vendor == "postgresql":
        return Func(
            Value(text), F("search_key"), function="word_similarity", output_field=FloatField()
        )
    return TrigramShare(trigrams(text))


class TrigramShare(Func):
    """
    SQLite: the share of `pieces` that search_key contains, as
    ((INSTR(key, 'gra') > 0) + (INSTR(key, 'rav') > 0) + …) / n. Three times faster
    than the same sum of CASE expressions that Django would write.
    """

    output_field = FloatField()

    def __init__(self, pieces):
        self.pieces = pieces
        super().__init__(F("search_key"))

    def as_sql(self, compiler, connection, **extra_context):
        key, params = compiler.compile(self.source_expressions[0])
        found = " + ".join(f"(INSTR({key}, %s) > 0)" for _ in self.pieces)
        pieces_params = []
        for piece in self.pieces:
            pieces_params += [*params, piece]
        return f"(({found}) * 1.0 / {len(self.pieces)})", pieces_params


class WordSimilar(Func):
    """`text <% search_key`: pg_trgm's word similarity above its threshold, served by the index."""

    template = "%(expressions)s"
    arg_joiner = " <%% "
    conditional = True

    def __init__(self, text):
        super().__init__(Value(text), F("search_key"), output_field=BooleanField())


def fuzzy_match(text):
    """A condition: the names come close to folded `text`."""
    close_enough = GreaterThanOrEqual(similarity(text), FUZZY_THRESHOLD[connection.vendor])
    if connection.vendor == "postgresql":
        # <% finds the candidates in the trigram index; the threshold is ours.
        return Q(WordSimilar(text)) & Q(close_enough)
    # A name that holds the share of trigrams it needs holds at least one of any
    # (n - needed + 1) of them: look for those first, the rarer ones without spaces,
    # and count all n only in the few keys that have one.
    pieces = trigrams(text)
    needed = math.ceil(FUZZY_THRESHOLD["sqlite"] * len(pieces))
    first = sorted(pieces, key=lambda piece: (" " in piece, piece))[: len(pieces) - needed + 1]
    any_of_them = Q()
    for piece in first:
        any_of_them |= Q(search_key__contains=piece)
    return any_of_them & Q(close_enough)


def search(queryset, text):
    """
    The titles of `queryset` whose names match `text`, annotated search_rank (0 a
    whole name, 1 the start of one, 2 part of one, 3 every word somewhere, 4 a near
    miss) and search_closeness (from 0 to 1): order by search_rank, then by
    search_closeness descending, to show the best matches first.

    Near misses count only when no published title matches more closely: "the sea"
    should not list every title with "the" and "sea" in it somewhere.
    """
    from catalogue.models import Title

    folded = fold(text)
    if not folded:
        return queryset
    every_word = Q()
    for word in folded.split():
        every_word &= Q(search_key__contains=word)
    closer = Q(search_key__contains=folded) | every_word
    matches = closer
    closeness = Value(1.0)
    if len(folded) >= FUZZY_MIN_LENGTH:
        # One uncorrelated subquery, which both databases run once per query.
        nothing_closer = ~Exists(Title.objects.published().filter(closer))
        matches |= Q(nothing_closer) & fuzzy_match(folded)
        closeness = Case(When(closer, then=Value(1.0)), default=similarity(folded))
    return queryset.filter(matches).annotate(
        search_closeness=closeness,
        search_rank=Case(
            When(search_key__contains=f"| {folded} |", then=0),
            When(search_key__contains=f"| {folded}", then=1),
            When(search_key__contains=folded, then=2),
            When(every_word, then=3),
            default=4,
            output_field=IntegerField(),
        ),
    )


def did_you_mean(text, queryset=None):
    """
    Up to SUGGESTIONS names of published titles closest to `text`, the closest first:
    what to offer when a search finds nothing.
    """
    from catalogue.models import Title

    folded = fold(text)
    if len(folded) < FUZZY_MIN_LENGTH:
        return []
    titles = Title.objects.published() if queryset is None else queryset
    return list(
        titles.annotate(closeness=similarity(folded))
        .filter(closeness__gte=SUGGESTION_THRESHOLD[connection.vendor])
        .order_by("-closeness", "name", "pk")
        .values_list("name", flat=True)[:SUGGESTIONS]
    )
