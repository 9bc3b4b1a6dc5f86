"""
Pages' orders come straight from the indexes made for them (see bench/README.md, "Query
plans"), and bench/plans.py, which checks every page's plans at full scale, still runs.

SQLite plans a query the same way for thirty titles as for ten thousand: Sadlist never
gives it planner statistics, so the plan depends only on the query and the indexes. On
it, these plans are the ones the full-scale database gets. PostgreSQL plans from the
size of each table, so a test database says nothing about its full-scale plans.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import bench_script, curators_group
from .factories import comment, make_catalogue, make_title, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans by table size; a test database shows nothing of them")


def query_plan(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(row[3] for row in cursor.fetchall())


def page_query(browser, path, needle):
    """The one SQL query loading `path` made that contains `needle`."""
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == 200
    found = [query["sql"] for query in queries.captured_queries if needle in query["sql"]]
    assert len(found) == 1, found
    return found[0]


def test_a_title_pages_comments_are_read_newest_first_from_their_index(client, sqlite_only):
    title = make_title()
    for number in range(25):
        comment(title, body=f"Comment {number}")
    sql = page_query(
        client, f"/titles/{title.slug}/?comments=2",
        'ORDER BY "reviews_comment"."created_at" DESC, "reviews_comment"."id" DESC',
    )  # fmt: skip
    plan = query_plan(sql)
    assert "SEARCH reviews_comment USING INDEX comment_title_newest (title_id=?)" in plan
    assert "TEMP B-TREE" not in plan, "the index holds the whole order: nothing to sort"


@pytest.mark.parametrize(
    "who, path, limit",
    [
        ("visitor", "/titles/?sort=name", "LIMIT 24"),
        ("curator", "/admin/catalogue/title/", "LIMIT 50"),
    ],
)
def test_titles_listed_by_name_are_read_in_name_order(
    client, curator_client, who, path, limit, sqlite_only
):
    make_catalogue(60)  # more than a page of either, so each page is a LIMIT
    browser = curator_client if who == "curator" else client
    sql = page_query(
        browser, path,
        f'ORDER BY "catalogue_title"."name" ASC, "catalogue_title"."id" ASC {limit}',
    )  # fmt: skip
    plan = query_plan(sql)
    assert "SCAN catalogue_title USING INDEX title_name" in plan
    assert "TEMP B-TREE" not in plan, "read in name order and stopped after one page"


def test_the_plans_script_explains_every_page_and_keeps_nothing(small_demo):
    plans = bench_script("plans")
    curators_group()  # the script signs in a curator
    counts = {table: count_rows(table) for table in ("reviews_rating", "reviews_comment")}

    rows, notes = plans.collect(runs=1, rating_post_count=10)

    assert {table: count_rows(table) for table in counts} == counts
    pages = {page for row in rows for page in row[2]}
    assert {
        "home (visitor)",
        "rating POST (new) (member)",
        "comment POST (member)",
        "admin: moderation queue (curator)",
        "export (JSON) (member)",
    } <= pages
    verdicts = {row[5] for row in rows}
    assert all(v.startswith(("index", "SCAN: ", "insert")) for v in verdicts), verdicts
    charts = [row for row in rows if "home (visitor)" in row[2] and "LIMIT" in row[1]]
    assert charts, "the home page's charts are explained"
    if connection.vendor == "sqlite":  # PostgreSQL reads a table this small whole
        assert not [row for row in charts if "full scan of catalogue_titlestats" in row[5]]
    assert "rating POSTs" in notes[0]
    report = plans.write(rows, notes, "Test")
    assert report.startswith("# Query plans: Test")
    assert report.count("\n## ") == len(rows)


def count_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 -- our own table names
        return cursor.fetchone()[0]


def test_the_moderation_queue_starts_from_the_open_reports(small_demo, curator_client, sqlite_only):
    sql = page_query(curator_client, "/admin/reviews/reportedcomment/", 'AS "open_report_count"')
    plan = query_plan(sql)
    assert "reviews_report USING INDEX report_open" in plan, plan
    assert not plan.startswith("SCAN reviews_comment"), "not every comment on the site"


@pytest.mark.parametrize("path", ["/titles/", "/titles/?sort=tears&page=2"])
def test_titles_saddest_first_are_read_from_the_tear_score_index(client, path, sqlite_only):
    make_catalogue(60)  # more than a page, so each page is a LIMIT
    sql = page_query(client, path, 'ORDER BY "catalogue_titlestats"."tear_score" DESC')
    plan = query_plan(sql)
    assert "SCAN catalogue_titlestats USING INDEX titlestats_saddest" in plan, plan
    assert "TEMP B-TREE" not in plan, "read in score order and stopped after one page"


@pytest.fixture
def rated_catalogue(db):
    """60 titles, 8 of them well rated and some disputed: more than a page of each list."""
    titles = make_catalogue(60)
    for title in titles[:8]:
        rate(title, [4, 4, 4, 4, 5])
    return titles


# (address, a piece of the one query to explain, the index that must give its order)
PAGE = 'ORDER BY "catalogue_titlestats"'
ORDERED_BY_AN_INDEX = [
    ("/", '"catalogue_titlestats"."rating_count" >= ', "titlestats_saddest"),
    ("/", '"catalogue_titlestats"."dispute_share" > ', "titlestats_most_disputed"),
    ("/titles/?sort=rated", PAGE, "titlestats_most_rated"),
    ("/titles/?sort=discussed", PAGE, "titlestats_most_discussed"),
    ("/titles/?sort=disputed", PAGE, "titlestats_most_disputed"),
    ("/titles/?sort=disputed&page=2", PAGE, "titlestats_most_disputed"),
    (
        "/titles/?kind=series&theme=sized-theme-1&year_min=1995&sort=rated",
        PAGE,
        "titlestats_most_rated",
    ),
    (
        "/titles/?kind=movie&theme=sized-theme-2&year_min=1995&sort=discussed",
        PAGE,
        "titlestats_most_discussed",
    ),
    # A filter on a counter keeps the saddest-first order from its own index.
    ("/titles/?min_ratings=3", PAGE, "titlestats_saddest"),
]


# With filters on the title as well (kind, year, theme), SQLite, which has no planner
# statistics, prefers reading the matching titles and sorting them: those are left to
# the PostgreSQL test below.
UNFILTERED = [case for case in ORDERED_BY_AN_INDEX if "kind=" not in case[0]]


@pytest.mark.parametrize("path, needle, index", UNFILTERED)
def test_charts_and_sorts_by_the_stored_numbers_read_one_index_in_order(
    client, rated_catalogue, path, needle, index, sqlite_only
):
    plan = query_plan(page_query(client, path, needle))
    assert f"catalogue_titlestats USING INDEX {index}" in plan, plan
    assert "TEMP B-TREE" not in plan, "read in the index's order and stopped after the page"


@pytest.mark.parametrize("path, needle, index", ORDERED_BY_AN_INDEX)
def test_postgresql_finds_an_index_for_each_order_without_sorting(
    client, rated_catalogue, path, needle, index
):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite plans are checked above")
    sql = page_query(client, path, needle)
    # A test database is too small for PostgreSQL to prefer an index on its own;
    # with sorting priced out, the plan shows whether an index gives this order.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"using {index} on catalogue_titlestats" in plan, plan
    assert "Sort" not in plan, plan


def test_each_themes_first_titles_are_read_in_name_order_not_every_pair(
    client, rated_catalogue, sqlite_only
):
    plan = query_plan(page_query(client, "/themes/", "UNION ALL"))
    assert plan.count("SCAN catalogue_title USING INDEX title_name") == 4, plan  # one per theme
    assert "theme_id=?)" not in plan.replace("title_id=? AND theme_id=?)", ""), (
        "no theme's titles read whole through the theme index"
    )


def test_postgresql_reads_each_themes_first_titles_in_name_order(client, rated_catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite plan is checked above")
    sql = page_query(client, "/themes/", "UNION ALL")
    assert "ROW_NUMBER()" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert plan.count("using title_name on catalogue_title") == 4, plan


def test_the_insight_tables_are_read_through_their_unique_pairs(sqlite_only):
    """
    Migration 0012 dropped the foreign keys' own indexes on these tables: each lookup
    by rating or title, and each cause's titles, still reads an index.
    """
    plans = {
        "reviews_ratingcause": "SELECT cause_id FROM reviews_ratingcause WHERE rating_id = 1",
        "reviews_titlecausestats": "SELECT * FROM reviews_titlecausestats WHERE title_id = 1",
        "reviews_titlemomentstats": "SELECT * FROM reviews_titlemomentstats WHERE title_id = 1",
        "cause_stats_by_cause": "SELECT title_id FROM reviews_titlecausestats "
        "WHERE cause_id = 1 AND rater_count >= 3",
    }
    assert "USING COVERING INDEX sqlite_autoindex_reviews_ratingcause_1 (rating_id=?)" in (
        query_plan(plans["reviews_ratingcause"])
    )
    for table in ("reviews_titlecausestats", "reviews_titlemomentstats"):
        assert f"USING INDEX sqlite_autoindex_{table}_1 (title_id=?)" in query_plan(plans[table])
    assert "USING INDEX cause_stats_by_cause (cause_id=? AND rater_count>?)" in (
        query_plan(plans["cause_stats_by_cause"])
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('reviews_ratingcause', 'reviews_titlecausestats', "
            "'reviews_titlemomentstats') ORDER BY name"
        )
        assert [name for (name,) in cursor.fetchall()] == ["cause_stats_by_cause"]
