from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.fixture import (
    FixtureError,
    add_missing,
    catalogue_is_empty,
    default_path,
    differences,
)
from catalogue.models import Source, Theme, Title


class Command(BaseCommand):
    """
    Set up the catalogue from the fixture without undoing curation: fill an empty
    catalogue, or add only the themes, sources and titles the database lacks (by slug).
    Safe to run on every start.
    """

    help = (
        "Load fixtures/catalogue.json into an empty catalogue, or add only the works the "
        "database lacks; existing rows are never changed (see diff_catalogue)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture", type=Path, default=None, help="Default: fixtures/catalogue.json."
        )

    def handle(self, *args, fixture, **options):
        path = fixture or default_path()
        try:
            was_empty = catalogue_is_empty()
            added, warnings = add_missing(path)
            differing = {line.split(":")[0] for line in differences(path)}
        except FixtureError as error:
            raise CommandError(str(error)) from None
        for line in warnings:
            self.stderr.write(line)
        if was_empty:
            counts = ", ".join(
                f"{model.objects.count()} {model._meta.verbose_name_plural}"
                for model in (Title, Theme, Source)
            )
            self.stdout.write(f"Filled the empty catalogue from the fixture: {counts}.")
        elif added:
            self.stdout.write(f"Added {len(added)} from the fixture: {', '.join(added)}.")
        else:
            self.stdout.write("The catalogue already has every work in the fixture.")
        if differing:
            self.stdout.write(
                f"{len(differing)} row(s) differ from the fixture and were kept as they are; "
                "manage.py diff_catalogue shows how."
            )
