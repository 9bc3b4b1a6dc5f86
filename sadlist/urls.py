from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from sadlist import views as sadlist_views

urlpatterns = [
    path("healthz", sadlist_views.healthz, name="healthz"),
    path("readyz", sadlist_views.readyz, name="readyz"),
    path("_generation", sadlist_views.generation, name="generation"),
    path("admin/", admin.site.urls),
    path("", include("pages.urls")),
    path("", include("reviews.urls")),
    path("", include("catalogue.urls")),
    path("", include("accounts.urls")),
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
