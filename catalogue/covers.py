"""
Generated covers: a picture for every title until a curator uploads a poster.

A cover is drawn once (by `make_covers` or when a title is saved without one) and
stored in MEDIA_ROOT with its card renditions; pages only ever link to stored files.

A cover follows from the title alone, so the same title always gives the same bytes:
the palette of one of its themes and the motif of another (or the same one), a film
strip down the edges of a movie or an episode band across the top of a series, and
the name, as big as fits, on a solid panel whose ink passes WCAG AA (4.5:1) against
it, so that it stays legible on a 200-pixel-wide card.

The file name carries a digest of everything drawn (name, kind, year, theme slugs and
`COVER_STYLE`). The admin sets a title's themes after saving the title, so a title
keeps the cover of its old themes until it is saved again or `make_covers` runs,
which redraws every cover whose name no longer matches.
"""

import colorsys
import hashlib
import io
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.core.files.base import ContentFile
from PIL import Image, ImageColor, ImageDraw, ImageFont

from catalogue import cover_motifs as motifs
from catalogue.cover_motifs import HEIGHT, WIDTH
from catalogue.posters import (
    card_rendition_names,
    card_renditions,
    delete_files_on_commit,
    save_card_renditions,
)

# Raise when the drawing changes, so that `make_covers` redraws every stored cover.
COVER_STYLE = 2
COVER_SIZE = (WIDTH, HEIGHT)
# Cards show covers at half size: 40 pixels here are 20 on a card.
TITLE_FONT_SIZES = (60, 54, 48, 44, 40)
SUBTITLE_FONT_SIZE = 26
MAX_TITLE_LINES = 4
PANEL_LEFT, PANEL_RIGHT, PANEL_BOTTOM, PANEL_PADDING = 40, 360, 564, 18
TEXT_WIDTH = PANEL_RIGHT - PANEL_LEFT - 2 * PANEL_PADDING
FILM_COLOUR = (18, 16, 20)
# The names `cover_name` gives: covers/<slug>-<digest>.png.
GENERATED_NAME = re.compile(r"covers/[-\w]+-[0-9a-f]{10}\.png")
# WCAG AA for text: what every palette's ink must reach against its panel.
MIN_CONTRAST = 4.5


@dataclass(frozen=True)
class Palette:
    """A theme's colours: a sky fading into the ground, the motif, the name's panel and ink."""

    sky: tuple
    ground: tuple
    motif: tuple
    panel: tuple
    ink: tuple


@dataclass(frozen=True)
class TitleLayout:
    """How the name is set: the font size, the wrapped lines, and the panel behind them."""

    font_size: int
    lines: list
    panel: tuple


def _palette(colours):
    """A `Palette` from its five colours in hex, in the order of its fields."""
    return Palette(*(ImageColor.getrgb(colour) for colour in colours.split()))


def contrast_ratio(first, second):
    """The WCAG 2 contrast ratio of two sRGB colours: 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour):
    def linear(channel):
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


# The catalogue's themes, by slug; other themes get `generated_palette` and a motif
# picked from their slug. Colours: sky, ground, motif, panel, ink.
THEMES = {
    "grief": (_palette("#34405c #161c2c #96aacc #0e121e #eef2fa"), motifs.rain),
    "war": (_palette("#622e20 #241412 #f0964c #180e0c #fcecdc"), motifs.embers),
    "illness": (_palette("#cce4e0 #9cc6c2 #548c88 #fafcfa #143232"), motifs.pulse),
    "first-love": (_palette("#f8ccd8 #e29cb6 #fff0f5 #5e1a38 #fff2f7"), motifs.petals),
    "time": (_palette("#7e6032 #3e2e1a #ecc87c #22180c #faeed6"), motifs.clock),
    "family": (_palette("#d87e56 #763a32 #ffd898 #341612 #fff0e4"), motifs.lanterns),
    "bullying": (_palette("#5c645e #323836 #b6c0b8 #f8f8f4 #1e2220"), motifs.cracks),
    "friendship": (_palette("#f0d874 #c4aa46 #fffad6 #283618 #fcfae8"), motifs.rings),
    "music": (_palette("#4c3276 #20143a #d2bef4 #100820 #f6f0ff"), motifs.notes),
    "supernatural": (_palette("#1e2258 #080a22 #f6e8a0 #f2eede #12122e"), motifs.stars),
    "coming-of-age": (_palette("#96c8ea #f6be94 #fff6de #1c3454 #ffffff"), motifs.sunrise),
    "loneliness": (_palette("#b0c4d6 #6e849c #f6f9fc #1a2434 #ecf2fa"), motifs.waves),
    "memory": (_palette("#42543a #1a2218 #e4f28c #0e120c #f4f8e0"), motifs.fireflies),
    "redemption": (_palette("#f4d096 #c27476 #fff9e4 #461c28 #fff4ec"), motifs.rays),
}
NO_THEME = (
    _palette("#3c4c6e #1c243a #aabede #101422 #f0f4fc"),
    motifs.drop,
)
MOTIFS = [motif for _, motif in THEMES.values()]


def generated_palette(slug):
    """
    The palette of a theme without one of its own, from its slug alone: a hue picked
    by the slug, dark at any hue under light ink, so the contrast holds whatever it is.
    """
    digest = hashlib.sha256(slug.encode()).digest()
    hue = digest[0] / 256

    def colour(saturation, value):
        rgb = colorsys.hsv_to_rgb(hue, saturation, value)
        return tuple(round(channel * 255) for channel in rgb)

    return Palette(
        sky=colour(0.45, 0.55),
        ground=colour(0.55, 0.26),
        motif=colour(0.25, 0.92),
        panel=colour(0.5, 0.12),
        ink=colour(0.05, 0.97),
    )


def theme_style(slug):
    """(palette, motif) of the theme `slug`, the catalogue's own or one picked from the slug."""
    if slug in THEMES:
        return THEMES[slug]
    return generated_palette(slug), MOTIFS[hashlib.sha256(slug.encode()).digest()[1] % len(MOTIFS)]


@cache
def _font(size):
    return ImageFont.load_default(size=size)


@cache
def _has_glyph(character):
    font = _font(TITLE_FONT_SIZES[-1])
    return character.isspace() or bytes(font.getmask(character)) != bytes(font.getmask("\uffff"))


def drawable(text):
    """
    `text` as the cover's font can set it: accents dropped, dashes made plain, and
    characters it has no glyph for (it has little beyond ASCII) left out.
    """
    folded = unicodedata.normalize("NFKD", text).translate({0x2013: "-", 0x2014: "-", 0xD7: "x"})
    kept = "".join(c for c in folded if not unicodedata.combining(c) and _has_glyph(c))
    return " ".join(kept.split())


def _wrap(text, font, width):
    """Greedy wrapping by measured width; a word wider than `width` is cut where it must be."""
    lines = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while font.getlength(word) > width:
            cut = max(i for i in range(1, len(word)) if font.getlength(word[:i]) <= width)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


def title_layout(name, subtitle=""):
    """
    The biggest size at which `name` fits the panel in a few lines without cutting a
    word (the smallest size otherwise, a word too long cut where it must be and the
    last line ended with "…"), and the panel sized to hold it.
    """
    text = drawable(name) or "?"
    for size in TITLE_FONT_SIZES:
        font = _font(size)
        lines = _wrap(text, font, TEXT_WIDTH)
        whole_words = all(font.getlength(word) <= TEXT_WIDTH for word in text.split())
        if whole_words and len(lines) <= (3 if size >= 48 else MAX_TITLE_LINES):
            break
    else:
        if len(lines) > MAX_TITLE_LINES:
            lines = lines[:MAX_TITLE_LINES]
            while font.getlength(lines[-1] + "…") > TEXT_WIDTH:
                lines[-1] = lines[-1][:-1]
            lines[-1] = lines[-1].rstrip() + "…"
    height = len(lines) * round(size * 1.18) + 2 * PANEL_PADDING
    if subtitle:
        height += SUBTITLE_FONT_SIZE + 12
    panel = (PANEL_LEFT, PANEL_BOTTOM - height, PANEL_RIGHT, PANEL_BOTTOM)
    return TitleLayout(size, lines, panel)


def cover_style(name, theme_slugs=()):
    """
    (palette, motif) of a cover: the palette of one of the themes, the motif of the
    next, picked by the name so that titles sharing their themes still differ.
    """
    slugs = sorted(theme_slugs)
    if not slugs:
        return NO_THEME
    first = hashlib.sha256(name.encode()).digest()[0] % len(slugs)
    palette, _ = theme_style(slugs[first])
    _, motif = theme_style(slugs[(first + 1) % len(slugs)])
    return palette, motif


def render_cover(name, subtitle="", kind=None, theme_slugs=()):
    """Return the PNG bytes of a cover with `name` set in type."""
    buffer = io.BytesIO()
    draw_cover(name, subtitle, kind, theme_slugs).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def draw_cover(name, subtitle="", kind=None, theme_slugs=()):
    """The cover of a title of `kind` ("movie", "series" or None) about `theme_slugs`."""
    palette, motif = cover_style(name, theme_slugs)
    seed = hashlib.sha256(f"{name}|{subtitle}|{kind}|{sorted(theme_slugs)}".encode()).digest()
    rng = random.Random(int.from_bytes(seed[:8]))  # noqa: S311 (placing shapes, not secrets)
    gradient = Image.linear_gradient("L").resize(COVER_SIZE)
    image = Image.composite(
        Image.new("RGB", COVER_SIZE, palette.ground),
        Image.new("RGB", COVER_SIZE, palette.sky),
        gradient,
    )
    draw = ImageDraw.Draw(image)
    motif(draw, rng, palette)
    if kind == "movie":
        _film_strips(draw, palette)
    elif kind == "series":
        _episode_band(draw, rng, palette)
    _name_panel(draw, palette, title_layout(name, subtitle), subtitle)
    return image


def _film_strips(draw, palette):
    """A movie: film strips with their sprocket holes down both edges."""
    for left in (0, WIDTH - 28):
        draw.rectangle((left, 0, left + 27, HEIGHT), fill=FILM_COLOUR)
        for top in range(8, HEIGHT, 30):
            draw.rounded_rectangle((left + 8, top, left + 19, top + 14), 3, fill=palette.motif)


def _episode_band(draw, rng, palette):
    """A series: a band of episodes across the top, the first ones watched."""
    draw.rectangle((0, 0, WIDTH, 56), fill=FILM_COLOUR)
    watched = rng.randrange(3, 9)
    for episode in range(10):
        left = 14 + episode * 38
        box = (left, 16, left + 28, 40)
        if episode < watched:
            draw.rounded_rectangle(box, 4, fill=palette.motif)
        else:
            draw.rounded_rectangle(box, 4, outline=palette.motif, width=2)


def _name_panel(draw, palette, layout, subtitle):
    draw.rounded_rectangle(layout.panel, 10, fill=palette.panel)
    font, line_height = _font(layout.font_size), round(layout.font_size * 1.18)
    # A one-pixel stroke in the ink thickens the thin default face for small cards.
    stroke = 2 if layout.font_size >= 54 else 1
    y = layout.panel[1] + PANEL_PADDING
    for line in layout.lines:
        draw.text((WIDTH / 2, y), line, font=font, fill=palette.ink, anchor="ma",
                  stroke_width=stroke, stroke_fill=palette.ink)  # fmt: skip
        y += line_height
    if subtitle:
        draw.text((WIDTH / 2, y + 8), drawable(subtitle), font=_font(SUBTITLE_FONT_SIZE),
                  fill=palette.ink, anchor="ma")  # fmt: skip


def theme_slugs(title):
    """The slugs of `title`'s themes (none before it is first saved); reads a prefetch."""
    if title.pk is None:
        return []
    return sorted(theme.slug for theme in title.themes.all())


def cover_name(title, slugs=None):
    """
    The cover's file name: the same for the same name, kind, year and themes, so it
    is drawn once, and a new one whenever any of them (or `COVER_STYLE`) changes.
    """
    slugs = theme_slugs(title) if slugs is None else slugs
    key = f"{COVER_STYLE}|{title.name}|{cover_subtitle(title)}|{','.join(slugs)}"
    return f"covers/{title.slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}.png"


def cover_subtitle(title):
    return f"{title.get_kind_display()} · {title.year}"


def make_cover(title):
    """
    Point `title` at its generated cover, drawing the file and its card renditions
    only if they are not stored yet, and delete the files of the generated cover it
    replaces once that commits. Returns True when anything was drawn.
    """
    slugs = theme_slugs(title)
    name = cover_name(title, slugs)
    storage = title.cover.storage
    drawn = False
    if not storage.exists(name) or not storage.exists(card_rendition_names(name)["200.png"]):
        image = draw_cover(title.name, cover_subtitle(title), title.kind, slugs)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        storage.delete(name)
        name = storage.save(name, ContentFile(buffer.getvalue()))
        save_card_renditions(storage, name, card_renditions(image, "png"))
        drawn = True
    if title.cover.name != name:
        replaced = title.cover.name
        title.cover.name = name
        type(title).objects.filter(pk=title.pk).update(cover=name)
        # A cover this module drew is the title's alone (its name starts with the
        # slug); other names, such as the demo covers many titles share, are kept.
        if GENERATED_NAME.fullmatch(replaced or ""):
            delete_files_on_commit(storage, [replaced, *card_rendition_names(replaced).values()])
    return drawn
