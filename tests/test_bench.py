"""The benchmark's rating POSTs and member session are ones the real site accepts."""

import argparse
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client

from accounts.models import Session
from reviews.models import Rating
from reviews.stats import recount_all

from .conftest import bench_script
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepare(request):
    """
    bench/prepare.py, on a small seeded database with the causes a migrated database
    holds (a transactional test run before this one may have flushed them).
    """
    seed_causes()
    request.getfixturevalue("small_demo")
    return bench_script("prepare")


def browser_with(cookie_header):
    """A browser that checks CSRF like a real one, holding the cookies of `cookie_header`."""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = SimpleCookie(cookie_header.replace("; ", ";"))
    return browser


def test_planned_rating_posts_are_accepted_and_counted(prepare, tmp_path):
    plan = prepare.plan(tmp_path)
    for name in plan["plans"].values():
        lines = (tmp_path / name).read_text().splitlines()
        assert len(lines) == prepare.PLANNED_POSTS
        assert len({line.split("\t")[1] for line in lines}) == 15, "POSTs spread over members"

        path, cookie, body = lines[0].split("\t")
        form = dict(parse_qsl(body))
        browser = browser_with(cookie)
        member_id = int(browser.session[SESSION_KEY])
        response = browser.post(path, form)
        assert response.status_code == 302
        rating = Rating.objects.get(user_id=member_id, title__slug=path.split("/")[2])
        assert rating.tears == int(form["tears"])
        assert rating.user.email.endswith("@demo.invalid")
    assert recount_all() == []
    assert plan["popular_slug"] != plan["median_slug"]


def plan_lines(directory, name):
    return [line.split("\t") for line in (directory / name).read_text().splitlines()]


def test_the_two_plans_are_of_their_own_members_and_only_one_tells_more(prepare, tmp_path):
    plan = prepare.plan(tmp_path, posts=1_000)
    mixed = plan_lines(tmp_path, plan["plans"]["mixed"])
    tears = plan_lines(tmp_path, plan["plans"]["tears"])
    assert len(mixed) == len(tears) == 1_000
    assert not {cookie for _, cookie, _ in mixed} & {cookie for _, cookie, _ in tears}
    telling = [body for _, _, body in mixed if "tell_more=1" in body]
    assert 400 < len(telling) < 600
    assert not [body for _, _, body in tears if "tell_more" in body or "quality" in body]


@pytest.mark.parametrize("kind", ["mixed", "tears"])
def test_every_planned_post_writes_something(prepare, tmp_path, kind):
    """
    No POST repeats the tears its member gave the title (in the database, or in an
    earlier line): one that changes nothing costs less and would flatter the figure.
    """
    plan = prepare.plan(tmp_path, posts=3_000)
    lines = plan_lines(tmp_path, plan["plans"][kind])
    members = {cookie: int(browser_with(cookie).session[SESSION_KEY]) for _, cookie, _ in lines}
    tears_now = {
        (user_id, slug): tears
        for user_id, slug, tears in Rating.objects.values_list("user_id", "title__slug", "tears")
    }
    repeated_pairs = 0
    for path, cookie, body in lines:
        pair = (members[cookie], path.split("/")[2])
        tears = int(dict(parse_qsl(body))["tears"])
        assert tears != tears_now.get(pair), (pair, tears)
        repeated_pairs += pair in tears_now
        tears_now[pair] = tears
    assert repeated_pairs, "some lines change a rating rather than add one"


def test_each_run_of_wrk_sends_a_stretch_of_the_plan_of_its_own(tmp_path):
    run = bench_script("run")
    args = run.parse_arguments(["--threads", "2", "--connections", "16"])
    first, second = (
        run.wrk_command("http://127.0.0.1:1/", args, 10, plan_file=tmp_path / "rate.tsv")
        for _ in range(2)
    )
    assert first[-4] == second[-4] == "--"
    assert int(second[-2]) - int(first[-2]) == run.PLAN_STRETCH
    other = run.wrk_command("http://127.0.0.1:1/", args, 10, plan_file=tmp_path / "other.tsv")
    assert other[-2] == "0", "each plan file has stretches of its own"
    assert first[-1] == second[-1] == "2", "the threads take alternate lines"
    visitor = run.wrk_command("http://127.0.0.1:1/", args, 10)
    assert "--" not in visitor


def test_a_post_without_the_planned_token_is_refused(prepare, tmp_path):
    prepare.plan(tmp_path, posts=100)
    path, cookie, body = (tmp_path / "rate.tsv").read_text().splitlines()[0].split("\t")
    before = Rating.objects.count()
    response = browser_with(cookie).post(path, {"tears": "5"})
    assert response.status_code == 403
    assert Rating.objects.count() == before


def test_the_member_cookie_is_signed_in(prepare, tmp_path):
    plan = prepare.plan(tmp_path, posts=100)
    html = browser_with(plan["member_cookie"]).get("/").content.decode()
    assert f">{plan['member_username']}</a>" in html
    assert "Sign out" in html


def test_every_page_the_benchmark_loads_is_one_the_site_takes_as_asked(prepare, tmp_path):
    """A typo in a benchmark URL would measure some other page (say, the default sort)."""
    plan = prepare.plan(tmp_path, posts=100)
    pages = {path for _, method, path, _, _ in bench_script("run").PAGES if method == "GET"}
    for path in pages:
        url = path.format(popular=plan["popular_slug"], median=plan["median_slug"])
        response = Client().get(url)
        assert response.status_code == 200, url
        if "page=" not in url:  # a small seed has no page 200; the full scale has 418
            assert "We could not use all of your request" not in response.content.decode(), url


@pytest.fixture
def growth(small_demo):
    """bench/growth.py, on a small seeded database."""
    return bench_script("growth")


def test_growth_builds_every_page_for_a_visitor_and_a_signed_in_member(growth):
    [(rows, described)] = growth.measure(runs=2)
    assert [(label, who) for label, who, *_ in rows] == [
        (label, who) for label, _ in growth.PAGES for who in growth.WHO
    ]
    for label, _, path, queries, times in rows:
        assert "{" not in path, f"{label}: every placeholder is filled"
        assert queries > 0, label
        assert len(times) == 2 and all(ms > 0 for ms in times), label
    counts = {(label, who): queries for label, who, _, queries, _ in rows}
    # The member's session and account are read on top of what a visitor's page reads.
    assert all(counts[label, "member"] > counts[label, "visitor"] for label, _ in growth.PAGES)
    popular, median = growth.prepare.popular_and_median()
    assert popular.rating_count > median.rating_count
    assert f"most-rated title: `{popular.title.slug}` ({popular.rating_count} ratings" in described
    assert f"typical (median) title: `{median.title.slug}`" in described
    assert not Session.objects.exists(), "the member's session is rolled back with the rest"


def test_growth_refuses_a_page_not_built_for_the_member(growth):
    member = get_user_model().objects.order_by("pk").first()
    with pytest.raises(SystemExit, match="home \\(member\\) / was not built for the signed-in"):
        growth.load(Client(), "home", "member", "/", member)
    with pytest.raises(SystemExit, match="answered 404"):
        growth.load(Client(), "a theme", "visitor", "/themes/no-such-theme/", member)


def test_growth_results_read_back_and_compare_against_the_limit(growth, tmp_path):
    def results(scale, home, browse):
        rows = [
            ("home", "visitor", "/", 3, home),
            ("browse", "member", "/titles/", 7, browse),
        ]
        path = tmp_path / f"growth-postgres-{scale}.md"
        path.write_text(growth.write(rows, "about the pages", scale, len(home)))
        return growth.read(path)

    base = results("1x", [10.0, 12.0, 11.0], [20.0, 19.0, 21.0])
    assert base == {("home", "visitor"): (3, 11.0), ("browse", "member"): (7, 20.0)}
    grown = results("10x", [16.5, 16.0, 17.0], [30.2, 31.0, 29.0])
    table, over = growth.compare(base, grown, "1x", "10x")
    assert "| home | visitor | 3 | 11.0 | 16.5 | 1.50 | within 1.5× |" in table
    assert "| browse | member | 7 | 20.0 | 30.2 | 1.51 | **over 1.5×** |" in table
    assert over == [("browse", "member")]


def test_growth_compare_needs_both_results(growth, tmp_path):
    with pytest.raises(SystemExit, match="^No results at .*: run bench/growth.py on that"):
        growth.read(tmp_path / "growth-postgres-10x.md")


def test_growth_measures_databases_in_turns(growth):
    first, second = growth.measure(runs=1, databases=[None, None])
    assert [row[:4] for row in first[0]] == [row[:4] for row in second[0]]
    assert all(len(times) == 1 for *_, times in first[0] + second[0])


def test_growth_takes_databases_as_scale_and_url_of_the_configured_kind(growth):
    with pytest.raises(SystemExit, match="as SCALE=DATABASE_URL, not '10x'"):
        growth.parse_pair("10x")
    other = "sqlite:///other.sqlite3" if connection.vendor == "postgresql" else "postgres:///other"
    with pytest.raises(SystemExit, match="^10x: set DATABASE_URL to a database of the same kind"):
        growth.parse_pair(f"10x={other}")


def database_url():
    """The test database's address, as the benchmark is given one."""
    config = connection.settings_dict
    user = f"{config['USER']}@" if config["USER"] else ""
    return f"postgres://{user}{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"


def dead_rows_and_last_vacuum(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_dead_tup, last_vacuum FROM pg_stat_user_tables WHERE relname = %s", [table]
        )
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="autovacuum is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_benchmark_vacuums_tables_past_autovacuums_thresholds_once_a_minute():
    stand_in = bench_script("run").Autovacuum(database_url())
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        assert stand_in.enabled == (cursor.fetchone()[0] == "off")
        # Tested as on a server without autovacuum, whatever this one runs with.
        stand_in.enabled = True
        cursor.execute("CREATE TABLE bench_probe (id int)")
        try:
            cursor.execute("INSERT INTO bench_probe SELECT generate_series(1, 1000)")
            cursor.execute("VACUUM bench_probe")
            cursor.execute("DELETE FROM bench_probe WHERE id <= 100")  # 50 + 20% is 250
            cursor.execute("SELECT pg_stat_force_next_flush()")
            _, vacuumed_at = dead_rows_and_last_vacuum("bench_probe")
            stand_in.between_pages()
            assert dead_rows_and_last_vacuum("bench_probe") == (100, vacuumed_at)  # not due
            assert stand_in.passes == 1

            cursor.execute("DELETE FROM bench_probe WHERE id <= 500")
            cursor.execute("SELECT pg_stat_force_next_flush()")
            stand_in.between_pages()  # within the minute: nothing
            assert stand_in.passes == 1
            assert dead_rows_and_last_vacuum("bench_probe")[0] == 500

            stand_in.last_pass -= stand_in.NAPTIME
            stand_in.between_pages()
            dead, last_vacuum = dead_rows_and_last_vacuum("bench_probe")
            assert (dead, stand_in.passes) == (0, 2) and last_vacuum > vacuumed_at
        finally:
            cursor.execute("DROP TABLE bench_probe")


def wrk_result(rate):
    """What bench/wrk.lua reports for `rate` requests a second over ten seconds."""
    return {"requests": rate * 10, "duration_us": 10_000_000, "p50_us": 1, "p99_us": 2}


def test_each_page_is_compared_with_the_healthz_loads_around_it(monkeypatch):
    run = bench_script("run")
    pages = [run.FLOOR] + [(f"page {n}", "GET", f"/{n}/", "visitor", None) for n in range(7)]
    monkeypatch.setattr(run, "PAGES", pages)
    monkeypatch.setattr(run, "FLOOR", pages[0])
    monkeypatch.setattr(run, "check_member_session", lambda base, plan: None)
    monkeypatch.setattr(run, "drain", lambda base, workers: None)
    # The machine speeds up as the run goes on: each load of /healthz is faster.
    loaded, floors = [], iter([1000, 2000, 4000])

    def run_wrk(url, args, seconds, **options):
        loaded.append(url.removeprefix("http://server"))
        return wrk_result(next(floors) if url.endswith("/healthz") else 500)

    monkeypatch.setattr(run, "run_wrk", run_wrk)
    args = run.parse_arguments(["--warmup", "0"])
    plan = {"popular_slug": "p", "median_slug": "m", "member_cookie": "c"}
    rows = run.measure("http://server", args, plan, None, run.NoAutovacuum())

    assert loaded == [
        "/healthz",
        *(f"/{n}/" for n in range(5)),
        "/healthz",
        "/5/",
        "/6/",
        "/healthz",
    ]
    assert [(row[0], row[5]) for row in rows] == [
        ("/healthz", 1000),
        *((f"page {n}", 1500) for n in range(5)),
        ("page 5", 3000),
        ("page 6", 3000),
    ]


def test_a_healthz_load_that_did_nothing_leaves_the_other_as_the_floor():
    run = bench_script("run")
    page = ("home", "/", "visitor", None, wrk_result(500))
    floor = (run.FLOOR[0], "/healthz", "visitor", None)
    rows = run.with_floors([(*floor, wrk_result(1000)), page, (*floor, {"failed": "refused"})])
    assert rows[1][5] == 1000


def test_the_median_run_of_a_page_is_the_one_with_the_median_share_of_its_own_floor():
    run = bench_script("run")
    runs = [
        [("home", "/", "visitor", None, wrk_result(rate), floor)]
        for rate, floor in [(500, 1000), (900, 1000), (300, 1000)]
    ]
    # Shares 0.5, 0.9 and 0.3: the median is the first run's.
    assert run.median_runs(runs)[0][4] == wrk_result(500)


def test_seed_time_reports_the_extras_share_against_the_limit(tmp_path, monkeypatch):
    seed_time = bench_script("seed_time")
    monkeypatch.setattr(seed_time, "RESULTS", tmp_path)
    args = argparse.Namespace(db="postgres", pairs=3)
    times = {
        "with the extras": [12.8, 14.0, 12.0],
        "without them": [10.0, 9.0, 11.0],
        "at 4d7ae3b": [8.0, 8.5, 7.5],
    }
    report = seed_time.write(args, times)
    assert report == (tmp_path / "seed-time-postgres.md").read_text()
    assert "| with the extras | 12.8 s | 14.0 s | 12.0 s | 12.8 s |" in report
    assert "takes 128% of the time it takes without them" in report
    assert "within the 150% allowed" in report
    # 12.8 / 8 and 10 / 8; the extras' 2.8 s added to the 8 s seed: 10.8 / 8.
    assert "at 4d7ae3b: 160% with the extras, 125% without them" in report
    assert "added to it, 135%." in report

    times = {"with the extras": [16.0], "without them": [10.0]}
    assert "over the 150% allowed" in seed_time.write(
        argparse.Namespace(db="sqlite", pairs=1), times
    )


def test_seed_time_refuses_a_commit_git_cannot_check_out_in_one_message():
    seed_time = bench_script("seed_time")
    with pytest.raises(SystemExit, match="--against no-such-commit: git could not check it out"):
        with seed_time.worktree("no-such-commit"):
            pass


def test_seed_time_says_which_postgresql_it_could_not_reach(tmp_path):
    seed_time = bench_script("seed_time")
    url = "postgres://nobody@127.0.0.1:1/sadlist_seed_time"
    args = argparse.Namespace(db="postgres", postgres_url=url)
    with pytest.raises(SystemExit, match=f"PostgreSQL at {url}: "):
        seed_time.fresh_database(args, tmp_path)
