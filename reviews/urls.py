from django.urls import path

from reviews import insight_views, views

app_name = "reviews"

urlpatterns = [
    path("titles/<slug:slug>/rate/", views.rate, name="rate"),
    path("titles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit_comment"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="delete_comment"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("account/avoid/", insight_views.avoid_list, name="avoid_list"),
]
