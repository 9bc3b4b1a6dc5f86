"""
Drops two indexes no query uses, found by bench/plans.py at full scale:

- titlestats_rating_count (rating_count) and titlestats_comment_count (comment_count):
  browse's "most rated" and "most discussed" sorts and the "at least N ratings" filter
  read the counters through COALESCE over a LEFT JOIN (a title may have no stats row
  yet), which no index serves.

Every rating changes rating_count and every comment comment_count, so each index cost
every write an index update; without them, PostgreSQL can update the stats row in place
(a HOT update) when a rating or comment changes it. Dropped CONCURRENTLY on PostgreSQL.
"""

from django.db import migrations

from sadlist.migration_operations import RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalogue", "0003_title_name"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="titlestats", name="titlestats_rating_count"),
        RemoveIndexConcurrently(model_name="titlestats", name="titlestats_comment_count"),
    ]
