"""
How each page's build time grows with the data: every page built afresh, in-process,
for a visitor and for a signed-in member, against an already seeded database.

    DATABASE_URL=URL python bench/growth.py         -> bench/results/growth-<database>-<scale>.md
    DATABASE_URL=URL python bench/growth.py 1x=URL 10x=URL2    -> the same for both, in turns
    python bench/growth.py --compare 1x 10x         -> each page's ratio, against 1.5×

<scale> is the seed's size in seed_demo's terms (`--scale`; 1x is its defaults), read
from the number of ratings unless --scale names it. Nothing is cached
(FRESHNESS_SECONDS=0), so every load runs every query its page makes. Each page is
built --runs times, in rounds (see measure), and the median is kept. Measuring two
databases in turns is the fair comparison on a shared machine: run one after the
other, they meet different loads.
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

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import prepare  # noqa: E402
from bench.plans import data_line  # noqa: E402
from catalogue.models import Theme  # noqa: E402
from reviews.demo import BASE_COUNTS  # noqa: E402
from reviews.models import Rating  # noqa: E402
from sadlist.settings import database_from_url  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LIMIT = 1.5  # no page may take more than this many times longer at 10x than at 1x
THEME = "grief"

# (label, address): the pages of bench/run.py, and the themes.
PAGES = [
    ("home", "/"),
    ("browse", "/titles/"),
    ("browse: 3 filters, sorted", "/titles/?kind=series&theme={theme}&year_min=2000&sort=rated"),
    ("browse by name, page 200", "/titles/?sort=name&page=200"),
    ("most-rated title", "/titles/{popular}/"),
    ("typical title", "/titles/{median}/"),
    ("the lists", "/lists/"),
    ("themes", "/themes/"),
    ("a theme", "/themes/{theme}/"),
]
WHO = ("visitor", "member")
DATABASES = {"postgresql": ("postgres", "PostgreSQL"), "sqlite": ("sqlite", "SQLite")}


def subjects():
    """The titles, theme and member the pages are about, and a line describing each."""
    popular, median = prepare.popular_and_median()
    members = prepare.demo_members(1)
    if popular is None or not members:
        raise SystemExit("The database has no rated titles or no demo members: seed it first.")
    theme = Theme.objects.filter(slug=THEME).first() or Theme.objects.order_by("pk").first()
    return {
        "popular": popular.title.slug,
        "median": median.title.slug,
        "theme": theme.slug,
        "member": members[0],
        "described": (
            f"most-rated title: `{popular.title.slug}` ({popular.rating_count:,} ratings, "
            f"{popular.comment_count:,} comments); typical (median) title: "
            f"`{median.title.slug}` ({median.rating_count:,} ratings); theme: `{theme.slug}`; "
            f"member: `{members[0].get_username()}`"
        ),
    }


def load(browser, label, who, path, member):
    """Build one page; stop the run if it is not the page asked for."""
    response = browser.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{label} ({who}) {path} answered {response.status_code}")
    if who == "member" and f">{member.get_username()}</a>" not in response.content.decode():
        raise SystemExit(f"{label} ({who}) {path} was not built for the signed-in member")


def use(database):
    """Point Django's connection at `database` (a DATABASES entry); None leaves it."""
    if database is not None:
        connection.close()
        connection.settings_dict.update(database)


def measure(runs, databases=(None,)):
    """
    For each of `databases` (DATABASES entries; None is the configured one): every
    page's [(label, who, path, queries, [ms, ...])] for both kinds of reader, and the
    line describing what the pages are about. The databases take turns, a round of
    every page each, so that a busy minute on the machine slows them alike. Each round
    signs the member in and builds every page once untimed, to warm the new connection;
    the round is then rolled back, so nothing is kept.
    """
    settings = {
        "FRESHNESS_SECONDS": 0,
        "ALLOWED_HOSTS": ["testserver"],
        "SECURE_SSL_REDIRECT": False,
    }
    results = [None] * len(databases)
    with override_settings(**settings):
        for _ in range(runs):
            for index, database in enumerate(databases):
                use(database)
                with transaction.atomic():
                    results[index] = measure_round(results[index])
                    transaction.set_rollback(True)
    return [(rows, described) for rows, described in results]


def measure_round(previous):
    """One timed build of every page, after an untimed one; adds to `previous`' rows."""
    about = subjects()
    browsers = {"visitor": Client(), "member": Client()}
    browsers["member"].force_login(about["member"])
    loads = [(label, who, path.format(**about)) for label, path in PAGES for who in WHO]
    counted = []
    for label, who, path in loads:
        with CaptureQueriesContext(connection) as queries:
            load(browsers[who], label, who, path, about["member"])
        counted.append(len(queries))
    rows = (
        previous[0]
        if previous
        else [(*load, queries, []) for load, queries in zip(loads, counted, strict=True)]
    )
    for label, who, path, _, times in rows:
        started = time.perf_counter()
        load(browsers[who], label, who, path, about["member"])
        times.append((time.perf_counter() - started) * 1000)
    return rows, about["described"]


def scale_of_data():
    """The data's size in seed_demo's --scale terms, from its number of ratings."""
    return f"{round(Rating.objects.count() / BASE_COUNTS['ratings'], 1):g}x"


def write(rows, described, scale, runs):
    """The results as markdown: a header, then one row per page and reader."""
    name = DATABASES[connection.vendor][1]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        f"# Page build times: {name}, {scale}",
        "",
        f"- when: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}",
        f"- data: {data_line()}",
        f"- {described}",
        "- each page built in-process by Django's test client, nothing cached "
        f"(FRESHNESS_SECONDS=0), one request at a time; median and fastest of {runs} "
        "rounds, each timing a build after an untimed one (which warms the round's new "
        "connection and counts the queries)",
        f"- load average before the run: {os.getloadavg()[0]:.2f} "
        "(anything else running slows every figure)",
        "",
        "| page | as | path | queries | median ms | fastest ms |",
        "|---|---|---|---:|---:|---:|",
    ]
    for label, who, path, queries, times in rows:
        lines.append(
            f"| {label} | {who} | `{path}` | {queries} | "
            f"{statistics.median(times):.1f} | {min(times):.1f} |"
        )
    return "\n".join(lines) + "\n"


ROW = re.compile(
    r"^\| (?P<label>[^|]+) \| (?P<who>visitor|member) \| `[^`]*` \| (?P<queries>\d+) "
    r"\| (?P<median>[\d.]+) \| (?P<fastest>[\d.]+) \|$"
)


def read(path):
    """{(label, who): (queries, median ms)} from a results file that write() made."""
    if not path.exists():
        raise SystemExit(f"No results at {path}: run bench/growth.py on that database first.")
    rows = {}
    for line in path.read_text().splitlines():
        if match := ROW.match(line):
            rows[match["label"], match["who"]] = (int(match["queries"]), float(match["median"]))
    if not rows:
        raise SystemExit(f"{path} holds no page times.")
    return rows


def compare(base, grown, base_name, grown_name):
    """
    A markdown table of each page's median at both scales, the ratio, and whether it
    stays within LIMIT; and the pages that do not.
    """
    lines = [
        f"| page | as | queries | {base_name} ms | {grown_name} ms | ratio | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    over = []
    for key, (queries, before) in base.items():
        if key not in grown:
            lines.append(f"| {key[0]} | {key[1]} | {queries} | {before:.1f} | | | not measured |")
            continue
        grown_queries, after = grown[key]
        ratio = after / before
        verdict = f"within {LIMIT:g}×" if ratio <= LIMIT else f"**over {LIMIT:g}×**"
        if ratio > LIMIT:
            over.append(key)
        counted = str(queries) if queries == grown_queries else f"{queries} → {grown_queries}"
        lines.append(
            f"| {key[0]} | {key[1]} | {counted} | {before:.1f} | {after:.1f} | "
            f"{ratio:.2f} | {verdict} |"
        )
    return "\n".join(lines) + "\n", over


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="timed builds of each page")
    parser.add_argument("--scale", help="the name of the data's size (default: from its ratings)")
    parser.add_argument(
        "databases",
        nargs="*",
        metavar="SCALE=DATABASE_URL",
        help="measure these databases in turns instead of DATABASE_URL's, such as "
        "1x=postgres://…/sadlist_1x 10x=postgres://…/sadlist_10x",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("BASE", "GROWN"),
        help="compare two results files' scales (such as 1x 10x) instead of measuring",
    )
    parser.add_argument(
        "--database",
        choices=[short for short, _ in DATABASES.values()],
        help="whose results --compare reads (default: DATABASE_URL's)",
    )
    arguments = parser.parse_args()
    database = arguments.database or DATABASES[connection.vendor][0]
    if arguments.compare:
        base_name, grown_name = arguments.compare
        table, over = compare(
            read(RESULTS / f"growth-{database}-{base_name}.md"),
            read(RESULTS / f"growth-{database}-{grown_name}.md"),
            base_name,
            grown_name,
        )
        print(table)
        if over:
            names = ", ".join(f"{label} ({who})" for label, who in over)
            raise SystemExit(f"Over {LIMIT:g}× from {base_name} to {grown_name}: {names}")
        print(f"Every page stays within {LIMIT:g}× from {base_name} to {grown_name}.")
        return
    if arguments.runs < 1:
        raise SystemExit("--runs must be 1 or more.")
    logging.disable(logging.INFO)  # a line per request would bury the summary
    if arguments.databases:
        scales, databases = zip(*(parse_pair(pair) for pair in arguments.databases), strict=True)
    else:
        scales, databases = [arguments.scale or scale_of_data()], [None]
    measured = measure(arguments.runs, databases)
    for scale, database, (rows, described) in zip(scales, databases, measured, strict=True):
        use(database)  # the header reads the data's size from it
        output = RESULTS / f"growth-{DATABASES[connection.vendor][0]}-{scale}.md"
        output.write_text(write(rows, described, scale, arguments.runs))
        print(f"{scale}: written to {output.relative_to(RESULTS.parent.parent)}")
        for label, who, _, queries, times in rows:
            print(f"  {label:<28} {who:<8} {queries:>3} queries {statistics.median(times):8.1f} ms")


def parse_pair(pair):
    """'10x=postgres://…' as ('10x', its DATABASES entry)."""
    scale, _, url = pair.partition("=")
    if not (scale and url):
        raise SystemExit(f"Give each database as SCALE=DATABASE_URL, not {pair!r}.")
    try:
        database = database_from_url(url)
    except ImproperlyConfigured as error:
        raise SystemExit(f"{scale}: {error}") from None
    # The connection switches databases, not drivers.
    if database["ENGINE"] != connection.settings_dict["ENGINE"]:
        raise SystemExit(f"{scale}: set DATABASE_URL to a database of the same kind as {url}.")
    return scale, database


if __name__ == "__main__":
    main()
