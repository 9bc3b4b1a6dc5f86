"""
Synthetic but plausible demo data for load tests: titles, members, ratings, comments
and reports, as rows ready for a bulk load.

Everything comes from one random.Random, so the same seed and the same starting
database give the same rows. Timestamps fall in a fixed window (DEMO_START to
DEMO_END) for the same reason. Nothing here touches the database: the seed_demo
command reads what it needs first, then streams these rows into the tables.
"""

import bisect
import datetime
import functools
import itertools
import operator
import re

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
def _clock():
    days = [
        (DEMO_START + datetime.timedelta(days=n)).date().isoformat()
        for n in range(WINDOW[1] // 86400 + 1)
    ]
    times = [
        f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}" for second in range(86400)
    ]
    return days, times


def stamp(second):
    """
    A demo second (see WINDOW) as UTC text that both SQLite, as Django stores it, and
    PostgreSQL, in the UTC session Django opens, read. Built from cached parts because
    a million strftime calls would cost seconds.
    """
    days, times = _clock()
    return f"{days[second // 86400]} {times[second % 86400]}"


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


def planned_ratings(rng, titles, member_ids, total):
    """
    Every rating as (user_id, title_id, tears, created, updated), seconds of WINDOW, in
    time order: each title's share follows its popularity, its raters are distinct
    members, and its tears are drawn around a sadness of its own, so titles differ as
    real ones do. `titles` is [(title_id, year)] from most to least popular.
    """
    counts = allocate(total, popularity(len(titles)), len(member_ids))
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
        for user_id, level in zip(rng.sample(member_ids, count), tears, strict=True):
            created = moment(rng, start, end)
            updated = created if rng.random() < 0.9 else moment(rng, created, end)
            rows.append((user_id, title_id, level, created, updated))
    # Rows go in in time order, as a live site writes them, so that no title's ratings
    # sit together on disk unrealistically. (The sort is stable: equal times keep the
    # order they were drawn in, so a seed always gives the same rows.)
    rows.sort(key=operator.itemgetter(3))
    return rows


def rating_rows(planned):
    """`planned_ratings` as rows for RATING_COLUMNS, their times written out as text."""
    for user_id, title_id, level, created_at, updated_at in planned:
        created_text = stamp(created_at)
        yield (
            user_id,
            title_id,
            level,
            created_text,
            created_text if updated_at == created_at else stamp(updated_at),
        )


RATING_COLUMNS = ["user_id", "title_id", "tears", "created_at", "updated_at"]


def _comment_body(rng, stance, is_spoiler):
    sentences = rng.sample(COMMENT_SENTENCES, rng.randint(1, 3))
    if stance != "none":
        sentences.append(rng.choice(STANCE_SENTENCES[stance]))
    if is_spoiler:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(SPOILER_SENTENCES))
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
    for (title_id, year), count in zip(titles, counts, strict=True):
        start, end = _title_window(year)
        for _ in range(count):
            stance = stance_names[bisect.bisect(stance_weights, rng.random() * stance_weights[-1])]
            is_spoiler = rng.random() < 0.1
            created = moment(rng, start, end)
            edited = stamp(moment(rng, created, end)) if rng.random() < 0.05 else None
            drafts.append(
                (
                    created,
                    rng.choice(member_ids),
                    title_id,
                    _comment_body(rng, stance, is_spoiler),
                    is_spoiler,
                    stance,
                    edited,
                )
            )
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
