"""
The first vocabulary of causes, in our own words. Curators keep it in the admin from
here: rename, reorder, mark as a spoiler, retire.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils.text import slugify

# (name, one neutral line, naming it gives a turn of the plot away)
CAUSES = [
    ("The death of a parent", "A mother or father dies, or has died.", True),
    ("The death of a child", "A child dies.", True),
    ("The death of a friend", "A close friend dies.", True),
    ("The death of a partner", "A lover, husband or wife dies.", True),
    ("The death of an animal", "A pet or an animal companion dies.", True),
    ("Terminal illness", "Someone lives with an illness that will end their life.", False),
    ("Suicide", "Someone takes, or tries to take, their own life.", True),
    ("War", "War and what it does to ordinary people.", False),
    ("Abuse", "Someone is hurt by a person who should care for them.", False),
    ("Bullying", "Someone is tormented by those around them.", False),
    ("Grief and mourning", "Living on after a loss.", False),
    ("Unrequited love", "Love that is not returned.", False),
    ("Lovers kept apart", "Two people in love parted by distance or by time.", False),
    ("Memory loss", "Someone forgets, or is forgotten.", False),
    ("Sacrifice", "Someone gives up everything for others.", True),
    ("Farewells", "Saying goodbye, perhaps for the last time.", False),
    ("Growing up and leaving", "Childhood ends; people move on.", False),
    ("Loneliness", "Being alone, or feeling it among others.", False),
    ("Regret", "Words unsaid, chances missed.", False),
    ("Reunion", "People find each other again: happy tears.", True),
    ("Forgiveness", "A wrong is forgiven, at last.", False),
]


def seed(apps, schema_editor):
    cause_model = apps.get_model("reviews", "Cause")
    for order, (name, description, is_spoiler) in enumerate(CAUSES, start=1):
        cause_model.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "description": description,
                "is_spoiler": is_spoiler,
                "order": order * 10,
            },
        )


def let_curators_keep_causes(apps, schema_editor):
    """Curators add, rename and retire causes; deleting is left to retiring."""
    # A migration's app registry has no models module, which create_permissions
    # takes for "no models"; the real registry (tests call this too) keeps its own.
    app_config = apps.get_app_config("reviews")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    group = apps.get_model("auth", "Group").objects.filter(name="Curators").first()
    if group is not None:
        group.permissions.add(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="reviews",
                codename__in=["add_cause", "change_cause", "view_cause"],
            )
        )


def unseed(apps, schema_editor):
    cause_model = apps.get_model("reviews", "Cause")
    cause_model.objects.filter(slug__in=[slugify(name) for name, *_ in CAUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_insights"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(let_curators_keep_causes, migrations.RunPython.noop),
    ]
