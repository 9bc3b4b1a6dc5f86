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

import contextlib
import math
import unicodedata

from django.db import connection, models, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
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


# SQLite: an FTS5 index of every title's search key cut into trigrams, kept by triggers
# (catalogue/search_index.py), and its list of trigrams with the number of titles
# holding each. It finds the titles that hold a piece of text from the index instead of
# reading every key.
TRIGRAM_TABLE = "catalogue_title_search"
TRIGRAM_TERMS = "catalogue_title_search_terms"
# …and every place each trigram occurs: (term, doc = title id, col, offset).
TRIGRAM_PLACES = "catalogue_title_search_places"
# The index finds pieces of three letters or more.
INDEXED_LENGTH = 3


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
    """
    `text <% search_key`: pg_trgm's word similarity at least pg_trgm's
    word_similarity_threshold (see close_title_ids), served by the trigram index.
    """

    template = "%(expressions)s"
    arg_joiner = " <%% "
    conditional = True

    def __init__(self, text):
        super().__init__(Value(text), F("search_key"), output_field=BooleanField())


# {SQLite database file: whether it has the trigram index}
_TRIGRAM_INDEX = {}


def has_trigram_index():
    """
    SQLite: whether this database has the trigram index. A SQLite older than 3.34, or
    built without FTS5, cannot make one (catalogue/search_index.py), and search then
    reads every key instead. Asked once per database.
    """
    name = str(connection.settings_dict["NAME"])
    if name not in _TRIGRAM_INDEX:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TRIGRAM_TABLE]
            )
            _TRIGRAM_INDEX[name] = cursor.fetchone() is not None
    return _TRIGRAM_INDEX[name]


def _phrase(piece):
    """`piece` as an FTS5 string, which the trigram index matches anywhere in a key."""
    return '"' + piece.replace('"', '""') + '"'


def _indexed(query):
    """SQLite: a condition, the title's key matches FTS5 `query` in the trigram index."""
    # The query is a parameter; the table's name is ours.
    sql = f"SELECT rowid FROM {TRIGRAM_TABLE} WHERE {TRIGRAM_TABLE} MATCH %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, [query]))  # noqa: S611


def every_word(words):
    """
    A condition: the names hold every one of `words` (folded), anywhere. On SQLite the
    trigram index finds the titles holding the longer words, and only those are read.
    """
    condition = Q()
    if connection.vendor == "sqlite" and has_trigram_index():
        long_words = [word for word in words if len(word) >= INDEXED_LENGTH]
        if long_words:
            condition &= _indexed(" AND ".join(_phrase(word) for word in long_words))
        words = [word for word in words if len(word) < INDEXED_LENGTH]
    for word in words:
        condition &= Q(search_key__contains=word)
    return condition


@contextlib.contextmanager
def _postgresql_threshold(value):
    """
    PostgreSQL: a transaction in which `text <% search_key` means a word similarity of
    at least `value`, so that the trigram index finds exactly those titles. Below the
    default of 0.6 a condition on word_similarity() alone reads every title, and above
    it the index hands over titles that are then checked one by one.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(value)]
        )
        yield


def _sqlite_candidates(text, threshold):
    """
    SQLite: a condition that every title whose key holds at least `threshold` of the
    trigrams of folded `text` meets, and few others: it holds one of the rarest.

    A key that holds `needed` of the n trigrams misses at most n - needed, so it holds
    at least one of any n - needed + 1 of them. The index says how many titles hold
    each, so those are the rarest ones: "grave of the firefly" is found through "gra",
    held by one title, not through "the", held by most.
    """
    pieces = trigrams(text)
    needed = math.ceil(threshold * len(pieces))
    if not has_trigram_index():
        first = sorted(pieces, key=lambda piece: (" " in piece, piece))
        condition = Q()
        for piece in first[: len(pieces) - needed + 1]:
            condition |= Q(search_key__contains=piece)
        return condition
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, doc FROM {TRIGRAM_TERMS} "  # noqa: S608 -- placeholders only
            f"WHERE term IN ({', '.join(['%s'] * len(pieces))})",
            pieces,
        )
        titles_holding = dict(cursor.fetchall())
    rarest = sorted(pieces, key=lambda piece: (titles_holding.get(piece, 0), piece))
    first = rarest[: len(pieces) - needed + 1]
    # The titles holding one of the rarest are then measured, each against every
    # trigram. When they are many (the rarest are common words' pieces), counting the
    # trigrams each title holds straight from the index reads less.
    candidates = sum(titles_holding.get(piece, 0) for piece in first)
    if sum(titles_holding.values()) < candidates * len(pieces):
        places = ", ".join(["%s"] * len(pieces))
        sql = (
            f"SELECT doc FROM {TRIGRAM_PLACES} WHERE term IN ({places}) "  # noqa: S608
            "GROUP BY doc HAVING COUNT(DISTINCT term) >= %s"
        )
        return Q(pk__in=RawSQL(sql, [*pieces, needed]))  # noqa: S611 -- placeholders only
    return _indexed(" OR ".join(_phrase(piece) for piece in first))


def close_title_ids(text, threshold):
    """
    The ids of the titles whose names come within `threshold` of folded `text`. Asked
    once, so that the count and the page that follow read only those titles rather
    than measure every candidate again.
    """
    from catalogue.models import Title

    if connection.vendor == "postgresql":
        with _postgresql_threshold(threshold):
            return list(Title.objects.filter(WordSimilar(text)).values_list("pk", flat=True))
    close_enough = GreaterThanOrEqual(similarity(text), threshold)
    candidates = _sqlite_candidates(text, threshold)
    return list(Title.objects.filter(candidates & Q(close_enough)).values_list("pk", flat=True))


def search(queryset, text):
    """
    The titles of `queryset` whose names match `text`, annotated search_rank (0 a
    whole name, 1 the start of one, 2 part of one, 3 every word somewhere, 4 a near
    miss) and search_closeness (from 0 to 1): order by search_rank, then by
    search_closeness descending, to show the best matches first.

    Near misses count only when no published title matches more closely: "the sea"
    should not list every title with "the" and "sea" in it somewhere. Which of the two
    it is, is asked first, so that each query has one kind of condition for the index
    to serve.
    """
    from catalogue.models import Title

    folded = fold(text)
    if not folded:
        return queryset
    # Every word of the text appears in a name that contains the text, so this finds
    # whole names, starts and parts too.
    closer = every_word(folded.split())
    if len(folded) >= FUZZY_MIN_LENGTH and not Title.objects.published().filter(closer).exists():
        close = close_title_ids(folded, FUZZY_THRESHOLD[connection.vendor])
        return queryset.filter(pk__in=close).annotate(
            search_closeness=similarity(folded),
            search_rank=Value(4, output_field=IntegerField()),
        )
    return queryset.filter(closer).annotate(
        search_closeness=Value(1.0, output_field=FloatField()),
        search_rank=Case(
            When(search_key__contains=f"| {folded} |", then=0),
            When(search_key__contains=f"| {folded}", then=1),
            When(search_key__contains=folded, then=2),
            default=3,
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
    threshold = SUGGESTION_THRESHOLD[connection.vendor]
    if connection.vendor == "postgresql":
        # The index finds the titles at the threshold, in the same transaction.
        with _postgresql_threshold(threshold):
            return _closest(titles.filter(WordSimilar(folded)), folded)
    close_enough = GreaterThanOrEqual(similarity(folded), threshold)
    return _closest(titles.filter(_sqlite_candidates(folded, threshold) & Q(close_enough)), folded)


def _closest(titles, folded):
    # Selecting the closeness lets the database order by the column it computed rather
    # than compute it again.
    closest = (
        titles.annotate(closeness=similarity(folded))
        .order_by("-closeness", "name", "pk")
        .values_list("name", "closeness")[:SUGGESTIONS]
    )
    return [name for name, _ in closest]
