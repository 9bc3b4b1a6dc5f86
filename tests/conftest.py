"""
Shared test fixtures: the people who use Sadlist, and the catalogue they browse.

Named users, as in the product brief: `reader` and `other_reader` are members,
`curator` is staff in the Curators group, and the plain `client` is a visitor.
"""

import textwrap

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from .servers import AppServer, manage, production_env, running

CATALOGUE_FIXTURE = str(django_settings.BASE_DIR / "fixtures" / "catalogue.json")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def catalogue(db):
    """The real catalogue, loaded from fixtures/ as `make run` loads it."""
    call_command("loaddata", CATALOGUE_FIXTURE, verbosity=0)
    call_command("make_covers", verbosity=0)


@pytest.fixture
def password():
    return "a-long-Tearful-passphrase-42"


@pytest.fixture
def reader(django_user_model, password):
    return django_user_model.objects.create_user("reader", "reader@example.com", password)


@pytest.fixture
def other_reader(django_user_model, password):
    return django_user_model.objects.create_user("other", "other@example.com", password)


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


SITE_DATA = textwrap.dedent("""
    from django.contrib.auth import get_user_model
    from tests.factories import make_theme, make_title
    grief = make_theme("Grief", slug="grief")
    make_title("Grave of the Fireflies", slug="grave-of-the-fireflies", themes=[grief])
    get_user_model().objects.create_superuser("curator", "c@example.com", "Tearful-pass-42")
""")


@pytest.fixture(scope="session")
def production_site(tmp_path_factory):
    """
    gunicorn serving the site with the production settings (DEBUG off, static files
    collected, a title, a theme, a curator and a generated cover): (server, folder).
    Its log is folder / "gunicorn.log".
    """
    folder = tmp_path_factory.mktemp("production")
    env = production_env(folder, LOG_LEVEL="INFO")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "shell", "-c", SITE_DATA)
    manage(env, "make_covers")
    server = AppServer(env, workers=1, log_path=folder / "gunicorn.log")
    with running(server):
        yield server, folder
