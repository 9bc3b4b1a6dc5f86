"""
Shared test fixtures: the people who use Sadlist, and the catalogue they browse.

Named users, as in the product brief: `reader` and `other_reader` are members,
`curator` is staff in the Curators group, and the plain `client` is a visitor.
"""

import importlib.util
import io
import shutil
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from .check_tools import BROWSER_INSTALL_HINT, VNU_INSTALL_HINT
from .servers import AppServer, manage, production_env, running
from .undefined_variables import check_templates

CATALOGUE_FIXTURE = str(django_settings.BASE_DIR / "fixtures" / "catalogue.json")

# Before any template engine is built: a variable our templates print but do not get
# fails the test rendering it (tests/undefined_variables.py).
check_templates()


def pytest_terminal_summary(terminalreporter):
    """Say once, in one line each, which page checks skipped and how to install them."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = " ".join(str(report.longrepr) for report in skipped)
    for hint in (BROWSER_INSTALL_HINT, VNU_INSTALL_HINT):
        if hint in reasons:
            terminalreporter.write_line(hint)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages are rendered afresh in tests; tests/test_freshness.py turns the caches on.
    settings.FRESHNESS_SECONDS = 0
    # The API's per-minute limits are counted in a cache the tests share; the tests of
    # the limits turn them on.
    settings.API_READS_PER_MINUTE = settings.API_WRITES_PER_MINUTE = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _prior_stays_put(monkeypatch):
    """
    The tear score's prior is refreshed only where a test asks for it
    (tests/test_tear_prior.py), so every other test's scores use the stored prior.
    """
    from reviews.models import TearPrior

    monkeypatch.setattr(TearPrior, "next_look", float("inf"))


@pytest.fixture(autouse=True)
def _mail_sent_within_the_test():
    """Mail goes out after the response (accounts.mail): each test's lands in its own outbox."""
    yield
    from accounts.mail import wait_until_sent

    wait_until_sent()


@pytest.fixture
def mail_sent(mailoutbox):
    """The outbox once every queued mail is sent."""
    from accounts.mail import wait_until_sent

    def sent():
        assert wait_until_sent(), "mail still waiting after 10 seconds"
        return mailoutbox

    return sent


@pytest.fixture(scope="session")
def drawn_covers(tmp_path_factory):
    """
    Covers drawn by earlier tests of this run. A cover's file name is derived from
    everything drawn on it (catalogue.covers.cover_name), so a file kept here is the
    very file make_covers would draw again; drawing the catalogue's 31 covers and their
    renditions takes seconds, copying them a few milliseconds.
    """
    return tmp_path_factory.mktemp("drawn-covers")


@pytest.fixture
def catalogue(db, drawn_covers):
    """The real catalogue, loaded from fixtures/ as `make run` loads it."""
    covers = Path(django_settings.MEDIA_ROOT) / "covers"
    shutil.copytree(drawn_covers, covers, dirs_exist_ok=True)
    call_command("loaddata", CATALOGUE_FIXTURE, verbosity=0)
    call_command("make_covers", verbosity=0)
    shutil.copytree(covers, drawn_covers, dirs_exist_ok=True)


@pytest.fixture
def small_demo(catalogue):
    """The catalogue with a small seed_demo on top: demo members, ratings, comments, reports."""
    call_command(
        "seed_demo", titles=20, members=30, ratings=300, comments=40,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


def bench_script(name):
    """bench/<name>.py as a module, for the benchmark's tests."""
    path = django_settings.BASE_DIR / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    user.groups.add(curators_group())
    return user


def curators_group():
    """
    The Curators group from its data migration. A transactional test (threads, the live
    server) empties every table when it ends, so the group is made again if it is gone.
    """
    group = Group.objects.filter(name="Curators").first()
    if group is None:
        from importlib import import_module

        from django.apps import apps

        migration = import_module("reviews.migrations.0002_moderation_queue_and_curators")
        migration.create_curators(apps, None)
        causes = import_module("reviews.migrations.0009_seed_causes")
        causes.let_curators_keep_causes(apps, None)
        community = import_module("reviews.migrations.0010_community")
        community.let_curators_decide_suggestions(apps, None)
        group = Group.objects.get(name="Curators")
    return group


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
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

    from catalogue.models import ContentVersion
    from reviews.models import (
        Comment,
        CommentMark,
        CommunityMember,
        MentionStats,
        Rating,
        Report,
        TearPrior,
        TitleStats,
        WatchlistEntry,
    )

    return {
        "users": list(get_user_model().objects.order_by("pk").values()),
        "ratings": list(Rating.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "reports": list(Report.objects.order_by("pk").values()),
        "title_stats": list(TitleStats.objects.order_by("pk").values()),
        "mention_stats": list(MentionStats.objects.order_by("pk").values()),
        "tear_prior": list(TearPrior.objects.order_by("pk").values()),
        "content_version": list(ContentVersion.objects.order_by("pk").values()),
        "marks": list(CommentMark.objects.order_by("pk").values()),
        "watchlists": list(WatchlistEntry.objects.order_by("pk").values()),
        "community": list(CommunityMember.objects.order_by("pk").values()),
        **insight_state(),
    }


def insight_state():
    """The ratings' extras and the insight totals kept from them."""
    from reviews.models import RatingCause, TitleCauseStats, TitleInsights, TitleMomentStats

    return {
        model._meta.model_name: list(model.objects.order_by("pk").values())
        for model in (RatingCause, TitleInsights, TitleCauseStats, TitleMomentStats)
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


@pytest.fixture
def listed_titles(db):
    """
    A small catalogue as a visitor meets it, made with the factories: a movie and a
    series with romaji names, themes, provenance in a source article and drawn covers.
    Pages rendered from it carry every element their templates can show.
    """
    from catalogue.covers import make_cover
    from catalogue.models import Mention, Source, Title

    from .factories import make_theme, make_title

    grief = make_theme("Grief", slug="grief", description="Losing someone, and after.")
    war = make_theme("War", slug="war")
    source = Source.objects.create(
        slug="cry-a-river", name="Sad Anime: 21 Stories to Make You Cry a River"
    )
    movie = make_title(
        "Grave of the Fireflies",
        slug="grave-of-the-fireflies",
        themes=[grief, war],
        original_name="Hotaru no Haka",
        year=1988,
        studio="Studio Ghibli",
        runtime_minutes=89,
        why_it_hurts="Two children, a war, and nobody coming to help.",
    )
    series = make_title(
        "Your Lie in April",
        slug="your-lie-in-april",
        themes=[grief],
        kind=Title.Kind.SERIES,
        original_name="Shigatsu wa Kimi no Uso",
        year=2014,
        studio="A-1 Pictures",
        episodes=22,
        other_names="Kimiuso",
    )
    Mention.objects.create(title=movie, source=source, section=Mention.Section.MOVIES, rank=1)
    Mention.objects.create(
        title=series,
        source=source,
        section=Mention.Section.SERIES,
        rank=3,
        listed_as="Shigatsu wa Kimi no Uso",
    )
    for title in (movie, series):
        make_cover(title)
    return [movie, series]


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
