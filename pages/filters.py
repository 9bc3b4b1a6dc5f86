"""
Browse filters: which titles /titles/ shows and in which order.

Everything the visitor chose lives in the query string. Bad values never fail the
page: a value that does not parse is left out with a note saying so, and the other
filters still apply.
"""

import django_filters
from django import forms
from django.db.models import Count, F, Q
from django.http import QueryDict
from django.utils.http import urlencode

from catalogue.models import FIRST_ANIME_YEAR, LAST_PLAUSIBLE_YEAR, Mention, Source, Theme, Title
from catalogue.published_counts import KindStats
from catalogue.search import SEARCH_MAX_LENGTH, clean_search_text, without_controls
from catalogue.watching import StreamingService, WatchOption
from reviews.insights import cause_counts_for_title, causes_in_use
from reviews.models import Ending, Rating, TitleCauseStats, WatchlistEntry
from sadlist.freshness import shared_part

MOST_RATINGS_ASKED = 1_000_000_000

# key: (label, ordering). Every ordering ends with the primary key, so titles that tie
# keep one fixed order and pages never repeat or skip a title.
# The orders by the stored numbers read every column from one index of the stats row
# (reviews.models.TitleStats.Meta.indexes), ties oldest title first, so the database
# reads one page of the index and stops instead of sorting every title.
# Saddest first (titlestats_saddest).
SADDEST_FIRST = [F("stats__tear_score").desc(), F("stats__title_id").asc()]
# The stored, damped dispute share, then the most voices (titlestats_most_disputed).
DISPUTED_FIRST = [
    F("stats__dispute_share").desc(),
    F("stats__stance_count").desc(),
    F("stats__title_id").asc(),
]
# The most ratings (titlestats_most_rated) or comments (titlestats_most_discussed),
# then the saddest.
MOST_RATED_FIRST = [
    F("stats__rating_count").desc(),
    F("stats__tear_score").desc(),
    F("stats__title_id").asc(),
]
MOST_DISCUSSED_FIRST = [
    F("stats__comment_count").desc(),
    F("stats__tear_score").desc(),
    F("stats__title_id").asc(),
]
SORTS = {
    "tears": ("Tear score", SADDEST_FIRST),
    "rated": ("Most rated", MOST_RATED_FIRST),
    "discussed": ("Most discussed", MOST_DISCUSSED_FIRST),
    "disputed": ("Most disputed", DISPUTED_FIRST),
    "rank": ("Article rank", [F("article_rank").asc(nulls_last=True), "name", "pk"]),
    "year": ("Year, newest first", ["-year", "name", "pk"]),
    "name": ("Name", ["name", "pk"]),
    "quality": (
        "How good, best first",
        [F("insights__quality_mean").desc(nulls_last=True), F("tear_score").desc(), "name", "pk"],
    ),
}
DEFAULT_SORT = "tears"

# Every parameter, in the order links spell them; all take one value but theme.
PARAMETERS = (
    "q",
    "kind",
    "theme",
    "year_min",
    "year_max",
    "tears_min",
    "tears_max",
    "min_ratings",
    "source",
    "avoid",
    "seek",
    "ending",
    "quality_min",
    "service",
    "on_my_list",
    "not_rated_by_me",
    "sort",
)
# What only a signed-in member can ask: their results are built for them, never shared.
MEMBER_PARAMETERS = ("on_my_list", "not_rated_by_me")
CHIP_LABELS = {
    "q": "Name like",
    "kind": "Kind",
    "theme": "Theme",
    "year_min": "From year",
    "year_max": "To year",
    "tears_min": "Tear score at least",
    "tears_max": "Tear score at most",
    "min_ratings": "Ratings at least",
    "source": "Listed in",
    "avoid": "Avoid",
    "seek": "Make me cry about",
    "ending": "Ending",
    "quality_min": "How good at least",
    "service": "Watch on",
    "on_my_list": "On my list",
    "not_rated_by_me": "Not rated by me yet",
}
RANGES = (("year_min", "year_max", "year"), ("tears_min", "tears_max", "tear score"))


class Facets:
    """
    What the catalogue holds, with counts for the filter labels ("Movies (10)"). The
    kinds' and themes' counts are stored (catalogue.published_counts), so no title is
    read for them; the articles' and services' are counted from their few rows.
    """

    def __init__(self):
        self.kinds = KindStats.published_counts()
        self.themes = list(Theme.objects.with_title_count().order_by("name"))
        published_options = Q(options__title__is_published=True)
        self.services = list(
            StreamingService.objects.annotate(
                title_count=Count("options__title", filter=published_options, distinct=True)
            ).order_by("name")
        )
        self.sources = list(
            Source.objects.annotate(
                title_count=Count(
                    "mentions__title", filter=Q(mentions__title__is_published=True), distinct=True
                )
            ).order_by("pk")
        )

    def kind_choices(self):
        return [
            (value, f"{label} ({self.kinds.get(value, 0)})") for value, label in Title.Kind.choices
        ]

    def theme_choices(self):
        return [(theme.slug, f"{theme.name} ({theme.title_count})") for theme in self.themes]

    def source_choices(self):
        return [(source.slug, f"{source.name} ({source.title_count})") for source in self.sources]

    def service_choices(self):
        return [(each.slug, f"{each.name} ({each.title_count})") for each in self.services]


class TitleFilterForm(forms.Form):
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        error_messages={
            "invalid_choice": "We cannot sort by “%(value)s”, so the titles are sorted by "
            "tear score."
        },
    )

    def clean(self):
        cleaned = super().clean()
        for low, high, noun in RANGES:
            if (
                cleaned.get(low) is not None
                and cleaned.get(high) is not None
                and cleaned[low] > cleaned[high]
            ):
                self.add_error(None, f"The {noun} range starts after it ends.")
                self.range_errors = (*getattr(self, "range_errors", ()), low, high)
                del cleaned[low], cleaned[high]
        return cleaned


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class FloatFilter(django_filters.NumberFilter):
    field_class = forms.FloatField


class TitleFilter(django_filters.FilterSet):
    """
    The browse filters. Expects a queryset from RatedTitle.objects.published().with_stats().

    After construction: `notes` says what was changed or left out of the request,
    `state` is the query string of what applies (for page links), and
    `active` lists each applied filter with the query string that removes it.
    """

    q = django_filters.CharFilter(label="Search names", method="filter_search")
    kind = django_filters.ChoiceFilter(
        label="Kind",
        error_messages={"invalid_choice": "There is no kind “%(value)s”."},
    )
    theme = django_filters.MultipleChoiceFilter(label="Themes (any of)", method="filter_themes")
    year_min = IntegerFilter(
        label="Year from",
        field_name="year",
        lookup_expr="gte",
        min_value=FIRST_ANIME_YEAR,
        max_value=LAST_PLAUSIBLE_YEAR,
    )
    year_max = IntegerFilter(
        label="Year to",
        field_name="year",
        lookup_expr="lte",
        min_value=FIRST_ANIME_YEAR,
        max_value=LAST_PLAUSIBLE_YEAR,
    )
    tears_min = FloatFilter(
        label="Tear score from",
        field_name="tear_score",
        lookup_expr="gte",
        min_value=0,
        max_value=5,
    )
    tears_max = FloatFilter(
        label="Tear score to",
        field_name="tear_score",
        lookup_expr="lte",
        min_value=0,
        max_value=5,
    )
    min_ratings = IntegerFilter(
        label="At least this many ratings",
        field_name="rating_count",
        lookup_expr="gte",
        min_value=0,
        max_value=MOST_RATINGS_ASKED,
    )
    source = django_filters.ChoiceFilter(
        label="Listed in",
        method="filter_source",
        error_messages={"invalid_choice": "There is no article “%(value)s”."},
    )

    # The insights (reviews/insights.py): a cause counts for a title once enough of its
    # raters named it (settings.CAUSE_MIN_RATERS, CAUSE_MIN_SHARE); the ending is the
    # one most raters chose. Cards never say which cause matched.
    avoid = django_filters.ChoiceFilter(
        label="Avoid titles where many raters named",
        method="filter_avoid",
        error_messages={"invalid_choice": "There is no cause “%(value)s” to avoid."},
    )
    seek = django_filters.ChoiceFilter(
        label="Make me cry about",
        method="filter_seek",
        error_messages={"invalid_choice": "There is no cause “%(value)s”."},
    )
    ending = django_filters.ChoiceFilter(
        label="Ending most raters chose",
        field_name="insights__leading_ending",
        choices=Ending.choices,
        error_messages={"invalid_choice": "There is no ending “%(value)s”."},
    )
    quality_min = FloatFilter(
        label="How good, at least (mean of 1–5)",
        field_name="insights__quality_mean",
        lookup_expr="gte",
        min_value=1,
        max_value=5,
    )
    service = django_filters.ChoiceFilter(
        label="Watch on",
        method="filter_service",
        error_messages={"invalid_choice": "There is no service “%(value)s”."},
    )

    # A member's own titles: a checkbox each, so "1" is the one value they take.
    on_my_list = django_filters.ChoiceFilter(
        label="Only titles on my list",
        method="filter_on_my_list",
        choices=[("1", "yes")],
        error_messages={"invalid_choice": "“%(value)s” is not a choice here; tick the box."},
    )
    not_rated_by_me = django_filters.ChoiceFilter(
        label="Only titles I have not rated yet",
        method="filter_not_rated_by_me",
        choices=[("1", "yes")],
        error_messages={"invalid_choice": "“%(value)s” is not a choice here; tick the box."},
    )

    class Meta:
        model = Title
        fields = []
        form = TitleFilterForm

    def __init__(self, data=None, *args, member=None, **kwargs):
        """
        `member`: the signed-in user the page is for, or None for a visitor, whose
        member-only parameters are left out with a note (so every visitor at one
        address sees the same page).
        """
        # Counts of titles per kind, theme and source change only with the catalogue.
        self.facets = shared_part(None, "browse-facets", Facets)
        self.member = member if member is not None and member.is_authenticated else None
        self.notes = []
        if data is not None:
            data = self._clean_params(data)
        super().__init__(data, *args, **kwargs)
        self.filters["kind"].extra["choices"] = self.facets.kind_choices()
        self.filters["theme"].extra["choices"] = self.facets.theme_choices()
        self.filters["source"].extra["choices"] = self.facets.source_choices()
        self.causes = causes_in_use()
        cause_choices = [(cause.slug, cause.name) for cause in self.causes]
        self.filters["avoid"].extra["choices"] = cause_choices
        self.filters["seek"].extra["choices"] = cause_choices
        self.filters["service"].extra["choices"] = self.facets.service_choices()

    def _clean_params(self, data):
        """Keep what we understand of `data`, noting every change we made to it."""
        cleaned = QueryDict(mutable=True)
        for name in PARAMETERS:
            if name == "theme":
                self._clean_themes(data.getlist("theme"), cleaned)
                continue
            values = [without_controls(value).strip() for value in data.getlist(name)]
            if len(set(values)) > 1:
                self.notes.append(
                    f"“{name}” was given {len(values)} times; "
                    f"we used the last value, “{values[-1][:40]}”."
                )
            if values and values[-1] and name in MEMBER_PARAMETERS and self.member is None:
                self.notes.append(
                    f"“{CHIP_LABELS[name]}” is for signed-in members; here is every title."
                )
            elif values and values[-1]:
                cleaned[name] = values[-1]
        if "q" in cleaned:
            text, shortened = clean_search_text(cleaned["q"])
            if shortened:
                self.notes.append(
                    f"Your search was shortened to its first {SEARCH_MAX_LENGTH} characters."
                )
            if text:
                cleaned["q"] = text
            else:
                del cleaned["q"]
        return cleaned

    def _clean_themes(self, slugs, cleaned):
        known = {theme.slug for theme in self.facets.themes}
        for slug in dict.fromkeys(without_controls(slug).strip() for slug in slugs):
            if slug in known:
                cleaned.appendlist("theme", slug)
            elif slug:
                self.notes.append(f"There is no theme “{slug[:40]}”; we left it out.")

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_themes(self, queryset, name, value):
        # A subquery rather than a join, so a title with two chosen themes appears once.
        tagged = Title.themes.through.objects.filter(theme__slug__in=value).values("title_id")
        return queryset.filter(pk__in=tagged)

    def filter_source(self, queryset, name, value):
        listed = Mention.objects.filter(source__slug=value).values("title_id")
        return queryset.filter(pk__in=listed)

    def titles_naming(self, slug):
        """The titles for which the cause `slug` counts (stored counts, no aggregating)."""
        rows = TitleCauseStats.objects.filter(cause__slug=slug).filter(cause_counts_for_title())
        return rows.values("title_id")

    def filter_avoid(self, queryset, name, value):
        return queryset.exclude(pk__in=self.titles_naming(value))

    def filter_seek(self, queryset, name, value):
        return queryset.filter(pk__in=self.titles_naming(value))

    def filter_service(self, queryset, name, value):
        offered = WatchOption.objects.filter(service__slug=value).values("title_id")
        return queryset.filter(pk__in=offered)

    def filter_on_my_list(self, queryset, name, value):
        listed = WatchlistEntry.objects.filter(user=self.member).values("title_id")
        return queryset.filter(pk__in=listed)

    def filter_not_rated_by_me(self, queryset, name, value):
        rated = Rating.objects.filter(user=self.member).values("title_id")
        return queryset.exclude(pk__in=rated)

    def filter_queryset(self, queryset):
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        if self.sort == "rank":
            queryset = queryset.with_article_rank()
        ordering = SORTS[self.sort][1]
        if "search_rank" in queryset.query.annotations:
            # The closest matches first (a whole name, the start of one, …), then the sort.
            ordering = ["search_rank", F("search_closeness").desc(), *ordering]
        return queryset.order_by(*ordering)

    @property
    def stored_count(self):
        """
        How many titles the filters leave, from the stored counts of each kind, when
        they leave every published title (no filter applies, at most a sort); None
        when only counting the titles can tell.
        """
        return None if self.active else sum(self.facets.kinds.values())

    @property
    def sort(self):
        self.errors  # noqa: B018 -- validates the form, which fills cleaned_data
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    @property
    def sort_label(self):
        return SORTS[self.sort][0]

    @property
    def ignored(self):
        """One sentence per value we could not use, naming the filter."""
        messages = []
        for name, errors in self.form.errors.items():
            if name == "sort":
                messages.extend(errors)
                continue
            label = "Filters" if name == "__all__" else self.form.fields[name].label
            messages.extend(f"{label}: {error} We ignored it." for error in errors)
        return messages

    @property
    def shown(self):
        """
        What the form shows, as plain values and (value, label, selected) options
        built here once: only values that apply, so one we ignored is not shown as
        if it were in force. (Django's choice widgets render every option through a
        template, several times slower for the same markup.)
        """
        applied = QueryDict(self.state)
        themes = applied.getlist("theme")

        def options(choices, name, empty_label=None):
            current = applied.get(name, "")
            if empty_label:
                choices = [("", empty_label), *choices]
            return [(value, label, value == current) for value, label in choices]

        return {
            "values": {name: applied.get(name, "") for name in PARAMETERS if name != "theme"},
            "kinds": options(self.facets.kind_choices(), "kind", "Any kind"),
            "themes": [
                (slug, label, slug in themes) for slug, label in self.facets.theme_choices()
            ],
            "sources": options(self.facets.source_choices(), "source", "Any article"),
            "avoid": options([(c.slug, c.name) for c in self.causes], "avoid", "Nothing to avoid"),
            "seek": options([(c.slug, c.name) for c in self.causes], "seek", "Any cause"),
            "endings": options(Ending.choices, "ending", "Any ending"),
            "services": options(self.facets.service_choices(), "service", "Any service"),
            "sorts": [(key, label, key == self.sort) for key, (label, _) in SORTS.items()],
            "for_members": self.member is not None,
            "limits": {
                "first_year": FIRST_ANIME_YEAR,
                "last_year": LAST_PLAUSIBLE_YEAR,
                "search_length": SEARCH_MAX_LENGTH,
            },
        }

    def _applied(self):
        """The (name, value) pairs that really apply, in a stable order."""
        self.errors  # noqa: B018 -- validates the form
        dropped = set(self.form.errors) | set(getattr(self.form, "range_errors", ()))
        return [
            (name, value)
            for name, value in self.data.lists()
            if name not in dropped
            for value in value
        ]

    @property
    def state(self):
        """The query string that reproduces this view (without the page number)."""
        return urlencode(self._applied())

    @property
    def clear_all(self):
        """The query string that removes every filter and keeps the chosen sort."""
        return urlencode([pair for pair in self._applied() if pair[0] == "sort"])

    @property
    def active(self):
        """[(label, query string without it)] for every applied filter except the sort."""
        applied = self._applied()
        labels = {
            "kind": dict(Title.Kind.choices),
            "theme": {theme.slug: theme.name for theme in self.facets.themes},
            "source": {source.slug: source.name for source in self.facets.sources},
            "avoid": {cause.slug: cause.name for cause in self.causes},
            "seek": {cause.slug: cause.name for cause in self.causes},
            "ending": dict(Ending.choices),
            "service": {service.slug: service.name for service in self.facets.services},
            "on_my_list": {"1": "yes"},
            "not_rated_by_me": {"1": "yes"},
        }
        chips = []
        for pair in applied:
            name, value = pair
            if name == "sort":
                continue
            shown = labels.get(name, {}).get(value, value)
            rest = urlencode([other for other in applied if other != pair])
            chips.append((f"{CHIP_LABELS[name]}: {shown}", rest))
        return chips
