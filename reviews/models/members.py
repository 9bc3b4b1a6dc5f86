"""
What members say about titles: tear ratings, comments, and reports of comments.

The numbers kept from them (TitleStats) follow every insert, change and delete of
these rows through database triggers (reviews/triggers.py), so the methods here only
write the rows themselves, and a save() or delete() from a shell or a cascade keeps
the numbers exact too.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from catalogue.models import Mention, Title
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
        update, or first when only its causes change), before anything that changes
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
            if changed:
                # The update's triggers take the title's stats row first, and move the
                # counts of the causes it names to its new tears.
                rating = self._change(before.pk, fields)
            else:
                lock_title_stats(title.pk)
                rating = before
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
