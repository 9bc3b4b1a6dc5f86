from django.db import migrations, models

# Sessions move to accounts_session (accounts.models.Session) with their keys, so every
# member stays signed in. Their member (user_id) is left empty: it is written the next
# time each session is saved, and until then the member is read on its own, as before.
COPY_SESSIONS = (
    "INSERT INTO accounts_session (session_key, session_data, expire_date, user_id) "
    "SELECT session_key, session_data, expire_date, NULL FROM django_session"
)
# Back again, as the sessions stand now: those started, changed or ended since included.
COPY_SESSIONS_BACK = [
    "DELETE FROM django_session",
    "INSERT INTO django_session (session_key, session_data, expire_date) "
    "SELECT session_key, session_data, expire_date FROM accounts_session",
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_imports"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                ("user_id", models.BigIntegerField(null=True)),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunSQL(COPY_SESSIONS, COPY_SESSIONS_BACK),
    ]
