"""The basic pages: browse shows every title with a picture, the title page shows its facts."""

import pytest
from django.db import DatabaseError
from django.utils.html import escape

from catalogue.models import Title

from .factories import make_title

pytestmark = pytest.mark.django_db


def test_browse_shows_every_published_title_with_its_picture(client, catalogue):
    html = "".join(client.get(f"/titles/?page={page}").content.decode() for page in (1, 2))
    for title in Title.objects.all():
        assert escape(title.name) in html
        assert f'src="{title.card_picture.src}"' in html
        assert "/covers/cards/" in title.card_picture.src
    assert html.count('<li class="card">') == Title.objects.count()


def test_browse_hides_unpublished_titles(client, catalogue):
    Title.objects.filter(slug="your-name").update(is_published=False)
    html = "".join(client.get(f"/titles/?page={page}").content.decode() for page in (1, 2))
    assert "/titles/your-name/" not in html
    assert html.count('<li class="card">') == Title.objects.count() - 1


def test_an_empty_site_still_works(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "catalogue is empty" in response.content.decode()


def test_the_title_page_shows_facts_and_provenance(client, catalogue):
    response = client.get("/titles/grave-of-the-fireflies/")
    html = response.content.decode()
    assert "<h1>Grave of the Fireflies</h1>" in html
    assert "Hotaru no Haka" in html
    assert "1988" in html
    assert "Studio Ghibli" in html
    assert "#1 movie in <cite>Sad Anime: 21 Stories to Make You Cry a River</cite>" in html
    assert 'alt="Generated cover for Grave of the Fireflies"' in html


def test_an_unknown_slug_is_a_404_in_the_sites_layout(client, db):
    response = client.get("/titles/no-such-anime/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Skip to content" in response.content.decode()


def test_an_unpublished_title_is_a_404(client, db):
    make_title("Hidden", slug="hidden", is_published=False)
    assert client.get("/titles/hidden/").status_code == 404


def test_a_missing_poster_file_falls_back_to_the_cover(client, catalogue):
    Title.objects.filter(slug="your-name").update(poster="posters/gone.jpg")
    title = Title.objects.get(slug="your-name")
    html = client.get("/titles/your-name/").content.decode()
    assert title.cover.url in html
    assert "posters/gone.jpg" not in html


def test_covers_are_drawn_once(catalogue, settings):
    def stored():
        return {p: p.stat().st_mtime_ns for p in (settings.MEDIA_ROOT / "covers").rglob("*.*")}

    covers = stored()
    from django.core.management import call_command

    call_command("make_covers", verbosity=0)
    assert stored() == covers
    # Each cover with two WebP and two PNG card renditions.
    assert len(covers) == 5 * Title.objects.count()


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_is_503_when_the_database_does_not(client, db, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_a_title_saved_in_code_gets_its_cover_at_once(db, settings):
    title = make_title("A Brand New Tearjerker")
    assert title.cover.name.startswith("covers/")
    assert (settings.MEDIA_ROOT / title.cover.name).exists()
    title.year = 1999
    title.save()
    assert (settings.MEDIA_ROOT / title.cover.name).exists()
    assert Title.objects.get(pk=title.pk).cover.name == title.cover.name
