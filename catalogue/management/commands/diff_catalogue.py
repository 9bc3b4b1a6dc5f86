from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.fixture import FixtureError, default_path, differences
from catalogue.fixture import overwrite as overwrite_rows


class Command(BaseCommand):
    """
    Say, row by row and field by field, where the catalogue in the database differs from
    the fixture; with --overwrite, make the named rows what the fixture says.
    """

    help = (
        "Report where the database's themes, sources and titles differ from "
        "fixtures/catalogue.json. --overwrite SLUG... replaces those rows with the "
        "fixture's (curators' edits to them are lost); nothing else is ever changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture", type=Path, default=None, help="Default: fixtures/catalogue.json."
        )
        parser.add_argument(
            "--overwrite",
            nargs="+",
            metavar="SLUG",
            default=[],
            help="Titles, themes or sources to set to the fixture's values.",
        )

    def handle(self, *args, fixture, overwrite, **options):
        path = fixture or default_path()
        try:
            if overwrite:
                done = overwrite_rows(path, overwrite)
                self.stdout.write(f"Set to the fixture's values: {', '.join(done)}.")
            lines = differences(path)
        except FixtureError as error:
            raise CommandError(str(error)) from None
        for line in lines:
            self.stdout.write(line)
        if not lines:
            self.stdout.write("The database matches the fixture.")
