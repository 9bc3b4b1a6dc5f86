"""
Cards show small renditions of a poster or a cover, never the full poster; the title
page shows the full poster. And what a phone downloads for them on the home page.

Pages is parsed as a browser would read it: for each card's picture, the
first <source> whose type the browser takes (one that knows WebP), else the <img>;
the slot width from `sizes` at the phone's width; the smallest `srcset` candidate
that covers the slot at the phone's pixel density (the largest if none does).
"""

import io
import random
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image, ImageFilter

from catalogue.models import Title
from catalogue.posters import card_rendition_names

from .admin_forms import title_form
from .factories import make_theme, make_title

pytestmark = pytest.mark.django_db

POSTER_SIZE = (2000, 3000)
PHONE_WIDTHS = (360, 390)
PHONE_DENSITY = 2
ROOT_FONT_PX = 16


def photo_like_jpeg(seed):
    """A 2000×3000 JPEG with about as much detail as a painted poster (1.5–1.7 MB)."""
    bands = []
    for band in range(3):
        noise = random.Random(seed * 3 + band).randbytes(1000 * 1500)
        grain = (
            Image.frombytes("L", (1000, 1500), noise)
            .filter(ImageFilter.GaussianBlur(0.8))
            .resize(POSTER_SIZE, Image.Resampling.BICUBIC)
        )
        light = Image.linear_gradient("L").resize(POSTER_SIZE).rotate(90 * band + seed)
        bands.append(Image.blend(grain, light, 0.4))
    buffer = io.BytesIO()
    Image.merge("RGB", bands).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class PictureChoices(HTMLParser):
    """The file a browser of `viewport` CSS pixels at `density` fetches for each card."""

    def __init__(self, viewport, density):
        super().__init__()
        self.viewport, self.density = viewport, density
        self.in_card = self.in_picture = False
        self.chosen_in_picture = None
        self.choices = []
        self.references = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "card" in (attrs.get("class") or "").split():
            self.in_card = True
        if not self.in_card:
            return
        if attrs.get("src"):
            self.references.append((attrs["src"], 0))
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                url, width = candidate.split()
                self.references.append((url, int(width.removesuffix("w"))))
        if tag == "picture":
            self.in_picture, self.chosen_in_picture = True, None
        elif tag == "source" and self.in_picture and self.chosen_in_picture is None:
            if attrs.get("type") in (None, "image/webp", "image/png", "image/jpeg"):
                self.chosen_in_picture = self.choose(attrs)
        elif tag == "img":
            self.choices.append(self.chosen_in_picture or self.choose(attrs))

    def handle_endtag(self, tag):
        if tag == "picture":
            self.in_picture = False
        elif tag == "li":
            self.in_card = False

    def choose(self, attrs):
        if not attrs.get("srcset"):
            return attrs["src"]
        slot = slot_width(attrs.get("sizes") or "100vw", self.viewport)
        candidates = sorted(
            (int(width), url) for url, width in re.findall(r"(\S+)\s+(\d+)w", attrs["srcset"])
        )
        for width, url in candidates:
            if width >= slot * self.density:
                return url
        return candidates[-1][1]


def css_pixels(length, viewport):
    number, unit = re.fullmatch(r"([\d.]+)(rem|vw|px)", length.strip()).groups()
    return float(number) * {"rem": ROOT_FONT_PX, "vw": viewport / 100, "px": 1}[unit]


def slot_width(sizes, viewport):
    """The width `sizes` gives at `viewport`: the first entry whose min-width holds."""
    for entry in sizes.split(","):
        condition = re.match(r"\s*\(min-width:\s*([^)]+)\)\s*(.+)", entry)
        if condition is None:
            return css_pixels(entry, viewport)
        if viewport >= css_pixels(condition.group(1), viewport):
            return css_pixels(condition.group(2), viewport)
    return viewport


def stored(url, settings):
    return settings.MEDIA_ROOT / unquote(url.removeprefix(settings.MEDIA_URL))


def downloaded(page, viewport, settings):
    """(number of cards, bytes of the pictures they make a phone fetch)."""
    parser = PictureChoices(viewport, PHONE_DENSITY)
    parser.feed(page)
    sizes = [stored(url, settings).stat().st_size for url in parser.choices]
    return len(sizes), sum(sizes)


def card_references(page):
    """(url, width descriptor or 0) of every picture file the page's cards refer to."""
    parser = PictureChoices(390, PHONE_DENSITY)
    parser.feed(page)
    return parser.references


@pytest.fixture
def upload(curator_client, django_capture_on_commit_callbacks):
    def upload(title, data, name="poster.jpg", content_type="image/jpeg"):
        form = title_form(title)
        form["poster"] = SimpleUploadedFile(name, data, content_type)
        with django_capture_on_commit_callbacks(execute=True):
            curator_client.post(f"/admin/catalogue/title/{title.pk}/change/", form)
        title.refresh_from_db()
        return title

    return upload


def image_bytes(image_format, size):
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture
def eight_posters(upload):
    """Eight titles, each with a 2000×3000 poster uploaded through the admin."""
    grief = make_theme("Grief")
    titles = [make_title(f"Poster title {n}", themes=[grief]) for n in range(8)]
    for seed, title in enumerate(titles):
        upload(title, photo_like_jpeg(seed))
    assert Title.objects.exclude(poster="").count() == 8
    return titles


@pytest.fixture
def two_alike(db):
    """Two titles sharing a theme, so each is the other's similar title."""
    grief = make_theme("Grief")
    return [make_title(name, themes=[grief], slug=name.lower()) for name in ("Clannad", "Anohana")]


@pytest.mark.parametrize(
    ("image_format", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]
)
def test_cards_show_renditions_of_a_poster_never_the_poster_itself(
    upload, two_alike, client, settings, image_format, extension
):
    clannad, anohana = two_alike
    upload(clannad, image_bytes(image_format, (900, 1350)), f"poster.{extension}")
    poster_url = clannad.poster.url
    renditions = card_rendition_names(clannad.poster.name)
    formats = {"webp", extension}
    assert set(renditions) == {f"{width}.{ext}" for width in (200, 400) for ext in formats}

    pages = [client.get(url).content.decode() for url in ("/", "/titles/", "/titles/anohana/")]
    for page in pages:
        references = card_references(page)
        assert poster_url not in {url for url, _ in references}
        for url, width in references:
            with Image.open(stored(url, settings)) as picture:
                assert picture.width == (width or 200)
                assert picture.height == picture.width * 3 // 2
        assert {url for url, _ in references} >= {settings.MEDIA_URL + renditions["200.webp"]}
    assert 'alt="Poster of Clannad"' in pages[2]
    title_page = client.get("/titles/clannad/").content.decode()
    assert f'<img class="title-picture" src="{poster_url}" alt="Poster of Clannad"' in title_page


def test_a_jpeg_poster_comes_as_webp_with_jpeg_for_other_browsers(upload, two_alike, client):
    clannad, _ = two_alike
    upload(clannad, image_bytes("JPEG", (900, 1350)))
    names = {
        suffix: f"/media/{name}"
        for suffix, name in card_rendition_names(clannad.poster.name).items()
    }
    page = client.get("/titles/").content.decode()
    assert (
        f'<picture><source type="image/webp" srcset="{names["200.webp"]} 200w, '
        f'{names["400.webp"]} 400w" sizes="(min-width: 48rem) 15rem, 46vw">'
        f'<img src="{names["200.jpg"]}" srcset="{names["200.jpg"]} 200w, {names["400.jpg"]} 400w" '
        f'sizes="(min-width: 48rem) 15rem, 46vw" alt="Poster of Clannad" width="200" height="300" '
        f'loading="lazy"></picture>'
    ) in page


def test_generated_covers_have_card_renditions_too(two_alike, client, settings):
    call_command("make_covers", verbosity=0)
    page = client.get("/titles/").content.decode()
    references = card_references(page)
    assert len(references) == 2 * 5  # each card: two WebP, two PNG and the src
    for url, width in references:
        assert "/covers/cards/" in url
        with Image.open(stored(url, settings)) as picture:
            assert picture.size == ((width or 200), (width or 200) * 3 // 2)
    assert 'alt="Generated cover for Clannad"' in page


def test_a_poster_without_renditions_shows_its_thumbnail_on_cards(upload, two_alike, client):
    clannad, _ = two_alike
    upload(clannad, image_bytes("JPEG", (900, 1350)))
    for name in card_rendition_names(clannad.poster.name).values():
        clannad.poster.storage.delete(name)
    page = client.get("/titles/").content.decode()
    assert f'<img src="{clannad.poster_thumbnail.url}" alt="Poster of Clannad"' in page
    assert clannad.poster.url not in page


def test_make_covers_draws_the_missing_renditions_of_older_posters(
    upload, two_alike, client, settings
):
    clannad, _ = two_alike
    upload(clannad, image_bytes("PNG", (900, 1350)), "poster.png")
    renditions = card_rendition_names(clannad.poster.name)
    for name in renditions.values():
        clannad.poster.storage.delete(name)
    output = io.StringIO()
    call_command("make_covers", stdout=output)
    assert "the card renditions of 1 poster(s)" in output.getvalue()
    page = client.get("/titles/").content.decode()
    assert f"/media/{renditions['400.webp']} 400w" in page
    for suffix, name in renditions.items():
        with Image.open(settings.MEDIA_ROOT / name) as rendition:
            assert rendition.size == (int(suffix.split(".")[0]), int(suffix.split(".")[0]) * 3 // 2)


def test_a_lost_poster_file_shows_the_generated_cover_on_cards(upload, two_alike, client):
    clannad, _ = two_alike
    upload(clannad, image_bytes("JPEG", (900, 1350)))
    clannad.poster.storage.delete(clannad.poster.name)
    page = client.get("/titles/").content.decode()
    cover_webp = card_rendition_names(clannad.cover.name)["200.webp"]
    assert f"/media/{cover_webp} 200w" in page
    assert 'alt="Generated cover for Clannad"' in page


@pytest.mark.parametrize("viewport", PHONE_WIDTHS)
def test_a_phone_fetches_small_pictures_for_eight_posters_on_home(
    eight_posters, client, settings, viewport
):
    page = client.get("/").content.decode()
    cards, total = downloaded(page, viewport, settings)
    print(f"{viewport}px at DPR {PHONE_DENSITY}: {cards} cards, {total} bytes")
    assert cards == 8
    assert total < 8 * 100_000
