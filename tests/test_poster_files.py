"""
A poster's files follow the row: replaced or cleared, the old files go once the change
commits (and stay if it rolls back); two curators replacing one poster at once leave
no file that nothing refers to. Real threads and connections, on whichever database
the suite runs against.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from PIL import Image

from catalogue.models import Title
from catalogue.posters import card_rendition_names, poster_file_names, read_poster

from .admin_forms import title_form
from .conftest import curators_group
from .factories import make_theme, make_title
from .test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def poster(colour="steelblue", size=(300, 450)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return read_poster(SimpleUploadedFile("poster.jpg", buffer.getvalue()))


def files_under(folder):
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def files_of(title):
    """Every file `title` refers to: its poster's, and its cover with the cover's renditions."""
    cover = {title.cover.name, *card_rendition_names(title.cover.name).values()}
    return set(poster_file_names(title.poster.name, title.poster_thumbnail.name)) | cover


@pytest.fixture
def title():
    title = make_title("Violet Evergarden", slug="violet-evergarden", themes=[make_theme()])
    title.set_poster(poster("navy"))
    title.save()
    return Title.objects.get(pk=title.pk)


def test_a_replaced_poster_loses_its_files_only_when_the_change_commits(title, settings):
    old_files = files_of(title) - files_of(Title(cover=title.cover))
    assert len(old_files) == 6  # poster, thumbnail, two WebP and two JPEG renditions
    with transaction.atomic():
        title.set_poster(poster("white"))
        title.save()
        assert old_files <= files_under(settings.MEDIA_ROOT)
    title.refresh_from_db()
    assert files_under(settings.MEDIA_ROOT) == files_of(title)
    assert not old_files & files_of(title)


def test_a_cleared_poster_loses_its_files_only_when_the_change_commits(title, settings):
    with transaction.atomic():
        title.set_poster(None)
        title.save()
        assert len(files_under(settings.MEDIA_ROOT) - files_of(title)) == 6
    title.refresh_from_db()
    assert title.poster.name == title.poster_thumbnail.name == ""
    assert files_under(settings.MEDIA_ROOT) == files_of(title)


class RolledBack(Exception):
    pass


@pytest.mark.parametrize("new_poster", [poster, None], ids=["replaced", "cleared"])
def test_a_change_rolled_back_keeps_the_poster_and_its_files(title, settings, new_poster):
    before = files_of(title)
    with pytest.raises(RolledBack), transaction.atomic():
        title.set_poster(new_poster and new_poster("white"))
        title.save()
        raise RolledBack
    title = Title.objects.get(pk=title.pk)
    assert files_of(title) == before
    assert before <= files_under(settings.MEDIA_ROOT)
    assert title.has_poster


def test_a_save_that_fails_removes_the_files_it_wrote(title, settings):
    before = files_under(settings.MEDIA_ROOT)
    other = make_title("Clannad", slug="clannad")
    other.set_poster(poster("white"))
    other.slug = title.slug  # the unique slug makes the UPDATE fail
    with pytest.raises(Exception, match="(?i)unique"):
        other.save()
    assert files_under(settings.MEDIA_ROOT) - before == files_of(Title.objects.get(pk=other.pk))


def curator_browsers(count, django_user_model):
    browsers = []
    for number in range(count):
        curator = django_user_model.objects.create_user(
            f"curator{number}", password="x", is_staff=True
        )
        curator.groups.add(curators_group())
        browser = Client()
        browser.force_login(curator)
        browsers.append(browser)
    return browsers


def jpeg_upload(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 450), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile("poster.jpg", buffer.getvalue(), "image/jpeg")


@pytest.mark.parametrize("curators", [2, 4])
def test_curators_replacing_one_poster_at_once_leave_no_file_behind(
    title, settings, django_user_model, curators
):
    url = f"/admin/catalogue/title/{title.pk}/change/"
    forms = []
    for colour in ["white", "black", "red", "green"][:curators]:
        form = title_form(title)
        form["poster"] = jpeg_upload(colour)
        forms.append(form)
    responses = []
    run_at_once(
        [
            lambda b=browser, f=form: responses.append(b.post(url, f))
            for browser, form in zip(
                curator_browsers(curators, django_user_model), forms, strict=True
            )
        ]
    )
    assert [response.status_code for response in responses] == [302] * curators
    title = Title.objects.get(pk=title.pk)
    assert title.has_poster
    assert files_under(settings.MEDIA_ROOT) == files_of(title)


def test_two_saves_of_instances_read_before_either_leave_no_file_behind(title, settings):
    first, second = Title.objects.get(pk=title.pk), Title.objects.get(pk=title.pk)
    first.set_poster(poster("white"))
    second.set_poster(poster("black"))
    run_at_once([first.save, second.save])
    title = Title.objects.get(pk=title.pk)
    assert title.poster.name in {first.poster.name, second.poster.name}
    assert files_under(settings.MEDIA_ROOT) == files_of(title)


def test_a_stale_save_that_did_not_touch_the_poster_keeps_the_new_one(title, settings):
    stale = Title.objects.get(pk=title.pk)
    title.set_poster(poster("white"))
    title.save()
    stale.synopsis = "Letters that say what she could not."
    stale.save()
    saved = Title.objects.get(pk=title.pk)
    assert (saved.poster.name, saved.synopsis) == (title.poster.name, stale.synopsis)
    assert files_under(settings.MEDIA_ROOT) == files_of(saved)


@pytest.mark.parametrize("bulk", [False, True], ids=["one", "in bulk"])
def test_a_deleted_title_takes_its_poster_files_with_it(title, settings, bulk):
    poster_files = set(poster_file_names(title.poster.name, title.poster_thumbnail.name))
    assert poster_files <= files_under(settings.MEDIA_ROOT)
    with transaction.atomic():
        if bulk:
            Title.objects.filter(pk=title.pk).delete()
        else:
            title.delete()
        assert poster_files <= files_under(settings.MEDIA_ROOT)
    assert not poster_files & files_under(settings.MEDIA_ROOT)


def test_a_deletion_rolled_back_keeps_the_poster_files(title, settings):
    before = files_under(settings.MEDIA_ROOT)
    with pytest.raises(RolledBack), transaction.atomic():
        title.delete()
        raise RolledBack
    assert files_under(settings.MEDIA_ROOT) == before
    assert Title.objects.get(slug="violet-evergarden").has_poster
