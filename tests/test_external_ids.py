"""
The same title elsewhere: titles carry their MyAnimeList and AniList ids (AniDB and
Kitsu optional), positive and unique, edited by curators; the title page links out.
"""

import json

import pytest
from django.conf import settings

from catalogue.models import Title

from .admin_forms import title_form
from .factories import make_theme, make_title

pytestmark = pytest.mark.django_db

ID_FIELDS = ("myanimelist_id", "anilist_id", "anidb_id", "kitsu_id")


def fixture_titles():
    records = json.loads((settings.BASE_DIR / "fixtures" / "catalogue.json").read_text())
    return [record["fields"] for record in records if record["model"] == "catalogue.title"]


def test_every_published_fixture_title_has_positive_unique_ids():
    titles = [fields for fields in fixture_titles() if fields["is_published"]]
    for field in ID_FIELDS:
        ids = [fields[field] for fields in titles if fields.get(field) is not None]
        assert all(isinstance(value, int) and value > 0 for value in ids), field
        assert len(ids) == len(set(ids)), f"{field} repeats an id"
    # Every work has its MyAnimeList id but those we could not confirm (see bench/README).
    with_mal = [fields["name"] for fields in titles if fields.get("myanimelist_id")]
    assert len(with_mal) >= 27


def test_the_fixture_gives_the_well_known_ids():
    ids = {fields["name"]: fields["myanimelist_id"] for fields in fixture_titles()}
    assert ids["Clannad After Story"] == 4181
    assert ids["Your Lie in April"] == 23273
    assert ids["Anohana: The Flower We Saw That Day"] == 9989
    assert ids["Grave of the Fireflies"] == 578
    assert ids["A Silent Voice"] == 28851


def test_the_catalogue_loads_with_its_ids(catalogue):
    grave = Title.objects.get(name="Grave of the Fireflies")
    assert (grave.myanimelist_id, grave.anilist_id) == (578, 578)


def test_the_title_page_links_out(client):
    make_title(
        "Clannad After Story", slug="clannad-after-story", myanimelist_id=4181, anilist_id=4181
    )
    html = client.get("/titles/clannad-after-story/").content.decode()
    assert (
        '<a href="https://myanimelist.net/anime/4181" rel="external noopener">'
        "Clannad After Story on MyAnimeList</a>"
    ) in html
    assert 'href="https://anilist.co/anime/4181"' in html
    assert "AniDB" not in html and "Kitsu" not in html


def test_a_title_without_ids_has_no_links_out(client):
    make_title("Quiet", slug="quiet")
    assert "Elsewhere" not in client.get("/titles/quiet/").content.decode()


def test_a_curator_records_the_ids(curator_client):
    title = make_title("Erased", slug="erased", themes=[make_theme("Grief")])
    curator_client.post(
        f"/admin/catalogue/title/{title.pk}/change/",
        title_form(title, myanimelist_id="31043", anilist_id="21234"),
    )
    title.refresh_from_db()
    assert (title.myanimelist_id, title.anilist_id) == (31043, 21234)


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "An id is a whole number from 1 up"),
        ("-5", "An id is a whole number from 1 up"),
        ("abc", "Enter a whole number."),
        ("4181", "Title with this MyAnimeList id already exists."),
    ],
)
def test_a_bad_or_taken_id_is_refused_next_to_the_field(curator_client, value, message):
    make_title("Clannad After Story", slug="clannad-after-story", myanimelist_id=4181)
    title = make_title("Erased", slug="erased", themes=[make_theme("Grief")])
    response = curator_client.post(
        f"/admin/catalogue/title/{title.pk}/change/", title_form(title, myanimelist_id=value)
    )
    html = response.content.decode()
    assert response.status_code == 200
    field = html.split("field-myanimelist_id")[1].split("field-anilist_id")[0]
    assert "errorlist" in field
    title.refresh_from_db()
    assert title.myanimelist_id is None
    assert message in field


def test_load_catalogue_diff_and_export_carry_the_ids(db, tmp_path):
    import io

    from django.core.management import call_command

    call_command("load_catalogue", stdout=io.StringIO())
    assert Title.objects.get(slug="your-name").myanimelist_id == 32281
    Title.objects.filter(slug="your-name").update(myanimelist_id=1)
    out = io.StringIO()
    call_command("diff_catalogue", stdout=out)
    assert "title your-name: myanimelist_id: database 1, fixture 32281" in out.getvalue()
    call_command("diff_catalogue", "--overwrite", "your-name", stdout=io.StringIO())
    assert Title.objects.get(slug="your-name").myanimelist_id == 32281
    call_command("export_catalogue", output=tmp_path / "out.json", stdout=io.StringIO())
    assert '"myanimelist_id": 32281' in (tmp_path / "out.json").read_text()
