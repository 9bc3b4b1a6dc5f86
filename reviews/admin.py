"""
Moderation: the queue of reported comments, every comment, and ratings to look at.

Hiding and restoring go through `Comment.hide()` / `Comment.restore()`, so the
public pages and the title's counts change in the same transaction. Ratings can
be looked at but not changed here: only members' own ratings move the stats.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Prefetch, Q
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from catalogue.admin import TitleAdmin
from catalogue.models import Title
from reviews.models import Cause, Comment, Rating, Report, ReportedComment
from reviews.stats import remove_member


def _log(request, comments, message):
    LogEntry.objects.log_actions(
        user_id=request.user.pk, queryset=comments, action_flag=CHANGE, change_message=message
    )


class ModerationActions:
    """Hide and restore, shared by the queue and the list of every comment."""

    @admin.action(description="Hide the selected comments", permissions=["change"])
    def hide(self, request, queryset):
        hidden = [comment for comment in queryset if comment.hide()]
        _log(request, hidden, "Hid the comment from the public pages.")
        self.message_user(
            request,
            f"Hid {len(hidden)} comment{pluralize(len(hidden))}; hidden comments no longer show "
            "on any public page.",
            messages.SUCCESS,
        )

    @admin.action(description="Restore the selected comments", permissions=["change"])
    def restore(self, request, queryset):
        restored = [comment for comment in queryset if comment.restore()]
        _log(request, restored, "Restored the comment to the public pages.")
        self.message_user(
            request,
            f"Restored {len(restored)} comment{pluralize(len(restored))}; restored comments show "
            "again.",
            messages.SUCCESS,
        )


class ReadOnlyFieldsMixin:
    """Moderators act through actions; nobody edits what a member wrote."""

    @admin.display(description="title", ordering="title__name")
    def title_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.title.get_absolute_url(), obj.title.name)

    @admin.display(description="member", ordering="user__username")
    def author(self, obj):
        # Plain text: curators may not open user accounts.
        return obj.user.get_username()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)


class QueueStatusFilter(admin.SimpleListFilter):
    """The queue opens on the comments still waiting for a decision."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for a decision"), ("hidden", "Hidden"), ("all", "All")]

    def value(self):
        return super().value() or "waiting"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(is_hidden=False)
        if self.value() == "hidden":
            return queryset.filter(is_hidden=True)
        return queryset


@admin.register(ReportedComment)
class ReportedCommentAdmin(ModerationActions, ReadOnlyFieldsMixin, admin.ModelAdmin):
    """
    The moderation queue: comments with reports no one has dismissed, most reported
    first. Hiding keeps the reports (they were right) and takes the comment out of
    the waiting list; dismissing closes the reports and leaves the comment as it is.
    """

    list_display = ["comment_text", "title_link", "author", "status", "open_reports"]
    list_display_links = ["comment_text"]
    list_filter = [QueueStatusFilter]
    list_select_related = ["user", "title"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["hide", "restore", "dismiss_reports"]
    fields = [
        "body",
        "title_link",
        "author",
        "is_spoiler",
        "stance",
        "status",
        "created_at",
        "all_reports",
    ]

    def get_queryset(self, request):
        open_reports = Report.objects.filter(dismissed_at__isnull=True).select_related("reporter")
        return (
            ReportedComment.objects.with_open_reports()
            .select_related("user", "title")
            .prefetch_related(
                Prefetch(
                    "reports",
                    queryset=open_reports.order_by("created_at", "pk"),
                    to_attr="open_reports_list",
                )
            )
        )

    def get_object(self, request, object_id, from_field=None):
        # The change page also shows comments whose reports are all dismissed.
        return ReportedComment.objects.select_related("user", "title").filter(pk=object_id).first()

    @admin.display(description="comment")
    def comment_text(self, comment):
        spoiler = " [spoiler]" if comment.is_spoiler else ""
        return Truncator(comment.body).chars(300) + spoiler

    @admin.display(description="status")
    def status(self, comment):
        return "Hidden" if comment.is_hidden else "Visible"

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, comment):
        items = format_html_join(
            "",
            "<li><strong>{}</strong> from {}{}</li>",
            (
                (
                    report.get_reason_display(),
                    report.reporter,
                    f": “{report.text}”" if report.text else "",
                )
                for report in comment.open_reports_list
            ),
        )
        return format_html(
            "{} report{}<ul>{}</ul>",
            comment.open_report_count,
            pluralize(comment.open_report_count),
            items,
        )

    @admin.display(description="reports")
    def all_reports(self, comment):
        reports = comment.reports.select_related("reporter").order_by("created_at", "pk")
        return (
            format_html_join(
                "",
                "<p><strong>{}</strong> from {} on {}{}{}</p>",
                (
                    (
                        report.get_reason_display(),
                        report.reporter,
                        f"{report.created_at:%Y-%m-%d %H:%M %Z}",
                        f": “{report.text}”" if report.text else "",
                        f" (dismissed {report.dismissed_at:%Y-%m-%d})"
                        if report.dismissed_at
                        else "",
                    )
                    for report in reports
                ),
            )
            or "No reports."
        )

    @admin.action(
        description="Dismiss the reports on the selected comments", permissions=["change"]
    )
    def dismiss_reports(self, request, queryset):
        comments = list(queryset)
        dismissed = sum(comment.dismiss_reports() for comment in comments)
        _log(request, comments, "Dismissed the reports on the comment.")
        self.message_user(
            request,
            f"Dismissed {dismissed} report{pluralize(dismissed)} on {len(comments)} "
            f"comment{pluralize(len(comments))}.",
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(ModerationActions, ReadOnlyFieldsMixin, admin.ModelAdmin):
    """Every comment, to find one nobody reported or restore one hidden earlier."""

    list_display = ["excerpt", "title_link", "author", "created_at", "is_hidden"]
    list_filter = ["is_hidden", "stance", "is_spoiler"]
    list_select_related = ["user", "title"]
    list_per_page = 50
    search_fields = ["body", "user__username", "title__name"]
    date_hierarchy = "created_at"
    actions = ["hide", "restore"]
    fields = [
        "body",
        "title_link",
        "author",
        "is_spoiler",
        "stance",
        "is_hidden",
        "created_at",
        "edited_at",
    ]

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(120)


@admin.register(Rating)
class RatingAdmin(ReadOnlyFieldsMixin, admin.ModelAdmin):
    """Ratings to look at only: changing one here would put the tear stats out of step."""

    list_display = ["title_link", "author", "tears_named", "updated_at"]
    # The title cell is already a link to the public page; a link to the rating around
    # it would nest one link in another, which browsers split into an empty link.
    list_display_links = ["tears_named"]
    list_filter = ["tears"]
    list_select_related = ["user", "title"]
    list_per_page = 50
    search_fields = ["title__name", "user__username"]
    fields = ["title_link", "author", "tears_named", "created_at", "updated_at"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="tears", ordering="tears")
    def tears_named(self, rating):
        return f"{rating.tears} · {rating.get_tears_display()}"


class RatedTitleAdmin(TitleAdmin):
    """
    The catalogue's titles with what members made of them: each title's number of
    ratings and tear score, and no deleting a title members rated or discussed (its
    ratings would leave with it; unpublishing hides it and keeps them).
    """

    list_display = [*TitleAdmin.list_display, "number_of_ratings", "tear_score"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stats")

    @admin.display(description="ratings", ordering="stats__rating_count")
    def number_of_ratings(self, title):
        return title.stats.rating_count

    @admin.display(description="tear score", ordering="stats__tear_score")
    def tear_score(self, title):
        return f"{title.stats.tear_score:.2f}"

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        discussed = (
            Title.objects.filter(pk__in=[title.pk for title in objs])
            .filter(Q(ratings__isnull=False) | Q(comments__isnull=False))
            .distinct()
            .order_by("name")
        )
        refusals = [
            f"{title.name}: members rated or discussed it (unpublish it instead)"
            for title in discussed
        ]
        if refusals:
            # Say why plainly, rather than which related rows the curator may not delete.
            return to_delete, model_count, set(), [*protected, *refusals]
        return to_delete, model_count, perms_needed, protected


admin.site.unregister(Title)
admin.site.register(Title, RatedTitleAdmin)


class MemberAdmin(UserAdmin):
    """
    Accounts, for superusers. Deleting a member deletes what they wrote with them (their
    ratings, comments and reports; triggers take them out of every total) as their own
    account page does; nobody may delete those rows one by one here, so the check for
    that permission is not asked of a whole member's deletion.
    """

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        written = {model._meta.verbose_name for model in (Rating, Comment, Report)}
        return to_delete, model_count, perms_needed - written, protected

    def delete_model(self, request, obj):
        remove_member(obj)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), MemberAdmin)


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    """
    The vocabulary of what makes people cry. A cause members named is retired rather
    than deleted: it leaves every page and form, and their choices stay, out of view.
    """

    list_display = ["name", "description", "is_spoiler", "order", "is_retired"]
    list_editable = ["order", "is_retired"]
    list_filter = ["is_spoiler", "is_retired"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
