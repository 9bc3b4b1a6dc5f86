"""
Where to watch: curators keep a list of services and record, per title, where it can
be streamed, rented or bought, in which countries, checked on which day; the title page
shows them with that date, with links that pass on no ranking or opener.
"""

import datetime

import pytest
from django.test import Client

from catalogue.models import Title
from catalogue.watching import StreamingService, WatchOption, country_list

from .admin_forms import title_form
from .factories import make_theme, make_title

pytestmark = pytest.mark.django_db


@pytest.fixture
def netflix(db):
    return StreamingService.objects.create(name="Netflix", slug="netflix")


@pytest.fixture
def silent_voice(db):
    return make_title("A Silent Voice", slug="a-silent-voice", themes=[make_theme("Grief")])


def option_rows(title, **option):
    """The title form with one new where-to-watch row."""
    data = title_form(title)
    row = {"service": "", "access": "stream", "link": "", "countries": "", "checked_on": ""}
    row.update(option)
    data.update(
        {
            "watch_options-TOTAL_FORMS": "1",
            "watch_options-INITIAL_FORMS": "0",
            "watch_options-MIN_NUM_FORMS": "0",
            "watch_options-MAX_NUM_FORMS": "1000",
            **{f"watch_options-0-{name}": value for name, value in row.items()},
        }
    )
    return data


def test_the_title_page_shows_where_to_watch_with_the_day_it_was_checked(
    client, silent_voice, netflix
):
    WatchOption.objects.create(
        title=silent_voice,
        service=netflix,
        link="https://www.netflix.com/title/80223779",
        countries="GB US",
        access=WatchOption.Access.STREAM,
        checked_on=datetime.date(2026, 11, 30),
    )
    html = client.get("/titles/a-silent-voice/").content.decode()
    assert (
        '<a href="https://www.netflix.com/title/80223779" rel="nofollow noopener">Netflix</a>: '
        "streaming with a subscription, GB, US"
    ) in html
    assert "(checked 30 November 2026)" in html


def test_a_title_without_options_says_nothing_about_watching(client, silent_voice):
    assert "Where to watch" not in client.get("/titles/a-silent-voice/").content.decode()


def test_a_curator_records_an_option_in_the_admin(curator_client, silent_voice, netflix):
    response = curator_client.post(
        f"/admin/catalogue/title/{silent_voice.pk}/change/",
        option_rows(
            silent_voice,
            service=netflix.pk,
            link="https://www.netflix.com/title/1",
            countries="jp, us",
            checked_on="2026-12-01",
        ),
    )
    assert response.status_code == 302
    option = WatchOption.objects.get()
    assert (option.countries, option.access, option.checked_on) == (
        "JP US",
        "stream",
        datetime.date(2026, 12, 1),
    )


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"countries": "JP XX"}, "countries", "XX is not ISO 3166 country code"),
        ({"countries": "Japan"}, "countries", "JAPAN is not ISO 3166 country code"),
        ({"link": "javascript:alert(1)"}, "link", "starting with http:// or https://"),
        ({"service": "999"}, "service", "Select a valid choice."),
        ({"checked_on": ""}, "checked_on", "This field is required."),
    ],
)
def test_bad_options_are_refused_next_to_the_field(
    curator_client, silent_voice, netflix, changes, field, message
):
    row = {
        "service": netflix.pk,
        "link": "https://www.netflix.com/title/1",
        "countries": "JP",
        "checked_on": "2026-12-01",
        **changes,
    }
    response = curator_client.post(
        f"/admin/catalogue/title/{silent_voice.pk}/change/", option_rows(silent_voice, **row)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.split(f"field-{field}")[1][:1500]
    assert not WatchOption.objects.exists()


def test_worldwide_and_country_lists_are_read_as_curators_write_them():
    assert country_list("worldwide") == ["worldwide"]
    assert country_list("jp,us  GB us") == ["JP", "US", "GB"]


def test_a_service_in_use_cannot_be_deleted(silent_voice, netflix):
    from django.db.models import ProtectedError

    WatchOption.objects.create(
        title=silent_voice,
        service=netflix,
        link="https://www.netflix.com/title/1",
        countries="worldwide",
        access="stream",
        checked_on=datetime.date(2026, 12, 1),
    )
    with pytest.raises(ProtectedError):
        netflix.delete()
    assert Title.objects.get().watch_options.count() == 1


@pytest.mark.parametrize("options", [0, 30])
def test_the_title_page_costs_the_same_whatever_the_number_of_options(
    client, silent_voice, options, django_assert_num_queries
):
    for index in range(options):
        service = StreamingService.objects.create(name=f"Service {index}", slug=f"s{index}")
        WatchOption.objects.create(
            title=silent_voice,
            service=service,
            link=f"https://example.org/{index}",
            countries="worldwide",
            access="stream",
            checked_on=datetime.date(2026, 12, 1),
        )
    # Title with stats, themes, listings, where to watch (services joined), titles
    # sharing its themes, comments, their first replies, and the insights (their
    # totals, the named causes, the marked moments).
    with django_assert_num_queries(10):
        html = client.get("/titles/a-silent-voice/").content.decode()
    assert html.count('rel="nofollow noopener"') == options


def add_option(title, service, **fields):
    return WatchOption.objects.create(
        title=title,
        service=service,
        link=fields.pop("link", "https://example.org/watch"),
        countries=fields.pop("countries", "worldwide"),
        access=fields.pop("access", "stream"),
        checked_on=fields.pop("checked_on", datetime.date(2026, 12, 1)),
    )


def test_browse_filters_by_service(client, silent_voice, netflix):
    make_title("Paprika", slug="paprika")
    add_option(silent_voice, netflix)
    html = client.get("/titles/?service=netflix").content.decode()
    assert "A Silent Voice" in html and "Paprika" not in html
    assert "Watch on: Netflix" in html
    assert '<option value="netflix" selected>Netflix (1)</option>' in html


def test_an_unknown_service_is_ignored_with_a_note(client, silent_voice):
    html = client.get("/titles/?service=nope").content.decode()
    assert "There is no service “nope”." in html
    assert "A Silent Voice" in html


def test_a_curators_change_to_where_to_watch_reaches_visitors_at_once(
    settings, silent_voice, netflix
):
    from django.core.cache import cache

    settings.FRESHNESS_SECONDS = 60
    cache.clear()
    assert "Where to watch" not in Client().get("/titles/a-silent-voice/").content.decode()
    add_option(silent_voice, netflix)
    assert "Where to watch" in Client().get("/titles/a-silent-voice/").content.decode()
    netflix.name = "Netflix Japan"
    netflix.save()
    assert "Netflix Japan" in Client().get("/titles/a-silent-voice/").content.decode()
    cache.clear()
