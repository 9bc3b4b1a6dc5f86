"""
Shared test fixtures: the people who use Sadlist, and the catalogue they browse.

Named users, as in the product brief: `reader` and `other_reader` are members,
`curator` is staff in the Curators group, and the plain `client` is a visitor.
"""

import pytest
from django.conf import settings as django_settings
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
def other_client(other_reader):
    """A second browser, signed in as `other_reader`."""
    from django.test import Client

    browser = Client()
    browser.force_login(other_reader)
    return browser


@pytest.fixture
def csrf_client():
    """A browser that, like a real one, has its POSTs checked for a CSRF token."""
    from django.test import Client

    return Client(enforce_csrf_checks=True)


@pytest.fixture
def grave(db):
    """One published title to rate and comment on."""
    from .factories import make_title

    return make_title("Grave of the Fireflies", slug="grave-of-the-fireflies")


def database_state():
    """Every row a member's request could change, to compare before and after a refused one."""
    from django.contrib.auth import get_user_model

    from catalogue.models import SiteStats, TitleStats
    from reviews.models import Comment, Rating, Report

    return {
        "users": list(get_user_model().objects.order_by("pk").values()),
        "ratings": list(Rating.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "reports": list(Report.objects.order_by("pk").values()),
        "title_stats": list(TitleStats.objects.order_by("pk").values()),
        "site_stats": list(SiteStats.objects.order_by("pk").values()),
    }


@pytest.fixture
def unchanged(db):
    """`with unchanged(): ...` fails if anything members wrote changed inside the block."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = database_state()
        yield
        assert database_state() == before, "a refused request changed the database"

    return check
