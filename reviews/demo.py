"""
Synthetic but plausible demo data for load tests: titles, members, ratings, comments
and reports, as rows ready for a bulk load.

Everything comes from one random.Random, so the same seed and the same starting
database give the same rows. Timestamps fall in a fixed window (DEMO_START to
DEMO_END) for the same reason, in the form the database's bulk load takes (`stamp`).
Nothing here touches the database: the seed_demo command reads what it needs first,
then streams these rows into the tables.
"""

import datetime
import functools
import itertools
import operator
import re

from django.db import connection
from django.utils.text import slugify

from catalogue.models import Title
from catalogue.search import names_key
from reviews.demo_words import (
    ADJECTIVES,
    COMMENT_SENTENCES,
    HEROES,
    HURTS,
    NAME_PATTERNS,
    NOUNS,
    PEOPLE,
    PLACES,
    PLOTS,
    SEASONS,
    SPOILER_SENTENCES,
    STANCE_SENTENCES,
    STUDIOS,
    TAGLINES,
    VERBS,
)

DEMO_START = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
DEMO_END = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
MEMBER_PREFIX = "demo"
MEMBER_EMAIL_DOMAIN = "demo.invalid"  # a reserved domain: no demo mail can ever be delivered
FIRST_YEAR, LAST_YEAR = 1970, 2025
UNPUBLISHED_EVERY = 100  # one demo title in a hundred is unpublished, as curators hide some

# seed_demo's numbers at 1x, the scale bench/README.md's page figures are measured at.
BASE_COUNTS = {"titles": 10_000, "members": 100_000, "ratings": 1_000_000, "comments": 200_000}

# Tear levels are drawn around each title's own "sadness" with this spread.
TEAR_SPREAD = 1.1
STANCES = [("none", 0.55), ("agree", 0.30), ("disagree", 0.15)]
REPORT_REASONS = ["spoiler", "abusive", "spam", "other"]


# Every demo timestamp is a whole second in [DEMO_START, DEMO_END), counted from DEMO_START.
WINDOW = (0, int((DEMO_END - DEMO_START).total_seconds()))


@functools.cache
def _clock(vendor):
    """
    The parts `stamp` adds up, by the database the rows go to: every day of WINDOW and
    every second of a day. PostgreSQL takes rows in binary (reviews.bulk.insert), which
    wants datetimes: aware days and timedeltas. SQLite takes text, as Django stores
    times there: "2023-01-01 " and "00:00:00". Cached parts either way, because a
    million strftime calls or timedelta constructions would cost seconds.
    """
    days = [DEMO_START + datetime.timedelta(days=n) for n in range(WINDOW[1] // 86400 + 1)]
    if vendor == "postgresql":
        return days, [datetime.timedelta(seconds=second) for second in range(86400)]
    days = [f"{day.date().isoformat()} " for day in days]
    times = [
        f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}" for second in range(86400)
    ]
    return days, times


@functools.cache
def clock():
    """
    `_clock`'s parts for the project's database, which a process never changes: looked
    up once, as reading `connection.vendor` for each of a million stamps takes seconds.
    """
    return _clock(connection.vendor)


def stamp(second):
    """A demo second (see WINDOW) as the value a bulk load of this database takes."""
    days, times = clock()
    return days[second // 86400] + times[second % 86400]


@functools.cache
def _text_seconds():
    days, times = _clock("sqlite")
    return {day: n for n, day in enumerate(days)}, {time: n for n, time in enumerate(times)}


def second(value):
    """A demo stamp back as its second of WINDOW: `stamp`'s inverse."""
    if isinstance(value, datetime.datetime):
        return (value - DEMO_START) // datetime.timedelta(seconds=1)
    days, times = _text_seconds()
    return days[value[:11]] * 86400 + times[value[11:]]


def moment(rng, start, end):
    """A random whole second in [start, end); faster than randrange, which matters here."""
    return start + int(rng.random() * (end - start))


def scaled_counts(scale):
    """
    The four counts for a scale written as "<N>x": 1x is BASE_COUNTS, 10x ten times each,
    0.1x a tenth. ValueError, with a one-line reason, for anything else.
    """
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)x", scale.strip().lower())
    factor = float(match[1]) if match else 0
    if not factor:
        raise ValueError(
            f"--scale takes a number of times the default data, such as 1x, 2x, 10x "
            f"or 0.1x, not {scale!r}."
        )
    return {name: round(count * factor) for name, count in BASE_COUNTS.items()}


def member_username(number):
    return f"{MEMBER_PREFIX}{number:06d}"


def member_rows(rng, first_id, first_number, count, password):
    """auth_user rows: demo000001…, one shared password hash, joined within the window."""
    for offset in range(count):
        username = member_username(first_number + offset)
        joined = stamp(moment(rng, *WINDOW))
        yield (
            first_id + offset,
            username,
            f"{username}@{MEMBER_EMAIL_DOMAIN}",
            password,
            joined,
            True,
            False,
            False,
            "",
            "",
            None,
        )


MEMBER_COLUMNS = (
    "id username email password date_joined is_active is_staff is_superuser "
    "first_name last_name last_login"
).split()


def _title_name(rng):
    english, romaji = rng.choice(NAME_PATTERNS)
    noun, noun2 = rng.sample(sorted(NOUNS), 2)
    adj = rng.choice(sorted(ADJECTIVES))
    verb = rng.choice(sorted(VERBS))
    season = rng.choice(sorted(SEASONS))
    nouns = noun[:-1] + "ies" if noun.endswith("y") and noun[-2] not in "aeiou" else noun + "s"
    words = {
        "noun": noun,
        "nouns": nouns,
        "noun2": noun2,
        "adj": adj,
        "verb": verb,
        "season": season,
        "person": rng.choice(PEOPLE),
        "noun_r": NOUNS[noun],
        "noun2_r": NOUNS[noun2],
        "adj_r": ADJECTIVES[adj],
        "verb_r": VERBS[verb],
        "season_r": SEASONS[season],
    }
    return english.format(**words), romaji.format(**words)


def title_rows(rng, first_id, count, taken_slugs, cover_names):
    """catalogue_title rows with made-up names, recent years more common than old ones."""
    for offset in range(count):
        name, original = _title_name(rng)
        year = max(FIRST_YEAR, LAST_YEAR - int(abs(rng.gauss(0, 14))))
        kind = Title.Kind.SERIES if rng.random() < 0.6 else Title.Kind.MOVIE
        base = slug = slugify(f"{name} {year}")
        for number in itertools.count(2):
            if slug not in taken_slugs:
                break
            slug = f"{base}-{number}"
        taken_slugs.add(slug)
        synopsis = (
            f"{rng.choice(HEROES)} in {rng.choice(PLACES)} {rng.choice(PLOTS)}. "
            f"{rng.choice(TAGLINES)}"
        )
        created = stamp(moment(rng, *WINDOW))
        yield (
            first_id + offset,
            slug,
            name,
            original,
            "",
            kind,
            year,
            rng.choice(STUDIOS),
            rng.choice([10, 11, 12, 12, 12, 13, 13, 24, 25, 26, 50]) if kind == "series" else None,
            rng.randint(70, 135) if kind == "movie" else None,
            synopsis,
            rng.choice(HURTS),
            "",
            "",
            cover_names[kind],
            offset % UNPUBLISHED_EVERY != UNPUBLISHED_EVERY - 1,
            created,
            created,
            # Written without save(), so the folded names that search reads go in here.
            names_key(name, original),
        )


TITLE_COLUMNS = (
    "id slug name original_name other_names kind year studio episodes runtime_minutes "
    "synopsis why_it_hurts poster poster_thumbnail cover is_published created_at "
    "updated_at search_key"
).split()


def title_theme_rows(rng, title_ids, theme_ids):
    """One to four themes per demo title."""
    for title_id in title_ids:
        for theme_id in sorted(rng.sample(theme_ids, min(len(theme_ids), rng.randint(1, 4)))):
            yield (title_id, theme_id)


def popularity(count):
    """Zipf-like weights for `count` titles ranked by popularity (the first is the most rated)."""
    return [1 / (rank + 8) ** 1.05 for rank in range(count)]


def allocate(total, weights, cap):
    """
    Split `total` into whole numbers in proportion to `weights`, none above `cap`, adding
    up to exactly `total` (the caller checks total <= cap * len(weights)).
    """
    shares = [0.0] * len(weights)
    open_ = set(range(len(weights)))
    left = total
    while open_:
        weight_sum = sum(weights[i] for i in open_)
        over = {i for i in open_ if left * weights[i] / weight_sum > cap}
        if not over:
            for i in open_:
                shares[i] = left * weights[i] / weight_sum
            break
        for i in over:
            shares[i] = cap
        left -= cap * len(over)
        open_ -= over
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _title_window(year):
    """Members rate and discuss a title only once it is out."""
    release = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC) - DEMO_START
    return max(WINDOW[0], int(release.total_seconds())), WINDOW[1]


def distinct(rng, population, count):
    """
    `count` distinct members of `population` in random order, each ordered choice as
    likely as with rng.sample: drawn one at a time by a uniform index, a repeat drawn
    again. For a few of many (a title's raters among the members) that is a third of
    sample's cost, whose integer draws are slow; for many of few, sample is cheaper.
    """
    size = len(population)
    if count * 4 > size:
        return rng.sample(population, count)
    random = rng.random
    chosen = {}
    while len(chosen) < count:
        # No more draws than members still missing, so none is drawn past the last.
        chosen.update(
            dict.fromkeys(population[int(random() * size)] for _ in range(count - len(chosen)))
        )
    return list(chosen)


def planned_ratings(rng, titles, member_ids, total, extras):
    """
    Every rating as (created, updated, user_id, title_id, tears, moment, quality,
    ending, causes), times in seconds of WINDOW, in time order: each title's share
    follows its popularity, its raters are distinct members, and its tears are drawn
    around a sadness of its own, so titles differ as real ones do. `titles` is
    [(title_id, year)] from most to least popular; `extras` (demo_insights.DemoExtras)
    draws the rest of each title's ratings from their tears.

    Everything is drawn a title at a time, a list per column (random.choices and list
    comprehensions), rather than rating by rating: at a million ratings, every Python
    call made for each rating costs about a second.
    """
    counts = allocate(total, popularity(len(titles)), len(member_ids))
    random = rng.random
    rows = []
    for (title_id, year), count in zip(titles, counts, strict=True):
        if not count:
            continue
        sadness = min(4.8, max(0.4, rng.gauss(3.1, 0.9)))
        weights = [
            2.718 ** (-((level - sadness) ** 2) / (2 * TEAR_SPREAD**2)) for level in range(6)
        ]
        tears = rng.choices(range(6), cum_weights=list(itertools.accumulate(weights)), k=count)
        start, end = _title_window(year)
        span = end - start
        created = [start + int(random() * span) for _ in range(count)]
        # Nine in ten are never changed; the rest some time after, before the window ends.
        updated = [when if random() < 0.9 else moment(rng, when, end) for when in created]
        raters = distinct(rng, member_ids, count)
        rows += zip(
            created,
            updated,
            raters,
            itertools.repeat(title_id, count),
            tears,
            *extras.draw(title_id, tears),
            strict=True,
        )
    # Rows go in in time order, as a live site writes them, so that no title's ratings
    # sit together on disk unrealistically. (The sort is stable: equal times keep the
    # order they were drawn in, so a seed always gives the same rows.)
    rows.sort(key=operator.itemgetter(0))
    return rows


def rating_rows(first_id, planned, links):
    """
    `planned_ratings` as rows for ["id", *RATING_COLUMNS, *EXTRA_COLUMNS], ids from
    `first_id` and times as `stamp` gives them; each rating's causes are appended to
    `links` as (rating_id, cause_id). `stamp` is written out here, as a million calls
    of it would cost a second.
    """
    days, times = clock()
    for rating_id, row in enumerate(planned, first_id):
        created, updated, user_id, title_id, tears, position, quality, ending, causes = row
        created_at = days[created // 86400] + times[created % 86400]
        updated_at = (
            created_at if updated == created else days[updated // 86400] + times[updated % 86400]
        )
        if causes:
            links += [(rating_id, cause_id) for cause_id in causes]
        yield (
            rating_id,
            user_id,
            title_id,
            tears,
            created_at,
            updated_at,
            position,
            quality,
            ending,
        )


RATING_COLUMNS = ["user_id", "title_id", "tears", "created_at", "updated_at"]


def pick(random, options):
    """
    One of `options`, each as likely, from `random` (a Random's random method): what
    rng.choice gives, at a third of its cost, which tells a few hundred thousand times.
    """
    return options[int(random() * len(options))]


@functools.cache
def _openings():
    """
    Every ordered choice of one, two and three distinct comment sentences, by number,
    each with its text: what a comment starts with, chosen whole by one pick.
    """
    return [
        [
            (sentences, " ".join(sentences))
            for sentences in itertools.permutations(COMMENT_SENTENCES, size)
        ]
        for size in (1, 2, 3)
    ]


def _comment_body(random, stance, is_spoiler):
    """
    One to three distinct sentences (each number as likely, then every ordered choice of
    that many, as rng.sample gives them), the stance's own, and a spoiler anywhere among
    them. Drawn by picking from tables: a sample and a randint for each of 200,000
    comments would cost seconds.
    """
    sentences, text = pick(random, pick(random, _openings()))
    if stance != "none":
        said = pick(random, STANCE_SENTENCES[stance])
        sentences, text = (*sentences, said), f"{text} {said}"
    if not is_spoiler:
        return text
    sentences = list(sentences)
    sentences.insert(int(random() * (len(sentences) + 1)), pick(random, SPOILER_SENTENCES))
    return " ".join(sentences)


def comment_rows(rng, first_id, titles, member_ids, total):
    """
    Comments in time order, ids from `first_id`: popular titles get more, about 30% agree
    with the list and 15% disagree, one in ten has spoilers, a few are edited.
    """
    counts = allocate(total, popularity(len(titles)), total)
    drafts = []
    stance_names = [name for name, _ in STANCES]
    stance_weights = list(itertools.accumulate(share for _, share in STANCES))
    random = rng.random
    for (title_id, year), count in zip(titles, counts, strict=True):
        if not count:
            continue
        start, end = _title_window(year)
        # What can be drawn for all of a title's comments at once is.
        stances = rng.choices(stance_names, cum_weights=stance_weights, k=count)
        authors = rng.choices(member_ids, k=count)
        for stance, user_id in zip(stances, authors, strict=True):
            is_spoiler = random() < 0.1
            created = moment(rng, start, end)
            edited = stamp(moment(rng, created, end)) if random() < 0.05 else None
            body = _comment_body(random, stance, is_spoiler)
            drafts.append((created, user_id, title_id, body, is_spoiler, stance, edited))
    drafts.sort()
    return [
        (first_id + n, user_id, title_id, body, is_spoiler, stance, False, stamp(created), edited)
        for n, (created, user_id, title_id, body, is_spoiler, stance, edited) in enumerate(drafts)
    ]


COMMENT_COLUMNS = (
    "id user_id title_id body is_spoiler stance is_hidden created_at edited_at".split()
)


def reports_and_hidden(rng, comments, member_ids):
    """
    Reports on about 2% of comments (one to three members each, never the author), and
    a third of the reported comments hidden by a moderator. Marks those comments hidden
    in `comments` in place and returns the report rows.
    """
    reports = []
    for index, comment in enumerate(comments):
        if rng.random() >= 0.02 or len(member_ids) < 2:
            continue
        comment_id, author_id, created = comment[0], comment[1], comment[7]
        reporters = {rng.choice(member_ids) for _ in range(rng.randint(1, 3))} - {author_id}
        for reporter_id in sorted(reporters):
            dismissed = created if rng.random() < 0.4 else None
            reports.append(
                (comment_id, reporter_id, rng.choice(REPORT_REASONS), "", created, dismissed)
            )
        if reporters and rng.random() < 1 / 3:
            comments[index] = comment[:6] + (True,) + comment[7:]
    return reports


REPORT_COLUMNS = ["comment_id", "reporter_id", "reason", "text", "created_at", "dismissed_at"]
