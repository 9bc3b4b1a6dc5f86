"""
How members answer each other and keep titles for later: replies (one level, as
Comment.parent), "this hit me too" marks on comments, and a watchlist of titles to
cry at later.

The counts kept from these rows (Comment.reply_count and mark_count, a member's
watchlist size) follow every insert, change and delete through database triggers
(reviews/community_triggers.py), as the title stats do, so a cascade (a member
deleted, a thread deleted) keeps them exact too; `recount_tears` checks and repairs them.
"""

from django.conf import settings
from django.db import IntegrityError, models, transaction

from catalogue.models import Title
from reviews.models.comments import Comment


class CommunityRefused(ValueError):
    """A reply, mark or watchlist change that the rules refuse; the message says why."""


def reply(user, comment, body, is_spoiler=False):
    """
    Post `user`'s reply under `comment`, within the comment limits (CommentLimitReached).

    Threads are one level deep: a reply to a reply joins the thread of the comment that
    started it. A hidden or deleted comment, or one in a hidden thread, takes no reply
    (CommunityRefused). The thread's first comment is locked while the reply is
    written, so a moderator hiding it at the same moment cannot leave a reply counted
    under a hidden comment unseen.
    """
    with transaction.atomic():
        root_id = comment.parent_id or comment.pk
        root = (
            Comment.objects.select_for_update(no_key=True)
            .select_related("title")
            .filter(pk=root_id)
            .first()
        )
        current = root if root_id == comment.pk else Comment.objects.filter(pk=comment.pk).first()
        if root is None or current is None:
            raise CommunityRefused("That comment was deleted; there is nothing to reply to.")
        if root.is_hidden or current.is_hidden:
            raise CommunityRefused("A moderator has hidden that comment; it takes no replies.")
        if not root.title.is_published:
            raise CommunityRefused("That title is not on the site; it takes no replies.")
        return Comment.objects.post_from_member(
            user, root.title, body, is_spoiler=is_spoiler, parent=root
        )


def created_once(queryset, **fields):
    """
    The row with `fields`, created unless it exists: (row, created). A double submit's
    second insert hits the unique constraint and finds the first row instead.
    """
    try:
        with transaction.atomic():
            return queryset.create(**fields), True
    except IntegrityError:
        return queryset.get(**fields), False


class CommentMarkQuerySet(models.QuerySet):
    def mark(self, user, comment):
        """
        `user` says "this hit me too" about `comment`: once each (a double submit keeps
        one mark), never about their own comment, nor a hidden one (CommunityRefused).
        """
        if comment.user_id == user.pk:
            raise CommunityRefused("This is your own comment: marks are for what others wrote.")
        if comment.is_hidden:
            raise CommunityRefused("A moderator has hidden that comment; it takes no marks.")
        return created_once(self, user=user, comment=comment)

    def unmark(self, user, comment):
        """Take back `user`'s mark on `comment`; True if there was one."""
        deleted, _ = self.filter(user=user, comment=comment).delete()
        return bool(deleted)


class CommentMark(models.Model):
    """One member's "this hit me too" about someone else's comment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_marks",
        db_index=False,
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="marks")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentMarkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="mark_once_per_member"),
        ]

    def __str__(self):
        return f"{self.user} was hit by comment {self.comment_id} too"


class WatchlistQuerySet(models.QuerySet):
    def add(self, user, title):
        """
        Put `title` on `user`'s list (a second add keeps one entry). Only a published
        title can go on a list (CommunityRefused).
        """
        if not title.is_published:
            raise CommunityRefused("That title is not on the site yet; it cannot go on a list.")
        return created_once(self, user=user, title=title)

    def remove(self, user, title):
        """Take `title` off `user`'s list; True if it was there."""
        deleted, _ = self.filter(user=user, title=title).delete()
        return bool(deleted)

    def on_list(self, user, title):
        return user.is_authenticated and self.filter(user=user, title=title).exists()


class WatchlistEntry(models.Model):
    """A title a member means to watch (and cry at) later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="watchlist",
        db_index=False,
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="watchlisted")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WatchlistQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "watchlist entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="watchlist_once_per_member"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="watchlist_user_newest"),
        ]

    def __str__(self):
        return f"{self.title} on {self.user}'s list"


class CommunityMember(models.Model):
    """
    A member's side of the community: their watchlist's size and open suggestions
    (kept by triggers), whether others may see the list, and when they last looked at
    the replies to their comments. Created on first need (the triggers insert it too).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="community",
    )
    watchlist_count = models.PositiveIntegerField(default=0)
    open_suggestion_count = models.PositiveIntegerField(
        default=0, help_text="Their title suggestions waiting for a curator."
    )
    watchlist_is_public = models.BooleanField(
        "show my watchlist on my profile",
        default=False,
        help_text="Others see the titles on your list only if you choose so.",
    )
    replies_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member last looked at replies to them."
    )

    def __str__(self):
        return f"{self.user}'s community settings"

    @classmethod
    def of(cls, user):
        """The member's row (zeros, a private list) without writing one."""
        return cls.objects.filter(user=user).first() or cls(user=user)

    @classmethod
    def new_replies(cls, user, seen_at):
        """Visible replies by others to `user`'s comments since `seen_at` (all if None)."""
        replies = (
            Comment.objects.visible()
            .filter(parent__user=user, parent__is_hidden=False)
            .exclude(user=user)
        )
        if seen_at is not None:
            replies = replies.filter(created_at__gt=seen_at)
        return replies

    @classmethod
    def settings_for(cls, user, **fields):
        """Write the member's choices (their row created if missing)."""
        with transaction.atomic():
            cls.objects.get_or_create(user=user)
            cls.objects.filter(user=user).update(**fields)
