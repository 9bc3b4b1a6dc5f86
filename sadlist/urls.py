from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path

from pages.findable import robots
from pages.sitemaps import SITEMAPS
from sadlist import views as sadlist_views

urlpatterns = [
    path("healthz", sadlist_views.healthz, name="healthz"),
    path("readyz", sadlist_views.readyz, name="readyz"),
    path("_generation", sadlist_views.generation, name="generation"),
    path("admin/", admin.site.urls),
    path("robots.txt", robots, name="robots"),
    # An index of one sitemap per section, each split in pages of at most `limit`.
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("pages.urls")),
    path("", include("reviews.urls")),
    path("", include("catalogue.urls")),
    path("", include("accounts.urls")),
    path("", include("api.urls")),
    path("", include("pages.feed_urls")),
]

if settings.SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$",
            sadlist_views.media,
            name="media",
        )
    )

handler404 = "pages.views.page_not_found"
