from django.urls import path

from catalogue import suggestion_views

app_name = "suggestions"

urlpatterns = [
    path("suggest/", suggestion_views.suggest, name="new"),
]
