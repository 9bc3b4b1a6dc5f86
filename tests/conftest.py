"""
Shared test fixtures: the people who use Sadlist, and the catalogue they browse.

Named users, as in the product brief: `reader` and `other_reader` are members,
`curator` is staff in the Curators group, and the plain `client` is a visitor.
"""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command

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


@pytest.fixture
def curator(django_user_model, password):
    """Staff in the Curators group, as `manage.py make_curator` makes them: not a superuser."""
    user = django_user_model.objects.create_user(
        "curator", "curator@example.com", password, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client
