"""
SQLite: a trigram index of the titles' search keys (catalogue/search_index.py), so that
a misspelt search and "Did you mean …?" find their titles through the index instead of
reading every key. PostgreSQL has had its own since 0006 (pg_trgm's GIN index).
"""

from django.db import migrations

from catalogue import search_index


def create(apps, schema_editor):
    search_index.create(schema_editor.connection)


def drop(apps, schema_editor):
    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_title_search_key"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
