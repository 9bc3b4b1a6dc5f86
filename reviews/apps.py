from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_delete


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from catalogue.models import Title
        from reviews import community_triggers, insight_triggers, triggers
        from reviews.stats import lock_stats_of_deleted_title

        # The triggers that keep the stats exact survive any later migration.
        post_migrate.connect(triggers.reinstall, sender=self, dispatch_uid="reviews-triggers")
        post_migrate.connect(
            insight_triggers.reinstall, sender=self, dispatch_uid="reviews-insight-triggers"
        )
        post_migrate.connect(
            community_triggers.reinstall, sender=self, dispatch_uid="reviews-community-triggers"
        )
        # Deleting a title takes its stats row before its ratings' rows (reviews.stats).
        pre_delete.connect(
            lock_stats_of_deleted_title, sender=Title, dispatch_uid="reviews-title-deleted"
        )
