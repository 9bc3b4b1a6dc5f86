"""
The freshness contract (README, "How pages stay fresh"), line by line, with the caches on
and a clock the tests move instead of sleeping:

1. totals are exact (the recount finds nothing to repair after every path below);
2. a member sees their own write at once on every page they open next;
3. curators' and moderators' changes reach everyone at once;
4. everyone else sees other members' ratings and comments within FRESHNESS_SECONDS;
5. a deploy never serves HTML built by the previous release.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from catalogue.models import ContentVersion, Title
from reviews.models import Comment, Rating
from reviews.stats import recount_all
from sadlist import freshness

from .factories import comment, make_members, make_theme, make_title, rate

pytestmark = pytest.mark.django_db

FRESHNESS = 10
TITLE_PAGE = "/titles/grave-of-the-fireflies/"
PAGES = ["/", "/titles/", TITLE_PAGE, "/themes/war/"]


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(settings, monkeypatch):
    settings.FRESHNESS_SECONDS = FRESHNESS
    cache.clear()
    moving = Clock()
    monkeypatch.setattr(freshness, "clock", moving)
    yield moving
    cache.clear()


@pytest.fixture
def title():
    return make_title(
        "Grave of the Fireflies",
        slug="grave-of-the-fireflies",
        themes=[make_theme("War", slug="war")],
    )


@pytest.fixture
def curator_browser(curator):
    """The curator in a browser of their own, beside the members' ones."""
    browser = Client()
    browser.force_login(curator)
    return browser


@pytest.fixture
def superuser_client(django_user_model, password):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", password)
    browser = Client()
    browser.force_login(admin)
    return browser


def page(path):
    """What a new visitor (a fresh browser, no cookies) is shown."""
    return Client().get(path).content.decode()


def member_page(browser, path):
    return browser.get(path).content.decode()


# 2. A member sees their own write at once.


def test_a_members_own_rating_shows_at_once_on_every_page(title, reader_client, other_client):
    for path in PAGES:  # everyone's caches now hold the pages without the rating
        page(path), member_page(other_client, path)
    response = reader_client.post(f"{TITLE_PAGE}rate/", {"tears": 5})
    assert response.status_code == 302
    assert "tear score from 1 rating" in member_page(reader_client, TITLE_PAGE)
    assert "Cried a river" in member_page(reader_client, TITLE_PAGE)
    for path in ["/", "/titles/", "/themes/war/"]:
        assert "1 rating" in member_page(reader_client, path), path
    # Others see it within FRESHNESS_SECONDS, not necessarily at once.
    assert "tear score from 1 rating" not in page(TITLE_PAGE)
    assert recount_all() == []


def test_a_members_own_comment_shows_at_once(title, reader_client):
    page(TITLE_PAGE), member_page(reader_client, TITLE_PAGE)
    reader_client.post(
        f"{TITLE_PAGE}comments/", {"body": "Wrecked me for a week", "stance": "none"}
    )
    assert "Wrecked me for a week" in member_page(reader_client, TITLE_PAGE)
    assert "Wrecked me for a week" in member_page(reader_client, "/")
    assert 'Comments <span class="count">(1)</span>' in member_page(reader_client, TITLE_PAGE)


def test_catching_up_ends_once_every_cached_page_is_younger_than_the_write(
    title, reader_client, clock
):
    reader_client.post(f"{TITLE_PAGE}rate/", {"tears": 4})
    clock.advance(FRESHNESS)
    # Every page cached before the rating is too old to serve by now.
    assert "tear score from 1 rating" in member_page(reader_client, TITLE_PAGE)
    assert "tear score from 1 rating" in page(TITLE_PAGE)


# 4. Everyone else sees other members' writes within FRESHNESS_SECONDS.


def test_other_members_ratings_reach_visitors_within_the_freshness_window(title, clock):
    assert "tear score from 1 rating" not in page(TITLE_PAGE)
    rate(title, [5])
    clock.advance(FRESHNESS - 1)
    assert "tear score from 1 rating" not in page(TITLE_PAGE), "served from the cache"
    clock.advance(1)
    assert "tear score from 1 rating" in page(TITLE_PAGE)


def test_other_members_comments_reach_members_within_the_freshness_window(
    title, reader_client, clock
):
    assert "So sad" not in member_page(reader_client, TITLE_PAGE)
    comment(title, body="So sad")
    assert "So sad" not in member_page(reader_client, TITLE_PAGE), "a shared part"
    clock.advance(FRESHNESS)
    assert "So sad" in member_page(reader_client, TITLE_PAGE)


def test_no_freshness_window_means_every_page_is_exact(title, settings):
    settings.FRESHNESS_SECONDS = 0
    page(TITLE_PAGE)
    rate(title, [5])
    assert "tear score from 1 rating" in page(TITLE_PAGE)
    assert not cache._cache, "nothing is cached"


# 3. Curators' and moderators' changes reach everyone at once.


def test_a_curators_edit_in_the_admin_shows_at_once(title, curator_browser, reader_client):
    page(TITLE_PAGE), member_page(reader_client, TITLE_PAGE)
    change = curator_browser.get(f"/admin/catalogue/title/{title.pk}/change/")
    form = change.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(original_name="Hotaru no Haka", poster="")
    data.update(
        {
            "mentions-TOTAL_FORMS": 0,
            "mentions-INITIAL_FORMS": 0,
            "mentions-MIN_NUM_FORMS": 0,
            "mentions-MAX_NUM_FORMS": 1000,
            "watch_options-TOTAL_FORMS": 0,
            "watch_options-INITIAL_FORMS": 0,
            "themes": [theme.pk for theme in title.themes.all()],
        }
    )
    response = curator_browser.post(f"/admin/catalogue/title/{title.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Hotaru no Haka" in page(TITLE_PAGE)
    assert "Hotaru no Haka" in member_page(reader_client, TITLE_PAGE)


def test_unpublishing_in_the_admin_empties_every_cached_page(title, curator_browser, reader_client):
    for path in PAGES:
        page(path), member_page(reader_client, path)
    curator_browser.post(
        "/admin/catalogue/title/", {"action": "unpublish", "_selected_action": [title.pk]}
    )
    assert not Title.objects.get(pk=title.pk).is_published
    assert "Grave of the Fireflies" not in page("/titles/")
    assert "Grave of the Fireflies" not in member_page(reader_client, "/themes/war/")
    assert Client().get(TITLE_PAGE).status_code == 404
    assert reader_client.get(TITLE_PAGE).status_code == 404


def test_a_moderator_hiding_and_restoring_a_comment_shows_at_once(
    title, curator_browser, reader_client
):
    posted = comment(title, body="A cruel remark")
    assert "A cruel remark" in page(TITLE_PAGE)
    assert "A cruel remark" in member_page(reader_client, "/")
    for action, shown in (("hide", False), ("restore", True)):
        curator_browser.post(
            "/admin/reviews/comment/", {"action": action, "_selected_action": [posted.pk]}
        )
        assert ("A cruel remark" in page(TITLE_PAGE)) is shown
        assert ("A cruel remark" in member_page(reader_client, "/")) is shown
    assert recount_all() == []


def test_a_member_renamed_in_the_admin_shows_renamed_at_once(title, superuser_client):
    posted = comment(title, body="It hurt so much")
    assert posted.user.username in page(TITLE_PAGE)
    change = superuser_client.get(f"/admin/auth/user/{posted.user.pk}/change/")
    form = change.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, [])}
    data.update(username="renamed-member", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data.pop("date_joined", None), data.pop("last_login", None)
    response = superuser_client.post(f"/admin/auth/user/{posted.user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    html = page(TITLE_PAGE)
    assert "renamed-member" in html and f">{posted.user.username}<" not in html


def test_a_member_deleted_in_the_admin_leaves_every_page_and_total_at_once(
    title, superuser_client, reader_client
):
    member = make_members(1)[0]
    Rating.objects.rate(member, title, 5)
    Comment.objects.post(member, title, "Gone soon")
    assert "Gone soon" in page(TITLE_PAGE)
    assert "tear score from 1 rating" in member_page(reader_client, TITLE_PAGE)
    superuser_client.post(f"/admin/auth/user/{member.pk}/delete/", {"post": "yes"})
    assert not Rating.objects.exists()
    html = page(TITLE_PAGE)
    assert "Gone soon" not in html and "tear score from 1 rating" not in html
    assert "tear score from 1 rating" not in member_page(reader_client, TITLE_PAGE)
    assert recount_all() == []


# 5. A deploy never serves the previous release's HTML.


def test_a_new_release_never_serves_pages_built_by_the_previous_one(title, settings):
    assert "Grave of the Fireflies" in page(TITLE_PAGE)
    keys_before = set(cache._cache)
    settings.RELEASE = "next-release"
    assert "Grave of the Fireflies" in page(TITLE_PAGE)
    new_keys = set(cache._cache) - keys_before
    assert new_keys and all("next-release" in key for key in new_keys), "built afresh"


# What cached pages may hold, and what makes entries.


def test_a_second_visitor_is_served_from_the_cache(title, django_assert_num_queries):
    first = page(TITLE_PAGE)
    # 1. the content version; the page itself comes from the cache
    with django_assert_num_queries(1):
        assert page(TITLE_PAGE) == first


def test_a_cached_page_holds_no_nonce_and_its_header_agrees(title):
    pages = [Client().get(TITLE_PAGE) for _ in range(2)]
    for response in pages:
        policy = response["Content-Security-Policy"]
        html = response.content.decode()
        assert "nonce-" not in policy and "nonce=" not in html
    assert pages[0].content == pages[1].content


def test_a_page_that_used_the_nonce_is_never_stored(rf):
    from django.http import HttpResponse

    @freshness.visitor_page()
    def view(request):
        request._csp_nonce = "abc"  # what django-csp sets when a template reads the nonce
        return HttpResponse("<script nonce='abc'></script>")

    view(rf.get("/"))
    assert not [key for key in cache._cache if ":page:" in key]


@pytest.mark.parametrize(
    "query, clean",
    [
        ("?utm_source=mail", "/titles/"),
        ("?q=&kind=&sort=name", "/titles/?sort=name"),
        ("?x=1&q=grave", "/titles/?q=grave"),
    ],
)
def test_unknown_or_empty_parameters_are_redirected_away(title, query, clean):
    response = Client().get(f"/titles/{query}")
    assert response.status_code == 302
    assert response["Location"] == clean
    assert not [key for key in cache._cache if ":page:" in key], "no entry for the junk"


def test_a_title_page_keeps_only_its_comment_page(title):
    response = Client().get(f"{TITLE_PAGE}?comments=2&ref=feed")
    assert response["Location"] == f"{TITLE_PAGE}?comments=2"


def test_visitors_pages_say_shared_caches_may_keep_them_for_what_is_left(title, clock):
    fresh = Client().get(TITLE_PAGE)
    assert fresh["Cache-Control"] == f"public, max-age=0, s-maxage={FRESHNESS}"
    assert fresh["X-Accel-Expires"] == str(FRESHNESS)
    assert "Cookie" in fresh["Vary"]
    clock.advance(4)
    cached = Client().get(TITLE_PAGE)
    assert cached["Cache-Control"] == f"public, max-age=0, s-maxage={FRESHNESS - 4}"
    assert cached["X-Accel-Expires"] == str(FRESHNESS - 4)


def test_members_pages_forms_and_redirects_are_private(title, reader_client):
    for response in (
        reader_client.get(TITLE_PAGE),
        reader_client.get("/account/"),
        reader_client.post(f"{TITLE_PAGE}rate/", {"tears": 3}),
        Client().get("/account/signup/"),
    ):
        assert "private" in response["Cache-Control"], response
        assert "X-Accel-Expires" not in response


# Shared parts: the same for everyone, and nothing of the member who rendered them.


def test_a_members_own_rating_is_never_shared(title, reader, reader_client, other_client):
    Rating.objects.rate(reader, title, 5)
    mine = member_page(reader_client, TITLE_PAGE)
    theirs = member_page(other_client, TITLE_PAGE)
    assert "You rated it <strong>5 — Cried a river</strong>" in mine
    assert "You rated it" not in theirs
    assert ">other</a>" in theirs and ">reader</a>" not in theirs  # the header's own name


def test_only_the_author_gets_edit_and_delete_links(title, reader, reader_client, other_client):
    posted = comment(title, body="Mine", user=reader)
    mine = member_page(reader_client, TITLE_PAGE)
    theirs = member_page(other_client, TITLE_PAGE)
    assert f'href="/comments/{posted.pk}/edit/"' in mine
    assert f'href="/comments/{posted.pk}/edit/"' not in theirs
    assert f'href="/comments/{posted.pk}/report/"' in theirs
    assert f'href="/comments/{posted.pk}/report/"' not in mine
    visitor = page(TITLE_PAGE)
    assert "/edit/" not in visitor and "/report/" not in visitor and "Mine" in visitor


def test_each_member_gets_a_form_with_their_own_csrf_token(title, reader, other_reader):
    browsers = []
    for member in (reader, other_reader):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(member)
        browsers.append(browser)
    for browser, tears in zip(browsers, (2, 4), strict=True):
        html = member_page(browser, TITLE_PAGE)
        token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        response = browser.post(
            f"{TITLE_PAGE}rate/", {"tears": tears, "csrfmiddlewaretoken": token}
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
        assert "tear score from 1 rating" in page(TITLE_PAGE)
        html = member_page(reader_client, TITLE_PAGE)
        assert "tear score from 1 rating" in html and "Sign out" in html
        assert "Grave of the Fireflies" in member_page(reader_client, "/titles/")
    assert "cache unavailable" in caplog.text


@pytest.mark.parametrize("comments", [0, 30])
def test_a_member_served_shared_parts_costs_a_fixed_number_of_queries(
    title, reader_client, other_client, django_assert_num_queries, comments
):
    for number in range(comments):
        comment(title, body=f"Comment {number}")
    for path in ("/", "/titles/", TITLE_PAGE):
        other_client.get(path)  # another member's request renders the shared parts
    # 1. the session with the member, 2. the content version; the rest comes shared
    # (3. the member's avoid list, which picks the shared part), but 4. which of the
    # cards shown are on the member's list
    with django_assert_num_queries(4):
        assert "Grave of the Fireflies" in member_page(reader_client, "/titles/")
    with django_assert_num_queries(4):
        assert "The saddest right now" in member_page(reader_client, "/")
    # 3. the member's avoid list, 4. in one query, their own rating of the title,
    # whether it is on their watchlist and their marks on the comments shown
    with django_assert_num_queries(4):
        html = member_page(reader_client, TITLE_PAGE)
    assert f'Comments <span class="count">({comments})</span>' in html


def test_the_content_version_is_not_a_row_members_writes_queue_on(title, reader):
    before = ContentVersion.current()
    Rating.objects.rate(reader, title, 4)
    Rating.objects.rate(reader, title, 2)
    Comment.objects.post(reader, title, "Edited later").edit("Edited", False, "agree")
    Rating.objects.unrate(reader, title)
    assert ContentVersion.current() == before
