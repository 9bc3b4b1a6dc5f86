"""
What members say about titles: tear ratings, comments, and reports of comments.

Every write that changes a title's numbers goes through the model methods here,
which update catalogue.TitleStats in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogue.models import Title


class TearLevel(models.IntegerChoices):
    """The tear scale: 0 to 5, always shown with its name."""

    DRY_EYES = 0, "Dry eyes"
    LUMP_IN_THE_THROAT = 1, "Lump in the throat"
    MISTY_EYED = 2, "Misty-eyed"
    A_FEW_TEARS = 3, "A few tears"
    SOBBING = 4, "Sobbing"
    CRIED_A_RIVER = 5, "Cried a river"


class Rating(models.Model):
    """One member's tear rating of one title."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="ratings")
    tears = models.PositiveSmallIntegerField(choices=TearLevel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="rating_one_per_member"),
            models.CheckConstraint(
                condition=Q(tears__gte=0) & Q(tears__lte=5), name="rating_tears_0_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["title", "tears"], name="rating_title_tears"),
            models.Index(fields=["user", "-updated_at"], name="rating_user_recent"),
        ]

    def __str__(self):
        return f"{self.user} rated {self.title}: {self.tears}"


class Comment(models.Model):
    """A member's comment on a title, with a stance on the list's placement of it."""

    class Stance(models.TextChoices):
        NONE = "none", "No stance"
        AGREE = "agree", "Agrees with the list"
        DISAGREE = "disagree", "Disagrees with the list"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=5000)
    is_spoiler = models.BooleanField("contains spoilers", default=False)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.NONE)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=["none", "agree", "disagree"]), name="comment_stance_known"
            ),
        ]
        indexes = [
            models.Index(fields=["title", "-created_at"], name="comment_title_recent"),
            models.Index(fields=["user", "-created_at"], name="comment_user_recent"),
            models.Index(fields=["-created_at"], name="comment_recent"),
        ]

    def __str__(self):
        return f"Comment by {self.user} on {self.title}"


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

    def __str__(self):
        return f"Report on comment {self.comment_id} by {self.reporter}"
