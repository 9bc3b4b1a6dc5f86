from django.apps import AppConfig


class SadlistConfig(AppConfig):
    """The project itself, installed as an app so that its system checks run."""

    name = "sadlist"
    verbose_name = "Sadlist"

    def ready(self):
        from sadlist import checks  # noqa: F401 -- registers the checks
