"""
Tear ratings: what a member says of how hard a title made them cry, and what they tell
with it (reviews.models.insights).

The numbers kept from them (TitleStats, TitleInsights) follow every insert, change and
delete of these rows through database triggers (reviews/triggers.py), so the methods
here only write the rows themselves, and a save() or delete() from a shell or a cascade
keeps the numbers exact too.
"""

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from catalogue.models import Title
from reviews.models.insights import (
    EXTRAS_CONSTRAINTS,
    Cause,
    Ending,
    Quality,
    RatingCause,
    lock_title_stats,
)
from reviews.models.title_stats import TearPrior
from sadlist.rows import instance_from_row, select_list, select_one

TITLE_TABLE = Title._meta.db_table


class TearLevel(models.IntegerChoices):
    """The tear scale: 0 to 5, always shown with its name."""

    DRY_EYES = 0, "Dry eyes"
    LUMP_IN_THE_THROAT = 1, "Lump in the throat"
    MISTY_EYED = 2, "Misty-eyed"
    A_FEW_TEARS = 3, "A few tears"
    SOBBING = 4, "Sobbing"
    CRIED_A_RIVER = 5, "Cried a river"


class CauseNotOffered(ValueError):
    """A rating named causes that are not, or no longer, offered; nothing was saved."""

    def __init__(self, cause_ids):
        self.cause_ids = sorted(cause_ids)
        named = ", ".join(str(pk) for pk in self.cause_ids)
        super().__init__(f"Only causes still offered can be named, and {named} is not.")


class RatingQuerySet(models.QuerySet):
    def rate(self, user, title, tears):
        """
        Give `title` a rating of `tears` from `user`, or change the tears they gave,
        keeping what else they told (`tell` replaces that too).

        The rating and the title's stats change in one statement (the stats through
        triggers). Two requests from the same member at once (a double submit) end with
        one rating: the upsert makes the second one a change of the first. Dry eyes
        take `tell`'s way: the causes and the moment go with them.
        `rating.is_new` says whether it was there before.
        """
        tears = TearLevel(tears).value
        if not tears:
            return self.tell(user, title, 0, keep_extras=True)
        rating = self._upsert(user, title, tears)
        if rating is None:
            # The member had rated it so already, and nothing was written (unless
            # they removed it in another request just now: then it goes in again).
            rating = self._read(user, title) or self._upsert(user, title, tears)
            rating.is_new = False
        rating.title = title
        # Only ratings move the site's mean, so they are what looks at the prior: once
        # this one is in (at once, or when an enclosing transaction commits).
        transaction.on_commit(TearPrior.refresh_if_due)
        return rating

    def rate_published(self, user, slug, tears):
        """
        `rate`, for the published title at `slug`, in one statement that finds the title
        as it writes (the rating form's way: its address is all it has). Returns the
        rating written, or None when nothing was: there is no published title at
        `slug`, the tears are dry eyes (`tell`'s way), or the member had rated it so
        already. The caller then reads the title and takes `rate`, which tells these
        apart.
        """
        tears = TearLevel(tears).value
        if not tears:
            return None
        rating = self._upsert(user, None, tears, slug=slug)
        if rating is not None:
            transaction.on_commit(TearPrior.refresh_if_due)
        return rating

    def tell(
        self,
        user,
        title,
        tears,
        cause_ids=(),
        moment=None,
        quality=None,
        ending=None,
        keep_extras=False,
    ):
        """
        Rate `title` with `tears` and replace the extras told before with these (or,
        with `keep_extras`, keep the quality and ending told before). Checked by the
        caller (reviews.insights.extras_problem), except that the causes must still be
        offered: a cause unknown or retired raises CauseNotOffered (a ValueError), and
        nothing is saved.
        Causes a curator retired since the member named them stay, out of view.
        Dry eyes have no causes and no moment: they go, retired causes too.

        Written SQL, a few statements in all, in the triggers' lock order
        (reviews/insight_triggers.py): the rating row first (inserted, or held by the
        insert that found it there), then the title's stats row (taken by the rating's
        update when its tears move, and first otherwise), before anything that changes
        the extras; a double submit reads and writes nothing more. The causes added are
        checked as they are linked, last: one not offered rolls everything back.
        """
        tears = TearLevel(tears).value
        cause_ids = set() if not tears else set(cause_ids)
        if not tears:
            moment = None
        with transaction.atomic():
            transaction.on_commit(TearPrior.refresh_if_due)
            # Most ratings told about are new: the insert comes first, and a rating that
            # is there already makes it write nothing.
            rating = self._upsert(user, title, tears, moment, quality, ending, change=False)
            if rating is not None:
                self._link_causes(rating.pk, cause_ids)
                rating.title = title
                return rating
            before, named, retired = self._told(user, title)
            if before is None:
                # Another request of theirs removed it between the insert and the read:
                # it is new again.
                return self.tell(
                    user, title, tears, cause_ids, moment, quality, ending, keep_extras
                )
            if keep_extras:
                quality, ending = before.quality, before.ending
            fields = {"tears": tears, "moment": moment, "quality": quality, "ending": ending}
            changed = any(getattr(before, name) != value for name, value in fields.items())
            gone = (named | retired) if not tears else named - cause_ids
            added = cause_ids - named
            before.title, before.is_new = title, False
            if not (changed or gone or added):
                return before
            if tears == before.tears:
                # The update's triggers take the title's stats row only when the tears
                # move: a change of the extras alone, or of the causes alone, takes it
                # here, before its insights and cause rows.
                lock_title_stats(title.pk)
            # Otherwise the update's triggers take the title's stats row first, and
            # move the counts of the causes it names to its new tears.
            rating = self._change(before.pk, fields) if changed else before
            # So the causes that go are uncounted, and those that come counted, with the
            # tears the rating has now.
            self._unlink_causes(rating.pk, gone)
            self._link_causes(rating.pk, added)
            rating.title, rating.is_new = title, False
            return rating

    def _upsert(
        self, user, title, tears, moment=None, quality=None, ending=None, change=True, slug=None
    ):
        """
        One INSERT … ON CONFLICT DO UPDATE: a rating is one statement and one round trip
        to the database, where a lock, a savepoint and a commit took five. The stats'
        triggers fire for the insert or for the update, whichever it became (for the
        insert in the order of their names: the title's stats, then its insights, the
        lock order everywhere). A change sets the tears only. Returns the rating, or None
        when it already had these tears (then nothing is written). Without `change`, a
        rating that is there already is left as it is (None) and held until the
        transaction ends (an upsert's update locks the row it finds even when its WHERE
        keeps it from changing it; on SQLite, the writer holds the database). Given
        `slug` instead of `title`, the rating is of the published title there (None if
        there is none).
        """
        table = connection.ops.quote_name(self.model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        told = [tears, moment, quality, ending, now, now]
        if slug is None:
            source = "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            values = [user.pk, title.pk, *told]
        else:
            # A SELECT with a WHERE, as SQLite needs before ON CONFLICT.
            source = (
                f"SELECT %s, id, %s, %s, %s, %s, %s, %s FROM {TITLE_TABLE} "  # noqa: S608
                "WHERE slug = %s AND is_published"
            )
            values = [user.pk, *told, slug]
        # The names come from the models; every value is a parameter.
        upsert = (
            f"INSERT INTO {table} (user_id, title_id, tears, moment, quality, ending, "  # noqa: S608
            f"created_at, updated_at) {source} "
            "ON CONFLICT (user_id, title_id) "
            + (
                "DO UPDATE SET tears = excluded.tears, updated_at = excluded.updated_at "
                f"WHERE {table}.tears <> excluded.tears "
                if change
                else f"DO UPDATE SET tears = {table}.tears WHERE 1 = 0 "
            )
            + f"RETURNING {select_list(self.model)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(upsert, values)
            row = cursor.fetchone()
        if row is None:
            return None
        rating = instance_from_row(self.model, row)
        # Inserted: both times are this statement's; a change keeps when it was created.
        rating.is_new = rating.created_at == rating.updated_at
        return rating

    def _read(self, user, title):
        """
        `user`'s rating of `title` (None if there is none), read as the upsert returns
        it: a double submit's second request reads it here, costing what the first did.
        """
        return select_one(self.model, ["user_id", "title_id"], [user.pk, title.pk])

    def _told(self, user, title):
        """
        `user`'s rating of `title` with the causes it names that are still offered and
        those a curator retired since, in one read (None and two empty sets if there is
        none). Read once the insert that found the rating there holds its row: no other
        request can change the rating or its causes before this transaction ends. (A
        read that itself waited for the row would see the causes as they were before
        the wait.)
        """
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                # The names come from the models; every value is a parameter.
                f"SELECT {select_list(self.model, 'rating')}, cause.id, cause.is_retired "  # noqa: S608
                f"FROM {table} rating "
                "LEFT JOIN reviews_ratingcause link ON link.rating_id = rating.id "
                "LEFT JOIN reviews_cause cause ON cause.id = link.cause_id "
                "WHERE rating.user_id = %s AND rating.title_id = %s",
                [user.pk, title.pk],
            )
            rows = cursor.fetchall()
        named, retired = set(), set()
        if not rows:
            return None, named, retired
        for *_, cause_id, is_retired in rows:
            if cause_id is not None:
                (retired if is_retired else named).add(cause_id)
        return instance_from_row(self.model, rows[0][:-2]), named, retired

    @staticmethod
    def _link_causes(rating_id, cause_ids):
        """
        Link the rating to `cause_ids`, each of which must be offered (neither unknown
        nor retired): the insert takes them from the causes offered, and when fewer go
        in than were asked for, CauseNotOffered is raised, so the caller's transaction
        rolls back. (None of them is linked already: the caller holds the rating's row
        and links only causes it does not name.)
        """
        if not cause_ids:
            return
        marks = ", ".join(["%s"] * len(cause_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO reviews_ratingcause (rating_id, cause_id) "  # noqa: S608
                f"SELECT %s, id FROM reviews_cause WHERE NOT is_retired AND id IN ({marks}) "
                "ON CONFLICT DO NOTHING RETURNING cause_id",
                [rating_id, *sorted(cause_ids)],
            )
            linked = {cause_id for (cause_id,) in cursor.fetchall()}
        if linked != set(cause_ids):
            raise CauseNotOffered(set(cause_ids) - linked)

    @staticmethod
    def _unlink_causes(rating_id, cause_ids):
        if cause_ids:
            marks = ", ".join(["%s"] * len(cause_ids))
            delete = (
                f"DELETE FROM reviews_ratingcause WHERE rating_id = %s AND cause_id IN ({marks})"  # noqa: S608, E501
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    delete,
                    [rating_id, *sorted(cause_ids)],
                )

    def _change(self, rating_id, fields):
        """UPDATE the rating's `fields` (and its time) and return it as it is now."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        fields = {**fields, "updated_at": connection.ops.adapt_datetimefield_value(timezone.now())}
        assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        with connection.cursor() as cursor:
            # The names come from the model's fields; every value is a parameter.
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE id = %s "  # noqa: S608
                f"RETURNING {select_list(self.model)}",
                [*fields.values(), rating_id],
            )
            return instance_from_row(self.model, cursor.fetchone())

    def unrate(self, user, title):
        """Remove `user`'s rating of `title`; True if there was one."""
        with transaction.atomic():
            transaction.on_commit(TearPrior.refresh_if_due)
            rating = self.select_for_update().filter(user=user, title=title).first()
            if rating is None:
                return False
            # Its causes go first (a cascade), and they count on the title's rows.
            lock_title_stats(title.pk)
            rating.delete()
            return True


class Rating(models.Model):
    """One member's tear rating of one title."""

    # No index of their own: rating_one_per_member (user, title) and rating_title_tears
    # (title, tears) start with these columns and serve every lookup and cascade, and
    # each index less is one less to write on every rating.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ratings",
        db_index=False,
    )
    title = models.ForeignKey(
        Title, on_delete=models.CASCADE, related_name="ratings", db_index=False
    )
    tears = models.PositiveSmallIntegerField(choices=TearLevel.choices)
    # The optional extras (reviews/models/insights.py): where it hit hardest (an
    # episode, or a tenth of a movie), how good it was, how it ends, what made them cry.
    moment = models.PositiveSmallIntegerField(null=True, blank=True)
    quality = models.PositiveSmallIntegerField(choices=Quality.choices, null=True, blank=True)
    # NULL: no vote (the triggers count IS NOT NULL), kept apart from any value.
    ending = models.CharField(max_length=12, choices=Ending.choices, null=True, blank=True)  # noqa: DJ001
    causes = models.ManyToManyField(Cause, through=RatingCause, related_name="ratings", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "title"], name="rating_one_per_member"),
            models.CheckConstraint(
                condition=Q(tears__gte=0) & Q(tears__lte=5), name="rating_tears_0_to_5"
            ),
            *EXTRAS_CONSTRAINTS,
        ]
        indexes = [
            models.Index(fields=["title", "tears"], name="rating_title_tears"),
            models.Index(fields=["user", "-updated_at"], name="rating_user_recent"),
        ]

    def __str__(self):
        return f"{self.user} rated {self.title}: {self.tears}"
