from django.urls import path, re_path

from api import views
from api.endpoints import api

urlpatterns = [
    path("api/", views.docs, name="api_docs"),
    path("api/v1/", api.urls),
    # Anything else under the API is a problem document, not the site's HTML 404 page.
    re_path(r"^api/v1/.*$", views.not_found, name="api_not_found"),
    path("account/tokens/", views.create_token, name="create_token"),
    path("account/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
