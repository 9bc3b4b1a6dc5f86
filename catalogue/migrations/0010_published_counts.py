"""
Each kind's and each theme's published titles, stored (catalogue.published_counts) and
kept by triggers (catalogue/count_triggers.py), counted once here from the titles.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

from catalogue import count_triggers


def count_published(apps, schema_editor):
    Theme = apps.get_model("catalogue", "Theme")
    Title = apps.get_model("catalogue", "Title")
    ThemeStats = apps.get_model("catalogue", "ThemeStats")
    KindStats = apps.get_model("catalogue", "KindStats")
    themes = Theme.objects.annotate(number=Count("titles", filter=Q(titles__is_published=True)))
    ThemeStats.objects.bulk_create(
        [ThemeStats(theme_id=pk, published_count=n) for pk, n in themes.values_list("pk", "number")]
    )
    kinds = dict(
        Title.objects.filter(is_published=True)
        .order_by()
        .values_list("kind")
        .annotate(number=Count("pk"))
    )
    KindStats.objects.bulk_create(
        [KindStats(kind=kind, published_count=kinds.get(kind, 0)) for kind in ("movie", "series")]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0009_community"),
    ]

    operations = [
        migrations.CreateModel(
            name="KindStats",
            fields=[
                (
                    "kind",
                    models.CharField(
                        choices=[("movie", "Movie"), ("series", "Series")],
                        max_length=10,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("published_count", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="ThemeStats",
            fields=[
                (
                    "theme",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stats",
                        serialize=False,
                        to="catalogue.theme",
                    ),
                ),
                ("published_count", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count_published, migrations.RunPython.noop),
        migrations.RunPython(count_triggers.install, count_triggers.remove),
    ]
