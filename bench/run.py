"""
Sadlist's benchmark: serve the site with gunicorn and production settings on 127.0.0.1,
load each page below with wrk for a fixed time, and report requests per second, p50,
p99, errors, and each page's throughput as a share of /healthz measured in the same run
(so figures from a busier or quieter machine stay comparable).

    make bench                                        # both databases, 2-core defaults
    .venv/bin/python bench/run.py --db sqlite --duration 5

It runs on its own databases, never on db.sqlite3: bench/bench.sqlite3 and the
PostgreSQL database in --postgres-url. An empty one is seeded first (the catalogue
fixture, then seed_demo at full scale: about a minute); --skip-seed refuses to.
Results go to bench/results/<database>-latest.md.
"""

import argparse
import collections
import datetime
import itertools
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

# What is loaded, in order. {popular} is the most-rated title, {median} the median one.
# Targets: ("share", s, p99) = at least s of /healthz's req/s and p99 under p99 ms.
VISITORS, MEMBERS, WHILE_RATING = ("share", 0.50, 150), ("share", 0.15, None), ("share", 0.40, 150)
API = ("share", 0.30, None)
PAGES = [
    ("/healthz", "GET", "/healthz", "visitor", None),
    ("home", "GET", "/", "visitor", VISITORS),
    ("browse", "GET", "/titles/", "visitor", VISITORS),
    (
        "browse: 3 filters, sorted",
        "GET",
        "/titles/?kind=series&theme=grief&year_min=2000&sort=rated",
        "visitor",
        VISITORS,
    ),
    (
        "browse: avoiding a cause, an ending, by quality",
        "GET",
        "/titles/?avoid=the-death-of-an-animal&ending=bittersweet&sort=quality",
        "visitor",
        VISITORS,
    ),
    ("browse page 200", "GET", "/titles/?page=200", "visitor", VISITORS),
    ("popular title", "GET", "/titles/{popular}/", "visitor", VISITORS),
    ("median title", "GET", "/titles/{median}/", "visitor", VISITORS),
    ("the lists", "GET", "/lists/", "visitor", VISITORS),
    ("API: titles", "GET", "/api/v1/titles/", "visitor", API),
    (
        "API: titles, 3 filters",
        "GET",
        "/api/v1/titles/?kind=series&theme=grief&sort=rated",
        "visitor",
        API,
    ),
    ("API: popular title", "GET", "/api/v1/titles/{popular}/", "visitor", API),
    ("home", "GET", "/", "member", MEMBERS),
    ("browse", "GET", "/titles/", "member", MEMBERS),
    ("popular title", "GET", "/titles/{popular}/", "member", MEMBERS),
    # Half of these ratings tell more (causes, quality, ending); the next, tears alone.
    ("rate a title", "POST", "/titles/<slug>/rate/", "members", ("share", 0.25, None)),
    ("rate a title, tears alone", "POST", "/titles/<slug>/rate/", "members", ("share", 0.25, None)),
    # Visitors while RATING_ALONGSIDE connections keep rating: others' ratings must not
    # empty the caches that visitors are served from.
    ("home, while members rate", "GET", "/", "visitor", WHILE_RATING),
    ("popular title, while members rate", "GET", "/titles/{popular}/", "visitor", WHILE_RATING),
]
RATING_ALONGSIDE = 4  # wrk connections sending rating POSTs during the "while" rows
# /healthz is loaded again after every this many pages, and once more after the last,
# and each page is compared with the mean of the /healthz loads just before and just
# after it. A run takes minutes, and this machine is shared: its speed drifts within a
# run, and a floor measured minutes earlier would move the later pages' shares with it.
FLOOR = PAGES[0]
FLOOR_EVERY = 5
# Each run of wrk that sends rating POSTs takes the next this many lines of the plan
# (bench/prepare.py writes enough for every run of a whole benchmark): more than a run
# of --duration sends, so no rating is sent twice and each one writes.
PLAN_STRETCH = 4_000
PLAN_STRETCHES = collections.defaultdict(itertools.count)  # by plan file
# Each POST row's plan (bench/prepare.py writes one file per kind); the members rating
# beside the "while" rows send the mixed plan.
POST_PLANS = {"rate a title": "mixed", "rate a title, tears alone": "tears"}

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SMALL_SCALE = [
    "--titles",
    "1000",
    "--members",
    "10000",
    "--ratings",
    "100000",
    "--comments",
    "20000",
]


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="load every page this many times; each row reports the run with the median share",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port for gunicorn (default: any free one)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/sadlist_bench"
        ),
    )
    parser.add_argument("--skip-seed", action="store_true", help="never seed an empty database")
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="load only /healthz and the pages whose 'label (who)' contains TEXT "
        "(repeatable); the results are printed, not written to bench/results/",
    )
    parser.add_argument(
        "--scale",
        choices=["full", "small"],
        default="full",
        help="seed size for an empty database: the issue's full scale, or a tenth of it",
    )
    return parser.parse_args(argv)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing the Debian package")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return
    raise SystemExit("The benchmark needs wrk: sudo apt-get install -y wrk")


def bench_environment(database, args):
    """Production settings, reachable over plain http on 127.0.0.1."""
    url = f"sqlite:///{BENCH / 'bench.sqlite3'}" if database == "sqlite" else args.postgres_url
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(BENCH / "media"),
        "LOG_LEVEL": "WARNING",
        # Seeding and recounting a million ratings take longer than a page may.
        "DATABASE_STATEMENT_TIMEOUT": "0",
        # wrk is one address sending thousands of API requests a minute on purpose.
        "API_READS_PER_MINUTE": "0",
    }


def manage(env, *arguments, capture=False):
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout


def prepare_script(env, *arguments):
    result = subprocess.run(
        [sys.executable, str(BENCH / "prepare.py"), *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_connection(url, database=None):
    """An autocommit connection to the server of `url`: to its database, or `database`."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname=database or config["NAME"],
        autocommit=True,
    )


def ensure_postgres_database(url):
    import dj_database_url
    from psycopg import sql

    name = dj_database_url.parse(url)["NAME"]
    with postgres_connection(url, database="postgres") as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not found.fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Autovacuum:
    """
    What PostgreSQL's autovacuum does, done between pages when the server runs without
    it (`autovacuum = off`, as on the machine CI uses; production keeps the default,
    on). Without it every rating leaves dead rows behind for good: the stats rows that
    each rating updates grow into long chains and their indexes swell, so the later
    rows of a run, and each run after the first, read a database that no production
    server would have, and get slower for that alone.

    As autovacuum does with its default settings: at most once a minute
    (autovacuum_naptime), every table with more dead rows than 50 + 20% of its rows,
    or more rows inserted since its last vacuum than 1,000 + 20%, is vacuumed, and
    every table with more rows changed since its last analyze than 50 + 10% is
    analyzed. The pass runs between pages, never under load.
    """

    NAPTIME = 60  # seconds

    TABLES_DUE = """
        SELECT s.relname,
               s.n_dead_tup > 50 + 0.2 * GREATEST(c.reltuples, 0)
               OR s.n_ins_since_vacuum > 1000 + 0.2 * GREATEST(c.reltuples, 0),
               s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema()
        ORDER BY s.relname
    """

    def __init__(self, url):
        self.url = url
        self.last_pass = None
        self.passes = 0
        self.enabled = self._server_runs_without_it()

    def _server_runs_without_it(self):
        with postgres_connection(self.url) as connection:
            return connection.execute("SHOW autovacuum").fetchone()[0] == "off"

    def between_pages(self):
        """One pass, if the server runs without autovacuum and a minute has gone by."""
        if not self.enabled:
            return
        if self.last_pass is not None and time.monotonic() - self.last_pass < self.NAPTIME:
            return
        from psycopg import sql

        with postgres_connection(self.url) as connection:
            for table, vacuum, analyze in connection.execute(self.TABLES_DUE).fetchall():
                if vacuum or analyze:
                    command = "VACUUM (ANALYZE) {}" if vacuum else "ANALYZE {}"
                    connection.execute(sql.SQL(command).format(sql.Identifier(table)))
        self.passes += 1
        self.last_pass = time.monotonic()


class NoAutovacuum:
    """SQLite has nothing of the kind to stand in for."""

    enabled = False
    passes = 0

    def between_pages(self):
        pass


def prepare_database(database, env, args):
    """Migrate, collect static files, and seed the database if it holds no ratings yet."""
    if database == "postgres":
        ensure_postgres_database(args.postgres_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    counts = prepare_script(env, "status")
    if counts["ratings"]:
        return counts
    if args.skip_seed:
        raise SystemExit(f"The {database} benchmark database is empty and --skip-seed was given.")
    fixture = ROOT / "fixtures" / "catalogue.json"
    if not counts["titles"] and fixture.exists():
        manage(env, "loaddata", str(fixture), "-v0")
    manage(env, "make_covers")
    manage(env, "seed_demo", *(SMALL_SCALE if args.scale == "small" else []))
    return prepare_script(env, "status")


def free_port(port):
    """`port` if nothing listens on it (any free port for 0); refuses a port in use, so the
    load can never go to some other server that happens to answer /healthz there."""
    with socket.socket() as probe:
        # As gunicorn does: a port left in TIME_WAIT by an earlier run is free; one that
        # something listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"Port {port} is in use on 127.0.0.1: choose another with --port."
            ) from None
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env, args, log_path):
    """
    gunicorn as gunicorn.conf.py sets it up, except: the flags' workers, a longer
    timeout (a slow page is measured, not killed) and no recycling of workers, so that
    their memory after the run is what serving every page left behind.
    """
    port = free_port(args.port)
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sadlist.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--max-requests",
                "0",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server, log_path)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_up(url, server, log_path):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None or "Connection in use" in Path(log_path).read_text():
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz:\n" + Path(log_path).read_text()[-3000:])


def wrk_command(url, args, seconds, cookie=None, plan_file=None, connections=None):
    connections = connections or args.connections
    threads = min(args.threads, connections)
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "wrk.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    if plan_file:
        # A stretch of the plan of its own (bench/wrk.lua), so every POST is a change.
        first = next(PLAN_STRETCHES[str(plan_file)]) * PLAN_STRETCH
        command += ["--", str(plan_file), str(first), str(threads)]
    return command


def run_wrk(url, args, seconds, cookie=None, plan_file=None):
    command = wrk_command(url, args, seconds, cookie, plan_file)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 90)
    found = re.search(r"^BENCH_JSON (.*)$", result.stdout, re.MULTILINE)
    if not found:
        return {"failed": (result.stderr or result.stdout).strip()[:200]}
    return json.loads(found.group(1))


def check_member_session(base, plan):
    """Member rows are worth something only if the server sees the cookie as signed in."""
    request = urllib.request.Request(base + "/", headers={"Cookie": plan["member_cookie"]})
    with urllib.request.urlopen(request, timeout=120) as response:
        if f">{plan['member_username']}</a>" not in response.read().decode():
            raise SystemExit("The benchmark's member session is not signed in on the server.")


def measure(base, args, plan, plans, autovacuum):
    """
    Load each chosen page, with /healthz again after every FLOOR_EVERY pages and after
    the last; returns `with_floors` of the loads. `plans`: the directory of the plan
    files that prepare.py wrote.
    """
    check_member_session(base, plan)
    loads, since_floor = [], 0
    for page in chosen_pages(args.only):
        if page is not FLOOR and since_floor == FLOOR_EVERY:
            loads.append(load(base, args, plan, plans, FLOOR))
            since_floor = 0
        autovacuum.between_pages()
        loads.append(load(base, args, plan, plans, page))
        since_floor = 0 if page is FLOOR else since_floor + 1
    loads.append(load(base, args, plan, plans, FLOOR))
    return with_floors(loads)


def load(base, args, plan, plans, page):
    """One page's load: (label, path, who, target, wrk's result)."""
    label, method, path, who, target = page
    if method == "POST":  # the paths come from the plan file
        url = base + "/"
        options = {"plan_file": Path(plans) / plan["plans"][POST_PLANS[label]]}
    else:
        url = base + path.format(popular=plan["popular_slug"], median=plan["median_slug"])
        options = {"cookie": plan["member_cookie"]} if who == "member" else {}
    if args.warmup:
        run_wrk(url, args, args.warmup, **options)
        drain(base, args.workers)
    print(f"  {label} ({who}) …", flush=True)
    alongside = "while members rate" in label
    mixed = Path(plans) / plan["plans"]["mixed"] if alongside else None
    with ratings_alongside(base, args, mixed, enabled=alongside):
        result = run_wrk(url, args, args.duration, **options)
    drain(base, args.workers)
    return (label, path, who, target, result)


def with_floors(loads):
    """
    Rows of (label, path, who, target, result, floor) from a run's loads in the order
    they ran: each page's floor is the mean req/s of the /healthz loads just before and
    just after it (one of them, if the other did no request). The /healthz row is its
    first load, its own floor.
    """
    floors = [index for index, entry in enumerate(loads) if entry[0] == FLOOR[0]]
    rows = []
    for index, (label, path, who, target, result) in enumerate(loads):
        if label == FLOOR[0]:
            if index == floors[0]:
                rows.append((label, path, who, target, result, rate_of(result)))
            continue
        before = max(floor for floor in floors if floor < index)
        after = min((floor for floor in floors if floor > index), default=before)
        around = [rate for rate in (rate_of(loads[before][4]), rate_of(loads[after][4])) if rate]
        rows.append((label, path, who, target, result, sum(around) / len(around) if around else 0))
    return rows


@contextmanager
def ratings_alongside(base, args, plan_file, enabled):
    """Members rating titles from RATING_ALONGSIDE connections, for the whole block."""
    if not enabled:
        yield
        return
    seconds = args.duration + 5
    command = wrk_command(
        base + "/", args, seconds, plan_file=plan_file, connections=RATING_ALONGSIDE
    )
    ratings = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # let the ratings start before the page's load does
    try:
        yield
    finally:
        ratings.terminate()
        ratings.wait(timeout=30)


def chosen_pages(only):
    if not only:
        return PAGES
    return [
        page
        for page in PAGES
        if page[0] == "/healthz" or any(text in f"{page[0]} ({page[3]})" for text in only)
    ]


def drain(base, workers):
    """
    Wait for the requests a slow page left queued when wrk stopped (sync workers finish
    them all), so that they do not eat into the next page's time: one /healthz per
    worker gets through only behind them.
    """
    for _ in range(workers):
        with urllib.request.urlopen(base + "/healthz", timeout=300):
            pass


def worker_memory(master_pid):
    """Resident memory of each gunicorn worker, in MB, read from /proc."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.MULTILINE):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
            sizes.append(int(rss.group(1)) // 1024 if rss else 0)
    return sorted(sizes)


def verdict(target, rate, share, p99_ms, errors):
    if target is None:
        return ""
    if errors:
        return "misses (errors)"
    if target[0] == "rate":
        return "meets" if rate >= target[1] else f"misses (< {target[1]}/s)"
    _, minimum, p99_limit = target
    misses = []
    if share < minimum:
        misses.append(f"< {minimum:.0%}")
    if p99_limit and p99_ms >= p99_limit:
        misses.append(f"p99 ≥ {p99_limit} ms")
    return f"misses ({', '.join(misses)})" if misses else "meets"


def rate_of(result):
    if "requests" not in result or not result["requests"]:
        return 0
    return result["requests"] / (result["duration_us"] / 1e6)


def median_runs(runs):
    """
    One row per page from several runs (rows of `with_floors`): per page the run whose
    share of its floor is the median.
    """
    rows = []
    for index in range(len(runs[0])):
        measured = sorted(
            (run[index] for run in runs),
            key=lambda row: rate_of(row[4]) / row[5] if row[5] else 0,
        )
        rows.append(measured[len(measured) // 2])
    return rows


def render(database, args, counts, plan, rows, memory, recount, load, autovacuum):
    lines = [
        f"# Benchmark: {'SQLite' if database == 'sqlite' else 'PostgreSQL'}",
        "",
        f"- when: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        f"- data: {counts['titles']:,} titles, {counts['members']:,} members, "
        f"{counts['ratings']:,} ratings, {counts['comments']:,} comments",
        f"- popular title: `{plan['popular_slug']}` ({plan['popular_ratings']:,} ratings, "
        f"{plan['popular_comments']:,} comments); median title: `{plan['median_slug']}` "
        f"({plan['median_ratings']:,} ratings)",
        f"- load: gunicorn, {args.workers} sync workers, production settings; wrk "
        f"-t{args.threads} -c{args.connections} -d{args.duration}s after a {args.warmup}s "
        f"warm-up per page, {args.runs} runs, each row the run with the median share of "
        f"its floor: the mean of the /healthz loads just before and just after it (/healthz "
        f"is loaded again after every {FLOOR_EVERY} pages and after the last); all on "
        f"127.0.0.1 of one {os.cpu_count()}-core machine",
        f"- load average before the run: {load:.2f} (anything else running skews every figure)",
        *(
            [
                "- the server runs with autovacuum off: its passes were done between pages "
                f"instead, {autovacuum.passes} in all (bench/run.py, `Autovacuum`)"
            ]
            if autovacuum.enabled
            else []
        ),
        "",
        "| page | path | as | req/s | p50 ms | p99 ms | errors | floor req/s | × /healthz "
        "| target |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, path, who, target, result, floor in rows:
        if "failed" in result:
            lines.append(
                f"| {label} | `{path}` | {who} | — | — | — | wrk failed | — | — | "
                f"{result['failed']} |"
            )
            continue
        if not result["requests"]:
            lines.append(
                f"| {label} | `{path}` | {who} | 0 | — | — | no request done in "
                f"{args.duration}s | {floor:,.1f} | 0 | {verdict(target, 0, 0, 0, 0)} |"
            )
            continue
        rate = rate_of(result)
        errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
        share = rate / floor if floor else 0
        p50, p99 = result["p50_us"] / 1000, result["p99_us"] / 1000
        lines.append(
            f"| {label} | `{path}` | {who} | {rate:,.1f} | {p50:,.1f} | {p99:,.1f} | "
            f"{errors:,} of {result['requests']:,} | {floor:,.1f} | {share:.3f} | "
            f"{verdict(target, rate, share, p99, errors)} |"
        )
    lines += [
        "",
        f"Worker memory after the run (RSS): {', '.join(f'{mb} MB' for mb in memory)}.",
        "",
        f"`recount_tears` after the run: {recount.strip()}",
    ]
    return "\n".join(lines) + "\n"


def commit():
    run = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    # Results written by this very run (the first database's) do not make the code dirty.
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (run.stdout.strip() or "unknown") + ("-dirty" if dirty else "")


def bench(database, args):
    print(f"== {database}: preparing the database", flush=True)
    env = bench_environment(database, args)
    counts = prepare_database(database, env, args)
    with tempfile.TemporaryDirectory() as work:
        plan = prepare_script(env, "plan", work)
        autovacuum = Autovacuum(args.postgres_url) if database == "postgres" else NoAutovacuum()
        load = os.getloadavg()[0]
        print(f"== {database}: loading each page for {args.duration}s", flush=True)
        with gunicorn(env, args, Path(work) / "gunicorn.log") as (server, base):
            runs = []
            for run in range(args.runs):
                print(f"== {database}: run {run + 1} of {args.runs}", flush=True)
                runs.append(measure(base, args, plan, work, autovacuum))
            rows = median_runs(runs)
            memory = worker_memory(server.pid)
    recount = manage(env, "recount_tears", capture=True)
    report = render(database, args, counts, plan, rows, memory, recount, load, autovacuum)
    if not args.only:  # the committed results always cover every page
        results = BENCH / "results"
        results.mkdir(exist_ok=True)
        (results / f"{database}-latest.md").write_text(report)
    print(report)


def main():
    args = parse_arguments()
    ensure_wrk()
    for database in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        try:
            bench(database, args)
        except subprocess.CalledProcessError as error:
            detail = f": {error.stderr.strip()}" if error.stderr else " (its output is above)"
            raise SystemExit(
                f"Benchmark stopped: {' '.join(error.cmd[1:])} failed{detail}"
            ) from None


if __name__ == "__main__":
    main()
