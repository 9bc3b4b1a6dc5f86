"""A member gives a title a tear rating on its page, changes it and removes it."""

import pytest

from reviews.insights import rate_telling_more
from reviews.models import Rating, RatingCause, TitleStats
from reviews.stats import recount_all

from .factories import make_title
from .test_insights_ratings import seed_causes, statements_sent

pytestmark = pytest.mark.django_db

RATE_URL = "/titles/grave-of-the-fireflies/rate/"
TITLE_URL = "/titles/grave-of-the-fireflies/"


def page(client, url=TITLE_URL):
    return client.get(url).content.decode()


def test_a_visitor_is_invited_to_sign_in_and_comes_back_to_the_title(
    client, grave, reader, password
):
    html = page(client)
    link = "/account/signin/?next=/titles/grave-of-the-fireflies/%23your-rating"
    assert f'<a href="{link}">Sign in to rate</a>' in html
    assert 'name="tears"' not in html

    signin = client.get(link).content.decode()
    assert (
        '<input type="hidden" name="next" value="/titles/grave-of-the-fireflies/#your-rating">'
        in signin
    )
    response = client.post(
        "/account/signin/",
        {
            "username": "reader",
            "password": password,
            "next": "/titles/grave-of-the-fireflies/#your-rating",
        },
    )
    assert response.url == "/titles/grave-of-the-fireflies/#your-rating"
    assert 'name="tears"' in page(client)


def test_a_member_sees_every_level_by_name_and_nothing_chosen(reader_client, grave):
    html = page(reader_client)
    for value, name in [
        (0, "Dry eyes"),
        (1, "Lump in the throat"),
        (2, "Misty-eyed"),
        (3, "A few tears"),
        (4, "Sobbing"),
        (5, "Cried a river"),
    ]:
        assert (
            f'<input type="radio" name="tears" value="{value}" required> {value} — {name}' in html
        )
    assert "checked" not in html.split('id="your-rating"')[1].split("<details")[0]
    assert "Remove my rating" not in html


def test_saving_a_rating_names_the_level_and_counts_it(reader_client, reader, grave):
    response = reader_client.post(RATE_URL, {"tears": "4"}, follow=True)
    assert response.redirect_chain == [(TITLE_URL + "#your-rating", 302)]
    html = response.content.decode()
    assert "Saved: 4 — Sobbing." in html
    assert "You rated it <strong>4 — Sobbing</strong>" in html
    assert 'value="4" required checked> 4 — Sobbing' in html
    assert list(Rating.objects.values_list("user__username", "tears")) == [("reader", 4)]
    assert TitleStats.objects.get(pk=grave.pk).distribution == [0, 0, 0, 0, 1, 0]


def test_a_plain_rating_is_written_in_the_statement_that_finds_its_title(
    reader_client, reader, grave
):
    reader_client.get(TITLE_URL)  # signed in and the page seen, as a member who rates
    for tears in ("2", "5"):  # a new rating, then a change of it
        response, statements = statements_sent(reader_client, RATE_URL, {"tears": tears})
        assert response.url == TITLE_URL + "#your-rating"
        # The session with its member; then the rating, of the published title at the
        # address, in one INSERT.
        assert len(statements) == 2, "\n".join(statements)
        assert statements[1].startswith('INSERT INTO "reviews_rating"')
        assert "catalogue_title" in statements[1]
    stats = TitleStats.objects.get(pk=grave.pk)
    assert (stats.rating_count, stats.distribution) == (1, [0, 0, 0, 0, 0, 1])
    assert "Saved: 5 — Cried a river." in page(reader_client)
    assert recount_all() == []


def test_changing_from_2_to_5_moves_the_one_rating(reader_client, grave):
    reader_client.post(RATE_URL, {"tears": "2"})
    html = reader_client.post(RATE_URL, {"tears": "5"}, follow=True).content.decode()
    assert "Saved: 5 — Cried a river." in html
    assert list(Rating.objects.values_list("tears", flat=True)) == [5]
    stats = TitleStats.objects.get(pk=grave.pk)
    assert (stats.rating_count, stats.rating_sum, stats.distribution) == (1, 5, [0, 0, 0, 0, 0, 1])
    assert recount_all() == []


def test_the_same_rating_again_keeps_its_times_and_the_counts(reader_client, grave):
    reader_client.post(RATE_URL, {"tears": "3"})
    first = Rating.objects.get()
    html = reader_client.post(RATE_URL, {"tears": "3"}, follow=True).content.decode()
    assert "Saved: 3 — A few tears." in html
    again = Rating.objects.get()
    assert (again.pk, again.created_at, again.updated_at) == (
        first.pk,
        first.created_at,
        first.updated_at,
    )
    assert TitleStats.objects.get(pk=grave.pk).distribution == [0, 0, 0, 1, 0, 0]
    # A change keeps when it was first rated, and says when it changed.
    reader_client.post(RATE_URL, {"tears": "1"})
    changed = Rating.objects.get()
    assert (changed.pk, changed.created_at) == (first.pk, first.created_at)
    assert changed.updated_at > first.updated_at
    assert recount_all() == []


def test_dry_eyes_after_tears_drops_the_causes_and_the_moment(reader, grave):
    cause = seed_causes()["war"]
    grave_rating = rate_telling_more(reader, grave, 4, cause_ids=[cause.pk], moment=10)
    assert RatingCause.objects.filter(rating=grave_rating).count() == 1
    dry = Rating.objects.rate(reader, grave, 0)
    assert (dry.pk, dry.tears, dry.moment) == (grave_rating.pk, 0, None)
    assert not RatingCause.objects.exists()
    assert recount_all() == []


def test_removing_a_rating_takes_it_out_of_the_stats(reader_client, grave):
    reader_client.post(RATE_URL, {"tears": "3"})
    html = reader_client.post(RATE_URL, {"remove": "1"}, follow=True).content.decode()
    assert "Your rating of Grave of the Fireflies was removed." in html
    assert "You rated it" not in html
    assert not Rating.objects.exists()
    assert TitleStats.objects.get(pk=grave.pk).rating_count == 0
    assert recount_all() == []


def test_removing_a_rating_that_does_not_exist_says_so(reader_client, grave, unchanged):
    with unchanged():
        html = reader_client.post(RATE_URL, {"remove": "1"}, follow=True).content.decode()
    assert "You had not rated Grave of the Fireflies; nothing to remove." in html


@pytest.mark.parametrize(
    "tears, message",
    [
        ("-1", "-1 is not one"),
        ("6", "6 is not one"),
        ("2.5", "2.5 is not one"),
        ("abc", "abc is not one"),
        ("", "Pick a tear level from 0 to 5 before saving."),
        (None, "Pick a tear level from 0 to 5 before saving."),
    ],
)
def test_an_impossible_rating_is_explained_and_changes_nothing(
    reader_client, reader, grave, unchanged, tears, message
):
    Rating.objects.rate(reader, grave, 3)
    data = {} if tears is None else {"tears": tears}
    with unchanged():
        response = reader_client.post(RATE_URL, data, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "A tear rating is a whole number from 0 (Dry eyes) to 5" in html or tears in ("", None)
    assert "You rated it <strong>3 — A few tears</strong>" in html


@pytest.mark.parametrize("slug", ["no-such-title", "unpublished"])
def test_rating_an_unknown_or_unpublished_title_is_a_404(reader_client, unchanged, slug):
    make_title("Hidden away", slug="unpublished", is_published=False)
    with unchanged():
        response = reader_client.post(f"/titles/{slug}/rate/", {"tears": "4"})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_visitor_cannot_rate_and_is_sent_to_sign_in(client, grave, unchanged):
    with unchanged():
        response = client.post(RATE_URL, {"tears": "4"})
    assert response.status_code == 302
    assert response.url == "/account/signin/?next=" + RATE_URL


def test_rating_by_get_is_refused(reader_client, grave, unchanged):
    with unchanged():
        response = reader_client.get(RATE_URL + "?tears=4")
    assert response.status_code == 405


def test_rating_without_a_csrf_token_is_refused(csrf_client, reader, grave, unchanged):
    csrf_client.force_login(reader)
    with unchanged():
        response = csrf_client.post(RATE_URL, {"tears": "4"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_the_rating_form_carries_a_csrf_token_that_works(csrf_client, reader, grave):
    csrf_client.force_login(reader)
    html = page(csrf_client)
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    csrf_client.post(RATE_URL, {"tears": "1", "csrfmiddlewaretoken": token})
    assert list(Rating.objects.values_list("tears", flat=True)) == [1]
