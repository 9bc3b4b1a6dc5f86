"""
The catalogue fixture (fixtures/catalogue.json) against the catalogue in the database.

The fixture is where the catalogue starts, not what it must stay: curators edit titles,
upload posters and unpublish entries in the admin, and none of that may be undone by
setting the site up again. So the fixture fills an empty catalogue; on one that already
has rows it only adds the themes, sources and titles (with their provenance) that the
database lacks, matched by slug. Where an existing row differs from the fixture the
difference is reported, and changed only for the slugs an operator names.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile

from catalogue.models import Mention, Source, Theme, Title

# Kept by the database, not by curators: the generated cover is drawn again from the
# name, the timestamps say when this database saw the row, and the thumbnail follows
# the poster.
NOT_COMPARED = {"cover", "created_at", "updated_at", "poster_thumbnail"}


def default_path():
    return settings.BASE_DIR / "fixtures" / "catalogue.json"


class FixtureError(Exception):
    """The fixture cannot be read, or does not describe a catalogue."""


@dataclass
class Fixture:
    """The fixture's rows by slug, with foreign keys turned into slugs."""

    themes: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)
    # title slug -> [(source slug, section, rank, listed_as)], in fixture order
    mentions: dict = field(default_factory=dict)

    @classmethod
    def read(cls, path):
        try:
            with open(path, encoding="utf-8") as file:
                records = json.load(file)
            return cls.from_records(records)
        except OSError as error:
            raise FixtureError(f"cannot read {path}: {error.strerror}") from None
        except (ValueError, KeyError, TypeError) as error:
            raise FixtureError(f"{path} is not a catalogue fixture: {error!r}") from None

    @classmethod
    def from_records(cls, records):
        fixture = cls()
        by_model = {}
        for record in records:
            by_model.setdefault(record["model"], []).append(record)
        slug_of = {}
        for label, rows in (
            ("catalogue.theme", fixture.themes),
            ("catalogue.source", fixture.sources),
        ):
            for record in by_model.get(label, []):
                rows[record["fields"]["slug"]] = dict(record["fields"])
                slug_of[label, record["pk"]] = record["fields"]["slug"]
        for record in by_model.get("catalogue.title", []):
            fields = dict(record["fields"])
            fields["themes"] = sorted(slug_of["catalogue.theme", pk] for pk in fields["themes"])
            fixture.titles[fields["slug"]] = fields
            slug_of["catalogue.title", record["pk"]] = fields["slug"]
        for record in by_model.get("catalogue.mention", []):
            fields = record["fields"]
            fixture.mentions.setdefault(slug_of["catalogue.title", fields["title"]], []).append(
                (
                    slug_of["catalogue.source", fields["source"]],
                    fields["section"],
                    fields["rank"],
                    fields.get("listed_as", ""),
                )
            )
        return fixture


def catalogue_is_empty():
    return not any(model.objects.exists() for model in (Theme, Source, Title, Mention))


def _copy_fields(fields, excluded=()):
    return {
        name: value
        for name, value in fields.items()
        if name not in {"themes", "cover", "created_at", "updated_at", *excluded}
    }


def _created(model, fields, warnings, what):
    """The new row, or None with a warning when it would clash with a row curators made."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as error:
        warnings.append(f"{what} not added: it clashes with a row in the database ({error}).")
        return None


@transaction.atomic
def add_missing(path):
    """
    Fill an empty catalogue from the fixture at `path` as it is (primary keys included);
    otherwise add the themes, sources and titles (with their themes and provenance)
    whose slugs the database lacks, and change no existing row.

    Returns (added, warnings): the slugs added as "title your-name" and so on, and one
    line for each row that could not be added without changing another.
    """
    fixture = Fixture.read(path)
    if catalogue_is_empty():
        call_command("loaddata", str(path), verbosity=0)
        added = [f"theme {slug}" for slug in fixture.themes]
        added += [f"source {slug}" for slug in fixture.sources]
        return added + [f"title {slug}" for slug in fixture.titles], []

    added, warnings = [], []
    for model, rows, noun in (
        (Theme, fixture.themes, "theme"),
        (Source, fixture.sources, "source"),
    ):
        existing = set(model.objects.values_list("slug", flat=True))
        for slug, fields in rows.items():
            if slug not in existing and _created(model, fields, warnings, f"{noun} {slug}"):
                added.append(f"{noun} {slug}")

    themes = dict(Theme.objects.values_list("slug", "pk"))
    sources = dict(Source.objects.values_list("slug", "pk"))
    existing = set(Title.objects.values_list("slug", flat=True))
    for slug, fields in fixture.titles.items():
        if slug in existing:
            continue
        title = _created(Title, _copy_fields(fields), warnings, f"title {slug}")
        if title is None:
            continue
        title.themes.set(themes[theme] for theme in fields["themes"] if theme in themes)
        for source, section, rank, listed_as in fixture.mentions.get(slug, []):
            _created(
                Mention,
                {
                    "title": title,
                    "source_id": sources[source],
                    "section": section,
                    "rank": rank,
                    "listed_as": listed_as,
                },
                warnings,
                f"the mention of {slug} as #{rank} {section} in {source}",
            )
        added.append(f"title {slug}")
    return added, warnings


def _differences(noun, slug, in_fixture, in_database):
    return [
        f"{noun} {slug}: {name}: database {in_database[name]!r}, fixture {value!r}"
        for name, value in in_fixture.items()
        if name not in NOT_COMPARED and name in in_database and in_database[name] != value
    ]


def _row_values(row, fields):
    """The row's values of the fixture's fields, with files as their paths as a fixture has them."""
    values = {}
    for name in fields:
        if name != "themes":
            value = getattr(row, name)
            values[name] = value.name if isinstance(value, FieldFile) else value
    return values


def differences(path):
    """
    One line per field where the database's row differs from the fixture's, for every
    theme, source and title in both, with a title's themes and provenance compared as
    wholes; and one line per fixture row the database lacks.
    """
    fixture = Fixture.read(path)
    lines = []
    for model, rows, noun in (
        (Theme, fixture.themes, "theme"),
        (Source, fixture.sources, "source"),
    ):
        stored = {row.slug: row for row in model.objects.all()}
        for slug, fields in rows.items():
            if slug not in stored:
                lines.append(f"{noun} {slug}: not in the database")
                continue
            lines += _differences(noun, slug, fields, _row_values(stored[slug], fields))
    stored = {
        title.slug: title for title in Title.objects.prefetch_related("themes", "mentions__source")
    }
    for slug, fields in fixture.titles.items():
        title = stored.get(slug)
        if title is None:
            lines.append(f"title {slug}: not in the database")
            continue
        in_database = _row_values(title, fields)
        in_database["themes"] = sorted(theme.slug for theme in title.themes.all())
        lines += _differences("title", slug, fields, in_database)
        mentions = sorted(_mentions_of(title))
        if mentions != sorted(fixture.mentions.get(slug, [])):
            lines.append(
                f"title {slug}: mentions: database {mentions!r}, "
                f"fixture {sorted(fixture.mentions.get(slug, []))!r}"
            )
    return lines


def _mentions_of(title):
    return [
        (mention.source.slug, mention.section, mention.rank, mention.listed_as)
        for mention in title.mentions.all()
    ]


def overwrite(path, slugs):
    """
    Make the rows with these slugs (titles, themes or sources) what the fixture says,
    a title's themes and provenance included, all or nothing. Raises FixtureError,
    changing nothing, for a slug the fixture or the database lacks.
    """
    fixture = Fixture.read(path)
    stored = {
        "title": set(Title.objects.values_list("slug", flat=True)),
        "theme": set(Theme.objects.values_list("slug", flat=True)),
        "source": set(Source.objects.values_list("slug", flat=True)),
    }
    chosen = []
    for slug in slugs:
        kinds = [
            noun
            for noun, rows in (
                ("title", fixture.titles),
                ("theme", fixture.themes),
                ("source", fixture.sources),
            )
            if slug in rows
        ]
        if not kinds:
            raise FixtureError(f"no title, theme or source has the slug {slug!r} in {path}")
        missing = [noun for noun in kinds if slug not in stored[noun]]
        if missing:
            raise FixtureError(
                f"{missing[0]} {slug} is not in the database; load_catalogue adds it"
            )
        chosen += [(noun, slug) for noun in kinds]

    try:
        with transaction.atomic():
            for noun, slug in chosen:
                if noun == "title":
                    _overwrite_title(fixture, slug)
                else:
                    model, rows = (
                        (Theme, fixture.themes) if noun == "theme" else (Source, fixture.sources)
                    )
                    model.objects.filter(slug=slug).update(**rows[slug])
    except IntegrityError as error:
        raise FixtureError(f"nothing was changed: the fixture's values clash ({error})") from None
    return [f"{noun} {slug}" for noun, slug in chosen]


def _overwrite_title(fixture, slug):
    fields = fixture.titles[slug]
    title = Title.objects.get(slug=slug)
    for name, value in _copy_fields(fields).items():
        setattr(title, name, value)
    title.save()
    themes = Theme.objects.filter(slug__in=fields["themes"])
    if themes.count() != len(fields["themes"]):
        raise FixtureError(f"title {slug} names a theme the database lacks; load_catalogue adds it")
    title.themes.set(themes)
    title.mentions.all().delete()
    sources = dict(Source.objects.values_list("slug", "pk"))
    for source, section, rank, listed_as in fixture.mentions.get(slug, []):
        if source not in sources:
            raise FixtureError(
                f"title {slug} names a source the database lacks; load_catalogue adds it"
            )
        Mention.objects.create(
            title=title, source_id=sources[source], section=section, rank=rank, listed_as=listed_as
        )
