"""
Drops five indexes that Django made for foreign keys and that no query uses, which
every rating naming a cause (and the triggers that count it) had to write:

- reviews_ratingcause_rating_id_00449fc6 (rating_id): rating_cause_once (rating_id,
  cause_id) starts with the same column;
- reviews_ratingcause_cause_id_22c5e4dc (cause_id): nothing reads a cause's ratings.
  Causes in use are retired, not deleted; deleting one (PROTECT) reads the links once;
- reviews_titlecausestats_title_id_4069881d (title_id): title_cause_stats_once
  (title_id, cause_id) does;
- reviews_titlecausestats_cause_id_cf9dc6ed (cause_id): cause_stats_by_cause (cause_id,
  rater_count) does;
- reviews_titlemomentstats_title_id_52c2500a (title_id): title_moment_once (title_id,
  position) does.

As in 0005, only the indexes go (AlterField would copy each table on SQLite), and on
PostgreSQL they are dropped CONCURRENTLY, so ratings keep being written meanwhile.
"""

from django.db import migrations, models

from sadlist.migration_operations import drop_plain_indexes

UNUSED_INDEXES = [
    ("reviews_ratingcause", "reviews_ratingcause_rating_id_00449fc6", "rating_id"),
    ("reviews_ratingcause", "reviews_ratingcause_cause_id_22c5e4dc", "cause_id"),
    ("reviews_titlecausestats", "reviews_titlecausestats_title_id_4069881d", "title_id"),
    ("reviews_titlecausestats", "reviews_titlecausestats_cause_id_cf9dc6ed", "cause_id"),
    ("reviews_titlemomentstats", "reviews_titlemomentstats_title_id_52c2500a", "title_id"),
]


def _foreign_key(to, related_name, on_delete=models.CASCADE):
    return models.ForeignKey(db_index=False, on_delete=on_delete, related_name=related_name, to=to)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reviews", "0011_stored_dispute_share_and_chart_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_plain_indexes(UNUSED_INDEXES)],
            state_operations=[
                migrations.AlterField(
                    model_name="ratingcause",
                    name="rating",
                    field=_foreign_key("reviews.rating", "cause_links"),
                ),
                migrations.AlterField(
                    model_name="ratingcause",
                    name="cause",
                    field=_foreign_key("reviews.cause", "rating_links", models.PROTECT),
                ),
                migrations.AlterField(
                    model_name="titlecausestats",
                    name="title",
                    field=_foreign_key("catalogue.title", "cause_stats"),
                ),
                migrations.AlterField(
                    model_name="titlecausestats",
                    name="cause",
                    field=_foreign_key("reviews.cause", "title_stats"),
                ),
                migrations.AlterField(
                    model_name="titlemomentstats",
                    name="title",
                    field=_foreign_key("catalogue.title", "moment_stats"),
                ),
            ],
        ),
    ]
