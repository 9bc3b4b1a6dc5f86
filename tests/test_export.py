"""export_catalogue writes the curated catalogue back to fixtures/, ready to commit."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from catalogue.covers import make_cover
from catalogue.models import Mention, Source, Theme, Title
from reviews.models import Comment, Rating, TitleStats

from .conftest import CATALOGUE_FIXTURE
from .factories import make_theme

pytestmark = pytest.mark.django_db

CURATED = [Theme, Source, Title, Mention]


def export(path):
    out = io.StringIO()
    call_command("export_catalogue", "--output", str(path), stdout=out)
    return out.getvalue()


def snapshot():
    """Every curated row, every field, and which themes each title has."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in CURATED}
    rows["themes"] = list(
        Title.themes.through.objects.order_by("title_id", "theme_id").values_list(
            "title_id", "theme_id"
        )
    )
    return rows


def curate():
    """What a curator might do in an afternoon, including awkward values."""
    loss = make_theme("Loss of a pet", slug="loss-of-a-pet", description="Pets — and goodbyes.")
    title = Title.objects.create(
        slug="hachiko-monogatari",
        name="Hachikō: A Dog's Story",
        kind="movie",
        year=2009,
        runtime_minutes=93,
        synopsis="A dog waits at Shibuya station, “every day”.",
        poster="posters/0123456789abcdef0123456789abcdef.jpg",
        poster_thumbnail="posters/thumbs/0123456789abcdef0123456789abcdef.jpg",
    )
    title.themes.set([loss, Theme.objects.get(slug="grief")])
    make_cover(title)  # themes come after the save that drew its first cover
    Mention.objects.create(title=title, source=Source.objects.first(), section="also", rank=6)
    Title.objects.filter(slug="your-name").update(is_published=False)
    Mention.objects.filter(listed_as="Silent Voice").update(listed_as="")


def test_exporting_what_was_loaded_changes_nothing(catalogue, tmp_path):
    message = export(tmp_path / "catalogue.json")
    assert (tmp_path / "catalogue.json").read_bytes() == open(CATALOGUE_FIXTURE, "rb").read()
    assert message.startswith("Wrote 31 titles, 14 themes, 2 sources, 36 mentions to ")


def test_a_round_trip_through_an_emptied_database_gives_the_same_catalogue(catalogue, tmp_path):
    curate()
    export(tmp_path / "catalogue.json")
    before = snapshot()

    for model in [Mention, Title, Theme, Source]:
        model.objects.all().delete()
    call_command("loaddata", str(tmp_path / "catalogue.json"), verbosity=0)
    call_command("make_covers", verbosity=0)

    assert snapshot() == before


def test_a_round_trip_through_a_fresh_database_gives_the_same_file(catalogue, tmp_path):
    curate()
    first = tmp_path / "first.json"
    export(first)
    fresh = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=django_settings.BASE_DIR,
            env=fresh,
            check=True,
            capture_output=True,
            timeout=120,
        )

    manage("migrate", "--noinput")
    manage("loaddata", str(first))
    manage("make_covers")
    manage("export_catalogue", "--output", str(tmp_path / "second.json"))
    assert (tmp_path / "second.json").read_text() == first.read_text()


def test_the_export_is_sorted_and_keeps_poster_paths_but_not_covers(catalogue, tmp_path):
    curate()
    export(tmp_path / "catalogue.json")
    records = json.loads((tmp_path / "catalogue.json").read_text())
    keys = [(record["model"], record["pk"]) for record in records]
    assert keys == sorted(keys)
    hachiko = next(r["fields"] for r in records if r["fields"].get("slug") == "hachiko-monogatari")
    assert hachiko["poster"] == "posters/0123456789abcdef0123456789abcdef.jpg"
    assert hachiko["cover"] == ""
    assert hachiko["themes"] == sorted(hachiko["themes"])
    assert "Hachikō" in (tmp_path / "catalogue.json").read_text()  # readable, not \\u escapes


def test_the_export_holds_nothing_members_wrote(catalogue, tmp_path, reader):
    title = Title.objects.get(slug="your-name")
    Rating.objects.rate(reader, title, 5)
    Comment.objects.post(reader, title, "A secret only members should see.")
    export(tmp_path / "catalogue.json")
    text = (tmp_path / "catalogue.json").read_text()
    models = {record["model"] for record in json.loads(text)}
    assert models == {"catalogue.mention", "catalogue.source", "catalogue.theme", "catalogue.title"}
    assert "A secret only members should see." not in text
    assert "reader@example.com" not in text
    assert TitleStats.objects.filter(pk=title.pk).exists()


def test_it_writes_to_fixtures_by_default(catalogue, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("export_catalogue", stdout=io.StringIO())
    written = tmp_path / "fixtures" / "catalogue.json"
    assert written.read_bytes() == open(CATALOGUE_FIXTURE, "rb").read()
    assert [path.name for path in written.parent.iterdir()] == ["catalogue.json"]
