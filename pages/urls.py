from django.urls import path

from pages import insights, views

# The catalogue's public addresses: Title and Theme reverse them for their
# get_absolute_url, so they keep the catalogue's namespace wherever their views live.
app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("titles/", views.browse, name="browse"),
    path("titles/<slug:slug>/", views.title_detail, name="title"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("lists/", views.lists, name="lists"),
    path("tears-against-quality/", insights.tears_quality, name="tears_quality"),
]
