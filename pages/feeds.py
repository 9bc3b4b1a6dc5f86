"""
Atom feeds for feed readers: the newest comments on the whole site and on one title,
one member's public activity (ratings and comments), and the newest titles. A comment
marked as a spoiler shows only "Contains spoilers" and a link, as on the site, where a
reader must click to see it. Each page they mirror links them with rel="alternate".
"""

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from catalogue.models import Title
from reviews.models import Comment, Rating

ENTRIES = 30
SPOILER_TEXT = "Contains spoilers: read it on Sadlist."


def visible_comments():
    return (
        Comment.objects.visible()
        .filter(title__is_published=True)
        .select_related("user", "title")
        .order_by("-created_at", "-pk")
    )


class CommentsFeed(Feed):
    feed_type = Atom1Feed
    title = "Sadlist: newest comments"
    subtitle = "What members say about anime that made them cry."

    def link(self):
        return reverse("catalogue:home")

    def items(self):
        return visible_comments()[:ENTRIES]

    def item_title(self, comment):
        return f"{comment.user.get_username()} on {comment.title.name}"

    def item_description(self, comment):
        return SPOILER_TEXT if comment.is_spoiler else comment.body

    def item_link(self, comment):
        return f"{comment.title.get_absolute_url()}#comment-{comment.pk}"

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at

    def item_author_name(self, comment):
        return comment.user.get_username()


class TitleCommentsFeed(CommentsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Title.objects.published(), slug=slug)

    def title(self, title):
        return f"Sadlist: comments on {title.name}"

    def subtitle(self, title):
        return f"What members say about {title.name}."

    def link(self, title):
        return title.get_absolute_url()

    def items(self, title):
        return visible_comments().filter(title=title)[:ENTRIES]


class MemberActivityFeed(Feed):
    """A member's ratings and visible comments on published titles, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, username):
        return get_object_or_404(get_user_model(), username=username, is_active=True)

    def title(self, member):
        return f"Sadlist: {member.get_username()}'s cry history"

    def subtitle(self, member):
        return f"What {member.get_username()} rated and wrote on Sadlist."

    def link(self, member):
        return reverse("accounts:profile", args=[member.get_username()])

    def items(self, member):
        ratings = list(
            Rating.objects.filter(user=member, title__is_published=True)
            .select_related("user", "title")
            .order_by("-updated_at", "-pk")[:ENTRIES]
        )
        comments = list(visible_comments().filter(user=member)[:ENTRIES])
        activity = ratings + comments
        activity.sort(key=self.item_pubdate, reverse=True)
        return activity[:ENTRIES]

    def item_title(self, item):
        if isinstance(item, Rating):
            return f"Rated {item.title.name}: {item.tears} — {item.get_tears_display()}"
        return f"Commented on {item.title.name}"

    def item_description(self, item):
        if isinstance(item, Rating):
            return f"{item.tears} — {item.get_tears_display()}"
        return SPOILER_TEXT if item.is_spoiler else item.body

    def item_link(self, item):
        if isinstance(item, Rating):
            return item.title.get_absolute_url()
        return f"{item.title.get_absolute_url()}#comment-{item.pk}"

    def item_guid(self, item):
        kind = "rating" if isinstance(item, Rating) else "comment"
        return f"tag:sadlist,{kind}:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.updated_at if isinstance(item, Rating) else item.created_at

    def item_updateddate(self, item):
        # Atom requires <updated> on every entry.
        if isinstance(item, Rating):
            return item.updated_at
        return item.edited_at or item.created_at


class NewTitlesFeed(Feed):
    feed_type = Atom1Feed
    title = "Sadlist: new titles"
    subtitle = "Anime newly added to the catalogue."

    def link(self):
        return reverse("catalogue:browse")

    def items(self):
        return Title.objects.published().order_by("-created_at", "-pk")[:ENTRIES]

    def item_title(self, title):
        return f"{title.name} ({title.year})"

    def item_description(self, title):
        return title.synopsis

    def item_pubdate(self, title):
        return title.created_at

    def item_updateddate(self, title):
        return title.updated_at
