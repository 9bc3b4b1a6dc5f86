"""
Curation: titles with their provenance, posters and publishing; themes; sources.

Every change made here reaches every page at once: triggers raise the content version
in the same transaction (catalogue/triggers.py). A title's numbers (ratings, tear
score) and the rule against deleting a rated title are added by reviews/admin.py.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html

from catalogue.covers import make_cover
from catalogue.forms import TitleAdminForm
from catalogue.models import Mention, Source, Theme, Title
from catalogue.suggestion_admin import WatchOptionInline

admin.site.site_header = "Sadlist curation"
admin.site.site_title = "Sadlist curation"
admin.site.index_title = "Catalogue and moderation"


class MentionInline(admin.StackedInline):
    """
    Provenance rows: which article listed the title, in which section, at which rank.
    Stacked rather than tabular: a tabular row's fields have no labels of their own,
    only a column heading, which screen readers do not announce for each field.
    """

    model = Mention
    extra = 1
    fields = ["source", "section", "rank", "listed_as"]

    def get_queryset(self, request):
        # Each row is labelled with its source ("#2 movie in …").
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "source":
            # Every row offers the same few sources: read them once, not once per row.
            field.choices = list(iter(field.choices))
        return field


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    form = TitleAdminForm
    inlines = [MentionInline, WatchOptionInline]
    list_display = ["thumbnail", "name", "kind", "year", "is_published"]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["kind", "themes", "mentions__source", "is_published"]
    list_per_page = 50
    search_fields = ["name", "original_name", "other_names"]
    search_help_text = "Finds any of a title's names: English, original or other."
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["current_picture"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "original_name", "other_names"]}),
        ("Facts", {"fields": ["kind", "year", "studio", "episodes", "runtime_minutes"]}),
        ("For readers", {"fields": ["synopsis", "why_it_hurts", "themes"]}),
        ("Elsewhere", {"fields": ["myanimelist_id", "anilist_id", "anidb_id", "kitsu_id"]}),
        ("Picture", {"fields": ["current_picture", "poster"]}),
        ("Publishing", {"fields": ["is_published"]}),
    ]

    def save_related(self, request, form, formsets, change):
        # Themes are set after the title is saved; its cover shows them.
        super().save_related(request, form, formsets, change)
        make_cover(form.instance)

    def view_on_site(self, title):
        # An unpublished title has no public page to view.
        return title.get_absolute_url() if title.is_published else None

    @admin.display(description="picture")
    def thumbnail(self, title):
        if title.poster_thumbnail:
            url, alt = title.poster_thumbnail.url, f"Poster of {title.name}"
        elif title.cover:
            url, alt = title.cover.url, f"Generated cover for {title.name}"
        else:
            return "—"
        return format_html('<img src="{}" alt="{}" width="40" height="60">', url, alt)

    @admin.display(description="current picture")
    def current_picture(self, title):
        if not title.picture:
            return "None yet: a cover is generated when the title is saved."
        return format_html(
            '<img src="{}" alt="{}" width="160"><br>{}',
            title.picture.url,
            title.picture_alt,
            "Uploaded poster." if title.has_poster else "Generated cover (no poster yet).",
        )

    @admin.action(description="Publish the selected titles", permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description="Unpublish the selected titles", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, published):
        titles = list(queryset.filter(is_published=not published))
        Title.objects.filter(pk__in=[title.pk for title in titles]).update(
            is_published=published, updated_at=timezone.now()
        )
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=titles,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["published"]}}],
        )
        done = "Published" if published else "Unpublished"
        if titles:
            self.message_user(request, f"{done} {len(titles)} title(s).", messages.SUCCESS)
        else:
            state = "published" if published else "unpublished"
            self.message_user(request, f"The selected titles were already {state}.", messages.INFO)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "number_of_titles"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(title_total=Count("titles"))

    @admin.display(description="titles", ordering="title_total")
    def number_of_titles(self, theme):
        return theme.title_total


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "number_of_mentions"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["name", "publisher"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mention_total=Count("mentions"))

    @admin.display(description="titles listed", ordering="mention_total")
    def number_of_mentions(self, source):
        return source.mention_total
