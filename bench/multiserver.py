"""
nginx in front of two app servers, one PostgreSQL database, one Redis: the production
shape on loopback.

    .venv/bin/python bench/multiserver.py [--keep LOG_FOLDER] [--measure]

Creates a fresh PostgreSQL database and a private Redis key prefix, starts two gunicorn
servers with the production settings on two free loopback ports and nginx in front of
them (deploy/nginx.conf, filled in for loopback, with a throwaway certificate), waits
for /readyz, runs every check below, and always stops nginx and the servers and drops
the database. It prints one line per check, then "N passed, N failed", and exits
non-zero on a failure or after DEADLINE seconds. Without nginx it stops at once, saying
how to install it.

--measure skips the checks and loads visitors' pages with wrk through nginx's cache and
straight from one app server instead, as shares of /healthz (bench/README.md).

A check is a function decorated with @check that takes the Site and raises
AssertionError (with a message a person understands) when the site misbehaves. Checks
run in the order they are written; the server-killing one must stay last.
"""

import argparse
import concurrent.futures
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
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

from bench.cluster import (  # noqa: E402
    PASSWORD,
    POSTGRES,
    REDIS,
    Nginx,
    Site,
    ensure_running,
    find_nginx,
    header,
    run_checks,
    tls_context,
)
from tests.servers import HOST, AppServer, manage, production_env, request  # noqa: E402

DEADLINE = int(os.environ.get("MULTISERVER_DEADLINE", "300"))

SITE_DATA = textwrap.dedent(f"""
    from django.contrib.auth import get_user_model
    from tests.factories import make_theme, make_title
    grief = make_theme("Grief", slug="grief")
    make_title("Grave of the Fireflies", slug="grave-of-the-fireflies", themes=[grief])
    make_title("Tokyo Story", slug="tokyo-story", themes=[grief])
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
def both_servers_and_nginx_in_front_are_ready_and_share_one_database(site):
    for server in site.servers:
        status, _, body = request(server.port, "GET", "/readyz", https=False)
        assert (status, body) == (200, "ready\n"), f"port {server.port}: {status} {body!r}"
        status, _, html = site.get(server, "/titles/grave-of-the-fireflies/")
        assert status == 200 and "Grave of the Fireflies" in html, f"port {server.port}"
    status, _, html = site.get(site.front, "/titles/grave-of-the-fireflies/")
    assert status == 200 and "Grave of the Fireflies" in html, f"through nginx: {status}"
    status, headers, _ = request(site.front.http_port, "GET", "/titles/", https=False)
    location = header(headers, "Location")
    assert (status, location) == (301, f"https://{HOST}/titles/"), (
        f"plain HTTP to nginx: {status} to {location}"
    )


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


def rate(site, target, cookies, tears, refusals=None):
    """
    One rating POST; True when it was acknowledged (a redirect back to the form). What
    came back instead is added to `refusals`, if given.
    """
    status, headers, _ = site.post(target, f"/titles/{SLUG}/rate/", {"tears": str(tears)}, cookies)
    location = [v for k, v in headers if k.lower() == "location"]
    acknowledged = status == 302 and location[0].endswith("#your-rating")
    if not acknowledged and refusals is not None:
        refusals.append(f"{status} {location[0] if location else 'without a redirect'}")
    return acknowledged


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


def rating_load(site, members, posts_each, on_acknowledged=None, refusals=None):
    """
    Every member, in a thread of its own, signs in and posts `posts_each` ratings in
    turn through nginx, which spreads them over the two servers. Returns
    {member: [(tears, acknowledged), ...]} in posting order; what the site answered
    instead of an acknowledgement (or how the request broke) goes in `refusals`.
    """
    history = {member: [] for member in members}

    def member_posts(number, member, cookies):
        for n in range(posts_each):
            tears = (number * 7 + n * 3) % 6
            try:
                acknowledged = rate(site, site.front, cookies, tears, refusals)
            except (http.client.HTTPException, OSError) as error:
                acknowledged = False  # cut off mid-request: outcome unknown
                if refusals is not None:
                    refusals.append(repr(error))
            history[member].append((tears, acknowledged))
            if acknowledged and on_acknowledged:
                on_acknowledged()

    def sign_in(member):
        return member, site.sign_in(site.front, member, login_path="/account/signin/")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # as many as the servers' workers
        signed_in = dict(pool.map(sign_in, members))
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(members)) as pool:
        for future in [
            pool.submit(member_posts, n, m, signed_in[m]) for n, m in enumerate(members)
        ]:
            future.result()
    elapsed = time.monotonic() - started
    print(
        f"    {len(members) * posts_each} rating POSTs through nginx in {elapsed:.1f}s "
        f"({len(members) * posts_each / elapsed:.0f}/s)"
    )
    return history


def upstreams_used(site, since):
    """The app servers nginx sent requests to, from its access log past byte `since`."""
    with open(site.front.folder / "logs" / "access.log", "rb") as log:
        log.seek(since)
        return set(re.findall(r"upstream=127\.0\.0\.1:(\d+)", log.read().decode()))


def access_log_size(site):
    return (site.front.folder / "logs" / "access.log").stat().st_size


@check
def ratings_from_20_members_through_nginx_at_once_keep_stats_exact(site):
    log_start = access_log_size(site)
    refusals = []
    history = rating_load(site, MEMBERS, posts_each=10, refusals=refusals)
    assert not refusals, f"{len(refusals)} of 200 rating POSTs were not acknowledged: " + "; ".join(
        sorted(set(refusals))
    )
    ratings, stats = stored_ratings(site)
    for member, posts in history.items():
        assert ratings[member] == posts[-1][0], (
            f"{member} last saved {posts[-1][0]} tears, the database holds {ratings[member]}"
        )
    assert_stats_match(ratings, stats)
    used = upstreams_used(site, log_start)
    assert used == {str(server.port) for server in site.servers}, (
        f"nginx sent the ratings to ports {sorted(used)} only"
    )


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
    status, _, html = site.get(site.front, f"/titles/{SLUG}/", cookies)
    assert status == 200 and body in html, "through nginx, its writer does not see the comment"


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


def cache_status(headers):
    return header(headers, "X-Cache-Status")


def visitor_page_is_cacheable(headers):
    """Why a visitor's page may not be stored by nginx, or None when it may."""
    cache_control = header(headers, "Cache-Control") or ""
    if "public" not in cache_control or "s-maxage=" not in cache_control:
        return f"the app sent Cache-Control {cache_control!r}, not public with s-maxage"
    if "cookie" not in (header(headers, "Vary") or "").lower():
        return f"the app sent Vary {header(headers, 'Vary')!r}, without Cookie"
    return None


@check
def a_visitors_page_is_built_once_then_served_from_nginxs_cache(site):
    path = "/titles/tokyo-story/"  # asked for by no other check
    first = site.get(site.front, path)
    second = site.get(site.front, path)
    assert first[0] == second[0] == 200 and "Tokyo Story" in second[2], (first[0], second[0])
    problem = visitor_page_is_cacheable(first[1])
    assert problem is None, problem
    statuses = (cache_status(first[1]), cache_status(second[1]))
    assert statuses == ("MISS", "HIT"), f"X-Cache-Status of two visits: {statuses}"
    assert header(second[1], "X-Accel-Expires") is None, "nginx passed X-Accel-Expires on"
    ids = {header(first[1], "X-Request-ID"), header(second[1], "X-Request-ID")}
    assert len(ids) == 2 and None not in ids, f"two visits' X-Request-ID: {ids}"


@check
def a_signed_in_member_is_never_served_from_the_cache_and_sees_their_name(site):
    path = f"/titles/{SLUG}/"
    site.get(site.front, path)  # a visitor's copy is in the cache now, if it may be
    cookies = site.sign_in(site.front, "member3", login_path="/account/signin/")
    for _ in range(2):
        status, headers, html = site.get(site.front, path, cookies)
        assert status == 200 and "member3" in html, f"member3's title page: {status}"
        assert cache_status(headers) in (None, "BYPASS"), (
            f"member3 got X-Cache-Status {cache_status(headers)}"
        )
        assert "private" in (header(headers, "Cache-Control") or ""), (
            f"member3's page says Cache-Control {header(headers, 'Cache-Control')!r}"
        )


@check
def a_form_with_a_csrf_token_is_never_stored_for_the_next_visitor(site):
    tokens = set()
    for _ in range(2):
        status, headers, html = site.get(site.front, "/account/signin/")
        assert status == 200 and cache_status(headers) != "HIT", (
            f"the sign-in form came from the cache ({cache_status(headers)})"
        )
        assert "private" in (header(headers, "Cache-Control") or ""), (
            f"the sign-in form says Cache-Control {header(headers, 'Cache-Control')!r}"
        )
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1])
    assert len(tokens) == 2, "two visitors got the same CSRF token"


@check
def another_members_comment_reaches_visitors_within_the_freshness_window(site):
    freshness = int(site.env["FRESHNESS_SECONDS"])
    path = "/titles/tokyo-story/"
    site.get(site.front, path)  # a visitor's copy is in the cache now
    cookies = site.sign_in(site.front, "member6", login_path="/account/signin/")
    body = f"Seen by every visitor soon after ({secrets.token_hex(3)})."
    posted = time.monotonic()
    status, _, _ = site.post(
        site.front, f"{path}comments/", {"body": body, "stance": "none"}, cookies
    )
    assert status == 302, f"posting the comment through nginx gave {status}"
    served_stale = 0
    while True:
        status, headers, html = site.get(site.front, path)
        waited = time.monotonic() - posted
        if status == 200 and body in html:
            break
        served_stale += cache_status(headers) == "HIT"
        assert waited < freshness + 1, (
            f"{waited:.1f}s after the comment, visitors still get the page without it "
            f"({status}, {cache_status(headers)}); FRESHNESS_SECONDS is {freshness}"
        )
        time.sleep(0.25)
    print(
        f"    a visitor saw another member's comment {waited:.1f}s after it was posted "
        f"(FRESHNESS_SECONDS={freshness}; {served_stale} cache hits before)"
    )


@check
def hashed_static_files_are_shared_from_the_cache_and_immutable(site):
    _, _, html = site.get(site.front, "/")
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the home page links no hashed stylesheet"
    cookies = site.sign_in(site.front, "member4", login_path="/account/signin/")
    site.get(site.front, stylesheet[1])
    status, headers, _ = site.get(site.front, stylesheet[1], cookies)
    assert status == 200 and cache_status(headers) == "HIT", (
        f"a member's second request for {stylesheet[1]}: {status} {cache_status(headers)}"
    )
    assert "immutable" in (header(headers, "Cache-Control") or ""), header(headers, "Cache-Control")


def title_id(site):
    with psycopg.connect(site.database_url) as db:
        return db.execute("SELECT id FROM catalogue_title WHERE slug = %s", [SLUG]).fetchone()[0]


def set_published(site, cookies, action):
    status, _, _ = site.post(
        site.front,
        "/admin/catalogue/title/",
        {"action": action, "_selected_action": str(title_id(site)), "index": "0"},
        cookies,
    )
    assert status == 302, f"the curator's {action} gave {status}"


@check
def a_curators_change_reaches_the_very_next_visitor_through_the_cache(site):
    path = f"/titles/{SLUG}/"
    problem = visitor_page_is_cacheable(site.get(site.front, path)[1])
    assert problem is None, problem
    status, headers, _ = site.get(site.front, path)
    assert status == 200 and cache_status(headers) == "HIT", (
        f"the title page before the change: {status} {cache_status(headers)}"
    )
    curator = site.sign_in(site.front, "curator")
    try:
        set_published(site, curator, "unpublish")
        status, headers, html = site.get(site.front, path)
        assert status == 404, (
            f"after the curator unpublished it a visitor got {status} "
            f"({cache_status(headers)}), the cached page"
        )
    finally:
        set_published(site, curator, "publish")
    status, _, html = site.get(site.front, path)
    assert status == 200 and "Grave of the Fireflies" in html, (
        f"published again, the visitor got {status}"
    )


def dribbling_clients(target, count, interval, stop):
    """
    `count` connections that trickle a request, as a slow or hostile client does, until
    `stop` is set: half send a request line, then one header line every `interval`
    seconds; the other half send a POST's headers, then one byte of its body at a time.
    """
    opened = []

    def dribble(connection, trickles_body):
        if trickles_body:
            start = f"POST /account/signin/ HTTP/1.1\r\nHost: {HOST}\r\n"
            start += "Content-Type: application/x-www-form-urlencoded\r\n"
            start += "Content-Length: 1000\r\n\r\n"
        else:
            start = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n"
        try:
            connection.sendall(start.encode())
            n = 0
            while not stop.wait(interval):
                n += 1
                connection.sendall(b"a" if trickles_body else f"X-Slow-{n}: typing\r\n".encode())
        except OSError:
            pass  # dropped by the server: it has stopped waiting, which is fine
        finally:
            connection.close()

    for number in range(count):
        connection = socket.create_connection(("127.0.0.1", target.port), timeout=10)
        if getattr(target, "tls", False):
            connection = tls_context().wrap_socket(connection, server_hostname=HOST)
        opened.append(threading.Thread(target=dribble, args=(connection, number % 2), daemon=True))
        opened[-1].start()
    return opened


def timed(site, target, path, cookies=None, timeout=1.0):
    """(status or "timed out", seconds) of one GET with a short timeout."""
    started = time.monotonic()
    try:
        status = site.get(target, path, cookies, timeout=timeout)[0]
    except TimeoutError:
        status = "timed out"
    return status, time.monotonic() - started


def wait_until_answering(site, server, deadline=10):
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        if timed(site, server, "/healthz")[0] == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"port {server.port} did not answer /healthz again")


@check
def slow_clients_stall_a_bare_app_server_but_not_the_site_behind_nginx(site):
    """
    Each app server has two sync workers. Four clients trickling requests (headers or
    a body) straight at one of them hold both workers, and its /healthz stops
    answering. The same clients, twice as many, trickling at nginx hold nothing but
    connections there: /healthz, a visitor's page and a member's page (which reaches
    an app server) answer at once.
    """
    first = site.servers[0]
    stop = threading.Event()
    clients = dribbling_clients(first, 4, interval=1.0, stop=stop)
    try:
        time.sleep(0.5)
        bare = timed(site, first, "/healthz", timeout=2.0)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
    wait_until_answering(site, first)
    assert bare[0] == "timed out", f"a bare app server answered /healthz with {bare[0]}"

    cookies = site.sign_in(site.front, "member5", login_path="/account/signin/")
    stop = threading.Event()
    clients = dribbling_clients(site.front, 8, interval=1.0, stop=stop)
    try:
        time.sleep(1.5)
        answers = {
            "/healthz": timed(site, site.front, "/healthz"),
            "a visitor's title page": timed(site, site.front, f"/titles/{SLUG}/"),
            "a member's title page": timed(site, site.front, f"/titles/{SLUG}/", cookies),
        }
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
    print(
        f"    4 slow clients at one app server: /healthz {bare[0]} after {bare[1]:.1f}s; "
        "8 at nginx: "
        + ", ".join(
            f"{page} {status} in {seconds:.2f}s" for page, (status, seconds) in answers.items()
        )
    )
    for page, (status, seconds) in answers.items():
        assert status == 200 and seconds < 1, f"through nginx, {page}: {status} in {seconds:.1f}s"


@check
def a_request_body_over_the_cap_is_refused_by_nginx_before_the_app(site):
    path = f"/too-large-{secrets.token_hex(4)}/"
    connection = http.client.HTTPSConnection(
        "127.0.0.1", site.front.port, timeout=10, context=tls_context()
    )
    try:
        connection.putrequest("POST", path, skip_host=True)
        connection.putheader("Host", HOST)
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(7 * 1024 * 1024))
        connection.endheaders()  # the body would follow; nginx answers before it does
        status = connection.getresponse().status
    finally:
        connection.close()
    assert status == 413, f"a 7 MB body through nginx got {status}"
    reached = [server.port for server in site.servers if path in server.log_path.read_text()]
    assert not reached, f"the refused request reached the app server on port(s) {reached}"


@check
def killing_one_server_under_rating_load_loses_nothing_acknowledged(site):
    """
    The same 200 rating POSTs through nginx; the first server is killed after 50 are
    acknowledged. nginx then sends every request to the survivor, and they succeed;
    every member's stored rating is the last one acknowledged (or a later one whose
    answer was cut off), and stats are exact.
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


MEASURED_PAGES = [("home", "/"), ("a title page", f"/titles/{SLUG}/")]


def wrk_rate(url, seconds, connections=16):
    """Requests per second wrk reaches on `url` as a visitor (no cookies), and its errors."""
    result = subprocess.run(
        [  # noqa: S607
            "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
            "-H", f"Host: {HOST}", "-H", "X-Forwarded-Proto: https", url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)[1])
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return rate, int(errors[1]) if errors else 0


def measure(site, seconds):
    """
    Visitors' pages through nginx's cache and straight from one app server (two sync
    workers), as shares of /healthz from that server measured alongside.
    """
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    direct = f"http://127.0.0.1:{site.servers[0].port}"
    through_nginx = f"https://127.0.0.1:{site.front.port}"
    rows = [
        ("/healthz", "one app server", f"{direct}/healthz"),
        ("/_generation", "one app server", f"{direct}/_generation"),
    ]
    for label, path in MEASURED_PAGES:
        rows.append((label, "one app server", direct + path))
        rows.append((label, "nginx's cache", through_nginx + path))
    rows.append(("/healthz", "nginx, not cached", f"{through_nginx}/healthz"))
    for label, path in MEASURED_PAGES:
        site.get(site.front, path)
        status = cache_status(site.get(site.front, path)[1])
        assert status == "HIT", f"{label} is not served from nginx's cache ({status})"
    figures = []
    for label, served_by, url in rows:
        wrk_rate(url, 1)  # warm up: the page is built and cached once
        log_start = access_log_size(site)
        rate, errors = wrk_rate(url, seconds)
        hits = "—"
        if url.startswith(through_nginx):
            with open(site.front.folder / "logs" / "access.log", "rb") as log:
                log.seek(log_start)
                statuses = re.findall(r"cache=(\S+)", log.read().decode())
            hits = f"{statuses.count('HIT') / max(len(statuses), 1):.1%}"
        figures.append((label, served_by, rate, errors, hits))
    reference = figures[0][2]
    print("| page | served by | req/s | non-2xx | cache hits | × /healthz direct |")
    print("|---|---|---:|---:|---:|---:|")
    for label, served_by, rate, errors, hits in figures:
        print(
            f"| {label} | {served_by} | {rate:,.1f} | {errors} | {hits} | {rate / reference:.2f} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--keep", type=Path, help="copy the servers' logs to this folder")
    parser.add_argument(
        "--measure",
        type=int,
        nargs="?",
        const=10,
        metavar="SECONDS",
        help="instead of the checks, load visitors' pages with wrk (default 10 s a page)",
    )
    arguments = parser.parse_args()
    nginx_binary = find_nginx()

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
        TRUSTED_PROXIES="127.0.0.1",
        FRESHNESS_SECONDS="5",
    )
    servers = [AppServer(env, log_path=folder / f"server-{n}.log") for n in (1, 2)]
    # Apart from the servers' folder: nginx's workers may run as another user.
    nginx = Nginx(nginx_binary, servers, tempfile.mkdtemp(prefix="sadlist-nginx-"))
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
            nginx.start()
            print(
                f"nginx on port {nginx.port} in front of two servers on ports "
                f"{servers[0].port} and {servers[1].port}, database {database}"
            )
            site = Site(servers, f"{POSTGRES}/{database}", env, front=nginx)
            if arguments.measure:
                signal.alarm(0)
                measure(site, arguments.measure)
                passed, failed = 0, 0
            else:
                passed, failed = run_checks(CHECKS, site)
        finally:
            signal.alarm(0)
            nginx.stop()
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
                for log in nginx.logs():
                    shutil.copy(log, arguments.keep / f"nginx-{log.name}")
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(nginx.folder, ignore_errors=True)
    if arguments.measure:
        return 0
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
