"""Curators upload posters; only clean JPEG, PNG and WebP images are ever stored."""

import io
import math
import os
import re
import struct
import subprocess
import sys
import zlib

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from catalogue.models import Title
from catalogue.posters import card_rendition_names

from .admin_forms import title_form
from .factories import make_theme, make_title

pytestmark = pytest.mark.django_db

RANDOM_NAME = r"[0-9a-f]{32}"


def image_bytes(image_format, size=(300, 450), mode="RGB", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, "steelblue").save(buffer, format=image_format, **options)
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width, height, colour_type=0, bit_depth=1):
    """
    A valid PNG of `width`×`height` blank pixels, built row by row so the test never
    holds the pixels: a few hundred kilobytes that would decode to hundreds of megabytes.
    Palette images (colour type 3) get a palette of black.
    """
    chunk = png_chunk
    channels = {0: 1, 2: 3, 3: 1, 6: 4}[colour_type]
    row = b"\0" * (1 + (width * channels * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    palette = chunk(b"PLTE", b"\0" * 3 * 256) if colour_type == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + palette
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def cover_files(title):
    """The generated cover of `title` and its card renditions, as files_under lists them."""
    return sorted([title.cover.name, *card_rendition_names(title.cover.name).values()])


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def upload_temp_dir(settings, tmp_path):
    """Where Django spools uploads bigger than 2.5 MB, watched by the tests."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.fixture
def title():
    title = make_title(
        "A Silent Voice", slug="a-silent-voice", year=2016, themes=[make_theme("Bullying")]
    )
    return title


@pytest.fixture
def upload_poster(curator_client, django_capture_on_commit_callbacks):
    def upload(title, name, data, content_type="image/jpeg", **changes):
        form = title_form(title, **changes)
        if data is not None:
            form["poster"] = SimpleUploadedFile(name, data, content_type=content_type)
        with django_capture_on_commit_callbacks(execute=True):
            return curator_client.post(
                f"/admin/catalogue/title/{title.pk}/change/", form, follow=True
            )

    return upload


def test_a_jpeg_poster_is_stored_clean_under_a_random_name(upload_poster, title, client):
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # camera make
    exif[0x0131] = "Editing software"  # software
    data = image_bytes("JPEG", exif=exif.tobytes(), comment=b"taken at home")
    response = upload_poster(title, "my holiday photo.jpg", data)
    assert "was changed successfully" in response.content.decode()

    title.refresh_from_db()
    assert re.fullmatch(rf"posters/{RANDOM_NAME}\.jpg", title.poster.name)
    assert re.fullmatch(rf"posters/thumbs/{RANDOM_NAME}\.jpg", title.poster_thumbnail.name)
    with Image.open(title.poster.path) as poster:
        assert (poster.format, poster.size) == ("JPEG", (300, 450))
        assert not poster.getexif()
        assert "comment" not in poster.info and "exif" not in poster.info
    with Image.open(title.poster_thumbnail.path) as thumbnail:
        assert thumbnail.size == (160, 240)

    page = client.get(title.get_absolute_url()).content.decode()
    assert f'src="{title.poster.url}" alt="Poster of A Silent Voice"' in page


def test_the_camera_rotation_is_applied_before_the_exif_is_dropped(upload_poster, title):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    upload_poster(title, "sideways.jpg", image_bytes("JPEG", size=(450, 300), exif=exif))
    title.refresh_from_db()
    with Image.open(title.poster.path) as poster:
        assert poster.size == (300, 450)


@pytest.mark.parametrize(
    ("image_format", "mode", "extension"),
    [("PNG", "RGBA", "png"), ("PNG", "P", "png"), ("WEBP", "RGB", "webp")],
)
def test_png_and_webp_posters_keep_their_format(
    upload_poster, title, image_format, mode, extension
):
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "someone's real name")
    options = {"pnginfo": text} if image_format == "PNG" else {}
    data = image_bytes(image_format, mode=mode, **options)
    upload_poster(title, f"poster.{extension}", data, content_type=f"image/{extension}")
    title.refresh_from_db()
    assert re.fullmatch(rf"posters/{RANDOM_NAME}\.{extension}", title.poster.name)
    with Image.open(title.poster.path) as poster:
        assert poster.format == image_format
        assert "Author" not in poster.info


def test_a_new_poster_replaces_the_old_files(upload_poster, title, settings):
    upload_poster(title, "first.jpg", image_bytes("JPEG"))
    title.refresh_from_db()
    first = {title.poster.name, title.poster_thumbnail.name}
    upload_poster(title, "second.png", image_bytes("PNG"), content_type="image/png")
    title.refresh_from_db()
    stored = set(files_under(settings.MEDIA_ROOT))
    assert not first & stored
    assert {title.poster.name, title.poster_thumbnail.name} <= stored


def test_removing_the_poster_brings_back_the_generated_cover(
    upload_poster, title, client, settings
):
    upload_poster(title, "poster.jpg", image_bytes("JPEG"))
    title.refresh_from_db()
    upload_poster(title, "", None, **{"poster-clear": "on"})

    title.refresh_from_db()
    assert (title.poster.name, title.poster_thumbnail.name) == ("", "")
    assert files_under(settings.MEDIA_ROOT) == cover_files(title)
    page = client.get(title.get_absolute_url()).content.decode()
    assert f'src="{title.cover.url}" alt="Generated cover for A Silent Voice"' in page


def truncated(data):
    return data[: len(data) // 2]


def noise_png(size):
    """A real PNG of random pixels, which no compression can make small."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) > 5 * 1024 * 1024
    return data


REJECTED = {
    "svg": (
        "drawing.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "not a JPEG, PNG or WebP image",
    ),
    "pdf renamed .jpg": (
        "poster.jpg",
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "not a JPEG, PNG or WebP image",
    ),
    "html renamed .jpg": (
        "poster.jpg",
        lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "not a JPEG, PNG or WebP image",
    ),
    "gif": ("poster.gif", lambda: image_bytes("GIF"), "not a JPEG, PNG or WebP image"),
    "truncated jpeg": (
        "poster.jpg",
        lambda: truncated(image_bytes("JPEG", size=(900, 1350))),
        "damaged or incomplete",
    ),
    "truncated png": (
        "poster.png",
        lambda: truncated(png_claiming(900, 1350, colour_type=2, bit_depth=8)),
        "damaged or incomplete",
    ),
    "30000×30000 bomb": (
        "bomb.png",
        lambda: png_claiming(30000, 30000),
        "at most 10 megapixels",
    ),
    "6000×5000 header": (
        "big.png",
        lambda: png_claiming(6000, 5000, colour_type=2, bit_depth=8),
        "too large (6000×5000 pixels): a poster may have at most 10 megapixels",
    ),
    "over 5 MB": ("huge.png", lambda: noise_png((1400, 1400)), "a poster may be at most 5.0"),
}


@pytest.mark.parametrize("case", REJECTED)
def test_a_bad_upload_is_refused_and_leaves_nothing_behind(
    upload_poster, title, settings, upload_temp_dir, case
):
    name, make_data, message = REJECTED[case]
    data = make_data()
    media_before = files_under(settings.MEDIA_ROOT)
    row_before = Title.objects.values().get(pk=title.pk)

    response = upload_poster(title, name, data)

    errors = response.context["adminform"].form.errors["poster"]
    assert any(message in error for error in errors), errors
    assert "Please correct the error below." in response.content.decode()
    assert Title.objects.values().get(pk=title.pk) == row_before
    assert files_under(settings.MEDIA_ROOT) == media_before
    assert files_under(upload_temp_dir) == []


def test_a_refused_poster_keeps_the_current_one(upload_poster, title):
    upload_poster(title, "good.jpg", image_bytes("JPEG"))
    title.refresh_from_db()
    good = title.poster.name
    upload_poster(title, "bad.jpg", b"<html></html>")
    title.refresh_from_db()
    assert title.poster.name == good
    assert title.poster.storage.exists(good)


MEASURE = """
import sys
import django
django.setup()
import sadlist.urls  # everything a worker has loaded before its first upload
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from catalogue.posters import read_poster

def peak_rss_kib():
    # VmHWM is this process's own peak (getrusage's maxrss can carry the parent's).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

data = open(sys.argv[1], "rb").read()
before = peak_rss_kib()
try:
    read_poster(SimpleUploadedFile("poster.png", data))
    outcome = "accepted"
except ValidationError:
    outcome = "refused"
print(outcome, (peak_rss_kib() - before) // 1024, peak_rss_kib() // 1024)
"""

needs_proc = pytest.mark.skipif(
    not os.path.exists("/proc/self/status"), reason="peak memory is read from Linux's /proc"
)


def peak_memory(tmp_path, data, **env):
    """
    Run read_poster on `data` in a fresh process that has loaded what a worker loads:
    (outcome, peak RSS growth, peak RSS), in MiB.
    """
    path = tmp_path / "upload.png"
    path.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sadlist.settings", **env},
    )
    outcome, growth, peak = result.stdout.split()
    return outcome, int(growth), int(peak)


def peak_memory_growth(tmp_path, data, **env):
    """Run read_poster on `data` in a fresh process: (outcome, peak RSS growth in MiB)."""
    outcome, growth, _ = peak_memory(tmp_path, data, **env)
    return outcome, growth


@needs_proc
@pytest.mark.parametrize(
    ("width", "height", "colour_type", "bit_depth"),
    [(30000, 30000, 0, 1), (6000, 5000, 2, 8)],
)
def test_an_image_bomb_is_refused_without_using_much_memory(
    tmp_path, width, height, colour_type, bit_depth
):
    bomb = png_claiming(width, height, colour_type, bit_depth)
    assert len(bomb) < 1024 * 1024
    assert peak_memory_growth(tmp_path, bomb) == ("refused", pytest.approx(0, abs=50))


@needs_proc
def test_the_memory_measure_would_catch_a_poster_decoded_before_its_size_is_checked(tmp_path):
    # The same 6000×5000 file, with the pixel limit lifted: decoding it costs 100+ MB.
    bomb = png_claiming(6000, 5000, colour_type=2, bit_depth=8)
    outcome, megabytes = peak_memory_growth(tmp_path, bomb, POSTER_MAX_PIXELS="100000000")
    assert outcome == "accepted"
    assert megabytes > 100


def size_at_limit():
    """The largest portrait size of 5:8 within POSTER_MAX_PIXELS (2500×4000 at 10 megapixels)."""
    height = math.isqrt(django_settings.POSTER_MAX_PIXELS * 8 // 5)
    return django_settings.POSTER_MAX_PIXELS // height, height


def png_at_limit(colour_type, bit_depth, transparent):
    """A blank PNG of the most pixels accepted, with a tRNS chunk if `transparent`."""
    data = png_claiming(*size_at_limit(), colour_type, bit_depth)
    if not transparent:
        return data
    transparency = {0: b"\0\0", 3: b"\0" * 256}[colour_type]
    end = data.index(b"IDAT") - 4
    return data[:end] + png_chunk(b"tRNS", transparency) + data[end:]


def jpeg_at_limit(mode):
    """A progressive JPEG of the most pixels accepted that asks to be rotated."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.new(mode, size_at_limit()).save(
        buffer, format="JPEG", exif=exif, progressive=True, subsampling=0
    )
    return buffer.getvalue()


# The costliest images to check at the pixel limit, measured: those whose pixels take
# the most bytes while they are decoded, turned or converted for storage.
COSTLIEST = {
    "CMYK JPEG, progressive, rotated": lambda: jpeg_at_limit("CMYK"),
    "RGB JPEG, progressive, rotated": lambda: jpeg_at_limit("RGB"),
    "16-bit grey PNG, transparent": lambda: png_at_limit(0, 16, transparent=True),
    "palette PNG, transparent": lambda: png_at_limit(3, 8, transparent=True),
    "16-bit RGBA PNG": lambda: png_at_limit(6, 16, transparent=False),
}


@needs_proc
@pytest.mark.parametrize("case", COSTLIEST)
def test_a_worker_checking_the_costliest_accepted_poster_stays_under_200_mb(tmp_path, case):
    data = COSTLIEST[case]()
    assert len(data) < django_settings.POSTER_MAX_BYTES
    outcome, growth, peak = peak_memory(tmp_path, data)
    print(f"{case}: peak {peak} MiB (+{growth} MiB)")
    assert outcome == "accepted"
    assert peak < 200


@pytest.fixture
def media_served(settings):
    """The URLs as a development server has them, where Django itself serves /media/."""
    import importlib

    from django.urls import clear_url_caches

    import sadlist.urls

    settings.DEBUG = True
    settings.SERVE_MEDIA = True  # the switch production settings may use for the same
    importlib.reload(sadlist.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    settings.SERVE_MEDIA = False
    importlib.reload(sadlist.urls)
    clear_url_caches()


def test_media_are_served_with_nosniff(media_served, client, settings):
    (settings.MEDIA_ROOT / "posters").mkdir(parents=True)
    (settings.MEDIA_ROOT / "posters" / "poster.jpg").write_bytes(image_bytes("JPEG"))
    response = client.get(f"{settings.MEDIA_URL}posters/poster.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_new_title_can_be_added_with_its_poster(
    curator_client, django_capture_on_commit_callbacks
):
    form = title_form(
        name="Orange",
        year=2016,
        synopsis="Letters from the future.",
        themes=[make_theme("Time").pk],
    )
    form["poster"] = SimpleUploadedFile("orange.webp", image_bytes("WEBP"), "image/webp")
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post("/admin/catalogue/title/add/", form)
    title = Title.objects.get(slug="orange")
    assert re.fullmatch(rf"posters/{RANDOM_NAME}\.webp", title.poster.name)
    assert title.has_poster and title.picture_alt == "Poster of Orange"
