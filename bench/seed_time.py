"""
What seed_demo's extras cost in time: full-scale seeds of a fresh database, with the
ratings' extras and without them (`seed_demo --without-extras`), in turns.

    python bench/seed_time.py                       -> bench/results/seed-time-postgres.md
    python bench/seed_time.py --pairs 8 --db sqlite -> bench/results/seed-time-sqlite.md
    python bench/seed_time.py --against 4d7ae3b     -> the seed of that commit too, in turns

Every seed gets a database of its own, migrated, with the catalogue loaded, and (on
PostgreSQL) a CHECKPOINT, so no seed pays for the writes of the one before. The time
kept is seed_demo's own, as it prints it. Seeds run in turns (with, without, and the
other commit's when asked), so that what the machine does meanwhile falls on each kind
alike; the medians and their ratio are reported. `--against` checks the commit out into
a temporary git worktree and runs its seed_demo (its own options, as they were then)
with this checkout's Python environment.
"""

import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import commit, postgres_connection  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/sadlist_seed_time"
LIMIT = 1.5  # the extras may make the seed take at most half as long again


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pairs", type=int, default=5, help="seeds of each kind")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("SEED_TIME_POSTGRES_URL", DEFAULT_POSTGRES),
        help="the PostgreSQL database to seed, dropped and created again for every seed",
    )
    parser.add_argument(
        "--against", metavar="COMMIT", help="also time the seed of this commit, in turns"
    )
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be 1 or more")
    return args


def fresh_database(args, work):
    """The DATABASE_URL of an empty database: created again for each seed."""
    if args.db == "sqlite":
        for leftover in Path(work).glob("seed.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{Path(work) / 'seed.sqlite3'}"
    try:
        drop_database(args)
        name = sql.Identifier(dj_database_url.parse(args.postgres_url)["NAME"])
        with postgres_connection(args.postgres_url, database="postgres") as server:
            server.execute(sql.SQL("CREATE DATABASE {}").format(name))
    except psycopg.Error as error:
        raise SystemExit(f"PostgreSQL at {args.postgres_url}: {error}") from None
    return args.postgres_url


def drop_database(args):
    """The last seed's PostgreSQL database, dropped (SQLite's go with the temporary directory)."""
    if args.db != "postgres":
        return

    name = sql.Identifier(dj_database_url.parse(args.postgres_url)["NAME"])
    with postgres_connection(args.postgres_url, database="postgres") as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def seed_once(args, work, checkout, options):
    """Seconds seed_demo took, by its own account, on a fresh database from `checkout`."""
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database(args, work),
        "DATABASE_STATEMENT_TIMEOUT": "0",
        "MEDIA_ROOT": str(Path(work) / "media"),
        "LOG_LEVEL": "WARNING",
    }

    def manage(*command):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {command[0]} failed in {checkout}:\n{done.stderr[-3000:]}")
        return done.stdout

    manage("migrate", "-v0")
    manage("load_catalogue")
    if args.db == "postgres":
        with postgres_connection(args.postgres_url) as database:
            database.execute("CHECKPOINT")  # the load's writes on disk before the seed
    said = manage("seed_demo", *options)
    found = re.search(r" in ([0-9.]+)s;", said)
    if not found:
        raise SystemExit(f"seed_demo did not say how long it took:\n{said}")
    return float(found.group(1))


@contextmanager
def worktree(ref):
    """A checkout of `ref` in a temporary git worktree, removed afterwards."""
    with tempfile.TemporaryDirectory() as parent:
        path = Path(parent) / "checkout"
        added = subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), ref],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if added.returncode:
            raise SystemExit(f"--against {ref}: git could not check it out: {added.stderr.strip()}")
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False
            )


def main():
    args = arguments()
    kinds = {"with the extras": (ROOT, []), "without them": (ROOT, ["--without-extras"])}
    with tempfile.TemporaryDirectory() as work, _other(args.against) as other:
        if other is not None:
            kinds[f"at {args.against}"] = (other, [])
        times = {kind: [] for kind in kinds}
        try:
            for turn in range(1, args.pairs + 1):
                for kind, (checkout, options) in kinds.items():
                    times[kind].append(seed_once(args, work, checkout, options))
                done = ", ".join(f"{kind} {each[-1]:.1f}s" for kind, each in times.items())
                print(f"turn {turn}: {done}", flush=True)
        finally:
            drop_database(args)
    report = write(args, times)
    print(report)


@contextmanager
def _other(ref):
    if ref is None:
        yield None
        return
    with worktree(ref) as path:
        yield path


def write(args, times):
    medians = {kind: statistics.median(each) for kind, each in times.items()}
    with_extras, without = medians["with the extras"], medians["without them"]
    ratio = with_extras / without
    database = {"postgres": "PostgreSQL", "sqlite": "SQLite"}[args.db]
    lines = [
        f"# Seed time: {database}",
        "",
        f"- when: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        f"- {args.pairs} seeds of each kind at full scale (seed_demo's defaults), in turns, "
        "each on a fresh database; the time seed_demo prints",
        "",
        "| seed | " + " | ".join(f"turn {n}" for n in range(1, args.pairs + 1)) + " | median |",
        "|---|" + "---:|" * (args.pairs + 1),
    ]
    for kind, each in times.items():
        cells = " | ".join(f"{value:.1f} s" for value in each)
        lines.append(f"| {kind} | {cells} | {medians[kind]:.1f} s |")
    lines += [
        "",
        f"With the extras, the seed takes {ratio:.0%} of the time it takes without them "
        f"(the median of each): {'within' if ratio <= LIMIT else 'over'} the "
        f"{LIMIT:.0%} allowed.",
    ]
    for kind in times:
        if kind.startswith("at "):
            other = medians[kind]
            lines.append(
                f"Against the seed {kind}: {with_extras / other:.0%} with the extras, "
                f"{without / other:.0%} without them; the extras' own time (with them "
                f"less without) added to it, {(other + with_extras - without) / other:.0%}."
            )
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"seed-time-{args.db}.md").write_text(report)
    return report


if __name__ == "__main__":
    main()
