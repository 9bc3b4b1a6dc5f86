"""bench/plans.py, which checks every page's query plans at full scale, still runs."""

import pytest
from django.db import connection

from .conftest import bench_script, curators_group

pytestmark = pytest.mark.django_db


def test_the_plans_script_explains_every_page_and_keeps_nothing(small_demo):
    plans = bench_script("plans")
    curators_group()  # the script signs in a curator
    counts = {table: count_rows(table) for table in ("reviews_rating", "reviews_comment")}

    rows, notes = plans.collect(runs=1, rating_post_count=10)

    assert {table: count_rows(table) for table in counts} == counts
    pages = {page for row in rows for page in row[2]}
    assert {"home (visitor)", "rating POST (new) (member)", "comment POST (member)",
            "admin: moderation queue (curator)", "export (JSON) (member)"} <= pages
    verdicts = {row[5] for row in rows}
    assert all(v.startswith(("index", "SCAN: ", "insert")) for v in verdicts), verdicts
    saddest_shelf = [row for row in rows if row[6].startswith("Expected: ordered by a score")]
    assert saddest_shelf[0][5].startswith("SCAN: full scan of catalogue_title"), "and says why"
    assert "rating POSTs" in notes[0]
    report = plans.write(rows, notes, "Test")
    assert report.startswith("# Query plans: Test")
    assert report.count("\n## ") == len(rows)


def count_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 -- our own table names
        return cursor.fetchone()[0]
