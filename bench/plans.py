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
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from catalogue.filters import SORTS  # noqa: E402
from catalogue.models import Source, Theme, Title, TitleStats  # noqa: E402
from reviews.demo import MEMBER_EMAIL_DOMAIN  # noqa: E402
from reviews.models import Comment, Rating  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SLOW_MS = 5  # an indexed read slower than this still reads many rows

# Tables small enough that reading them whole is cheaper than any index: a few rows
# that only curators add (themes, sources, provenance), single rows, and Django's own
# lists of groups, content types and permissions.
TINY_TABLES = {
    "catalogue_theme",
    "catalogue_source",
    "catalogue_mention",
    "catalogue_sitestats",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
}

# Why a query reads a table whole, when that is by design or needs more than an index.
# Each entry: (test on the SQL, or on the names of the columns it is ordered by; why).
ORDER_NOTES = [
    (
        {"tear_score", "dispute_share", "well_rated"},
        "Expected: ordered by a score computed from TitleStats and the site-wide mean (or by "
        "the share of disagreeing comments), which changes with every rating, so no index "
        "can hold the order; pages cache the result per content version.",
    ),
    (
        {"rating_count", "comment_count", "stance_count"},
        "Ordered by COALESCE(a TitleStats count, 0) over a LEFT JOIN (a title may have no "
        "stats row yet), then by tear score: no index can serve that order as written, "
        "so the indexes titlestats_rating_count and titlestats_comment_count go unused.",
    ),
    (
        {"year"},
        "Not indexed on purpose: an index on year would serve this order, but SQLite (no "
        "planner statistics) would then use it for every year filter as well, 2.5 times "
        "slower for a wide range such as year_min=2000 (measured 10 ms against 26 ms).",
    ),
    (
        {"article_rank"},
        "Ordered by a correlated subquery (each title's best article rank), run for every title.",
    ),
]
SQL_NOTES = [
    (
        re.compile(r"LIKE '%"),
        "Expected: a name search matches inside any of three names (icontains), which a "
        "B-tree index cannot serve.",
    ),
    (
        re.compile(
            r'^SELECT COUNT\(\*\) AS "__count" FROM "catalogue_title"|'
            r'^SELECT "catalogue_title"."kind", COUNT'
        ),
        "Expected: a count of every matching title reads every matching title.",
    ),
    (
        re.compile(r'FROM "django_session"'),
        "The benchmark's django_session holds a few hundred rows, which PostgreSQL reads "
        "whole once it knows the table is that small; on a table of any real size the "
        "primary key serves this lookup (as on SQLite, and on PostgreSQL before it knew).",
    ),
    (
        re.compile(r"ROW_NUMBER\(\) OVER \(PARTITION BY"),
        "The first titles of every theme come from one window function over every "
        "published title of every theme (Django's prefetch of a sliced queryset): no index "
        "lets ROW_NUMBER() stop early. The query has to change; see bench/README.md.",
    ),
    (
        re.compile(r'LEFT OUTER JOIN "reviews_report" .* HAVING COUNT', re.S),
        "The moderation queue starts from every visible comment and counts its open reports "
        "(a LEFT JOIN filtered in HAVING), so no index on reports can narrow it. The query "
        "has to change; see bench/README.md.",
    ),
]


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
    browse += [("browse page 200", "/titles/?page=200")]
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
    members = list(
        get_user_model()
        .objects.filter(email__endswith=f"@{MEMBER_EMAIL_DOMAIN}")
        .order_by("pk")[:count]
    )
    if len(members) < count:
        raise SystemExit("The database has no demo members: run manage.py seed_demo first.")
    return members


def popular_and_median():
    by_ratings = TitleStats.objects.filter(title__is_published=True).order_by("-rating_count", "pk")
    popular = by_ratings.select_related("title").first()
    median = by_ratings.select_related("title")[by_ratings.count() // 2]
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


def explain(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT TEXT) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        rows = cursor.fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


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


def aliases(sql):
    """{name in the plan: table} for every table and alias the SQL names."""
    tables = set(connection.introspection.table_names())
    found = {table: table for table in re.findall(r'"(\w+)"', sql) if table in tables}
    for table, alias in re.findall(r'"(\w+)" (?:AS )?"?([UT]\d+)\b', sql):
        if table in tables:
            found[alias] = table
    return found


def scans(sql, plan):
    """
    [(table, how)] for each table the plan reads whole: how is "full" (every row, in
    table order) or "index order via NAME" (every row unless a LIMIT stops it early).
    """
    names = aliases(sql)
    found = []
    if connection.vendor == "postgresql":
        lines = plan.splitlines()
        for i, line in enumerate(lines):
            if match := re.search(r"Seq Scan on (\w+)", line):
                found.append((match.group(1), "full"))
            elif match := re.search(
                r"Index (?:Only )?Scan(?: Backward)? using (\w+) on (\w+)", line
            ):
                indent = len(line) - len(line.lstrip(" ->"))
                details = []
                for following in lines[i + 1 :]:
                    if "->" in following or len(following) - len(following.lstrip()) <= indent:
                        break
                    details.append(following)
                if not any("Index Cond" in detail for detail in details):
                    found.append((match.group(2), f"index order via {match.group(1)}"))
        return found
    for line in plan.splitlines():
        detail = line.strip()
        if match := re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?$", detail):
            if match.group(1) in names:  # not a subquery's or a window's own rows
                how = f"index order via {match.group(2)}" if match.group(2) else "full"
                found.append((names[match.group(1)], how))
        elif match := re.match(r"SEARCH (\w+) USING AUTOMATIC", detail):
            found.append((names.get(match.group(1), match.group(1)), "full, for a temporary index"))
    return found


def top_level(text, separator):
    """`text` split at each `separator` outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i + len(separator)
    return [*parts, text[start:]]


def ordered_by(sql):
    """The names of the columns the outermost query is ordered by, as far as they show."""
    head, *rest = top_level(sql, " FROM ")
    if not rest or " ORDER BY " not in sql:
        return set()
    columns = [re.findall(r'"(\w+)"', column)[-1:] for column in top_level(head[7:], ", ")]
    order = top_level(" FROM ".join(rest), " ORDER BY ")[-1]
    order = top_level(order, " LIMIT ")[0]
    names = set()
    for term in top_level(order, ", "):
        term = term.strip()
        if term.split(" ")[0].isdigit():
            names.update(columns[int(term.split(" ")[0]) - 1])
        else:
            names.update(re.findall(r'"(\w+)"', term)[-1:])
    return names


def verdict(sql, plan, ms):
    """('index' or 'SCAN: …' naming the tables read whole, why if known)."""
    if sql.startswith("INSERT"):
        return "insert (checks its constraints through their indexes)", ""
    read_whole = scans(sql, plan)
    big = [(table, how) for table, how in read_whole if table not in TINY_TABLES]
    tiny = sorted({table for table, _ in read_whole if table in TINY_TABLES})
    notes = [why for names, why in ORDER_NOTES if names & ordered_by(sql)]
    notes += [why for pattern, why in SQL_NOTES if pattern.search(sql)]
    walks = [(table, how) for table, how in big if how != "full"]
    limited = len(top_level(sql, " LIMIT ")) > 1
    if big and big == walks and limited and ms is not None and ms < SLOW_MS:
        ways = ", ".join(
            dict.fromkeys(
                f"{table} by {how.removeprefix('index order via ')}" for table, how in walks
            )
        )
        return f"index order ({ways}), stopped by the LIMIT", ""
    if big:
        parts = [
            f"full scan of {table}" if how == "full" else f"{table} walked in {how}"
            for table, how in big
        ]
        return "SCAN: " + "; ".join(dict.fromkeys(parts)), (notes or [""])[0]
    text = "index"
    if ms is not None and ms >= SLOW_MS:
        text = f"index, but slow (≥ {SLOW_MS} ms): many rows come through it"
    if tiny:
        text += f" (reads tiny {', '.join(tiny)} whole: fine)"
    return text, (notes or [""])[0] if text != "index" else ""


COLUMN = r'(?:"\w+"\.)?"\w+"(?: AS "\w+")?'


def shorten(sql, limit=1200):
    """The SQL with runs of plain column names replaced by …, cut at `limit` characters."""
    sql = re.sub(rf"(?:{COLUMN}, ){{3,}}", "…, ", sql)
    sql = re.sub(rf"(?:{COLUMN}, ){{2,}}{COLUMN}(?= FROM | HAVING |\)| ORDER BY |$)", "…", sql)
    return sql if len(sql) <= limit else sql[:limit] + " …"


def shape(sql):
    """`sql` with the values that change between requests (times, session keys) blanked."""
    sql = re.sub(r"'\d{4}-\d\d-\d\d[ T][\d:.+]+'(::timestamptz)?", "'<time>'", sql)
    return re.sub(r'("session_key" = )\'\w+\'', r"\1'<key>'", sql)


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


def write(rows, extra, database):
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
    return "\n".join(lines) + "\n"


def collect(runs, rating_post_count=0):
    """
    (rows, notes): every query of every page, explained and timed, and the times of
    `rating_post_count` rating POSTs. Nothing any of it writes is kept.
    """
    settings = {
        "VISITOR_PAGE_CACHE_SECONDS": 0,
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
    arguments = parser.parse_args()
    logging.disable(logging.INFO)  # a line per request would bury the summary
    database = {"postgresql": "postgres", "sqlite": "sqlite"}[connection.vendor]
    rows, notes = collect(arguments.runs, arguments.rating_posts)
    output = Path(arguments.output or RESULTS / f"plans-{database}.md")
    output.write_text(write(rows, notes, {"postgres": "PostgreSQL", "sqlite": "SQLite"}[database]))
    scanned = [row for row in rows if row[5].startswith("SCAN")]
    print(f"{len(rows)} distinct queries, {len(scanned)} reading a table whole; see {output}")
    for note in notes:
        print(note[2:])


if __name__ == "__main__":
    main()
