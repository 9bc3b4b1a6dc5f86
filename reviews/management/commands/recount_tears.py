from django.core.management.base import BaseCommand

from reviews.stats import recount_all


class Command(BaseCommand):
    """Recompute every title's tear and comment totals from the rows themselves."""

    help = (
        "Recount every title's ratings, distribution and comment counts from the ratings "
        "and comments, repair any drift and report it."
    )

    def handle(self, *args, **options):
        drift = recount_all()
        if not drift:
            self.stdout.write(self.style.SUCCESS("All totals were exact; nothing to repair."))
            return
        for line in drift:
            self.stdout.write(f"repaired {line}")
        self.stdout.write(self.style.WARNING(f"Repaired drift on {len(drift)} row(s)."))
