"""Curating titles, themes and sources in the admin."""

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

from catalogue.models import Mention, Theme, Title
from reviews.models import Comment, Rating, TearPrior

from .admin_forms import title_form
from .factories import make_source, make_theme, make_title

pytestmark = pytest.mark.django_db

TITLES = "/admin/catalogue/title/"


def change_url(title):
    return f"{TITLES}{title.pk}/change/"


@pytest.fixture
def grief():
    return make_theme("Grief", slug="grief")


@pytest.fixture
def article():
    return make_source("Sad Anime: 21 Stories", slug="sad-anime-21")


@pytest.fixture
def rated_title(reader, other_reader, grief, article):
    title = make_title(
        "A Silent Voice",
        original_name="Koe no Katachi",
        other_names="The Shape of Voice",
        year=2016,
        themes=[grief],
    )
    Mention.objects.create(title=title, source=article, section="movies", rank=2)
    Rating.objects.rate(reader, title, 5)
    Rating.objects.rate(other_reader, title, 3)
    TearPrior.refresh()
    return title


def test_the_change_list_shows_picture_facts_and_numbers(curator_client, rated_title):
    rated_title.poster_thumbnail = "posters/thumbs/abc.jpg"
    rated_title.save()
    html = curator_client.get(TITLES).content.decode()
    assert '<img src="/media/posters/thumbs/abc.jpg" alt="Poster of A Silent Voice"' in html
    assert ">A Silent Voice</a>" in html
    assert '<td class="field-kind">Movie</td>' in html
    assert '<td class="field-year">2016</td>' in html
    assert '<td class="field-number_of_ratings">2</td>' in html
    # Two ratings (5 and 3), the site mean is 4, prior weight 5: (8 + 5×4) / (2 + 5).
    assert '<td class="field-tear_score">4.00</td>' in html
    assert 'alt="True"' in html


def test_a_title_without_poster_shows_its_generated_cover(curator_client):
    title = make_title("Orange")
    html = curator_client.get(TITLES).content.decode()
    assert f'src="{title.cover.url}" alt="Generated cover for Orange"' in html


@pytest.mark.parametrize("query", ["silent", "Koe no Katachi", "shape of voice"])
def test_search_finds_any_of_a_titles_names(curator_client, rated_title, query):
    make_title("Clannad")
    html = curator_client.get(TITLES, {"q": query}).content.decode()
    assert "A Silent Voice" in html
    assert "Clannad" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind__exact": "series"}, {"Clannad"}),
        ({"themes__id__exact": "THEME"}, {"A Silent Voice"}),
        ({"mentions__source__id__exact": "SOURCE"}, {"A Silent Voice"}),
        ({"is_published__exact": "0"}, {"Hidden One"}),
    ],
)
def test_filters_narrow_the_list(curator_client, rated_title, grief, article, params, expected):
    make_title("Clannad", kind="series", episodes=22)
    make_title("Hidden One", is_published=False)
    make_source("Saddest Anime of All Time")
    params = {
        key: {"THEME": grief.pk, "SOURCE": article.pk}.get(value, value)
        for key, value in params.items()
    }
    response = curator_client.get(TITLES, params)
    shown = {title.name for title in response.context["cl"].result_list}
    assert shown == expected
    html = response.content.decode()
    for heading in ["By kind", "By themes", "By source", "By published"]:
        assert heading in html


def test_the_change_list_costs_the_same_queries_for_50_titles(
    curator_client, django_assert_num_queries, grief, article, reader
):
    for number in range(50):
        title = make_title(f"Title {number:02}", themes=[grief])
        Mention.objects.create(title=title, source=article, section="also", rank=number + 1)
        Rating.objects.rate(reader, title, number % 6)
    curator_client.get(TITLES)  # content types and other per-process caches are warm
    # session with its user, user's own and group permissions, choices of the themes
    # and sources filters, the count and the full count, the 50 rows joined with their
    # stats.
    with django_assert_num_queries(8):
        response = curator_client.get(TITLES)
    assert len(response.context["cl"].result_list) == 50


def test_a_title_is_added_without_javascript(curator_client, curator, grief, article):
    response = curator_client.post(
        f"{TITLES}add/",
        title_form(
            name="Grave of the Fireflies",
            original_name="Hotaru no Haka",
            year=1988,
            runtime_minutes=89,
            synopsis="Two children after the firebombing.",
            themes=[grief.pk],
            mentions=[{"source": article.pk, "section": "movies", "rank": 1, "listed_as": ""}],
        ),
        follow=True,
    )
    assert "was added successfully" in response.content.decode()
    title = Title.objects.get()
    assert title.slug == "grave-of-the-fireflies"
    assert list(title.themes.all()) == [grief]
    assert [mention.description for mention in title.mentions.all()] == ["#1 movie"]
    assert title.cover.name.startswith("covers/grave-of-the-fireflies-")
    assert title.cover.storage.exists(title.cover.name)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_repr) == (
        curator,
        ADDITION,
        "Grave of the Fireflies",
    )


def test_the_add_form_prepopulates_the_slug_and_offers_a_usable_theme_picker(curator_client, grief):
    make_theme("War", slug="war")
    html = curator_client.get(f"{TITLES}add/").content.decode()
    assert "data-prepopulated-fields" in html and "&quot;#id_slug&quot;" in html
    # A labelled box per theme, no JavaScript needed; no box is `required`, or the
    # browser would refuse to save a title unless every theme were ticked.
    boxes = re.findall(r'<input type="checkbox" name="themes"[^>]*>', html)
    assert [re.search(r'id="(\w+)"', box)[1] for box in boxes] == ["id_themes_0", "id_themes_1"]
    assert not [box for box in boxes if "required" in box]
    assert '<label for="id_themes_1"><input type="checkbox" name="themes"' in html
    assert html.count(" War</label>") == 1
    assert 'accept="image/jpeg,image/png,image/webp"' in html


def test_a_name_whose_slug_is_taken_is_refused(curator_client):
    make_title("Your Name", slug="your-name")
    response = curator_client.post(
        f"{TITLES}add/", title_form(name="Your Name", year=2016, synopsis="Body swap.")
    )
    assert "Title with this Slug already exists." in response.content.decode()
    assert Title.objects.count() == 1


def test_bad_facts_are_refused_with_a_message_and_nothing_changes(curator_client, rated_title):
    before = Title.objects.values().get()
    response = curator_client.post(
        change_url(rated_title), title_form(rated_title, year=1800, episodes=0)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the errors below." in html
    assert "Ensure this value is greater than or equal to 1917." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert Title.objects.values().get() == before


def test_a_provenance_row_is_corrected_inline(curator_client, rated_title):
    mention = rated_title.mentions.get()
    data = title_form(rated_title)
    data["mentions-0-rank"] = 3
    data["mentions-0-listed_as"] = "Koe no Katachi"
    curator_client.post(change_url(rated_title), data)
    mention.refresh_from_db()
    assert (mention.rank, mention.listed_as) == (3, "Koe no Katachi")


def test_two_titles_cannot_share_a_rank(curator_client, rated_title, article):
    other = make_title("Your Name")
    response = curator_client.post(
        change_url(other),
        title_form(
            other,
            mentions=[{"source": article.pk, "section": "movies", "rank": 2, "listed_as": ""}],
        ),
    )
    assert "Please correct the" in response.content.decode()
    assert not other.mentions.exists()


def test_the_change_form_costs_a_fixed_number_of_queries(
    curator_client, django_assert_num_queries, rated_title, article
):
    for rank in range(3, 13):
        Mention.objects.create(title=rated_title, source=make_source(), section="movies", rank=rank)
    curator_client.get(change_url(rated_title))  # per-process caches are warm
    # session with its user, the title (joined with its stats), user's own and
    # group permissions, the title's themes, the sources (read once for all provenance
    # rows), the provenance rows with their sources, every theme for the picker, the
    # where-to-watch rows and the services for their picker.
    with django_assert_num_queries(10):
        response = curator_client.get(change_url(rated_title))
    assert response.content.decode().count('name="mentions-') > 11


def test_unpublishing_hides_a_title_from_the_public_and_keeps_its_ratings(
    curator_client, curator, client, rated_title, grief
):
    response = curator_client.post(
        TITLES, {"action": "unpublish", "_selected_action": [rated_title.pk]}, follow=True
    )
    assert "Unpublished 1 title(s)." in response.content.decode()
    assert client.get(rated_title.get_absolute_url()).status_code == 404
    assert "A Silent Voice" not in client.get("/").content.decode()
    assert "A Silent Voice" not in client.get(grief.get_absolute_url()).content.decode()
    assert Rating.objects.filter(title=rated_title).count() == 2
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.get_change_message()) == (
        curator,
        CHANGE,
        "Changed published.",
    )

    curator_client.post(TITLES, {"action": "publish", "_selected_action": [rated_title.pk]})
    assert "A Silent Voice" in client.get(rated_title.get_absolute_url()).content.decode()


def test_publishing_what_is_already_published_says_so(curator_client, rated_title):
    response = curator_client.post(
        TITLES, {"action": "publish", "_selected_action": [rated_title.pk]}, follow=True
    )
    assert "The selected titles were already published." in response.content.decode()
    assert not LogEntry.objects.exists()


def test_view_on_site_links_published_titles_only(curator_client, rated_title):
    html = curator_client.get(change_url(rated_title)).content.decode()
    assert f'href="{rated_title.get_absolute_url()}" class="viewsitelink"' in html
    Title.objects.filter(pk=rated_title.pk).update(is_published=False)
    assert "viewsitelink" not in curator_client.get(change_url(rated_title)).content.decode()


@pytest.mark.parametrize("who", ["curator_client", "admin_client"])
def test_a_rated_title_cannot_be_deleted_only_unpublished(request, who, rated_title):
    client = request.getfixturevalue(who)
    page = client.get(f"{TITLES}{rated_title.pk}/delete/").content.decode()
    assert "members rated or discussed it (unpublish it instead)" in page
    client.post(f"{TITLES}{rated_title.pk}/delete/", {"post": "yes"})
    assert Title.objects.filter(pk=rated_title.pk).exists()
    assert Rating.objects.count() == 2


def test_a_discussed_title_cannot_be_deleted_in_bulk(admin_client, reader):
    title = make_title("Orange")
    Comment.objects.post(reader, title, "Cried all night.")
    admin_client.post(
        TITLES, {"action": "delete_selected", "_selected_action": [title.pk], "post": "yes"}
    )
    assert Title.objects.filter(pk=title.pk).exists()


def test_a_title_nobody_rated_can_be_deleted(curator_client):
    title = make_title("Added By Mistake")
    curator_client.post(f"{TITLES}{title.pk}/delete/", {"post": "yes"})
    assert not Title.objects.exists()


def test_themes_list_their_number_of_titles(curator_client, rated_title, grief):
    make_theme("War")
    html = curator_client.get("/admin/catalogue/theme/").content.decode()
    assert '<td class="field-number_of_titles">1</td>' in html
    assert '<td class="field-number_of_titles">0</td>' in html


def test_a_theme_is_added(curator_client):
    curator_client.post(
        "/admin/catalogue/theme/add/",
        {"name": "First love", "slug": "first-love", "description": ""},
    )
    assert list(Theme.objects.values_list("slug", flat=True)) == ["first-love"]


def test_sources_list_how_many_titles_they_listed(curator_client, rated_title, article):
    html = curator_client.get("/admin/catalogue/source/").content.decode()
    assert "Sad Anime: 21 Stories" in html
    assert '<td class="field-number_of_mentions">1</td>' in html
