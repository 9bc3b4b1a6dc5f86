"""
Generated covers: a picture for every title until a curator uploads a poster.

A cover is drawn once (by `make_covers` or when a title is saved without one) and
stored in MEDIA_ROOT with its card renditions; pages only ever link to stored files.
"""

import hashlib
import io
import textwrap

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from catalogue.posters import card_rendition_names, card_renditions, save_card_renditions

COVER_SIZE = (400, 600)


def cover_colours(seed):
    """A calm background and a legible text colour, derived from `seed` alone."""
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] / 255
    # Muted blues, violets and teals suit the subject: keep the hue in that band.
    hue = 0.5 + hue * 0.35
    background = _hsv_to_rgb(hue, 0.45, 0.35 + digest[1] / 255 * 0.15)
    accent = _hsv_to_rgb(hue, 0.35, 0.75)
    return background, accent


def _hsv_to_rgb(h, s, v):
    import colorsys

    return tuple(round(channel * 255) for channel in colorsys.hsv_to_rgb(h, s, v))


def render_cover(name, subtitle=""):
    """Return the PNG bytes of a cover with `name` set in type."""
    buffer = io.BytesIO()
    draw_cover(name, subtitle).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def draw_cover(name, subtitle=""):
    """The cover with `name` set in type, as an image."""
    background, accent = cover_colours(name)
    image = Image.new("RGB", COVER_SIZE, background)
    draw = ImageDraw.Draw(image)
    width, height = COVER_SIZE
    draw.rectangle((24, 24, width - 24, height - 24), outline=accent, width=2)
    # A falling drop, the site's mark.
    draw.ellipse((width // 2 - 22, 120, width // 2 + 22, 164), fill=accent)
    draw.polygon([(width // 2 - 20, 136), (width // 2, 84), (width // 2 + 20, 136)], fill=accent)

    title_font = ImageFont.load_default(size=38)
    small_font = ImageFont.load_default(size=20)
    y = 230
    for line in textwrap.wrap(name, width=16)[:5]:
        line_width = draw.textlength(line, font=title_font)
        draw.text(((width - line_width) / 2, y), line, font=title_font, fill=(250, 250, 250))
        y += 48
    if subtitle:
        sub_width = draw.textlength(subtitle, font=small_font)
        draw.text(((width - sub_width) / 2, height - 80), subtitle, font=small_font, fill=accent)
    return image


def cover_name(title):
    """The cover's file name: the same for the same name, kind and year, so it is drawn once."""
    subtitle = cover_subtitle(title)
    digest = hashlib.sha256(f"{title.name}|{subtitle}".encode()).hexdigest()[:10]
    return f"covers/{title.slug}-{digest}.png"


def cover_subtitle(title):
    return f"{title.get_kind_display()} · {title.year}"


def make_cover(title):
    """
    Point `title` at its generated cover, drawing the file and its card renditions
    only if they are not stored yet. Returns True when anything was drawn.
    """
    name = cover_name(title)
    storage = title.cover.storage
    drawn = False
    if not storage.exists(name) or not storage.exists(card_rendition_names(name)["200.png"]):
        image = draw_cover(title.name, cover_subtitle(title))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        storage.delete(name)
        name = storage.save(name, ContentFile(buffer.getvalue()))
        save_card_renditions(storage, name, card_renditions(image, "png"))
        drawn = True
    if title.cover.name != name:
        title.cover.name = name
        type(title).objects.filter(pk=title.pk).update(cover=name)
    return drawn
