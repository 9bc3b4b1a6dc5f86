"""
Setting the site up again never undoes curation: load_catalogue fills an empty catalogue
and otherwise only adds what the database lacks; diff_catalogue says what differs and
overwrites only the rows an operator names.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import Mention, Source, Theme, Title

from .admin_forms import title_form
from .conftest import CATALOGUE_FIXTURE
from .test_export import snapshot
from .test_posters import image_bytes

pytestmark = pytest.mark.django_db


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def loaded(db):
    """The catalogue as `make run` sets it up on an empty database."""
    message = run("load_catalogue")
    assert (
        message == "Filled the empty catalogue from the fixture: 31 titles, 14 themes, 2 sources.\n"
    )


def fixture_with(tmp_path, edit):
    """A copy of the fixture changed by `edit(records)`, as a path."""
    with open(CATALOGUE_FIXTURE, encoding="utf-8") as file:
        records = json.load(file)
    edit(records)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return str(path)


def add_hachiko(records):
    """A new work with a new theme and a mention in an existing article."""
    records.append(
        {
            "model": "catalogue.theme",
            "pk": 900,
            "fields": {"slug": "loss-of-a-pet", "name": "Loss of a pet", "description": ""},
        }
    )
    records.append(
        {
            "model": "catalogue.title",
            "pk": 900,
            "fields": {
                "slug": "hachiko",
                "name": "Hachikō",
                "original_name": "",
                "other_names": "",
                "kind": "movie",
                "year": 1987,
                "studio": "Shochiku",
                "episodes": None,
                "runtime_minutes": 107,
                "synopsis": "A dog waits at Shibuya station every evening.",
                "why_it_hurts": "He keeps waiting.",
                "themes": [900, 1],
                "poster": "",
                "poster_thumbnail": "",
                "cover": "",
                "is_published": True,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
        }
    )
    records.append(
        {
            "model": "catalogue.mention",
            "pk": 900,
            "fields": {"title": 900, "source": 1, "section": "also", "rank": 40, "listed_as": ""},
        }
    )


def test_it_fills_an_empty_catalogue_with_the_fixture_as_it_is(loaded):
    with open(CATALOGUE_FIXTURE, encoding="utf-8") as file:
        records = json.load(file)
    fixture_titles = {
        r["pk"]: r["fields"]["slug"] for r in records if r["model"] == "catalogue.title"
    }
    assert dict(Title.objects.values_list("pk", "slug")) == fixture_titles
    assert Mention.objects.count() == 36


def test_curation_survives_setting_up_again(
    loaded, curator_client, django_capture_on_commit_callbacks, client
):
    your_name = Title.objects.get(slug="your-name")
    with django_capture_on_commit_callbacks(execute=True):
        form = title_form(your_name, name="Your Name.", synopsis="Two strangers swap lives.")
        form["poster"] = image_file()
        curator_client.post(f"/admin/catalogue/title/{your_name.pk}/change/", form)
    nana = Title.objects.get(slug="nana")
    curator_client.post(
        f"/admin/catalogue/title/{nana.pk}/change/", title_form(nana, is_published=False)
    )
    your_name.refresh_from_db()
    poster = your_name.poster.name
    assert poster.startswith("posters/") and your_name.name == "Your Name."
    before = snapshot()

    message = run("load_catalogue")

    assert snapshot() == before
    your_name.refresh_from_db()
    assert (your_name.name, your_name.synopsis) == ("Your Name.", "Two strangers swap lives.")
    assert your_name.poster.name == poster and your_name.poster.storage.exists(poster)
    assert not Title.objects.get(slug="nana").is_published
    page = client.get("/titles/your-name/").content.decode()
    assert "Your Name." in page and f'src="{your_name.poster.url}"' in page
    assert client.get("/titles/nana/").status_code == 404
    assert message == (
        "The catalogue already has every work in the fixture.\n"
        "2 row(s) differ from the fixture and were kept as they are; "
        "manage.py diff_catalogue shows how.\n"
    )


def image_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("poster.jpg", image_bytes("JPEG"), content_type="image/jpeg")


def test_a_work_added_to_the_fixture_appears_and_nothing_else_changes(loaded, tmp_path, client):
    Title.objects.filter(slug="anohana").update(name="Anohana (curated)")
    before = snapshot()
    path = fixture_with(tmp_path, add_hachiko)

    message = run("load_catalogue", "--fixture", path)

    assert message == "Added 2 from the fixture: theme loss-of-a-pet, title hachiko.\n" + (
        "1 row(s) differ from the fixture and were kept as they are; "
        "manage.py diff_catalogue shows how.\n"
    )
    after = snapshot()
    for model in ("Theme", "Source", "Title", "Mention"):
        assert [row for row in after[model] if row["id"] in {r["id"] for r in before[model]}] == (
            before[model]
        )
    hachiko = Title.objects.get(slug="hachiko")
    assert sorted(hachiko.themes.values_list("slug", flat=True)) == ["grief", "loss-of-a-pet"]
    assert [(m.source.slug, m.section, m.rank) for m in hachiko.mentions.all()] == [
        ("sad-anime-21-stories", "also", 40)
    ]
    assert hachiko.cover
    assert "Hachikō" in client.get("/titles/hachiko/").content.decode()
    assert run("load_catalogue", "--fixture", path).startswith(
        "The catalogue already has every work in the fixture.\n"
    )


def test_a_new_work_whose_provenance_clashes_comes_without_that_mention(loaded, tmp_path):
    Mention.objects.create(
        title=Title.objects.get(slug="nana"),
        source=Source.objects.get(slug="sad-anime-21-stories"),
        section="also",
        rank=40,
    )
    path = fixture_with(tmp_path, add_hachiko)

    message = run("load_catalogue", "--fixture", path)

    assert "the mention of hachiko as #40 also in sad-anime-21-stories not added" in message
    assert not Title.objects.get(slug="hachiko").mentions.exists()
    assert Mention.objects.filter(rank=40).get().title.slug == "nana"


def test_the_report_names_each_field_that_differs(loaded):
    Title.objects.filter(slug="your-name").update(year=2017, is_published=False)
    Title.objects.get(slug="orange").themes.remove(Theme.objects.get(slug="time"))
    Theme.objects.filter(slug="grief").update(name="Mourning")
    Title.objects.get(slug="naruto").delete()

    assert run("diff_catalogue").splitlines() == [
        "theme grief: name: database 'Mourning', fixture 'Grief'",
        "title your-name: year: database 2017, fixture 2016",
        "title your-name: is_published: database False, fixture True",
        "title orange: themes: database ['first-love', 'friendship'], "
        "fixture ['first-love', 'friendship', 'time']",
        "title naruto: not in the database",
    ]


def test_overwrite_sets_only_the_named_rows_to_the_fixture(loaded):
    Title.objects.filter(slug="your-name").update(year=2017, is_published=False)
    Title.objects.filter(slug="orange").update(name="Orange (curated)")
    Mention.objects.filter(title__slug="your-name").delete()
    Theme.objects.filter(slug="grief").update(name="Mourning")

    message = run("diff_catalogue", "--overwrite", "your-name", "grief")

    assert message.splitlines() == [
        "Set to the fixture's values: title your-name, theme grief.",
        "title orange: name: database 'Orange (curated)', fixture 'Orange'",
    ]
    your_name = Title.objects.get(slug="your-name")
    assert (your_name.year, your_name.is_published) == (2016, True)
    assert your_name.mentions.count() == 1
    assert Theme.objects.get(slug="grief").name == "Grief"


@pytest.mark.parametrize(
    ("slugs", "error"),
    [
        (["your-name", "no-such-title"], "no title, theme or source has the slug 'no-such-title'"),
        (["naruto"], "title naruto is not in the database; load_catalogue adds it"),
    ],
)
def test_overwrite_with_a_bad_slug_says_so_and_changes_nothing(loaded, slugs, error):
    Title.objects.filter(slug="your-name").update(year=2017)
    Title.objects.get(slug="naruto").delete()
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run("diff_catalogue", "--overwrite", *slugs)

    assert error in str(raised.value) and "\n" not in str(raised.value)
    assert snapshot() == before


def test_a_missing_fixture_is_one_line_and_changes_nothing(tmp_path):
    with pytest.raises(CommandError, match=r"^cannot read .*missing\.json: No such file"):
        run("load_catalogue", "--fixture", str(tmp_path / "missing.json"))
    assert not Title.objects.exists()


def test_setup_loads_the_catalogue_without_overwriting_it(settings):
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    assert "manage.py load_catalogue" in makefile
    assert "loaddata" not in makefile
