"""
Who holds which name (the rule that no two members look alike lives here), the titles
members bring from other sites, and members' sessions.
"""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.usernames import fold


class UsernameKeyQuerySet(models.QuerySet):
    def holder_of(self, username):
        """The member whose name looks like `username`, or None."""
        key = self.filter(key=fold(username)).select_related("user").first()
        return key.user if key else None


class UsernameKey(models.Model):
    """
    A member's username folded (accounts.usernames.fold), unique: `Alice` and `аlice`
    (Cyrillic а) fold to the same key, so the database itself refuses the second one,
    even when both sign up at the same moment.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="username_key"
    )
    key = models.CharField(max_length=150, unique=True)

    objects = UsernameKeyQuerySet.as_manager()

    def __str__(self):
        return self.key


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.username_key")
def keep_username_key(sender, instance, created, update_fields, raw=False, **kwargs):
    """
    Django's user model is saved by sign-up, the admin, createsuperuser and the shell
    alike; this receiver is the one place all of them pass through, so every new or
    renamed account takes its key in the same transaction (a clash raises
    IntegrityError and undoes the save). Saves of other fields (last_login on each
    sign-in) cost nothing.
    """
    if raw or not (created or update_fields is None or "username" in update_fields):
        return
    UsernameKey.objects.update_or_create(user=instance, defaults={"key": fold(instance.username)})


class ImportedTitle(models.Model):
    """
    A title a member says they have seen, brought from another site's list: it waits
    in their "seen it, rate it" queue until they rate it. Nothing is rated for them: a
    score on another site says how good, not how sad.
    """

    class Origin(models.TextChoices):
        MYANIMELIST = "myanimelist", "MyAnimeList"
        ANILIST = "anilist", "AniList"
        SADLIST = "sadlist", "Sadlist"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_titles"
    )
    title = models.ForeignKey("catalogue.Title", on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=12, choices=Origin.choices)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="imported_title_once"),
        ]

    def __str__(self):
        return f"{self.user} has seen {self.title_id} ({self.origin})"


class Session(AbstractBaseSession):
    """
    A visitor's session (Django's, through accounts.sessions), with the member it is
    signed in as beside its data, so that one statement reads both on every request.

    `user_id` is a plain column, not a foreign key: deleting a member leaves their
    sessions alone, and such a session finds no member, so it is nobody's. It is
    written from the session's data each time the session is saved; sessions saved
    before it existed hold NULL until they are saved again.
    """

    user_id = models.BigIntegerField(null=True)

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
