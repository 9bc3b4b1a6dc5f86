"""
The catalogue: titles, their themes, the articles that listed them, and the
per-title tear statistics that pages read instead of aggregating ratings.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.functional import cached_property

FIRST_ANIME_YEAR = 1917
LAST_PLAUSIBLE_YEAR = 2100


class Theme(models.Model):
    """What a title is about (grief, war, first love, …); titles have one or more."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalogue:theme", args=[self.slug])


class Source(models.Model):
    """A published list of sad anime that the catalogue comes from."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, help_text="The article's title, as its text names it.")
    publisher = models.CharField(max_length=100, blank=True)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TitleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def search(self, text):
        """Titles whose English, original or other names contain `text`, ignoring case."""
        text = " ".join(text.split())
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(original_name__icontains=text)
            | Q(other_names__icontains=text)
        )

    def with_stats(self, site_mean=None):
        """
        Join the per-title stats and annotate the tear score.

        tear_score = (rating_sum + m * C) / (rating_count + m), where C is the
        site-wide mean rating (`site_mean`, read from SiteStats) and m is
        settings.TEAR_SCORE_PRIOR_WEIGHT: a title needs about m ratings before its
        own mean outweighs the site's, so one enthusiastic vote cannot top the chart.
        A title without ratings scores exactly C.
        """
        if site_mean is None:
            site_mean = SiteStats.current().mean
        weight = settings.TEAR_SCORE_PRIOR_WEIGHT
        count = Coalesce(F("stats__rating_count"), 0)
        total = Coalesce(F("stats__rating_sum"), 0)
        return self.select_related("stats").annotate(
            tear_score=(Cast(total, models.FloatField()) + Value(weight * site_mean))
            / Cast(count + Value(weight), models.FloatField()),
            dispute_share=Case(
                When(
                    stats__stance_count__gt=0,
                    then=Cast(F("stats__disagree_count"), models.FloatField())
                    / Cast(F("stats__stance_count"), models.FloatField()),
                ),
                default=Value(0.0),
                output_field=models.FloatField(),
            ),
        )

    def with_counts(self):
        """
        Annotate rating_count, comment_count and stance_count from the per-title
        stats, as 0 when a title has no stats row yet, so pages and sorts never
        meet a missing row.
        """
        return self.annotate(
            rating_count=Coalesce(F("stats__rating_count"), 0),
            comment_count=Coalesce(F("stats__comment_count"), 0),
            stance_count=Coalesce(F("stats__stance_count"), 0),
        )

    def with_article_rank(self):
        """
        Annotate article_rank: the best (lowest) rank any source article gave the
        title, or None for a title no article ranked.
        """
        best_rank = Mention.objects.filter(title=OuterRef("pk")).order_by("rank").values("rank")
        return self.annotate(article_rank=Subquery(best_rank[:1]))

    def kind_counts(self):
        """{kind: number of titles}, in one grouped query."""
        rows = self.order_by().values("kind").annotate(number=Count("pk"))
        return {row["kind"]: row["number"] for row in rows}

    def sharing_themes_with(self, title, theme_ids):
        """
        Other titles that share at least one of `theme_ids` (the title's themes),
        the most shared themes first, then the highest tear score. Needs with_stats().
        """
        return (
            self.exclude(pk=title.pk)
            .filter(themes__in=theme_ids)
            .annotate(shared_themes=Count("themes"))
            .order_by("-shared_themes", F("tear_score").desc(), "name", "pk")
        )

    def rated_high_by_fans_of(self, title, fans_considered=200):
        """
        Other titles that members who rated `title` 4 or 5 also rated 4 or 5, the
        most such members first, annotated fan_count.

        Only `fans_considered` high ratings of `title` are read, the 5s before the
        4s, straight from the (title, tears) index in its order, so the query stays
        bounded however many ratings the title has. (Ordering them by date as well
        would make the database read and sort every high rating of the title.)
        """
        from reviews.models import Rating  # reviews imports this module: import late

        fans = (
            Rating.objects.filter(title=title, tears__gte=4)
            .order_by("-tears")
            .values("user_id")[:fans_considered]
        )
        return (
            self.exclude(pk=title.pk)
            .filter(ratings__user_id__in=fans, ratings__tears__gte=4)
            .annotate(fan_count=Count("ratings"))
            .order_by("-fan_count", "name", "pk")
        )


class Title(models.Model):
    """An anime movie or series in the catalogue."""

    class Kind(models.TextChoices):
        MOVIE = "movie", "Movie"
        SERIES = "series", "Series"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField("English name", max_length=200)
    original_name = models.CharField("original (romaji) name", max_length=200, blank=True)
    other_names = models.TextField(
        blank=True, help_text="Other known names, one per line; search finds them too."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(help_text="Year of first release.")
    studio = models.CharField(max_length=200, blank=True)
    episodes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Number of episodes, for series."
    )
    runtime_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Running time of a movie, in minutes."
    )
    synopsis = models.TextField(help_text="Spoiler-free, in our own words.")
    why_it_hurts = models.TextField(blank=True, help_text="What makes it hurt, spoiler-free.")
    themes = models.ManyToManyField(Theme, related_name="titles")
    poster = models.ImageField(upload_to="posters/", blank=True)
    poster_thumbnail = models.ImageField(upload_to="posters/thumbs/", blank=True, editable=False)
    cover = models.ImageField(
        upload_to="covers/",
        blank=True,
        editable=False,
        help_text="Generated picture shown until a poster is uploaded.",
    )
    is_published = models.BooleanField("published", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TitleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_ANIME_YEAR) & Q(year__lte=LAST_PLAUSIBLE_YEAR),
                name="title_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(episodes__isnull=True) | Q(episodes__gt=0),
                name="title_episodes_positive",
            ),
            models.CheckConstraint(
                condition=Q(runtime_minutes__isnull=True) | Q(runtime_minutes__gt=0),
                name="title_runtime_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["movie", "series"]), name="title_kind_known"
            ),
        ]
        indexes = [
            # Browse sorted by name and the admin's list of titles (ORDER BY name, id
            # LIMIT n): read in this order, stopping after one page, instead of sorting
            # every title. (Browse sorted by year has no such index on purpose: SQLite,
            # which has no planner statistics, would use it for every year filter too,
            # 2.5 times slower for a wide range such as "from 2000"; bench/README.md.)
            models.Index(fields=["name", "id"], name="title_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """
        Save, then make sure the generated cover matches the name, kind and year.

        The poster's files follow the row. The poster a save replaces or clears is
        read from the row, locked first, rather than from this instance: of two
        curators replacing the poster at once, the second replaces the first's files,
        not the ones both saw, and a save that did not touch the poster keeps whatever
        is stored now instead of writing back an older one. The replaced files are
        deleted once the save commits, so a rolled-back save keeps them; the new
        files are deleted if the save itself fails.
        """
        from catalogue.covers import cover_name, make_cover
        from catalogue.posters import (
            delete_files_on_commit,
            poster_file_names,
            save_card_renditions,
        )

        update_fields = kwargs.get("update_fields")
        saves_poster = update_fields is None or "poster" in update_fields
        storage = self.poster.storage
        with transaction.atomic():
            stored = None
            if saves_poster and self.pk is not None:
                stored = (
                    Title.objects.select_for_update()
                    .filter(pk=self.pk)
                    .values_list("poster", "poster_thumbnail")
                    .first()
                )
            loaded = getattr(self, "_loaded_poster", None)
            new_file = not self.poster._committed
            changed_here = new_file or self.poster.name != loaded
            if stored is not None and not changed_here and stored[0] != loaded:
                # Replaced by someone else since this instance was read: keep theirs.
                self.poster.name, self.poster_thumbnail.name = stored
            try:
                super().save(*args, **kwargs)
                renditions = getattr(self, "_new_renditions", None)
                if renditions and self.poster:
                    save_card_renditions(storage, self.poster.name, renditions)
            except Exception:
                if new_file:
                    for name in poster_file_names(self.poster.name, self.poster_thumbnail.name):
                        storage.delete(name)
                raise
            self._new_renditions = None
            self._loaded_poster = self.poster.name
            if stored is not None and changed_here:
                kept = {self.poster.name, self.poster_thumbnail.name}
                replaced = [name for name in poster_file_names(*stored) if name not in kept]
                delete_files_on_commit(storage, replaced)
        if self.cover.name != cover_name(self):
            make_cover(self)

    def get_absolute_url(self):
        return reverse("catalogue:title", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values):
        title = super().from_db(db, field_names, values)
        # The poster as loaded, to tell a poster changed here from one changed elsewhere.
        title._loaded_poster = dict(zip(field_names, values, strict=True)).get("poster")
        return title

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using, fields, from_queryset)
        if fields is None or "poster" in fields:
            self._loaded_poster = self.poster.name

    def set_poster(self, poster):
        """
        Use `poster` (a checked `catalogue.posters.Poster`), or clear the poster with
        None; `save` stores its files and deletes those of the poster it replaces.
        """
        self.poster = poster.image if poster else ""
        self.poster_thumbnail = poster.thumbnail if poster else ""
        self._new_renditions = poster.renditions if poster else None

    @property
    def other_names_list(self):
        return [name.strip() for name in self.other_names.splitlines() if name.strip()]

    @cached_property
    def has_poster(self):
        """True when a poster was uploaded and its file is really there."""
        return bool(self.poster) and self.poster.storage.exists(self.poster.name)

    @property
    def picture(self):
        """The image to show: the poster if a curator uploaded one, else the generated cover."""
        return self.poster if self.has_poster else self.cover

    @cached_property
    def card_picture(self):
        """
        What a card shows, as a `catalogue.posters.CardPicture`: the poster's card
        renditions, else (a poster stored before they were made) its thumbnail, else
        the generated cover's renditions or the cover itself. Never the full poster,
        which is ten times the size a card needs. None when there is no picture at all.
        """
        from catalogue.posters import CardPicture, card_picture

        if self.has_poster:
            picture = card_picture(self.poster, self.picture_alt)
            if picture is None and self.poster_thumbnail:
                picture = CardPicture("", "", self.poster_thumbnail.url, self.picture_alt)
            if picture is not None:
                return picture
        if not self.cover:
            return None
        alt = f"Generated cover for {self.name}"
        return card_picture(self.cover, alt) or CardPicture("", "", self.cover.url, alt)

    @property
    def picture_alt(self):
        if self.has_poster:
            return f"Poster of {self.name}"
        return f"Generated cover for {self.name}"


class Mention(models.Model):
    """Provenance: where a source article listed a title, in which section, at which rank."""

    class Section(models.TextChoices):
        MOVIES = "movies", "movies"
        SERIES = "series", "series"
        ALSO = "also", "also recommended"
        RANKED = "ranked", "ranked list"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="mentions")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mentions")
    section = models.CharField(max_length=10, choices=Section.choices)
    rank = models.PositiveSmallIntegerField()
    listed_as = models.CharField(
        max_length=200, blank=True, help_text="The name the article used, if it differs."
    )

    class Meta:
        ordering = ["source", "section", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "section", "rank"], name="mention_one_title_per_rank"
            ),
            models.UniqueConstraint(
                fields=["source", "section", "title"], name="mention_title_once_per_section"
            ),
            models.CheckConstraint(condition=Q(rank__gt=0), name="mention_rank_positive"),
        ]

    def __str__(self):
        return f"#{self.rank} {self.get_section_display()} in {self.source}"

    @property
    def description(self):
        """'#1 movie in …', '#3 in …', 'also recommended in …'."""
        if self.section == self.Section.ALSO:
            return "Also recommended"
        noun = {"movies": "movie", "series": "series", "ranked": ""}[self.section]
        return f"#{self.rank} {noun}".rstrip()


def whole_percentages(counts):
    """
    Whole-number percentages of `counts` that add up to exactly 100 (or all 0 when
    nothing is counted): each share is rounded down, and the points still missing go
    to the largest remainders, ties to the earlier position.
    """
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [count * 100 / total for count in counts]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(shares)]:
        shares[i] += 1
    return shares


class TitleStats(models.Model):
    """
    Running totals of a title's ratings and comments, kept exact by the code that
    writes ratings and comments (in the same transaction), so that no page has to
    aggregate over the ratings table. A missing row means all zeros; recount_tears
    rebuilds every row from the ratings and comments themselves.
    """

    title = models.OneToOneField(
        Title, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    tears_0 = models.PositiveIntegerField(default=0)
    tears_1 = models.PositiveIntegerField(default=0)
    tears_2 = models.PositiveIntegerField(default=0)
    tears_3 = models.PositiveIntegerField(default=0)
    tears_4 = models.PositiveIntegerField(default=0)
    tears_5 = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0, help_text="Visible comments.")
    stance_count = models.PositiveIntegerField(
        default=0, help_text="Visible comments that agree or disagree with the list."
    )
    disagree_count = models.PositiveIntegerField(default=0)

    # No index on the counters: every rating and comment changes them, and no page's
    # query can use one (catalogue/migrations/0004_drop_unused_stats_indexes.py).
    class Meta:
        verbose_name_plural = "title stats"

    def __str__(self):
        return f"Stats for {self.title_id}"

    @property
    def distribution(self):
        return [getattr(self, f"tears_{level}") for level in range(6)]

    @property
    def mean(self):
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def percentages(self):
        return whole_percentages(self.distribution)


class SiteStats(models.Model):
    """
    The site-wide rating totals (a single row, pk=1), kept in step with TitleStats,
    whose mean is the prior the tear score pulls towards.
    """

    rating_count = models.PositiveBigIntegerField(default=0)
    rating_sum = models.PositiveBigIntegerField(default=0)
    content_version = models.PositiveBigIntegerField(
        default=0,
        help_text="Goes up with every change visitors can see; keys the cached visitor pages.",
    )

    # The prior before anyone has rated: the middle of the 0–5 scale.
    DEFAULT_MEAN = 2.5

    class Meta:
        verbose_name_plural = "site stats"

    def __str__(self):
        return "Site-wide tear totals"

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def current_version(cls):
        return cls.objects.filter(pk=1).values_list("content_version", flat=True).first() or 0

    @property
    def mean(self):
        return self.rating_sum / self.rating_count if self.rating_count else self.DEFAULT_MEAN
