"""
Drops four indexes no query uses, which every rating and comment had to write:

- reviews_rating_user_id_17595427 (user_id): rating_one_per_member (user_id, title_id)
  and rating_user_recent (user_id, updated_at) start with the same column;
- reviews_rating_title_id_3f763445 (title_id): rating_title_tears (title_id, tears)
  does;
- reviews_comment_user_id_1d319c7d (user_id): comment_user_recent (user_id, created_at)
  does;
- reviews_comment_title_id_d1b38f01 (title_id): comment_title_newest (title_id,
  created_at, id) does.

bench/plans.py found none of them in any page's plan at full scale; lookups by member
or title, and the cascades when an account or a title is deleted, use the wider ones.

Only the indexes go: Django's AlterField(db_index=False) would drop and re-check each
foreign key on PostgreSQL and copy each table on SQLite. On PostgreSQL they are
dropped CONCURRENTLY, so ratings keep being written meanwhile.
"""

from django.conf import settings
from django.db import migrations, models

from sadlist.migration_operations import drop_plain_indexes

UNUSED_INDEXES = [
    ("reviews_rating", "reviews_rating_user_id_17595427", "user_id"),
    ("reviews_rating", "reviews_rating_title_id_3f763445", "title_id"),
    ("reviews_comment", "reviews_comment_user_id_1d319c7d", "user_id"),
    ("reviews_comment", "reviews_comment_title_id_d1b38f01", "title_id"),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalogue", "0003_title_name"),
        ("reviews", "0004_report_open"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_plain_indexes(UNUSED_INDEXES)],
            state_operations=[
                migrations.AlterField(
                    model_name="comment",
                    name="title",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.CASCADE,
                        related_name="comments",
                        to="catalogue.title",
                    ),
                ),
                migrations.AlterField(
                    model_name="comment",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.CASCADE,
                        related_name="comments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="title",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.CASCADE,
                        related_name="ratings",
                        to="catalogue.title",
                    ),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.CASCADE,
                        related_name="ratings",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
