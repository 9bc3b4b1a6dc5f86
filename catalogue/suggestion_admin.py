"""
Where to watch (the services curators keep, each title's options, edited inline on
the title) and the curators' queue of members' suggestions: read one, then accept it (an unpublished
title is created from it, to finish and publish), merge it into a title we have, or
decline it with a reason. Each decision goes in the admin's history with what it did.
"""

from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

from catalogue.suggestion_forms import SuggestionDecisionForm
from catalogue.suggestions import Suggestion
from catalogue.watching import StreamingService, WatchOption


class WatchOptionInline(admin.StackedInline):
    """Where the title can be watched; stacked, so every field has its own label."""

    model = WatchOption
    extra = 0
    fields = ["service", "access", "link", "countries", "checked_on", "source"]
    formfield_overrides = {
        models.URLField: {
            "assume_scheme": "https",
            "error_messages": {"invalid": "Give a web address starting with http:// or https://."},
        }
    }


@admin.register(StreamingService)
class StreamingServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    form = SuggestionDecisionForm
    list_display = ["name", "year", "kind", "user", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["user"]
    search_fields = ["name", "original_name", "other_names"]
    ordering = ["state", "created_at"]
    readonly_fields = [
        "user",
        *Suggestion.MEMBER_FIELDS,
        "state",
        "title",
        "decline_reason",
        "decided_at",
        "created_at",
    ]
    fieldsets = [
        ("What the member suggests", {"fields": ["user", *Suggestion.MEMBER_FIELDS]}),
        ("Decision", {"fields": ["state", "title", "decline_reason", "decided_at"]}),
        ("Decide", {"fields": ["decision", "merge_into", "reason"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets

    def has_add_permission(self, request):
        return False  # members suggest on the site, in their own words

    def save_model(self, request, obj, form, change):
        # The decision writes the suggestion (and the title) itself; see decide().
        form.decided = form.decide()

    def construct_change_message(self, request, form, formsets, add=False):
        return getattr(form, "decided", "") or "Looked at it; nothing decided."

    def response_change(self, request, obj):
        obj.refresh_from_db()
        if obj.state == Suggestion.State.ACCEPTED and obj.title_id:
            self.message_user(
                request,
                f"“{obj.title.name}” is created, unpublished: add its synopsis and themes, "
                "then publish it.",
            )
            return redirect(reverse("admin:catalogue_title_change", args=[obj.title_id]))
        return super().response_change(request, obj)
