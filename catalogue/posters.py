"""
Uploaded posters: checked, re-encoded and thumbnailed before anything is stored.

An upload is never stored as sent. `read_poster` checks its size, reads only the
image header to check the format and the number of pixels (so a small file that
claims to be 30000×30000 pixels is refused before a single pixel is decoded),
then decodes it fully (which catches truncated files) and re-encodes it without
its metadata, under a random name, with a thumbnail. Nothing touches MEDIA_ROOT
until the title is saved; a refused upload leaves nothing behind.
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
# Posters are portrait; the admin list and cards show them this small.
THUMBNAIL_SIZE = (160, 240)
# The modes each format can store as is; anything else is converted first.
STORABLE_MODES = {
    "JPEG": {"L", "RGB"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA"},
    "WEBP": {"RGB", "RGBA"},
}


@dataclass(frozen=True)
class Poster:
    """A checked, re-encoded poster and its thumbnail, ready to be saved on a title."""

    image: ContentFile
    thumbnail: ContentFile


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
    thumbnail = ImageOps.contain(small, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    name = f"{uuid.uuid4().hex}.{extension}"
    return Poster(
        image=ContentFile(_encode(upright, image_format), name=name),
        thumbnail=ContentFile(_encode(thumbnail, image_format), name=name),
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
    options = {"optimize": True} if image_format == "PNG" else {"quality": 85}
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def delete_files_on_commit(*fields):
    """
    Delete the stored files behind `fields` (poster and thumbnail names) once the
    transaction that stopped using them commits, so a failed save keeps them.
    """
    names = [(field.storage, field.name) for field in fields if field]

    def delete():
        for storage, name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)
