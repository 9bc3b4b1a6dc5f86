"""
An index found missing by bench/plans.py (the query plans of every page at full scale):

- title_name (name, id): browse sorted by name, and the admin's list of titles, both
  ORDER BY name, id LIMIT n. Read in index order and stopped after one page, instead of
  reading and sorting every title.

Titles change only when curators edit them, so it costs no rating or comment anything.
Built CONCURRENTLY on PostgreSQL, so the site keeps serving.
"""

from django.db import migrations, models

from sadlist.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalogue", "0002_site_content_version"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="title",
            index=models.Index(fields=["name", "id"], name="title_name"),
        ),
    ]
