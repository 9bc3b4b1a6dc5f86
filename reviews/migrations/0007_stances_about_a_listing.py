"""
A comment's stance is about one listing of its title (Comment.mention): ranked too
high, about right or too low, or for a recommendation whether it belongs on the list.
Each listing's stance counts (MentionStats) are kept by the triggers, reinstalled here.

Stored stances keep their values: "agree" now reads "about right" (or "belongs on the
list"); "disagree", whose direction nobody gave, stays readable and still counts as a
disagreement, but is no longer offered. Old comments have no listing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from reviews import triggers


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_content_version"),
        ("reviews", "0006_title_stats_and_tear_prior"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Undone last: puts back the triggers of a time when comments had no listing.
        migrations.RunPython(migrations.RunPython.noop, triggers.install),
        migrations.CreateModel(
            name="MentionStats",
            fields=[
                (
                    "mention",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stance_stats",
                        serialize=False,
                        to="catalogue.mention",
                    ),
                ),
                (
                    "agree_count",
                    models.PositiveIntegerField(
                        default=0, help_text="Ranked about right, or belongs on the list."
                    ),
                ),
                ("too_high_count", models.PositiveIntegerField(default=0)),
                ("too_low_count", models.PositiveIntegerField(default=0)),
                (
                    "off_list_count",
                    models.PositiveIntegerField(
                        default=0, help_text="Does not belong on the list."
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "mention stats",
            },
        ),
        migrations.RemoveConstraint(
            model_name="comment",
            name="comment_stance_known",
        ),
        migrations.AddField(
            model_name="comment",
            name="mention",
            field=models.ForeignKey(
                blank=True,
                help_text="The listing (article, section, rank) the stance is about.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="comments",
                to="catalogue.mention",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="stance",
            field=models.CharField(
                choices=[
                    ("none", "No stance"),
                    ("agree", "Agrees with the list"),
                    ("too_high", "Ranked too high"),
                    ("too_low", "Ranked too low"),
                    ("off_list", "Does not belong on the list"),
                    ("disagree", "Disagrees with the list"),
                ],
                default="none",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("stance__in", ["none", "agree", "too_high", "too_low", "off_list", "disagree"])
                ),
                name="comment_stance_known",
            ),
        ),
        # Changing the comments table rebuilds it on SQLite, dropping its triggers: after it.
        migrations.RunPython(triggers.install, triggers.remove),
    ]
