"""
Every SQL query the site's pages make, with the database's plan for each: which
queries an index serves, and which read a whole table.

    DATABASE_URL=... python bench/plans.py          -> bench/results/plans-<database>.md

Against a seeded database (bench/README.md), it loads every page a visitor, a member
and a curator use with Django's test client, the visitor-page cache off so every
query really runs: home; browse by default, with each sort, with each filter and at
page 200; the most-rated and the median title's pages (and comments page 2); the
lists; themes and a theme; a member's profile; the member's export; a rating POST and
a comment POST; the admin's titles and the moderation queue. Every query is captured,
each distinct one is explained (PostgreSQL: EXPLAIN (FORMAT TEXT); SQLite: EXPLAIN
QUERY PLAN) and, if it only reads, timed. Everything runs in one transaction that is
rolled back at the end, so the database is left as it was.

It also times searches by name as browse runs them, one per kind of match (a whole
name, its start, a part, every word, near misses, gibberish): building the filtered
queryset, its count and its first page, and "Did you mean …?" when nothing matched.

`--searches` times only the searches, and writes nothing, not even in a transaction
that is rolled back.

`--rating-posts N` also times N rating POSTs through the whole view (session, CSRF-free
test client, rating upsert and stats updates), for comparing the write path before and
after an index change.
"""

import argparse
import datetime
import logging
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sadlist.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import prepare  # noqa: E402
from bench.plan_reading import SLOW_MS, TINY_TABLES, explain, shape, shorten, verdict  # noqa: E402
from catalogue.models import Source, Theme, Title  # noqa: E402
from catalogue.search import did_you_mean  # noqa: E402
from pages.filters import SORTS, TitleFilter  # noqa: E402
from pages.views import TITLES_PER_PAGE, listed_titles  # noqa: E402
from reviews.models import Comment, Rating  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def pages(member, popular, median):
    """(label, who, method, path, form) for everything loaded, in order."""
    theme = Theme.objects.filter(slug="grief").first() or Theme.objects.order_by("pk").first()
    source = Source.objects.order_by("pk").first()
    browse = [("browse default", "/titles/")]
    browse += [(f"browse sort={key}", f"/titles/?sort={key}") for key in SORTS]
    filters = {
        "q": "love",
        "kind": "movie",
        "theme": theme.slug,
        "year_min": "2000",
        "year_max": "1990",
        "tears_min": "3.5",
        "tears_max": "2",
        "min_ratings": "50",
        "source": source.slug,
    }
    browse += [
        (f"browse {name}={value}", f"/titles/?{name}={value}") for name, value in filters.items()
    ]
    browse += [
        ("browse page 200", "/titles/?page=200"),
        (
            "browse three filters sort=rated",
            f"/titles/?kind=series&theme={theme.slug}&year_min=2000&sort=rated",
        ),
    ]
    shared = [
        ("home", "/"),
        *browse,
        ("popular title", f"/titles/{popular}/"),
        ("popular title, comments page 2", f"/titles/{popular}/?comments=2"),
        ("median title", f"/titles/{median}/"),
        ("the lists", "/lists/"),
        ("themes", "/themes/"),
        ("a theme", f"/themes/{theme.slug}/"),
        ("a member's profile", f"/members/{member.get_username()}/"),
    ]
    loads = [(label, "visitor", "GET", path, None) for label, path in shared]
    loads += [(label, "member", "GET", path, None) for label, path in shared]
    loads += [
        ("export (JSON)", "member", "GET", "/account/export.json", None),
        ("export (CSV)", "member", "GET", "/account/export.csv", None),
        ("rating POST (new)", "member", "POST", f"/titles/{median}/rate/", {"tears": "3"}),
        ("rating POST (change)", "member", "POST", f"/titles/{median}/rate/", {"tears": "4"}),
        (
            "comment POST",
            "member",
            "POST",
            f"/titles/{median}/comments/",
            {"body": "It still hurts a week later.", "stance": "none"},
        ),
        ("admin: titles", "curator", "GET", "/admin/catalogue/title/", None),
        ("admin: moderation queue", "curator", "GET", "/admin/reviews/reportedcomment/", None),
    ]
    return loads


def demo_members(count):
    members = prepare.demo_members(count)
    if len(members) < count:
        raise SystemExit("The database has no demo members: run manage.py seed_demo first.")
    return members


def popular_and_median():
    popular, median = prepare.popular_and_median()
    if popular is None:
        raise SystemExit("The database has no published titles: run manage.py seed_demo first.")
    return popular.title.slug, median.title.slug


def load_pages():
    """[(label, who, sql)] of every query every page made."""
    member, curator = demo_members(2)
    curator.is_staff = True
    curator.save(update_fields=["is_staff"])
    curator.groups.add(Group.objects.get(name="Curators"))
    browsers = {"visitor": Client(), "member": Client(), "curator": Client()}
    browsers["member"].force_login(member)
    browsers["curator"].force_login(curator)
    popular, median = popular_and_median()
    # The first rating POST makes a new rating, the second changes it. (Deleting the row
    # leaves the stats one off, which nothing here reads, and is rolled back with the rest.)
    Rating.objects.filter(user=member, title__slug=median).delete()
    captured = []
    for label, who, method, path, form in pages(member, popular, median):
        with CaptureQueriesContext(connection) as queries:
            if method == "GET":
                response = browsers[who].get(path)
            else:
                response = browsers[who].post(path, form)
        expected = 200 if method == "GET" else 302
        if response.status_code != expected:
            raise SystemExit(f"{label} ({who}) {path} answered {response.status_code}")
        captured += [(label, who, query["sql"]) for query in queries.captured_queries]
    return captured


def time_query(sql, runs):
    """Median wall-clock milliseconds of `runs` executions, after one to warm the cache."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def rating_posts(count):
    """Milliseconds per rating POST through the whole view, over `count` POSTs."""
    members = demo_members(count)
    slugs = list(Title.objects.published().order_by("pk").values_list("slug", flat=True)[:count])
    browser = Client()
    times = []
    for n, (member, slug) in enumerate(zip(members, slugs, strict=True)):
        browser.force_login(member)
        start = time.perf_counter()
        response = browser.post(f"/titles/{slug}/rate/", {"tears": str(n % 6)})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
    return times


# (kind of match, what is typed): every kind of search, as a visitor types it.
SEARCHES = [
    ("whole name", "Grave of the Fireflies"),
    ("start of a name", "grave of the"),
    ("part of names", "fireflies"),
    ("every word", "your lie april"),
    ("accents", "Ōkami"),
    ("near miss", "grave of the firefly"),
    ("near miss", "clanad"),
    ("near miss", "hiden sorow"),
    ("gibberish", "xqzvw"),
    ("nothing, Did you mean", "plazstick memmorees"),
    ("nothing, Did you mean", "plastik memorys xq"),
]


# Searches take a few milliseconds: more runs steady their median.
SEARCH_RUNS = 15


def search_once(text):
    """(titles found, ms for the search, ms for Did you mean, or None if not asked)."""
    query = QueryDict(mutable=True)
    query["q"] = text
    # The browse filter's facets are counted once per catalogue change, not per search.
    title_filter = TitleFilter(query, queryset=listed_titles())
    start = time.perf_counter()
    titles = title_filter.qs
    count = titles.count()
    list(titles[:TITLES_PER_PAGE])
    searched = time.perf_counter()
    if count:
        return count, (searched - start) * 1000, None
    did_you_mean(text)
    return count, (searched - start) * 1000, (time.perf_counter() - searched) * 1000


def search_timings(runs):
    """[(kind, text, found, search ms, Did you mean ms)]: medians of `runs` after one."""
    rows = []
    for kind, text in SEARCHES:
        search_once(text)
        results = [search_once(text) for _ in range(runs)]
        suggested = [result[2] for result in results if result[2] is not None]
        rows.append(
            (
                kind,
                text,
                results[0][0],
                statistics.median(result[1] for result in results),
                statistics.median(suggested) if suggested else None,
            )
        )
    return rows


def search_lines(rows):
    lines = [
        "",
        "## Searches",
        "",
        "Browse's queryset for `?q=…`: built, counted and its first page read, and Did "
        "you mean when nothing matched; median ms of several runs, in-process.",
        "",
        "| kind | typed | found | search ms | Did you mean ms | total ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for kind, text, count, searched, suggested in rows:
        shown = "" if suggested is None else f"{suggested:.1f}"
        total = searched + (suggested or 0)
        lines.append(f"| {kind} | {text} | {count} | {searched:.1f} | {shown} | {total:.1f} |")
    return lines


def unanalyzed_tables():
    """PostgreSQL tables with rows but no planner statistics yet (never analyzed)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0 "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname"
        )
        return [row[0] for row in cursor.fetchall()]


def data_line():
    return (
        f"{Title.objects.count():,} titles, {get_user_model().objects.count():,} members, "
        f"{Rating.objects.count():,} ratings, {Comment.objects.count():,} comments"
    )


def report(captured, runs):
    """One row per distinct query: number, SQL, pages, plan, ms (reads only), verdict, why."""
    queries = {}
    for label, who, sql in captured:
        if not re.match(r"(SELECT|INSERT|UPDATE|DELETE|WITH)\b", sql):
            continue  # SAVEPOINT and the like
        queries.setdefault(shape(sql), (sql, []))[1].append(f"{label} ({who})")
    rows = []
    for number, (sql, seen) in enumerate(queries.values(), 1):
        plan = explain(sql)
        reads = (
            sql.startswith(("SELECT", "WITH"))
            and "FOR UPDATE" not in sql
            and "FOR NO KEY UPDATE" not in sql
        )
        ms = time_query(sql, runs) if reads else None
        rows.append((number, sql, list(dict.fromkeys(seen)), plan, ms, *verdict(sql, plan, ms)))
    return rows


def write(rows, extra, database, searches=()):
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        f"# Query plans: {database}",
        "",
        f"- when: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}",
        f"- data: {data_line()}",
        f"- {len(rows)} distinct queries; times are the median of several runs on a warm "
        "cache, one query at a time (writes are explained, not re-run)",
        f"- tiny tables, fine to read whole: {', '.join(sorted(TINY_TABLES))}",
        *extra,
        *(
            [f"- never analyzed, so planned from guesses: {', '.join(unanalyzed)}"]
            if (unanalyzed := unanalyzed_tables())
            else []
        ),
        "",
        "Verdicts: **index**: every other table is reached through an index condition. "
        "**full scan of T**: every row of T is read. **index order (T by I), stopped by "
        "the LIMIT**: T is read in index I's order with no condition on I, and the LIMIT "
        f"stopped it within {SLOW_MS} ms. **T walked in index order via I**: the same "
        "without a LIMIT, or slower: most of T is read. **index, but slow**: indexed, yet "
        f"over {SLOW_MS} ms because many rows come through the index.",
        "",
        "| # | verdict | ms | first page |",
        "|---:|---|---:|---|",
    ]
    for number, _, seen, _, ms, text, _ in rows:
        shown = "" if ms is None else f"{ms:.1f}"
        lines.append(f"| {number} | {text} | {shown} | {seen[0]} |")
    for number, sql, seen, plan, ms, text, note in rows:
        lines += ["", f"## {number}. {text}", "", f"- pages: {', '.join(seen)}"]
        if ms is not None:
            lines.append(f"- time: {ms:.2f} ms")
        if note:
            lines.append(f"- why: {note}")
        lines += ["", "```sql", shorten(sql), "```", "", "```", plan, "```"]
    lines += search_lines(searches) if searches else []
    return "\n".join(lines) + "\n"


def collect(runs, rating_post_count=0):
    """
    (rows, notes): every query of every page, explained and timed, and the times of
    `rating_post_count` rating POSTs. Nothing any of it writes is kept.
    """
    settings = {
        "FRESHNESS_SECONDS": 0,
        "ALLOWED_HOSTS": ["testserver"],
        "SECURE_SSL_REDIRECT": False,
    }
    with override_settings(**settings), transaction.atomic():
        rows = report(load_pages(), runs)
        notes = []
        if rating_post_count:
            times = rating_posts(rating_post_count)
            notes.append(
                f"- {len(times)} rating POSTs, each by another member: median "
                f"{statistics.median(times):.2f} ms, 90th percentile "
                f"{statistics.quantiles(times, n=10)[-1]:.2f} ms"
            )
        transaction.set_rollback(True)
    return rows, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each read")
    parser.add_argument("--output", help="default: bench/results/plans-<database>.md")
    parser.add_argument(
        "--rating-posts",
        type=int,
        default=0,
        help="also time this many rating POSTs (nothing is kept)",
    )
    parser.add_argument(
        "--searches",
        action="store_true",
        help="only time the searches, and print them (reads only: writes nothing at all)",
    )
    arguments = parser.parse_args()
    logging.disable(logging.INFO)  # a line per request would bury the summary
    database = {"postgresql": "postgres", "sqlite": "sqlite"}[connection.vendor]
    searches = search_timings(max(arguments.runs, SEARCH_RUNS))
    if arguments.searches:
        print(f"{connection.vendor}: {data_line()}")
        print("\n".join(search_lines(searches)[5:]))
        return
    rows, notes = collect(arguments.runs, arguments.rating_posts)
    output = Path(arguments.output or RESULTS / f"plans-{database}.md")
    name = {"postgres": "PostgreSQL", "sqlite": "SQLite"}[database]
    output.write_text(write(rows, notes, name, searches))
    scanned = [row for row in rows if row[5].startswith("SCAN")]
    print(f"{len(rows)} distinct queries, {len(scanned)} reading a table whole; see {output}")
    for note in notes:
        print(note[2:])
    print("\n".join(search_lines(searches)[5:]))


if __name__ == "__main__":
    main()
