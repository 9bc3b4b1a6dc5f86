from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from reviews.models import TearPrior


class Command(BaseCommand):
    """Store the site-wide mean as the tear score's prior and re-score every title."""

    help = (
        "Recompute the site-wide mean rating that the tear score pulls titles toward, "
        "and every title's tear score from it, in one statement. Every page shows the "
        "new scores at once. The site also does this on its own when the stored mean "
        "drifts or grows old (README, 'The tear score')."
    )

    def handle(self, *args, **options):
        before = TearPrior.current()
        prior = TearPrior.refresh()
        if not prior.rating_count:
            self.stdout.write(
                f"No ratings yet: the prior stays at the middle of the scale, {prior.mean:.2f}."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Tear prior {before.mean:.4f} → {prior.mean:.4f} "
                f"(weight {prior.weight}, over {prior.rating_count} "
                f"rating{pluralize(prior.rating_count)}); every title "
                "re-scored."
            )
        )
