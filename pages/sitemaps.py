"""
sitemap.xml: every public page a search engine should know, and no other: the fixed
pages, each published title, each theme, and each member's public profile.
"""

from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalogue.models import Theme, Title


class FixedPages(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "catalogue:home",
            "catalogue:browse",
            "catalogue:themes",
            "catalogue:lists",
            "api_docs",
        ]

    def location(self, item):
        return reverse(item)


class Titles(Sitemap):
    changefreq = "daily"
    # Sitemaps hold at most 50,000 addresses a page; Django splits it into pages.
    limit = 5000

    def items(self):
        return Title.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, title):
        return title.updated_at


class Themes(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Theme.objects.only("slug").order_by("pk")


class Members(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return get_user_model().objects.filter(is_active=True).only("username").order_by("pk")

    def location(self, member):
        return reverse("accounts:profile", args=[member.get_username()])


SITEMAPS = {"pages": FixedPages, "titles": Titles, "themes": Themes, "members": Members}
