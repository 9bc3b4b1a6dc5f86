from django.urls import path

from pages import feeds
from sadlist.freshness import visitor_page

# Feeds are the same for everyone: served from the visitors' cache like pages.
urlpatterns = [
    path("feed/comments/", visitor_page()(feeds.CommentsFeed()), name="feed_comments"),
    path("feed/titles/", visitor_page()(feeds.NewTitlesFeed()), name="feed_titles"),
    path(
        "titles/<slug:slug>/feed/",
        visitor_page()(feeds.TitleCommentsFeed()),
        name="feed_title_comments",
    ),
    path(
        "members/<str:username>/feed/",
        visitor_page()(feeds.MemberActivityFeed()),
        name="feed_member",
    ),
]
