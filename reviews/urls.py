from django.urls import path

from reviews import community_views, insight_views, views

app_name = "reviews"

urlpatterns = [
    path("titles/<slug:slug>/rate/", views.rate, name="rate"),
    path("titles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit_comment"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="delete_comment"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("account/avoid/", insight_views.avoid_list, name="avoid_list"),
    path("comments/<int:pk>/", community_views.thread, name="thread"),
    path("comments/<int:pk>/reply/", community_views.reply_to, name="reply"),
    path("comments/<int:pk>/mark/", community_views.mark_comment, name="mark_comment"),
    path("titles/<slug:slug>/watchlist/", community_views.watchlist, name="watchlist"),
    path("watchlist/privacy/", community_views.watchlist_privacy, name="watchlist_privacy"),
    path("replies/seen/", community_views.replies_seen, name="replies_seen"),
]
