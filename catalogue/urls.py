from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("titles/", views.browse, name="browse"),
    path("titles/<slug:slug>/", views.title_detail, name="title"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("lists/", views.lists, name="lists"),
]
