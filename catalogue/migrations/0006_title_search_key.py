"""
Titles' search key: every name folded (lower case, no accents or punctuation), so
that search ignores case, accents and punctuation on SQLite as on PostgreSQL
(catalogue/search.py). Existing titles get theirs here.

On PostgreSQL, pg_trgm and a trigram (GIN) index on the key serve both "contains"
(LIKE '%…%') and near misses (word similarity), so a search reads the index instead
of every title. SQLite has no such module and scans the key column instead.
"""

from django.db import migrations

import catalogue.search

TRIGRAM_INDEX = "title_search_key_trigrams"


def fill_search_keys(apps, schema_editor):
    # Reading search_key folds the names loaded with it (catalogue.search.SearchKeyField).
    Title = apps.get_model("catalogue", "Title")
    titles = list(Title.objects.only("pk", "name", "original_name", "other_names"))
    Title.objects.bulk_update(titles, ["search_key"], batch_size=500)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON catalogue_title "
            "USING gin (search_key gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_content_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="title",
            name="search_key",
            field=catalogue.search.SearchKeyField(
                default="",
                editable=False,
                serialize=False,
                sources=("name", "original_name", "other_names"),
            ),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(add_trigram_index, drop_trigram_index, elidable=False),
    ]
