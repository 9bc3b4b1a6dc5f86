"""
Each title's dispute share is stored beside its counts (TitleStats.dispute_share), kept
by the comment triggers in the statement that changes the counts, and backfilled here;
with it, indexes that give the charts' and browse's orders, so each reads one page of
an index instead of sorting every title:

- titlestats_most_disputed (dispute_share DESC, stance_count DESC, title_id): home's
  most disputed and browse sorted by most disputed;
- titlestats_most_rated (rating_count DESC, tear_score DESC, title_id) and
  titlestats_most_discussed (comment_count DESC, tear_score DESC, title_id): browse
  sorted by most rated and most discussed.

On PostgreSQL the column has a default in the database, so the triggers of before
(which insert a new title's row without it) keep counting until the new ones are
installed; on SQLite they are set aside while the table is rebuilt. The new triggers
go in before the backfill, so a comment written meanwhile leaves its title's
share exact either way. The indexes are built CONCURRENTLY on PostgreSQL.
"""

from django.db import migrations, models
from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast

from reviews import triggers
from sadlist.migration_operations import AddIndexConcurrently


def backfill_dispute_shares(apps, schema_editor):
    TitleStats = apps.get_model("reviews", "TitleStats")
    # A title without a disagreeing comment keeps the default, 0.
    TitleStats.objects.filter(disagree_count__gt=0).update(
        dispute_share=Cast(F("disagree_count"), FloatField())
        / Cast(F("stance_count") + Value(triggers.DISPUTE_PRIOR_AGREEMENTS), FloatField())
    )


def triggers_without_shares(apps, schema_editor):
    """Undoing: the stats triggers as they were, before the share was stored."""
    vendor = schema_editor.connection.vendor
    triggers.execute(schema_editor, triggers._statements(vendor, shares=False))


def set_aside_on_sqlite(apps, schema_editor):
    """
    SQLite adds or drops the column by rebuilding the table, and cannot rename the
    rebuilt one while other tables' triggers name it: they go until it is done.
    PostgreSQL alters the table in place and keeps counting throughout.
    """
    if schema_editor.connection.vendor == "sqlite":
        triggers.remove(apps, schema_editor)


def before_dropping_the_share(apps, schema_editor):
    """Undoing: triggers that do not write the share, before the column goes."""
    if schema_editor.connection.vendor == "sqlite":
        triggers.remove(apps, schema_editor)
    else:
        triggers_without_shares(apps, schema_editor)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reviews", "0010_community"),
    ]

    operations = [
        migrations.RunPython(set_aside_on_sqlite, triggers_without_shares),
        migrations.AddField(
            model_name="titlestats",
            name="dispute_share",
            field=models.FloatField(
                db_default=0,
                default=0,
                help_text="The damped share of visible comments taking a side that disagree "
                "with the list (dispute_share()); kept by the comment triggers.",
            ),
        ),
        migrations.RunPython(triggers.install, before_dropping_the_share),
        migrations.RunPython(backfill_dispute_shares, migrations.RunPython.noop),
        AddIndexConcurrently(
            model_name="titlestats",
            index=models.Index(
                fields=["-dispute_share", "-stance_count", "title"],
                name="titlestats_most_disputed",
            ),
        ),
        AddIndexConcurrently(
            model_name="titlestats",
            index=models.Index(
                fields=["-rating_count", "-tear_score", "title"], name="titlestats_most_rated"
            ),
        ),
        AddIndexConcurrently(
            model_name="titlestats",
            index=models.Index(
                fields=["-comment_count", "-tear_score", "title"],
                name="titlestats_most_discussed",
            ),
        ),
    ]
