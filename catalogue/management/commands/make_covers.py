from django.core.management.base import BaseCommand

from catalogue.covers import make_cover
from catalogue.models import Title
from catalogue.posters import make_missing_renditions


class Command(BaseCommand):
    """
    Draw the generated cover (and its card renditions) of every title that has none
    stored yet, or whose cover no longer matches its name, kind, year or themes (themes
    are set after a title is saved, so only this command sees them change), and the
    card renditions of posters uploaded before they were made.
    """

    help = (
        "Generate a cover for every title missing one or whose cover is out of date, and "
        "card renditions for every poster missing them (existing files are kept)."
    )

    def handle(self, *args, **options):
        covers = posters = 0
        titles = Title.objects.order_by("pk").prefetch_related("themes")
        for title in titles.iterator(chunk_size=500):
            covers += make_cover(title)
            posters += make_missing_renditions(title)
        self.stdout.write(
            f"Made {covers} cover(s) and the card renditions of {posters} poster(s); "
            "every title now has a picture."
        )
