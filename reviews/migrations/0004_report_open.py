"""
An index for the moderation queue, found by bench/plans.py at full scale:

- report_open (comment_id) WHERE dismissed_at IS NULL: the queue
  (ReportedComment.objects.with_open_reports) joins comments to their open reports and
  counts them; with this index both databases start from the open reports instead of
  counting the reports of every visible comment. Only open reports are in it, so it
  stays small, and only reporting and dismissing write to it.

Built CONCURRENTLY on PostgreSQL, so the site keeps serving.
"""

from django.db import migrations, models

from sadlist.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reviews", "0003_comment_title_newest"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="report",
            index=models.Index(
                condition=models.Q(dismissed_at__isnull=True),
                fields=["comment"],
                name="report_open",
            ),
        ),
    ]
