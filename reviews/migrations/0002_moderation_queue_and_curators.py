"""
The moderation queue (a proxy of Comment) and the Curators group.

Curators get exactly what curation and moderation need: the catalogue's titles,
themes, sources and provenance in full; comments and reports to view and change
(hide, restore, dismiss); ratings to view only. Nothing about users or groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATORS = "Curators"
CURATOR_PERMISSIONS = {
    "catalogue": [
        f"{action}_{model}"
        for model in ["title", "theme", "source", "mention"]
        for action in ["add", "change", "delete", "view"]
    ],
    "reviews": [
        "view_comment",
        "change_comment",
        "view_reportedcomment",
        "change_reportedcomment",
        "view_report",
        "change_report",
        "view_rating",
    ],
}


def create_curators(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    for app_label in CURATOR_PERMISSIONS:
        # (A migration's registry has no models module; the real one, which tests
        # pass in, keeps its own.)
        app_config = apps.get_app_config(app_label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = [
        (app_label, codename)
        for app_label, codenames in CURATOR_PERMISSIONS.items()
        for codename in codenames
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    group, _ = Group.objects.get_or_create(name=CURATORS)
    group.permissions.set(permissions)


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CURATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalogue", "0001_initial"),
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportedComment",
            fields=[],
            options={
                "verbose_name": "reported comment",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("reviews.comment",),
        ),
        migrations.RunPython(create_curators, remove_curators),
    ]
