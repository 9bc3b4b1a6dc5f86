"""
Titles members suggest for the catalogue, and what curators decide about them: accept
(an unpublished title filled from the suggestion, to finish and publish), merge into
a title we already have, or decline with a reason.

Members' limits (open suggestions at once, suggestions a day) are counted from this
table with the member's user row locked, so they hold across every app process.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify

from catalogue import search
from catalogue.models import FIRST_ANIME_YEAR, LAST_PLAUSIBLE_YEAR, Title

YEAR_MESSAGE = f"A year from {FIRST_ANIME_YEAR} to {LAST_PLAUSIBLE_YEAR}, when it was first shown."


class SuggestionLimitReached(Exception):
    """A member tried to suggest beyond SUGGESTIONS_OPEN or SUGGESTIONS_PER_DAY."""


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Suggestion.State.OPEN)

    def matching(self, *names):
        """
        Titles and open suggestions with any of `names`, ignoring case, accents and
        punctuation ("clannad after-story" is Clannad After Story): two queries.
        """
        folded = {search.fold(name) for name in names if search.fold(name)}
        if not folded:
            return [], []
        same = Q()
        for name in folded:
            same |= Q(search_key__contains=f"| {name} |")
        titles = list(Title.objects.filter(same).order_by("name")[:5])
        suggestions = list(self.open().filter(same).order_by("name")[:5])
        return titles, suggestions

    def credited_member(self):
        """
        For a title (OuterRef "pk"): the name of the member whose accepted suggestion
        it came from, as a subquery, so a page credits them without a query of its own.
        """
        accepted = self.filter(title=OuterRef("pk"), state=Suggestion.State.ACCEPTED)
        return Subquery(accepted.order_by("pk").values("user__username")[:1])

    def submit(self, user, **fields):
        """
        Save `user`'s suggestion, refused with SuggestionLimitReached when they have
        settings.SUGGESTIONS_OPEN waiting already or made SUGGESTIONS_PER_DAY in the last
        24 hours. The member's row is locked (FOR NO KEY UPDATE, as comments do) so two
        submits at once queue and cannot both slip under a limit.
        """
        with transaction.atomic():
            get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
            mine = self.filter(user=user)
            day = mine.filter(created_at__gt=timezone.now() - timedelta(days=1)).count()
            waiting = mine.open().count()
            if waiting >= settings.SUGGESTIONS_OPEN:
                raise SuggestionLimitReached(
                    f"You have {waiting} suggestions waiting for a curator, the most we keep "
                    "open per member. Please wait until one is decided."
                )
            if day >= settings.SUGGESTIONS_PER_DAY:
                raise SuggestionLimitReached(
                    f"You have made {day} suggestions in the last 24 hours, the most we take "
                    "in a day. Please come back tomorrow."
                )
            return self.create(user=user, **fields)


def http_link(value):
    """Only web addresses: a javascript: or data: link must never reach a page."""
    URLValidator(
        schemes=["http", "https"], message="Give a web address starting with http:// or https://."
    )(value)


class Suggestion(models.Model):
    """A title a member thinks belongs in the catalogue, in their own words."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting for a curator"
        ACCEPTED = "accepted", "Accepted"
        MERGED = "merged", "Already in the catalogue"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    name = models.CharField("English name", max_length=200)
    original_name = models.CharField("original (romaji) name", max_length=200, blank=True)
    other_names = models.TextField(blank=True, help_text="Other known names, one per line.")
    kind = models.CharField(max_length=10, choices=Title.Kind.choices)
    year = models.PositiveSmallIntegerField(
        help_text="Year of first release.",
        validators=[
            MinValueValidator(FIRST_ANIME_YEAR, YEAR_MESSAGE),
            MaxValueValidator(LAST_PLAUSIBLE_YEAR, YEAR_MESSAGE),
        ],
    )
    studio = models.CharField(max_length=200, blank=True)
    episodes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "A series has at least one episode.")],
    )
    runtime_minutes = models.PositiveSmallIntegerField(
        "running time (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "A running time is at least one minute.")],
    )
    why_it_hurts = models.TextField(
        "why it makes people cry", max_length=2000, help_text="In your own words, spoiler-free."
    )
    seen_at = models.URLField(
        "where you saw it recommended",
        max_length=500,
        blank=True,
        validators=[http_link],
        help_text="Optional: a link to the article or list.",
    )
    search_key = search.SearchKeyField(
        sources=("name", "original_name", "other_names"), editable=False, default=""
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    title = models.ForeignKey(
        Title,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        help_text="The title it became, or the one it was merged into.",
    )
    decline_reason = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    # What the member writes, in the order the form asks for it.
    MEMBER_FIELDS = [
        "name",
        "original_name",
        "other_names",
        "kind",
        "year",
        "studio",
        "episodes",
        "runtime_minutes",
        "why_it_hurts",
        "seen_at",
    ]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "accepted", "merged", "declined"]),
                name="suggestion_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="suggestion_declined_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="suggestion_user_recent"),
            models.Index(fields=["state", "created_at"], name="suggestion_queue"),
        ]

    def __str__(self):
        return f"{self.name} ({self.year}), suggested by {self.user}"

    def clean(self):
        if self.kind == Title.Kind.MOVIE and self.episodes and self.episodes > 1:
            raise ValidationError({"episodes": "A movie has no episodes; give its running time."})

    def _decide(self, state, **fields):
        if self.state != self.State.OPEN:
            raise ValidationError(
                f"This suggestion was already decided ({self.get_state_display()})."
            )
        self.state, self.decided_at = state, timezone.now()
        for name, value in fields.items():
            setattr(self, name, value)
        self.save()

    def accept(self):
        """
        Create the unpublished title the suggestion describes, for a curator to finish
        (synopsis, themes) and publish; the member is credited once it is published.
        """
        with transaction.atomic():
            slug = base = slugify(self.name)[:110] or "title"
            number = 2
            while Title.objects.filter(slug=slug).exists():
                slug, number = f"{base}-{number}", number + 1
            title = Title.objects.create(
                slug=slug,
                name=self.name,
                original_name=self.original_name,
                other_names=self.other_names,
                kind=self.kind,
                year=self.year,
                studio=self.studio,
                episodes=self.episodes,
                runtime_minutes=self.runtime_minutes,
                synopsis="",
                why_it_hurts="",
                is_published=False,
            )
            self._decide(self.State.ACCEPTED, title=title)
            return title

    def merge_into(self, title):
        """The suggested title is one we have: point the member to it."""
        self._decide(self.State.MERGED, title=title)

    def decline(self, reason):
        reason = " ".join(reason.split())
        if not reason:
            raise ValidationError({"decline_reason": "Say why, for the member to read."})
        self._decide(self.State.DECLINED, decline_reason=reason)
