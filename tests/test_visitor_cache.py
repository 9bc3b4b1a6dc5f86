"""
Visitors' pages come from the cache until anything they show changes: no cached page
ever shows stale stats, comments or catalogue after a write.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from catalogue.models import Title
from reviews.models import Comment, Rating

from .factories import comment, make_members, make_theme, make_title, rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def visitor_cache(settings):
    settings.VISITOR_PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def title():
    return make_title(
        "Grave of the Fireflies",
        slug="grave-of-the-fireflies",
        themes=[make_theme("War", slug="war")],
    )


def page(path):
    """What a new visitor (a fresh browser, no cookies) is shown."""
    return Client().get(path).content.decode()


def test_a_second_visitor_is_served_from_the_cache(title, django_assert_num_queries):
    first = page("/titles/grave-of-the-fireflies/")
    # 1. the content version; the page itself comes from the cache
    with django_assert_num_queries(1):
        assert page("/titles/grave-of-the-fireflies/") == first


def test_a_rating_shows_at_once_on_cached_pages(title):
    assert "1 rating" not in page("/titles/grave-of-the-fireflies/")
    page("/titles/")
    rate(title, [5])
    assert "tear score from 1 rating" in page("/titles/grave-of-the-fireflies/")
    member = Rating.objects.get().user
    Rating.objects.rate(member, title, 2)
    assert "mean 2" in page("/titles/grave-of-the-fireflies/")
    Rating.objects.unrate(member, title)
    assert "tear score from 1 rating" not in page("/titles/grave-of-the-fireflies/")


def test_a_comment_shows_at_once_and_vanishes_when_hidden(title):
    assert "Wrecked me for a week" not in page("/")
    assert "Wrecked me for a week" not in page("/titles/grave-of-the-fireflies/")
    posted = comment(title, body="Wrecked me for a week")
    assert "Wrecked me for a week" in page("/")
    assert "Wrecked me for a week" in page("/titles/grave-of-the-fireflies/")
    posted.edit("Wrecked me for a month", is_spoiler=False, stance="none")
    assert "Wrecked me for a month" in page("/titles/grave-of-the-fireflies/")
    Comment.objects.get(pk=posted.pk).hide()
    assert "Wrecked me for a month" not in page("/titles/grave-of-the-fireflies/")
    assert "Wrecked me for a month" not in page("/")


def test_a_curators_unpublish_action_empties_the_cached_browse_page(title, curator_client):
    assert "Grave of the Fireflies" in page("/titles/")
    curator_client.post(
        "/admin/catalogue/title/",
        {"action": "unpublish", "_selected_action": [title.pk]},
    )
    assert not Title.objects.get(pk=title.pk).is_published
    assert "Grave of the Fireflies" not in page("/titles/")
    assert Client().get("/titles/grave-of-the-fireflies/").status_code == 404


def test_a_curators_edit_shows_at_once(title, curator_client):
    assert "Hotaru no Haka" not in page("/titles/grave-of-the-fireflies/")
    change = curator_client.get(f"/admin/catalogue/title/{title.pk}/change/")
    form = change.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        original_name="Hotaru no Haka",
        poster="",
        **{
            f"mentions-{key}": value
            for key, value in {
                "TOTAL_FORMS": 0,
                "INITIAL_FORMS": 0,
                "MIN_NUM_FORMS": 0,
                "MAX_NUM_FORMS": 1000,
            }.items()
        },
    )
    data["themes"] = [theme.pk for theme in title.themes.all()]
    response = curator_client.post(f"/admin/catalogue/title/{title.pk}/change/", data)
    if response.status_code != 302:
        pytest.fail(str(response.context["adminform"].form.errors))
    assert "Hotaru no Haka" in page("/titles/grave-of-the-fireflies/")


def test_members_always_get_a_fresh_page(title, reader_client):
    page("/titles/grave-of-the-fireflies/")
    Rating.objects.rate(make_members(1)[0], title, 4)
    html = reader_client.get("/titles/grave-of-the-fireflies/").content.decode()
    assert "tear score from 1 rating" in html
    assert "Sign out" in html


def test_a_visitor_with_a_message_waiting_is_not_served_a_cached_page(title, client):
    page("/")
    client.cookies["messages"] = "anything"
    assert client.get("/").status_code == 200
    pages = [key for key in cache._cache if "visitor-page:" in key]
    assert len(pages) == 1  # only the first visitor's page was stored


def test_pages_that_set_a_cookie_are_never_cached(rf):
    from django.http import HttpResponse

    from catalogue.caching import cache_for_visitors

    @cache_for_visitors
    def view(request):
        response = HttpResponse("for one visitor")
        response.set_cookie("csrftoken", "secret")
        return response

    view(rf.get("/"))
    assert not [key for key in cache._cache if "visitor-page:" in key]
    assert view(rf.get("/")).cookies["csrftoken"].value == "secret"


def test_members_share_the_parts_that_are_the_same_for_everyone(title, reader_client):
    other = make_title("Your Lie in April", slug="your-lie-in-april", themes=title.themes.all())
    first = reader_client.get("/titles/grave-of-the-fireflies/").content.decode()
    assert "Your Lie in April" in first  # a similar title, by shared theme
    comment(other, body="So sad")
    assert "So sad" in reader_client.get("/").content.decode()
    other.name = "Your Lie in April (renamed)"
    other.save()
    from reviews.stats import touch

    touch()
    html = reader_client.get("/titles/grave-of-the-fireflies/").content.decode()
    assert "Your Lie in April (renamed)" in html


def test_a_repaired_drift_shows_at_once_on_cached_pages(title):
    from catalogue.models import TitleStats
    from reviews.stats import recount_all

    rate(title, [5])
    TitleStats.objects.filter(pk=title.pk).update(rating_count=9)
    assert "tear score from 9 ratings" in page("/titles/grave-of-the-fireflies/")
    assert recount_all() != []
    assert "tear score from 1 rating" in page("/titles/grave-of-the-fireflies/")


# Members' pages are built around shared parts (a page's list of titles, a title's facts
# and comments): those must be as fresh as visitors' pages, and hold nothing of the
# member whose request happened to render them.


def member_page(browser, path):
    return browser.get(path).content.decode()


def test_members_see_a_rating_a_comment_and_a_hidden_comment_at_once(title, reader_client):
    for path in ("/", "/titles/", "/titles/grave-of-the-fireflies/"):
        assert "Not rated yet" in member_page(reader_client, path)
    rate(title, [5])
    title_page = member_page(reader_client, "/titles/grave-of-the-fireflies/")
    assert "tear score from 1 rating" in title_page
    assert "1 rating" in member_page(reader_client, "/titles/")
    assert "1 rating" in member_page(reader_client, "/")
    posted = comment(title, body="Wrecked me for a week")
    assert "Wrecked me for a week" in member_page(reader_client, "/titles/grave-of-the-fireflies/")
    assert "Wrecked me for a week" in member_page(reader_client, "/")
    Comment.objects.get(pk=posted.pk).hide()
    assert "Wrecked me for a week" not in member_page(
        reader_client, "/titles/grave-of-the-fireflies/"
    )
    assert "Wrecked me for a week" not in member_page(reader_client, "/")


def test_a_members_own_rating_is_never_shared(title, reader, reader_client, other_client):
    Rating.objects.rate(reader, title, 5)
    mine = member_page(reader_client, "/titles/grave-of-the-fireflies/")
    theirs = member_page(other_client, "/titles/grave-of-the-fireflies/")
    assert "You rated it <strong>5 — Cried a river</strong>" in mine
    assert "You rated it" not in theirs
    assert ">other</a>" in theirs and ">reader</a>" not in theirs  # the header's own name


def test_only_the_author_gets_edit_and_delete_links(title, reader, reader_client, other_client):
    posted = comment(title, body="Mine", user=reader)
    mine = member_page(reader_client, "/titles/grave-of-the-fireflies/")
    theirs = member_page(other_client, "/titles/grave-of-the-fireflies/")
    assert f'href="/comments/{posted.pk}/edit/"' in mine
    assert f'href="/comments/{posted.pk}/edit/"' not in theirs
    assert f'href="/comments/{posted.pk}/report/"' in theirs
    assert f'href="/comments/{posted.pk}/report/"' not in mine
    visitor = page("/titles/grave-of-the-fireflies/")
    assert "/edit/" not in visitor and "/report/" not in visitor and "Mine" in visitor


def test_each_member_gets_a_form_with_their_own_csrf_token(title, reader, other_reader):
    browsers = []
    for member in (reader, other_reader):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(member)
        browsers.append(browser)
    for browser, tears in zip(browsers, (2, 4), strict=True):
        html = member_page(browser, "/titles/grave-of-the-fireflies/")
        token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        response = browser.post(
            "/titles/grave-of-the-fireflies/rate/", {"tears": tears, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302
    assert sorted(Rating.objects.values_list("tears", flat=True)) == [2, 4]


def test_browse_is_shared_per_address(title, reader_client):
    make_title("Your Lie in April", slug="your-lie-in-april")
    everything = member_page(reader_client, "/titles/")
    found = member_page(reader_client, "/titles/?q=grave")
    assert "Your Lie in April" in everything
    assert "Your Lie in April" not in found and "Grave of the Fireflies" in found
    assert 'value="grave"' in found and 'value="grave"' not in everything


def test_pages_are_built_afresh_when_the_cache_does_not_answer(title, reader_client, caplog):
    from django.test import override_settings

    from .servers import free_port

    rate(title, [4])
    dead_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    with override_settings(CACHES=dead_redis):
        assert "tear score from 1 rating" in page("/titles/grave-of-the-fireflies/")
        html = member_page(reader_client, "/titles/grave-of-the-fireflies/")
        assert "tear score from 1 rating" in html and "Sign out" in html
        assert "Grave of the Fireflies" in member_page(reader_client, "/titles/")
    assert "cache unavailable" in caplog.text


@pytest.mark.parametrize("comments", [0, 30])
def test_a_member_served_shared_parts_costs_a_fixed_number_of_queries(
    title, reader_client, other_client, django_assert_num_queries, comments
):
    for number in range(comments):
        comment(title, body=f"Comment {number}")
    for path in ("/", "/titles/", "/titles/grave-of-the-fireflies/"):
        other_client.get(path)  # another member's request renders the shared parts
    # 1. the session, 2. the member, 3. the content version; the rest comes shared
    with django_assert_num_queries(3):
        assert "Grave of the Fireflies" in member_page(reader_client, "/titles/")
    with django_assert_num_queries(3):
        assert "The saddest right now" in member_page(reader_client, "/")
    # 4. the member's own rating of the title
    with django_assert_num_queries(4):
        html = member_page(reader_client, "/titles/grave-of-the-fireflies/")
    assert f'Comments <span class="count">({comments})</span>' in html


def test_members_see_theme_pages_change_at_once(title, reader_client):
    assert "Not rated yet" in member_page(reader_client, "/themes/war/")
    assert "1 title" in member_page(reader_client, "/themes/")
    rate(title, [5])
    assert "1 rating" in member_page(reader_client, "/themes/war/")
    make_title("Barefoot Gen", slug="barefoot-gen", themes=title.themes.all())
    from reviews.stats import touch

    touch()  # as the admin does when a curator saves a title
    assert "2 titles" in member_page(reader_client, "/themes/")
    assert "Barefoot Gen" in member_page(reader_client, "/themes/war/")
