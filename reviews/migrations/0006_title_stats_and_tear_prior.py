"""
The reviews app takes over the per-title totals it keeps (the table keeps its name),
adds each title's stored tear score with an index for the saddest-first order, the
stored prior it is computed from, and the triggers that keep the totals exact
(reviews/triggers.py). Every existing title gets its stats row and its score.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, FloatField, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone

from reviews import triggers


def stats_rows_and_scores(apps, schema_editor):
    Title = apps.get_model("catalogue", "Title")
    TitleStats = apps.get_model("reviews", "TitleStats")
    TearPrior = apps.get_model("reviews", "TearPrior")
    missing = Title.objects.filter(stats__isnull=True).values_list("pk", flat=True)
    TitleStats.objects.bulk_create([TitleStats(title_id=pk) for pk in missing], batch_size=1000)
    totals = TitleStats.objects.aggregate(count=Sum("rating_count"), total=Sum("rating_sum"))
    count, total = totals["count"] or 0, totals["total"] or 0
    weight = settings.TEAR_SCORE_PRIOR_WEIGHT
    mean = total / count if count else 2.5
    TearPrior.objects.update_or_create(
        pk=1,
        defaults={
            "mean": mean,
            "weight": weight,
            "rating_count": count,
            "refreshed_at": timezone.now(),
        },
    )
    TitleStats.objects.update(
        tear_score=(Cast(F("rating_sum"), FloatField()) + Value(weight * mean))
        / Cast(F("rating_count") + Value(weight), FloatField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_content_version"),
        ("reviews", "0005_drop_duplicate_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TitleStats",
                    fields=[
                        (
                            "title",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="stats",
                                serialize=False,
                                to="catalogue.title",
                            ),
                        ),
                        ("rating_count", models.PositiveIntegerField(default=0)),
                        ("rating_sum", models.PositiveIntegerField(default=0)),
                        ("tears_0", models.PositiveIntegerField(default=0)),
                        ("tears_1", models.PositiveIntegerField(default=0)),
                        ("tears_2", models.PositiveIntegerField(default=0)),
                        ("tears_3", models.PositiveIntegerField(default=0)),
                        ("tears_4", models.PositiveIntegerField(default=0)),
                        ("tears_5", models.PositiveIntegerField(default=0)),
                        (
                            "comment_count",
                            models.PositiveIntegerField(default=0, help_text="Visible comments."),
                        ),
                        (
                            "stance_count",
                            models.PositiveIntegerField(
                                default=0,
                                help_text="Visible comments that agree or disagree with the list.",
                            ),
                        ),
                        ("disagree_count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name_plural": "title stats",
                        "db_table": "catalogue_titlestats",
                    },
                ),
            ],
        ),
        migrations.AddField(
            model_name="titlestats",
            name="tear_score",
            field=models.FloatField(default=2.5),
        ),
        migrations.AddIndex(
            model_name="titlestats",
            index=models.Index(fields=["-tear_score", "title"], name="titlestats_saddest"),
        ),
        migrations.CreateModel(
            name="TearPrior",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("mean", models.FloatField(default=2.5)),
                ("weight", models.PositiveSmallIntegerField(default=5)),
                (
                    "rating_count",
                    models.PositiveBigIntegerField(
                        default=0, help_text="How many ratings the mean was computed from."
                    ),
                ),
                ("refreshed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("pk", 1)), name="tear_prior_one_row")
                ],
            },
        ),
        migrations.CreateModel(
            name="RatedTitle",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("catalogue.title",),
        ),
        migrations.RunPython(stats_rows_and_scores, migrations.RunPython.noop),
        migrations.RunPython(triggers.install, triggers.remove),
    ]
