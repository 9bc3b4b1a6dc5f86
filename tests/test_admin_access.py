"""Who may do what in /admin/: visitors and members nothing, curators curation and
moderation only, superusers everything except editing ratings."""

import io

import pytest
from django.core.management import CommandError, call_command

from reviews.models import Rating

from .conftest import curators_group
from .factories import make_title

pytestmark = pytest.mark.django_db

CURATION_PAGES = [
    "/admin/",
    "/admin/catalogue/title/",
    "/admin/catalogue/title/add/",
    "/admin/catalogue/theme/",
    "/admin/catalogue/theme/add/",
    "/admin/catalogue/source/",
    "/admin/catalogue/source/add/",
    "/admin/reviews/reportedcomment/",
    "/admin/reviews/comment/",
    "/admin/reviews/rating/",
]
USER_PAGES = ["/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/"]


@pytest.mark.parametrize("url", CURATION_PAGES + USER_PAGES)
def test_a_visitor_is_sent_to_the_admin_sign_in(client, url):
    response = client.get(url, follow=True)
    assert response.redirect_chain[0][0].startswith("/admin/login/?next=")
    assert "Log in" in response.content.decode()
    assert "Sadlist curation" in response.content.decode()


@pytest.mark.parametrize("url", CURATION_PAGES + USER_PAGES)
def test_a_member_has_no_admin_access(reader_client, url):
    response = reader_client.get(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][0].startswith("/admin/login/?next=")
    assert "You are authenticated as reader, but are not authorized to access this page" in html


def test_a_member_cannot_change_a_title_by_posting(reader_client):
    title = make_title("Your Name")
    reader_client.post(f"/admin/catalogue/title/{title.pk}/change/", {"name": "Spam"})
    title.refresh_from_db()
    assert title.name == "Your Name"


@pytest.mark.parametrize("url", CURATION_PAGES)
def test_a_curator_reaches_every_curation_page(curator_client, url):
    response = curator_client.get(url)
    assert response.status_code == 200
    assert "Sadlist curation" in response.content.decode()


def test_the_curators_index_lists_curation_and_moderation_only(curator_client):
    html = curator_client.get("/admin/").content.decode()
    for section in ["Titles", "Themes", "Sources", "Reported comments", "Comments", "Ratings"]:
        assert f">{section}</a>" in html
    assert ">Users</a>" not in html
    assert ">Groups</a>" not in html


@pytest.mark.parametrize("url", USER_PAGES)
def test_a_curator_cannot_manage_users(curator_client, url):
    response = curator_client.get(url)
    assert response.status_code == 403


def test_a_curator_cannot_make_themselves_superuser(curator_client, curator):
    curator_client.post(
        f"/admin/auth/user/{curator.pk}/change/",
        {"username": "curator", "is_superuser": "on", "is_staff": "on"},
    )
    curator.refresh_from_db()
    assert not curator.is_superuser


@pytest.fixture
def rating(reader):
    return Rating.objects.rate(reader, make_title("Your Name"), 4)


@pytest.mark.parametrize("who", ["curator_client", "admin_client"])
def test_ratings_can_be_looked_at_but_not_changed(request, who, rating):
    client = request.getfixturevalue(who)
    listing = client.get("/admin/reviews/rating/").content.decode()
    assert "4 · Sobbing" in listing
    assert "Add rating" not in listing
    page = client.get(f"/admin/reviews/rating/{rating.pk}/change/").content.decode()
    assert "View rating" in page
    assert 'name="tears"' not in page
    assert 'type="submit" value="Save"' not in page

    client.post(f"/admin/reviews/rating/{rating.pk}/change/", {"tears": 0})
    client.post(f"/admin/reviews/rating/{rating.pk}/delete/", {"post": "yes"})
    client.post("/admin/reviews/rating/add/", {"tears": 5})
    assert list(Rating.objects.values_list("tears", flat=True)) == [4]


def test_a_superuser_sees_users_as_well(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert ">Users</a>" in html
    assert ">Titles</a>" in html
    assert ">Reported comments</a>" in html


def test_the_curators_group_holds_exactly_the_curation_permissions():
    group = curators_group()
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    catalogue = {
        ("catalogue", f"{action}_{model}")
        for model in ["title", "theme", "source", "mention"]
        for action in ["add", "change", "delete", "view"]
    }
    moderation = {
        ("reviews", codename)
        for codename in [
            "view_comment",
            "change_comment",
            "view_reportedcomment",
            "change_reportedcomment",
            "view_report",
            "change_report",
            "view_rating",
        ]
    }
    suggestions = {("catalogue", "view_suggestion"), ("catalogue", "change_suggestion")} | {
        ("catalogue", f"{action}_{model}")
        for model in ["streamingservice", "watchoption"]
        for action in ["add", "change", "delete", "view"]
    }
    causes = {("reviews", f"{action}_cause") for action in ["add", "change", "view"]}
    assert granted == catalogue | moderation | suggestions | causes


def test_make_curator_gives_staff_and_the_group(reader, client):
    curators_group()
    out = io.StringIO()
    call_command("make_curator", "reader", stdout=out)
    assert "reader is now a curator" in out.getvalue()
    reader.refresh_from_db()
    assert reader.is_staff and not reader.is_superuser
    assert list(reader.groups.values_list("name", flat=True)) == ["Curators"]
    client.force_login(reader)
    assert client.get("/admin/catalogue/title/").status_code == 200


def test_make_curator_remove_takes_it_away(curator):
    call_command("make_curator", "curator", "--remove", stdout=io.StringIO())
    curator.refresh_from_db()
    assert not curator.is_staff
    assert not curator.groups.exists()


def test_make_curator_explains_an_unknown_member(reader):
    with pytest.raises(CommandError, match="No member is called 'nobody'"):
        call_command("make_curator", "nobody")
    reader.refresh_from_db()
    assert not reader.is_staff
