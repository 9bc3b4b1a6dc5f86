"""
The catalogue: titles, their themes, the articles that listed them, and the version
number that every change to them raises (ContentVersion). How many published titles
each kind and theme has is stored beside them (catalogue.published_counts).

What members say about titles, and the numbers kept from it, live in `reviews`,
which may import this module; this app never imports `reviews`.
"""

from django.core.validators import MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property

from catalogue import search
from sadlist.addresses import address

FIRST_ANIME_YEAR = 1917
LAST_PLAUSIBLE_YEAR = 2100


class ThemeQuerySet(models.QuerySet):
    def with_title_count(self):
        """
        Annotate title_count: the theme's published titles, as stored beside it
        (catalogue.published_counts), so no title is read to count them.
        """
        return self.annotate(title_count=Coalesce(F("stats__published_count"), 0))


class Theme(models.Model):
    """What a title is about (grief, war, first love, …); titles have one or more."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)

    objects = ThemeQuerySet.as_manager()

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


class ExternalIdField(models.PositiveIntegerField):
    """
    A title's id on another site: optional, unique, a whole number from 1 up, said
    next to the field in every form (a CheckConstraint holds it in the database too).
    """

    MESSAGE = "An id is a whole number from 1 up: the number in the title's address there."

    def __init__(self, *args, **kwargs):
        kwargs.update(null=True, blank=True, unique=True)
        kwargs.setdefault("validators", [MinValueValidator(1, self.MESSAGE)])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(
            **{"min_value": 1, "error_messages": {"min_value": self.MESSAGE}, **kwargs}
        )


class TitleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def search(self, text):
        """
        Titles with a name close to `text`, whatever its case, accents, punctuation or
        spelling, annotated search_rank (0 for a whole name, 1 for the start of one,
        2 for a part of one, 3 for all its words, 4 for a near miss) and
        search_closeness: order by both to show the best first (catalogue/search.py).
        """
        return search.search(self, text)

    def with_article_rank(self):
        """
        Annotate article_rank: the best (lowest) rank any source article gave the
        title, or None for a title no article ranked.
        """
        best_rank = Mention.objects.filter(title=OuterRef("pk")).order_by("rank").values("rank")
        return self.annotate(article_rank=Subquery(best_rank[:1]))

    def first_by_name_per_theme(self, theme_ids, count):
        """
        {theme id: its first `count` of these titles by name (then id)}, in one query
        whatever the number of themes: one LIMITed part per theme, joined by UNION ALL,
        each read in the order of the title_name index and stopped after `count`, rather
        than one window over every (theme, title) pair. Meant for the few curated
        themes (a compound query takes some hundreds of parts at most).
        """
        tagged = Title.themes.through.objects.filter(title_id=OuterRef("pk"))
        parts = [
            # EXISTS rather than a join, so that the title is the one table to read in
            # order: SQLite would otherwise start from the theme's every title and sort.
            self.filter(Exists(tagged.filter(theme_id=theme_id)))
            .annotate(listed_under=Value(theme_id))
            .only("pk", "slug", "name")
            .order_by("name", "pk")[:count]
            .query.sql_with_params()
            for theme_id in theme_ids
        ]
        if not parts:
            return {}
        # Each part is a subquery of its own: SQLite takes a LIMIT in a compound query's
        # parts only there (and Django's union() refuses sliced parts on SQLite).
        # Only Django-compiled SQL goes in; every value stays a parameter.
        sql = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part" for part, _ in parts)  # noqa: S608
        params = [param for _, part_params in parts for param in part_params]
        first = {}
        for title in self.raw(f"{sql} ORDER BY listed_under, name, id", params):
            first.setdefault(title.listed_under, []).append(title)
        return first


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
    # The same work in other catalogues, so that pages can link out and imports and
    # exports can be matched by id rather than by name. Unique: two of our titles
    # cannot be the same entry elsewhere.
    myanimelist_id = ExternalIdField("MyAnimeList id")
    anilist_id = ExternalIdField("AniList id")
    anidb_id = ExternalIdField("AniDB id")
    kitsu_id = ExternalIdField("Kitsu id")
    is_published = models.BooleanField("published", default=True)
    search_key = search.SearchKeyField(
        sources=("name", "original_name", "other_names"),
        editable=False,
        default="",
        serialize=False,  # derived from the names: fixtures and exports leave it out
    )
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
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": 0}),
                    name=f"title_{field}_positive",
                )
                for field in ("myanimelist_id", "anilist_id", "anidb_id", "kitsu_id")
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
        # Every card on a page, and every rating's redirect, asks for one.
        return address("catalogue:title", self.slug)

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

    # Where the same title lives on other sites, by the id each site gives it.
    ELSEWHERE = [
        ("myanimelist_id", "MyAnimeList", "https://myanimelist.net/anime/{}"),
        ("anilist_id", "AniList", "https://anilist.co/anime/{}"),
        ("anidb_id", "AniDB", "https://anidb.net/anime/{}"),
        ("kitsu_id", "Kitsu", "https://kitsu.app/anime/{}"),
    ]

    def links_elsewhere(self):
        """(site, address) of the same title on the sites whose id curators recorded."""
        return [
            (site, address.format(getattr(self, field)))
            for field, site, address in self.ELSEWHERE
            if getattr(self, field)
        ]

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


class ContentVersion(models.Model):
    """
    One row whose number goes up with every change that everyone must see at once: a
    curator's edit of a title, theme, source or provenance, publishing, a moderator's
    decision, a member renamed or deleted, a new tear-score prior (sadlist.freshness).

    Database triggers raise it in the same transaction as the change, whatever made the
    change (the admin, a command, loaddata, a shell): catalogue/triggers.py and
    reviews/triggers.py. Members' ratings and comments do not raise it, so the row is
    not one that every rating queues on.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="content_version_one_row")]

    def __str__(self):
        return f"Content version {self.number}"

    @classmethod
    def current(cls):
        """
        The current number (0 before the first change). Every page reads it, a cached
        visitor's page reads nothing else: so it is one plain statement, which costs
        about a third of building the same query through the ORM each time.
        """
        with connection.cursor() as cursor:
            cursor.execute("SELECT number FROM catalogue_contentversion WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else 0

    @classmethod
    def bump(cls):
        """
        Raise the number from code, for changes no trigger sees (a repaired recount).
        Creates the row if a test run emptied the table.
        """
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})


# Members' suggestions, where to watch and the published counts live in their own
# modules; imported here so Django finds their models.
from catalogue.published_counts import KindStats, ThemeStats  # noqa: E402, F401
from catalogue.suggestions import Suggestion  # noqa: E402, F401
from catalogue.watching import StreamingService, WatchOption  # noqa: E402, F401
