"""
Uploaded posters: checked, re-encoded and thumbnailed before anything is stored.

An upload is never stored as sent. `read_poster` checks its size, reads only the
image header to check the format and the number of pixels (so a small file that
claims to be 30000×30000 pixels is refused before a single pixel is decoded),
then decodes it fully (which catches truncated files) and re-encodes it without
its metadata, under a random name, with a thumbnail for the admin and the card
renditions (`CARD_WIDTHS`, in WebP and in the poster's own format) that cards link
to instead of the full poster. Nothing touches MEDIA_ROOT until the title is saved;
a refused upload leaves nothing behind.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

# Pillow format name -> file extension of the re-encoded poster.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Posters are portrait; the admin list shows them this small.
THUMBNAIL_SIZE = (160, 240)
# Cards are 150–240 CSS pixels wide: one rendition for a density of 1, one for 2.
CARD_WIDTHS = (200, 400)
CARD_RATIO = 3 / 2
MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# The modes each format can store as is; anything else is converted first.
# JPEG at 85 is as good as the eye needs; WebP looks the same at a lower setting.
QUALITY = {"JPEG": 85, "WEBP": 80}
STORABLE_MODES = {
    "JPEG": {"L", "RGB"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA"},
    "WEBP": {"RGB", "RGBA"},
}


@dataclass(frozen=True)
class Poster:
    """
    A checked, re-encoded poster, its thumbnail and its card renditions (encoded bytes
    by `card_rendition_names` suffix), ready to be saved on a title with `set_poster`.
    """

    image: ContentFile
    thumbnail: ContentFile
    renditions: dict


@dataclass(frozen=True)
class CardPicture:
    """What a card's <picture> needs: WebP and fallback `srcset`s, a `src` and its alt text."""

    webp_srcset: str
    srcset: str
    src: str
    alt: str


def read_poster(upload):
    """
    Check an uploaded file and return it as a clean `Poster`, or raise
    ValidationError with a message a curator can act on.
    """
    max_bytes = settings.POSTER_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; a poster may be at most "
            f"{filesizeformat(max_bytes)}.",
            code="too_big",
        )
    image = _open_header(upload)
    _check_pixels(*image.size)
    try:
        image.load()
        return _reencode(image)
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError… for bad data
        raise ValidationError(
            "The image is damaged or incomplete (it could not be read to the end). "
            "Save it again from an image editor and upload that.",
            code="damaged",
        ) from None


def _open_header(upload):
    """Open the upload reading only its header; refuse anything but JPEG, PNG, WebP."""
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow warns (rather than fails) between its own limit and twice that.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:  # not an image, another format, or a damaged header
            raise ValidationError(
                "This file is not a JPEG, PNG or WebP image (whatever its name says). "
                "Upload a poster in one of those formats.",
                code="not_an_image",
            ) from None
    return image


def _check_pixels(width, height):
    if width * height > settings.POSTER_MAX_PIXELS:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width=None, height=None):
    limit = settings.POSTER_MAX_PIXELS / 1_000_000
    size = f" ({width}×{height} pixels)" if width else ""
    return ValidationError(
        f"The image is too large{size}: a poster may have at most {limit:g} megapixels.",
        code="too_many_pixels",
    )


def _reencode(image):
    image_format = image.format
    extension = ACCEPTED_FORMATS[image_format]
    # Apply the camera's rotation before the EXIF that records it is dropped; in place,
    # as a full-size copy of a 25-megapixel poster costs another 100 MB.
    ImageOps.exif_transpose(image, in_place=True)
    upright = _storable(image, image_format)
    # Palette and 1-bit images would be shrunk pixel by pixel: give the thumbnail colour.
    small = _storable(upright, "WEBP") if upright.mode in {"1", "P"} else upright
    renditions = card_renditions(small, extension)
    thumbnail = ImageOps.contain(small, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    del small
    name = f"{uuid.uuid4().hex}.{extension}"
    return Poster(
        image=ContentFile(_encode(upright, image_format), name=name),
        thumbnail=ContentFile(_encode(thumbnail, image_format), name=name),
        renditions=renditions,
    )


def card_renditions(image, extension):
    """
    The card renditions of `image` (in a mode WebP can store): {suffix: bytes} for
    every width in `CARD_WIDTHS`, in WebP and in the format of `extension`, cropped
    to the cards' 2:3 like the cards' own `object-fit: cover` would.
    """
    renditions = {}
    # Widest first, each from the previous one: the full image is resampled only once.
    for width in sorted(CARD_WIDTHS, reverse=True):
        image = ImageOps.fit(image, (width, round(width * CARD_RATIO)), Image.Resampling.LANCZOS)
        for rendition_extension in dict.fromkeys(["webp", extension]):
            image_format = next(f for f, e in ACCEPTED_FORMATS.items() if e == rendition_extension)
            renditions[f"{width}.{rendition_extension}"] = _encode(
                _storable(image, image_format), image_format
            )
    return renditions


def card_rendition_names(name):
    """
    {suffix: stored name} of the card renditions of the picture stored as `name`:
    posters/abc.jpg has posters/cards/abc-200.webp, posters/cards/abc-200.jpg, …
    Derived from the name alone, so nothing else needs to remember them.
    """
    folder, _, file_name = name.rpartition("/")
    stem, _, extension = file_name.rpartition(".")
    return {
        f"{width}.{rendition_extension}": f"{folder}/cards/{stem}-{width}.{rendition_extension}"
        for width in CARD_WIDTHS
        for rendition_extension in dict.fromkeys(["webp", extension])
    }


def save_card_renditions(storage, name, renditions):
    """Store `renditions` (from `card_renditions`) under the names derived from `name`."""
    for suffix, stored_name in card_rendition_names(name).items():
        storage.delete(stored_name)
        storage.save(stored_name, ContentFile(renditions[suffix]))


def make_missing_renditions(title):
    """
    Draw the card renditions of `title`'s stored poster if any is missing (a poster
    uploaded before they were made). Returns True when they were drawn.
    """
    if not title.has_poster:
        return False
    storage, name = title.poster.storage, title.poster.name
    if all(storage.exists(rendition) for rendition in card_rendition_names(name).values()):
        return False
    with storage.open(name) as stored, Image.open(stored) as image:
        image.load()
        small = _storable(image, "WEBP") if image.mode in {"1", "P"} else image
        save_card_renditions(storage, name, card_renditions(small, name.rpartition(".")[2]))
    return True


def card_picture(field, alt):
    """
    The `CardPicture` of the picture in the file field `field`, or None when its
    renditions are not stored (a picture from before they were made, or a lost file).
    """
    storage, names = field.storage, card_rendition_names(field.name)
    extension = field.name.rpartition(".")[2]
    fallback = names[f"{min(CARD_WIDTHS)}.{extension}"]
    if not storage.exists(fallback):
        return None

    def srcset(rendition_extension):
        return ", ".join(
            f"{storage.url(names[f'{width}.{rendition_extension}'])} {width}w"
            for width in CARD_WIDTHS
        )

    return CardPicture(
        webp_srcset=srcset("webp") if extension != "webp" else "",
        srcset=srcset(extension),
        src=storage.url(fallback),
        alt=alt,
    )


def _storable(image, image_format):
    """`image` in a mode `image_format` can store, keeping transparency where it can."""
    if image.mode in STORABLE_MODES[image_format]:
        return image
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if image_format == "JPEG" or not has_alpha:
        return image.convert("RGB")
    return image.convert("RGBA")


def _encode(image, image_format):
    """Encode pixels only: no EXIF, XMP, ICC profile, comments or text chunks."""
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    buffer = io.BytesIO()
    options = {"optimize": True} if image_format == "PNG" else {"quality": QUALITY[image_format]}
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def poster_file_names(poster_name, thumbnail_name):
    """Every stored file of one poster: the poster, its thumbnail and its card renditions."""
    if not poster_name:
        return [thumbnail_name] if thumbnail_name else []
    names = [poster_name, *card_rendition_names(poster_name).values()]
    return names + [thumbnail_name] if thumbnail_name else names


def delete_files_on_commit(storage, names):
    """
    Delete the stored files `names` once the transaction that stopped using them
    commits, so a save that fails or is rolled back keeps them.
    """

    def delete():
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


def delete_poster_files(sender, instance, **kwargs):
    """
    After a title is deleted, delete its poster's files once the deletion commits.
    A receiver (connected in CatalogueConfig.ready) because admin bulk deletes and
    cascades delete rows without calling Title.delete: nothing else sees them.
    """
    delete_files_on_commit(
        instance.poster.storage,
        poster_file_names(instance.poster.name, instance.poster_thumbnail.name),
    )
