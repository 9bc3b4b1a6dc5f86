"""
Two app servers, one PostgreSQL database, one Redis: the production shape on loopback.

    .venv/bin/python bench/multiserver.py [--keep LOG_FOLDER]

Creates a fresh PostgreSQL database and a private Redis key prefix, starts two gunicorn
servers with the production settings on two free loopback ports, waits for /readyz on
both, runs every check below, and always stops the servers and drops the database. It
prints one line per check, then "N passed, N failed", and exits non-zero on a failure
or after DEADLINE seconds.

A check is a function decorated with @check that takes the Site and raises
AssertionError (with a message a person understands) when the site misbehaves. Checks
run in the order they are written; the server-killing one must stay last.
"""

import argparse
import concurrent.futures
import http.client
import os
import secrets
import shutil
import signal
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import redis  # noqa: E402

from bench.cluster import PASSWORD, POSTGRES, REDIS, Site, ensure_running, run_checks  # noqa: E402
from tests.servers import AppServer, manage, production_env, request  # noqa: E402

DEADLINE = int(os.environ.get("MULTISERVER_DEADLINE", "300"))

SITE_DATA = textwrap.dedent(f"""
    from django.contrib.auth import get_user_model
    from tests.factories import make_theme, make_title
    grief = make_theme("Grief", slug="grief")
    make_title("Grave of the Fireflies", slug="grave-of-the-fireflies", themes=[grief])
    User = get_user_model()
    User.objects.create_superuser("curator", "curator@example.com", "{PASSWORD}")
    for n in range(20):
        User.objects.create_user(f"member{{n}}", f"member{{n}}@example.com", "{PASSWORD}")
""")

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


@check
def both_servers_are_ready_and_share_one_database(site):
    for server in site.servers:
        status, _, body = request(server.port, "GET", "/readyz", https=False)
        assert (status, body) == (200, "ready\n"), f"port {server.port}: {status} {body!r}"
        status, _, html = site.get(server, "/titles/grave-of-the-fireflies/")
        assert status == 200 and "Grave of the Fireflies" in html, f"port {server.port}"


@check
def a_session_started_on_one_server_is_honoured_and_ended_on_the_other(site):
    first, second = site.servers
    cookies = site.sign_in(first, "curator")
    status, _, html = site.get(second, "/admin/", cookies)
    assert status == 200 and 'id="logout-form"' in html, (
        f"signed in through port {first.port}, but port {second.port} answered {status}"
    )
    status, _, _ = site.post(second, "/admin/logout/", {}, cookies)
    assert status in (200, 302), f"signing out through port {second.port} gave {status}"
    status, headers, _ = site.get(first, "/admin/", cookies)
    location = [v for k, v in headers if k.lower() == "location"]
    assert status == 302 and "/admin/login/" in location[0], (
        f"signed out through port {second.port}, still signed in on port {first.port}"
    )


SLUG = "grave-of-the-fireflies"
MEMBERS = [f"member{n}" for n in range(20)]


def rate(site, server, cookies, tears):
    """One rating POST; True when the server acknowledged it (redirect back to the form)."""
    status, headers, _ = site.post(server, f"/titles/{SLUG}/rate/", {"tears": str(tears)}, cookies)
    location = [v for k, v in headers if k.lower() == "location"]
    return status == 302 and location[0].endswith("#your-rating")


def stored_ratings(site):
    """{username: tears} as the database holds them, and the title's stored stats."""
    with psycopg.connect(site.database_url) as db:
        ratings = dict(
            db.execute(
                "SELECT u.username, r.tears FROM reviews_rating r"
                " JOIN auth_user u ON u.id = r.user_id"
                " JOIN catalogue_title t ON t.id = r.title_id WHERE t.slug = %s",
                [SLUG],
            ).fetchall()
        )
        stats = db.execute(
            "SELECT s.rating_count, s.rating_sum, s.tears_0, s.tears_1, s.tears_2, s.tears_3,"
            " s.tears_4, s.tears_5 FROM catalogue_titlestats s JOIN catalogue_title t"
            " ON t.id = s.title_id WHERE t.slug = %s",
            [SLUG],
        ).fetchone()
    return ratings, stats


def assert_stats_match(ratings, stats):
    values = list(ratings.values())
    expected = (len(values), sum(values), *(values.count(level) for level in range(6)))
    assert stats == expected, f"stored stats {stats}, but the ratings make {expected}"


@check
def a_member_signs_in_through_one_server_and_rates_through_the_other(site):
    first, second = site.servers
    cookies = site.sign_in(first, "member0", login_path="/account/signin/")
    assert rate(site, second, cookies, 4), "the rating through the second server was refused"
    status, _, html = site.get(first, f"/titles/{SLUG}/", cookies)
    assert status == 200 and "Grave of the Fireflies" in html
    assert stored_ratings(site)[0].get("member0") == 4


def rating_load(site, members, posts_each, on_acknowledged=None):
    """
    Every member, in a thread of its own, posts `posts_each` ratings in turn to the two
    servers, as a balancer spreading them would; a refused connection is retried on the
    other server. Returns {member: [(tears, acknowledged), ...]} in posting order.
    """
    history = {member: [] for member in members}

    def member_posts(number, member, cookies):
        for n in range(posts_each):
            tears = (number * 7 + n * 3) % 6
            order = site.servers if (number + n) % 2 == 0 else site.servers[::-1]
            acknowledged = False
            for server in order:
                try:
                    acknowledged = rate(site, server, cookies, tears)
                except ConnectionRefusedError:
                    continue  # never reached the server: the balancer tries the other one
                except (http.client.HTTPException, OSError):
                    pass  # cut off mid-request: outcome unknown, not acknowledged
                break
            history[member].append((tears, acknowledged))
            if acknowledged and on_acknowledged:
                on_acknowledged()

    signed_in = {
        m: site.sign_in(site.servers[n % 2], m, login_path="/account/signin/")
        for n, m in enumerate(members)
    }
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(members)) as pool:
        for future in [
            pool.submit(member_posts, n, m, signed_in[m]) for n, m in enumerate(members)
        ]:
            future.result()
    elapsed = time.monotonic() - started
    print(
        f"    {len(members) * posts_each} rating POSTs in {elapsed:.1f}s "
        f"({len(members) * posts_each / elapsed:.0f}/s)"
    )
    return history


@check
def ratings_from_20_members_through_both_servers_at_once_keep_stats_exact(site):
    history = rating_load(site, MEMBERS, posts_each=10)
    refused = sum(1 for posts in history.values() for _, ok in posts if not ok)
    assert not refused, f"{refused} of 200 rating POSTs were not acknowledged"
    ratings, stats = stored_ratings(site)
    for member, posts in history.items():
        assert ratings[member] == posts[-1][0], (
            f"{member} last saved {posts[-1][0]} tears, the database holds {ratings[member]}"
        )
    assert_stats_match(ratings, stats)


@check
def a_comment_posted_through_one_server_shows_at_once_on_the_other(site):
    first, second = site.servers
    cookies = site.sign_in(first, "member1", login_path="/account/signin/")
    body = f"Posted through one server, read through the other ({secrets.token_hex(3)})."
    status, _, _ = site.post(
        first, f"/titles/{SLUG}/comments/", {"body": body, "stance": "none"}, cookies
    )
    assert status == 302, f"posting the comment gave {status}"
    status, _, html = site.get(second, f"/titles/{SLUG}/")
    assert status == 200 and body in html, "the other server's title page lacks the comment"


@check
def the_per_minute_comment_limit_holds_across_both_servers(site):
    limit = int(site.env.get("COMMENTS_PER_MINUTE", "5"))
    cookies = site.sign_in(site.servers[0], "member2", login_path="/account/signin/")

    def post(number):
        server = site.servers[number % 2]
        status, _, html = site.post(
            server,
            f"/titles/{SLUG}/comments/",
            {"body": f"Comment number {number}.", "stance": "none"},
            cookies,
        )
        return status, "Please wait a minute" in html

    with concurrent.futures.ThreadPoolExecutor(limit + 4) as pool:
        outcomes = list(pool.map(post, range(limit + 4)))
    with psycopg.connect(site.database_url) as db:
        (stored,) = db.execute(
            "SELECT count(*) FROM reviews_comment c JOIN auth_user u ON u.id = c.user_id"
            " WHERE u.username = 'member2'"
        ).fetchone()
    assert stored == limit, f"{stored} comments stored from {limit + 4} posts; limit {limit}"
    assert sum(1 for status, _ in outcomes if status == 302) == limit
    assert sum(1 for _, refused in outcomes if refused) == 4, outcomes


@check
def killing_one_server_under_rating_load_loses_nothing_acknowledged(site):
    """
    The same 200 rating POSTs; the first server is killed after 50 are acknowledged.
    Requests then go to the survivor and succeed; every member's stored rating is the
    last one acknowledged (or a later one whose answer was cut off), and stats are exact.
    """
    first, second = site.servers
    acknowledged = threading.Semaphore(0)
    killed = threading.Event()

    def killer():
        for _ in range(50):
            acknowledged.acquire()
        first.kill()
        killed.set()

    threading.Thread(target=killer, daemon=True).start()
    members = [f"member{n}" for n in range(20)]
    history = rating_load(site, members, posts_each=10, on_acknowledged=acknowledged.release)
    assert killed.is_set(), "the first server was never killed"
    ratings, stats = stored_ratings(site)
    for member, posts in history.items():
        acked = [n for n, (_, ok) in enumerate(posts) if ok]
        assert acked and acked[-1] >= len(posts) - 2, f"{member}: requests kept failing: {posts}"
        possible = {posts[acked[-1]][0]} | {tears for tears, _ in posts[acked[-1] + 1 :]}
        assert ratings[member] in possible, (
            f"{member}: last acknowledged {posts[acked[-1]][0]}, stored {ratings[member]}"
        )
    assert_stats_match(ratings, stats)
    lost = sum(1 for posts in history.values() for _, ok in posts if not ok)
    print(
        f"    200 rating POSTs, first server killed after 50 acknowledged; "
        f"{200 - lost} acknowledged, {lost} cut off by the kill"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--keep", type=Path, help="copy the servers' logs to this folder")
    arguments = parser.parse_args()

    def out_of_time(signum, frame):
        raise TimeoutError(f"the multi-server check took more than {DEADLINE}s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(DEADLINE)
    ensure_running()
    token = secrets.token_hex(4)
    database = f"sadlist_multiserver_{token}"
    folder = Path(tempfile.mkdtemp(prefix="sadlist-multiserver-"))
    env = production_env(
        folder,
        DATABASE_URL=f"{POSTGRES}/{database}",
        REDIS_URL=REDIS,
        CACHE_KEY_PREFIX=f"multiserver-{token}",
        LOG_LEVEL="INFO",
        MEDIA_ROOT=str(folder / "shared-media"),
    )
    servers = [AppServer(env, log_path=folder / f"server-{n}.log") for n in (1, 2)]
    passed, failed = 0, 1
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            manage(env, "shell", "-c", SITE_DATA)
            manage(env, "make_covers")
            for server in servers:
                server.start()
            print(
                f"two servers on ports {servers[0].port} and {servers[1].port}, database {database}"
            )
            passed, failed = run_checks(CHECKS, Site(servers, f"{POSTGRES}/{database}", env))
        finally:
            signal.alarm(0)
            for server in servers:
                server.stop()
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            cache = redis.Redis.from_url(REDIS)
            for key in cache.scan_iter(f"multiserver-{token}:*"):
                cache.delete(key)
            if arguments.keep:
                arguments.keep.mkdir(parents=True, exist_ok=True)
                for log in folder.glob("*.log"):
                    shutil.copy(log, arguments.keep / log.name)
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
