from django.conf import settings
from django.db import migrations

from accounts.usernames import fold

EMAIL_INDEX = "accounts_user_email_unique_ci"


def key_existing_members(apps, schema_editor):
    """Older accounts take their keys; of two that already look alike, the older keeps it."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    username_key = apps.get_model("accounts", "UsernameKey")
    taken = set(username_key.objects.values_list("key", flat=True))
    for pk, username in user_model.objects.order_by("pk").values_list("pk", "username"):
        key = fold(username)
        if key not in taken:
            taken.add(key)
            username_key.objects.create(user_id=pk, key=key)


def unique_email(apps, schema_editor):
    """
    One account per email address, whatever its case, enforced by the database (a
    partial, functional unique index on Django's own user table; empty addresses
    are allowed many times).
    """
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    table = schema_editor.quote_name(user_model._meta.db_table)
    duplicates = user_model.objects.exclude(email="").values_list("email", flat=True).order_by()
    seen, shared = set(), set()
    for email in duplicates:
        (shared if email.lower() in seen else seen).add(email.lower())
    if shared:
        raise RuntimeError(
            f"{len(shared)} email address(es) are used by more than one account "
            f"(e.g. {sorted(shared)[0]!r}): give each account its own address, then migrate."
        )
    schema_editor.execute(
        f"CREATE UNIQUE INDEX {EMAIL_INDEX} ON {table} (LOWER(email)) WHERE email <> ''"
    )


def drop_unique_email(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {EMAIL_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_username_key"),
        # After every migration of the user table: SQLite rebuilds a table it alters,
        # and would drop the index below with the old table.
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(key_existing_members, migrations.RunPython.noop),
        migrations.RunPython(unique_email, drop_unique_email),
    ]
