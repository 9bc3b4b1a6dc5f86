"""
The content version moves to a row of its own, raised by triggers on every catalogue
table (catalogue/triggers.py), and the site-wide rating totals go: ratings no longer
write a row shared by every title. The per-title totals move to the reviews app, which
keeps them; their table stays where it is (reviews 0006 takes it over).
"""

from django.db import migrations, models

from catalogue import triggers


def first_version(apps, schema_editor):
    apps.get_model("catalogue", "ContentVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0004_drop_unused_stats_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="content_version_one_row"
                    )
                ],
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.DeleteModel(name="SiteStats"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TitleStats")],
        ),
        migrations.RunPython(triggers.install, triggers.remove),
    ]
