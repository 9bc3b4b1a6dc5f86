"""Forms curators use in the admin."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify

from catalogue.models import FIRST_ANIME_YEAR, LAST_PLAUSIBLE_YEAR, Theme, Title
from catalogue.posters import ACCEPTED_FORMATS, Poster, read_poster


class PosterField(forms.FileField):
    """A poster upload: only a checked, re-encoded `Poster` gets past `clean`."""

    widget = forms.ClearableFileInput(
        attrs={"accept": ",".join(f"image/{name.lower()}" for name in ACCEPTED_FORMATS)}
    )

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            return read_poster(value)
        return value


class TitleAdminForm(forms.ModelForm):
    """
    A title as curators edit it. The slug may be left empty (it is then made from
    the name, for browsers without JavaScript); a new poster replaces the old one
    and its files (`Title.set_poster`), and clearing it falls back to the generated cover.
    """

    slug = forms.SlugField(
        max_length=Title._meta.get_field("slug").max_length,
        required=False,
        help_text="The last part of the title's address, as in /titles/your-name/. Left empty, "
        "it is made from the name.",
    )
    # The table's check constraints, as messages next to the fields.
    year = forms.IntegerField(
        min_value=FIRST_ANIME_YEAR,
        max_value=LAST_PLAUSIBLE_YEAR,
        help_text=Title._meta.get_field("year").help_text,
    )
    episodes = forms.IntegerField(
        min_value=1, required=False, help_text=Title._meta.get_field("episodes").help_text
    )
    runtime_minutes = forms.IntegerField(
        min_value=1,
        required=False,
        label="Runtime minutes",
        help_text=Title._meta.get_field("runtime_minutes").help_text,
    )
    # A box per theme: a dozen or so fit on screen, each with its own label, no JavaScript
    # needed (the admin's two-list picker gives its help icons an aria-label axe refuses).
    # Declared here so the admin does not wrap it with an "add another" link: that wrapper
    # would put `required` on every box, and browsers would then insist on all of them.
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one theme."},
    )
    poster = PosterField(
        required=False,
        help_text="JPEG, PNG or WebP. It is re-encoded without its metadata; until a "
        "poster is uploaded the generated cover is shown.",
    )

    class Meta:
        model = Title
        fields = [
            "name",
            "slug",
            "original_name",
            "other_names",
            "kind",
            "year",
            "studio",
            "episodes",
            "runtime_minutes",
            "synopsis",
            "why_it_hurts",
            "themes",
            "poster",
            "is_published",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._new_poster = None

    def clean_poster(self):
        poster = self.cleaned_data["poster"]
        if isinstance(poster, Poster):
            self._new_poster = poster
            return poster.image
        return poster

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("slug") and cleaned_data.get("name"):
            cleaned_data["slug"] = slugify(cleaned_data["name"])[: self.fields["slug"].max_length]
            if not cleaned_data["slug"]:
                self.add_error("slug", "The name makes no usable address: type a slug.")
        return cleaned_data

    def save(self, commit=True):
        title = super().save(commit=False)
        if self._new_poster is not None:
            title.set_poster(self._new_poster)
        elif "poster" in self.changed_data and not title.poster:
            title.set_poster(None)
        if commit:
            title.save()
            self._save_m2m()
        return title
