"""
An index found missing by bench/plans.py (the query plans of every page at full scale):

- comment_title_newest (title_id, created_at DESC, id DESC), replacing
  comment_title_recent (title_id, created_at DESC): a title page's comments, newest
  first, ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET n. The old index left the id
  tie-break to a sort, and for the most-commented title PostgreSQL preferred walking
  the whole site's comments newest first (comment_recent), filtering out other titles';
  the new one holds the whole order, so a page reads just its own rows. It also serves
  the comment form's duplicate check (title_id, created_at >).

One index replaces another, so writing a comment maintains as many as before. The new
one is built before the old one is dropped, both CONCURRENTLY on PostgreSQL, so title
pages stay indexed and comments keep being written throughout.
"""

from django.db import migrations, models

from sadlist.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reviews", "0002_moderation_queue_and_curators"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="comment",
            index=models.Index(fields=["title", "-created_at", "-id"], name="comment_title_newest"),
        ),
        RemoveIndexConcurrently(model_name="comment", name="comment_title_recent"),
    ]
