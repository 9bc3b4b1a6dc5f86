from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from catalogue import views as catalogue_views

urlpatterns = [
    path("healthz", catalogue_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("catalogue.urls")),
    path("", include("reviews.urls")),
    path("", include("accounts.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "catalogue.views.page_not_found"
