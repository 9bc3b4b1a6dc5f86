from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        # The triggers that keep the stats exact survive any later migration.
        from reviews import community_triggers, insight_triggers, triggers

        post_migrate.connect(triggers.reinstall, sender=self, dispatch_uid="reviews-triggers")
        post_migrate.connect(
            insight_triggers.reinstall, sender=self, dispatch_uid="reviews-insight-triggers"
        )
        post_migrate.connect(
            community_triggers.reinstall, sender=self, dispatch_uid="reviews-community-triggers"
        )
