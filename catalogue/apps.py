from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class CatalogueConfig(AppConfig):
    name = "catalogue"

    def ready(self):
        from catalogue.models import Title
        from catalogue.posters import delete_poster_files

        post_delete.connect(delete_poster_files, sender=Title, dispatch_uid="title-poster-files")
        # The triggers that raise the content version survive any later migration.
        from catalogue import triggers

        post_migrate.connect(triggers.reinstall, sender=self, dispatch_uid="catalogue-triggers")
        # And those that keep the published counts of each kind and theme.
        from catalogue import count_triggers

        post_migrate.connect(
            count_triggers.reinstall, sender=self, dispatch_uid="catalogue-count-triggers"
        )
        # Likewise the triggers that keep SQLite's trigram index of search keys.
        from catalogue import search_index

        post_migrate.connect(
            search_index.reinstall, sender=self, dispatch_uid="catalogue-search-index"
        )
