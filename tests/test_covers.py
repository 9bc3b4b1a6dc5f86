"""
Generated covers vary with a title's themes and kind, are the same bytes for the same
title, and keep its name legible on a card: a panel with WCAG AA contrast behind type
no smaller than 20 pixels on a 200-pixel-wide card.
"""

import hashlib
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from PIL import Image, ImageStat

from catalogue import covers
from catalogue.covers import (
    FILM_COLOUR,
    MIN_CONTRAST,
    NO_THEME,
    TEXT_WIDTH,
    THEMES,
    contrast_ratio,
    cover_style,
    draw_cover,
    generated_palette,
    make_cover,
    render_cover,
    title_layout,
)
from catalogue.models import Title
from catalogue.posters import card_rendition_names

from .admin_forms import title_form
from .factories import make_theme, make_title

pytestmark = pytest.mark.django_db

CARD_WIDTH = 200


@pytest.fixture
def grief():
    return make_theme("Grief", slug="grief")


@pytest.fixture
def first_love():
    return make_theme("First love", slug="first-love")


def covered_title(name, themes, **fields):
    """A title with its themes and the cover drawn for them, as `make_covers` leaves it."""
    title = make_title(name, themes=themes, **fields)
    make_cover(title)
    return title


def card(title):
    """The 200-pixel-wide PNG rendition that a card shows for `title`'s cover."""
    name = card_rendition_names(title.cover.name)[f"{CARD_WIDTH}.png"]
    with title.cover.storage.open(name) as stored, Image.open(stored) as image:
        return image.convert("RGB")


def stored_bytes(title):
    with title.cover.storage.open(title.cover.name) as stored:
        return stored.read()


def distance(first, second):
    return sum((a - b) ** 2 for a, b in zip(first, second, strict=True)) ** 0.5


def mean_colour(image, box=None):
    return tuple(ImageStat.Stat(image.crop(box) if box else image).mean)


def test_the_same_title_always_gives_the_same_bytes(grief, settings):
    title = make_title("Your Lie in April", slug="your-lie-in-april", themes=[grief])
    call_command("make_covers", verbosity=0)
    title.refresh_from_db()
    first = stored_bytes(title)
    title.cover.storage.delete(title.cover.name)
    call_command("make_covers", verbosity=0)
    assert stored_bytes(title) == first
    # Another process, with other string hashes, draws the very same file.
    script = (
        "import hashlib, sys; "
        "from catalogue.covers import render_cover; "
        "sys.stdout.write(hashlib.sha256(render_cover(*sys.argv[1:3], sys.argv[3], "
        "sys.argv[4:])).hexdigest())"
    )
    subtitle = covers.cover_subtitle(title)
    output = subprocess.run(
        [sys.executable, "-c", script, title.name, subtitle, title.kind, "grief"],
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert output == hashlib.sha256(first).hexdigest()


def test_titles_about_different_themes_have_different_colours(grief, first_love):
    rain = covered_title("Clannad", [grief])
    petals = covered_title("Orange", [first_love])
    assert distance(mean_colour(card(rain)), mean_colour(card(petals))) > 80
    assert rain.cover.name != petals.cover.name


def test_a_movie_has_film_strips_and_a_series_an_episode_band(first_love):
    movie = card(covered_title("Anohana", [first_love], kind=Title.Kind.MOVIE))
    series = card(covered_title("Anohana", [first_love], kind=Title.Kind.SERIES))
    # The strip's margin outside its sprocket holes, the band's above its episodes.
    left_edge, top_band = (0, 60, 4, 240), (20, 0, 180, 7)
    assert distance(mean_colour(movie, left_edge), FILM_COLOUR) < 40
    assert distance(mean_colour(series, left_edge), FILM_COLOUR) > 60
    assert distance(mean_colour(series, top_band), FILM_COLOUR) < 40
    assert distance(mean_colour(movie, top_band), FILM_COLOUR) > 60


def test_every_palette_has_ink_that_passes_wcag_aa_on_its_panel():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    palettes = {slug: palette for slug, (palette, _) in THEMES.items()}
    palettes["no theme"] = NO_THEME[0]
    palettes |= {f"theme-{n}": generated_palette(f"theme-{n}") for n in range(500)}
    for slug, palette in palettes.items():
        assert contrast_ratio(palette.ink, palette.panel) >= MIN_CONTRAST, slug


def test_themes_outside_the_catalogue_get_a_palette_picked_from_their_slug():
    assert generated_palette("tearjerker-sports") == generated_palette("tearjerker-sports")
    hues = {generated_palette(f"theme-{n}").sky for n in range(20)}
    assert len(hues) > 10


def test_a_title_with_two_themes_shows_the_palette_of_one_and_the_motif_of_the_other():
    for name in ("Grave of the Fireflies", "Barefoot Gen", "In This Corner of the World"):
        palette, motif = cover_style(name, ["war", "grief"])
        assert {(palette, motif)} <= {
            (THEMES["grief"][0], THEMES["war"][1]),
            (THEMES["war"][0], THEMES["grief"][1]),
        }


def test_the_name_is_set_in_ink_on_the_palette_panel():
    layout = title_layout("Grave of the Fireflies", "Movie · 1988")
    image = draw_cover("Grave of the Fireflies", "Movie · 1988", "movie", ["war"])
    palette = THEMES["war"][0]
    left, top, right, bottom = layout.panel
    assert image.getpixel((left + 6, (top + bottom) // 2)) == palette.panel
    inside = image.crop(layout.panel).getcolors(maxcolors=100_000)
    ink_pixels = sum(count for count, colour in inside if colour == palette.ink)
    assert ink_pixels > 2000


def test_long_names_wrap_at_a_size_legible_on_a_card():
    short = title_layout("Orange")
    assert (short.font_size, short.lines) == (60, ["Orange"])
    for name in (
        "Anohana: The Flower We Saw That Day",
        "Wolf Children Ame and Yuki",
        "I Want to Eat Your Pancreas",
        "The Anthem of the Heart " * 4,
        "Supercalifragilisticexpialidociousness",
    ):
        layout = title_layout(name)
        # Cards show the cover at half its width: 40 pixels here are 20 on a card.
        assert layout.font_size * CARD_WIDTH / covers.WIDTH >= 20, name
        assert 1 <= len(layout.lines) <= 4, name
        font = covers._font(layout.font_size)
        assert all(font.getlength(line) <= TEXT_WIDTH for line in layout.lines), name
    assert title_layout("The Anthem of the Heart " * 4).lines[-1].endswith("…")
    assert "…" not in "".join(title_layout("Supercalifragilisticexpialidociousness").lines)
    # A long word takes a smaller size rather than being cut.
    assert title_layout("Violet Evergarden").lines == ["Violet", "Evergarden"]


def test_names_are_set_without_glyphs_the_font_lacks():
    layout = title_layout("Pokémon — Mewtwo’s Tears")
    assert " ".join(layout.lines) == "Pokemon - Mewtwo’s Tears"


def test_a_new_title_gets_its_cover_and_card_renditions(grief, settings):
    title = covered_title("Hotarubi no Mori e", [grief])
    with Image.open(settings.MEDIA_ROOT / title.cover.name) as image:
        assert image.size == (400, 600)
    for suffix, name in card_rendition_names(title.cover.name).items():
        width = int(suffix.split(".")[0])
        with Image.open(settings.MEDIA_ROOT / name) as rendition:
            assert rendition.size == (width, width * 3 // 2)


def test_make_covers_redraws_a_cover_when_the_titles_themes_change(
    grief, django_capture_on_commit_callbacks
):
    title = make_title("Kanon")  # as the admin saves it: the themes come after
    before = title.cover.name
    title.themes.set([grief])
    output = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("make_covers", stdout=output)
    assert "Made 1 cover(s)" in output.getvalue()
    title.refresh_from_db()
    assert title.cover.name != before
    for replaced in [before, *card_rendition_names(before).values()]:
        assert not title.cover.storage.exists(replaced)
    subtitle = covers.cover_subtitle(title)
    assert stored_bytes(title) == render_cover("Kanon", subtitle, "movie", ["grief"])

    call_command("make_covers", stdout=output)
    assert "Made 0 cover(s)" in output.getvalue()


def test_make_covers_reads_every_title_and_its_themes_in_two_queries(
    grief, first_love, django_assert_num_queries
):
    for number in range(6):
        make_title(f"Title {number}", themes=[grief, first_love][: number % 2 + 1])
    call_command("make_covers", verbosity=0)
    # the titles, and the themes of all of them at once; every cover is up to date.
    with django_assert_num_queries(2):
        call_command("make_covers", verbosity=0)


def test_a_title_saved_in_the_admin_gets_a_cover_showing_its_themes(curator_client):
    from catalogue.covers import cover_name, theme_slugs
    from catalogue.models import Theme, Title

    grief = Theme.objects.create(name="Grief", slug="grief")
    form = title_form(
        name="Barefoot Gen",
        slug="barefoot-gen",
        year=1983,
        synopsis="A boy in Hiroshima, before and after.",
        themes=[grief.pk],
    )
    response = curator_client.post("/admin/catalogue/title/add/", form)
    assert response.status_code == 302
    title = Title.objects.get(slug="barefoot-gen")
    assert theme_slugs(title) == ["grief"]
    assert title.cover.name == cover_name(title, ["grief"])
