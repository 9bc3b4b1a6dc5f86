from django.apps import AppConfig


class PagesConfig(AppConfig):
    """
    The public pages that show the catalogue together with what members said about it:
    home, browse, a title, themes and the lists. They are composed here, where both
    `catalogue` and `reviews` are visible; `catalogue` itself never imports `reviews`.
    """

    name = "pages"
