"""
What members say about titles in words: comments, with a stance on one listing of the
title, and reports of comments to the moderators.

The numbers kept from them (TitleStats, MentionStats) follow every insert, change and
delete of these rows through database triggers (reviews/triggers.py), so a save() or
delete() from a shell or a cascade keeps the numbers exact too.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from catalogue.models import Mention, Title
from reviews.models.ratings import Rating


class Stance(models.TextChoices):
    """
    What a comment says about one listing of the title (Comment.mention): for a ranked
    listing, ranked too high, about right or too low; for an unranked recommendation,
    whether it belongs on the list.

    AGREE is "about right" (or "belongs on the list"): the value comments stored before
    a stance named its direction, kept as it was. DISAGREE is the old "disagrees with
    the list", whose direction nobody said: old comments keep it and it still counts as
    a disagreement, but the form no longer offers it.
    """

    NONE = "none", "No stance"
    AGREE = "agree", "Agrees with the list"
    TOO_HIGH = "too_high", "Ranked too high"
    TOO_LOW = "too_low", "Ranked too low"
    OFF_LIST = "off_list", "Does not belong on the list"
    DISAGREE = "disagree", "Disagrees with the list"


# The stances that say the list is wrong: what TitleStats.disagree_count counts.
DISAGREEING = [Stance.TOO_HIGH, Stance.TOO_LOW, Stance.OFF_LIST, Stance.DISAGREE]
# Only a ranked listing can be too high or too low; only a recommendation can be off.
RANKED_STANCES = [Stance.TOO_HIGH, Stance.AGREE, Stance.TOO_LOW]
UNRANKED_STANCES = [Stance.AGREE, Stance.OFF_LIST]


def is_unranked(mention):
    """An article's "also recommended" listing comes without a rank to disagree with."""
    return mention.section == Mention.Section.ALSO


def listing_name(mention):
    """Where the article lists the title: "#2 movie in …", "also recommended in …"."""
    return f"{mention.description} in {mention.source.name}"


def stance_problem(title, stance, mention):
    """
    Why `stance` about `mention` cannot be said of `title` (a sentence), or "" when it
    can: a stance is about one of the title's own listings, and one that fits it.
    """
    if stance == Stance.NONE:
        return ""
    if stance not in (*RANKED_STANCES, *UNRANKED_STANCES):
        return "Choose one of the answers shown."
    if mention is None:
        return "Choose which list your answer is about."
    if mention.title_id != title.pk:
        return "That listing is not one of this title's; choose one of the lists shown."
    allowed = UNRANKED_STANCES if is_unranked(mention) else RANKED_STANCES
    if stance not in allowed:
        if is_unranked(mention):
            return "That list recommends it without a rank: say whether it belongs there."
        return "That list ranks it: say whether it is ranked too high, about right or too low."
    return ""


def refused_stance(title, stance, mention):
    """
    stance_problem() as the model applies it to every write: a stance without a listing
    is still accepted in the old form ("agrees" or "disagrees with the list") that
    comments had before stances named a listing; the form asks for a listing.
    """
    if mention is None and stance in (Stance.AGREE, Stance.DISAGREE):
        return ""
    return stance_problem(title, stance, mention)


class CommentLimitReached(Exception):
    """A member tried to post beyond settings.COMMENTS_PER_MINUTE or COMMENTS_PER_DAY."""


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """Comments the public sees: not hidden by a moderator."""
        return self.filter(is_hidden=False)

    def threads(self):
        """Comments that start a thread: not replies (see reviews.models.community)."""
        return self.filter(parent__isnull=True)

    def with_author_tears(self):
        """With their authors and each one's current tear rating of the title (`author_tears`)."""
        author_tears = Rating.objects.filter(
            user=models.OuterRef("user_id"), title=models.OuterRef("title_id")
        )
        return self.select_related("user").annotate(
            author_tears=models.Subquery(author_tears.values("tears")[:1])
        )

    def on_title(self, title, order=("-created_at", "-pk")):
        """
        The threads of the title's visible comments as its page lists them (and the
        API): newest first unless `order` says otherwise, with their author, the
        listing they take a stance on, and the author's current tear rating of the title.
        """
        return (
            self.visible()
            .threads()
            .filter(title=title)
            .with_author_tears()
            .select_related("mention__source")
            .order_by(*order)
        )

    def post(
        self, user, title, body, is_spoiler=False, stance=Stance.NONE, mention=None, parent=None
    ):
        """
        Publish a comment; triggers count it in the title's stats and its stance in the
        listing's (MentionStats), or, for a reply (`parent`), in its thread's reply count.
        A stance that does not fit the listing is refused with ValueError (the form says
        why before it gets here); a reply takes no stance.
        """
        if parent is not None and stance != Stance.NONE:
            raise ValueError("A reply takes no stance on the list; the comment it answers may.")
        if problem := refused_stance(title, stance, mention):
            raise ValueError(problem)
        return self.create(
            user=user,
            title=title,
            body=body,
            is_spoiler=is_spoiler,
            stance=stance,
            mention=mention if stance != Stance.NONE else None,
            parent=parent,
        )

    def post_from_member(
        self, user, title, body, is_spoiler=False, stance=Stance.NONE, mention=None, parent=None
    ):
        """
        Post a comment as the comment form does: refused with CommentLimitReached past
        settings.COMMENTS_PER_MINUTE or COMMENTS_PER_DAY, and a double submit of the same
        text within a minute returns the comment already posted instead of a copy.

        The limits are counted from the comments table with the member's user row
        locked, so two posts at once from one member (even from two app processes)
        queue and cannot both slip under the limit. Deleted comments no longer count.
        The lock is FOR NO KEY UPDATE: PostgreSQL checks foreign keys at commit with
        FOR KEY SHARE, so a full FOR UPDATE here would deadlock with the same member's
        rating that holds the title's stats row and is committing.
        """
        now = timezone.now()
        minute_ago, day_ago = now - timedelta(minutes=1), now - timedelta(days=1)
        with transaction.atomic():
            get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
            recent = self.filter(user=user, created_at__gt=day_ago)
            duplicate = (
                recent.filter(title=title, body=body, parent=parent, created_at__gt=minute_ago)
                .order_by("-created_at")
                .first()
            )
            if duplicate is not None:
                return duplicate
            counts = recent.aggregate(
                day=Count("pk"), minute=Count("pk", filter=Q(created_at__gt=minute_ago))
            )
            minute, day = counts["minute"], counts["day"]
            if minute >= settings.COMMENTS_PER_MINUTE:
                raise CommentLimitReached(
                    f"You have posted {minute} comment{pluralize(minute)} in the last minute, "
                    "the most we allow. Please wait a minute and post again."
                )
            if day >= settings.COMMENTS_PER_DAY:
                raise CommentLimitReached(
                    f"You have posted {day} comment{pluralize(day)} in the last 24 hours, the "
                    "most we allow in a day. Please come back tomorrow."
                )
            return self.post(
                user,
                title,
                body,
                is_spoiler=is_spoiler,
                stance=stance,
                mention=mention,
                parent=parent,
            )


class Comment(models.Model):
    """A member's comment on a title, with a stance on the list's placement of it."""

    Stance = Stance

    # No index of their own: comment_user_recent and comment_title_newest start with
    # these columns and serve every lookup and cascade.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,
    )
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    body = models.TextField(max_length=5000)
    is_spoiler = models.BooleanField("contains spoilers", default=False)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.NONE)
    # Which of the title's listings the stance is about. Comments from before stances
    # named a listing have none; a listing a curator deletes leaves the stance without.
    mention = models.ForeignKey(
        Mention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        help_text="The listing (article, section, rank) the stance is about.",
    )
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # One level of replies: a reply always names the comment that starts its thread
    # (reviews.models.community.reply). Deleting that comment deletes its thread.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        db_index=False,
        help_text="The comment this one replies to; empty for a comment that starts a thread.",
    )
    # Kept by triggers (reviews/community_triggers.py), checked by recount_tears.
    reply_count = models.PositiveIntegerField(default=0, help_text="Visible replies.")
    mark_count = models.PositiveIntegerField(default=0, help_text="“This hit me too” marks.")

    objects = CommentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="comment_stance_known"
            ),
        ]
        indexes = [
            # A title page's comments, newest first (ORDER BY created_at DESC, id DESC
            # LIMIT 20 OFFSET n): the whole order, so nothing is left to sort. Also the
            # comment form's duplicate check (title, created_at >).
            models.Index(fields=["title", "-created_at", "-id"], name="comment_title_newest"),
            models.Index(fields=["user", "-created_at"], name="comment_user_recent"),
            models.Index(fields=["-created_at"], name="comment_recent"),
            # A title page's threads, most marked first; and a thread's replies in order.
            models.Index(
                fields=["title", "-mark_count", "-created_at", "-id"],
                condition=Q(parent__isnull=True),
                name="comment_title_most_marked",
            ),
            models.Index(fields=["parent", "created_at", "id"], name="comment_thread"),
        ]

    def __str__(self):
        return f"Comment by {self.user} on {self.title}"

    def _locked(self):
        """This comment's row, locked for the rest of the transaction (None if deleted)."""
        return type(self).objects.select_for_update().filter(pk=self.pk).first()

    @property
    def stance_text(self):
        """The stance in words, naming the listing: "Ranked too high: #2 movie in …"."""
        if self.stance == Stance.NONE:
            return ""
        mention = self.mention
        if mention is None:
            return self.get_stance_display()
        if self.stance == Stance.AGREE:
            said = "Belongs on the list" if is_unranked(mention) else "Ranked about right"
        else:
            said = self.get_stance_display()
        return f"{said}: {listing_name(mention)}"

    def edit(self, body, is_spoiler, stance, mention=None):
        """
        The author's edit: marked as edited (a changed stance or listing moves the
        counts). A stance that does not fit the listing is refused with ValueError.
        """
        if problem := refused_stance(self.title, stance, mention):
            raise ValueError(problem)
        with transaction.atomic():
            current = self._locked()
            if current is None:
                raise Comment.DoesNotExist
            self.body, self.is_spoiler, self.stance = body, is_spoiler, stance
            self.mention = mention if stance != Stance.NONE else None
            self.is_hidden = current.is_hidden
            self.edited_at = timezone.now()
            self.save(update_fields=["body", "is_spoiler", "stance", "mention", "edited_at"])

    def report_reasons(self):
        """
        The reasons members gave when they reported this comment, most given first, as
        labels: what its author is shown when a moderator hid it (moderators act on
        reports, and record no reason of their own).
        """
        reasons = (
            self.reports.order_by()
            .values("reason")
            .annotate(times=Count("pk"))
            .order_by("-times", "reason")
        )
        return [Report.Reason(row["reason"]).label for row in reasons]

    def remove(self):
        """The author deletes the comment; a visible one leaves the counts."""
        with transaction.atomic():
            current = self._locked()
            if current is None:
                return False
            current.delete()
            return True

    def hide(self):
        """A moderator hides the comment from every public page and count (reversible)."""
        return self._set_hidden(True)

    def restore(self):
        """A moderator makes a hidden comment public again."""
        return self._set_hidden(False)

    def _set_hidden(self, hidden):
        # Triggers move the title's counts and raise the content version, so every
        # page shows the decision at once.
        changed = (
            type(self).objects.filter(pk=self.pk, is_hidden=not hidden).update(is_hidden=hidden)
        )
        self.is_hidden = hidden
        return bool(changed)


class Report(models.Model):
    """A member's report of someone else's comment, waiting for a moderator."""

    class Reason(models.TextChoices):
        SPOILER = "spoiler", "Spoiler not marked"
        ABUSIVE = "abusive", "Abusive"
        SPAM = "spam", "Spam"
        OTHER = "other", "Other"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once_per_member"),
        ]
        indexes = [
            # The moderation queue starts from the reports no one has dismissed yet.
            models.Index(
                fields=["comment"], condition=Q(dismissed_at__isnull=True), name="report_open"
            ),
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id} by {self.reporter}"


class ReportedCommentQuerySet(CommentQuerySet):
    def with_open_reports(self):
        """
        Comments that members reported and no moderator has dismissed yet, each with
        `open_report_count`, most reported first: the moderation queue.
        """
        # Joined to the open reports only (one filter() call, so one inner join that
        # the count reuses), so the database starts from the open reports through
        # `report_open` instead of counting the reports of every comment on the site.
        return (
            self.filter(reports__dismissed_at__isnull=True, reports__id__isnull=False)
            .annotate(open_report_count=models.Count("reports"))
            .order_by("-open_report_count", "pk")
        )


class ReportedComment(Comment):
    """A comment as moderators see it in the queue: with the reports made about it."""

    objects = ReportedCommentQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "reported comment"

    def dismiss_reports(self):
        """Close the comment's open reports: the moderator found nothing to act on."""
        return self.reports.filter(dismissed_at__isnull=True).update(dismissed_at=timezone.now())
