from django.apps import AppConfig
from django.db.models.signals import post_delete


class CatalogueConfig(AppConfig):
    name = "catalogue"

    def ready(self):
        from catalogue.models import Title
        from catalogue.posters import delete_poster_files

        post_delete.connect(delete_poster_files, sender=Title, dispatch_uid="title-poster-files")
