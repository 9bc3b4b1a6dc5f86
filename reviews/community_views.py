"""
What members do for each other and for later: read a whole thread, reply to a comment,
mark one "this hit me too" (and undo it), keep titles on a watchlist, choose whether
others see it, and say they have looked at the replies to their comments.
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalogue.models import Title
from catalogue.suggestions import Suggestion
from reviews import threads
from reviews.forms import ReplyForm, WatchlistPrivacyForm
from reviews.models import (
    Comment,
    CommentLimitReached,
    CommentMark,
    CommunityMember,
    CommunityRefused,
    WatchlistEntry,
    reply,
)
from sadlist.freshness import visitor_page

REPLY_PAGE_PARAMETER = "replies"


def _thread_start(pk):
    """A visible comment that starts a thread on a published title, or a 404."""
    return get_object_or_404(
        threads.with_author_tears(Comment.objects.visible().threads()).select_related(
            "title", "mention__source"
        ),
        pk=pk,
        title__is_published=True,
    )


@visitor_page(parameters=[REPLY_PAGE_PARAMETER])
def thread(request, pk):
    """
    A comment with all its visible replies, oldest first, a page at a time. A reply's
    address leads to its thread. Built for each request (a thread is read rarely).
    """
    start = Comment.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
    if start:
        return redirect("reviews:thread", pk=start)
    comment = _thread_start(pk)
    replies = threads.with_author_tears(Comment.objects.visible().filter(parent=comment))
    paginator = Paginator(replies.order_by("created_at", "pk"), threads.REPLIES_PER_PAGE)
    paginator.count = comment.reply_count  # kept exact by triggers
    page = paginator.get_page(request.GET.get(REPLY_PAGE_PARAMETER))
    offset = (page.number - 1) * threads.REPLIES_PER_PAGE
    page.object_list = list(replies.order_by("created_at", "pk")[offset:][: paginator.per_page])
    shown = threads.entry(comment, page.object_list)  # every reply of the page, not a few
    context = {"title": comment.title, "thread": shown, "page": page, "marked": frozenset()}
    if request.user.is_authenticated:
        context["marked"] = frozenset(
            CommentMark.objects.filter(
                user=request.user,
                comment_id__in=[each["pk"] for each in threads.shown_comments([shown])],
            ).values_list("comment_id", flat=True)
        )
        context["form"] = ReplyForm()
    return render(request, "reviews/thread.html", context)


@login_required
def reply_to(request, pk):
    """Write a reply under a comment (or under the thread a reply belongs to)."""
    comment = get_object_or_404(
        Comment.objects.select_related("user", "title"), pk=pk, title__is_published=True
    )
    refused = ""
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            posted = reply(request.user, comment, **form.cleaned_data)
        except (CommunityRefused, CommentLimitReached) as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Your reply is posted.")
            start = Comment.objects.get(pk=posted.parent_id)
            last = max(math.ceil(start.reply_count / threads.REPLIES_PER_PAGE), 1)
            query = f"?{REPLY_PAGE_PARAMETER}={last}" if last > 1 else ""
            thread_url = reverse("reviews:thread", args=[start.pk])
            return redirect(f"{thread_url}{query}#comment-{posted.pk}")
    elif comment.is_hidden or (comment.parent_id and comment.parent.is_hidden):
        refused = "A moderator has hidden that comment; it takes no replies."
    return render(
        request,
        "reviews/reply_form.html",
        {"comment": comment, "title": comment.title, "form": form, "refused": refused},
        status=404 if refused else 200,
    )


@login_required
@require_POST
def mark_comment(request, pk):
    """Say "this hit me too" about a comment, or take it back (`undo`)."""
    comment = get_object_or_404(
        Comment.objects.visible().select_related("title"), pk=pk, title__is_published=True
    )
    back = f"{_back(request, comment.title.get_absolute_url())}#comment-{comment.pk}"
    if "undo" in request.POST:
        if CommentMark.objects.unmark(request.user, comment):
            messages.success(request, "Your “this hit me too” is taken back.")
        else:
            messages.info(request, "You had not marked that comment; nothing to take back.")
        return redirect(back)
    try:
        CommentMark.objects.mark(request.user, comment)
    except CommunityRefused as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "Marked: this hit you too.")
    return redirect(back)


def _back(request, default):
    """The page the member came from (a path on this site only), or `default`."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted.split("#")[0]
    return default


@login_required
@require_POST
def watchlist(request, slug):
    """Put a title on the member's list, or take it off (`remove`)."""
    title = get_object_or_404(Title, slug=slug)
    default = title.get_absolute_url() if title.is_published else _profile(request)
    back = _back(request, default) + "#to-cry-later"
    if "remove" in request.POST:
        if WatchlistEntry.objects.remove(request.user, title):
            messages.success(request, f"{title.name} is off your list.")
        else:
            messages.info(request, f"{title.name} was not on your list; nothing to remove.")
        return redirect(back)
    try:
        _, added = WatchlistEntry.objects.add(request.user, title)
    except CommunityRefused as problem:
        messages.error(request, str(problem))
        return redirect(back)
    if added:
        messages.success(request, f"{title.name} is on your list, to cry at later.")
    else:
        messages.info(request, f"{title.name} was already on your list.")
    return redirect(back)


@login_required
@require_POST
def watchlist_privacy(request):
    form = WatchlistPrivacyForm(request.POST)
    back = f"{_profile(request)}#watchlist"
    if form.is_valid():
        CommunityMember.settings_for(request.user, **form.cleaned_data)
        shown = "everyone" if form.cleaned_data["watchlist_is_public"] else "only you"
        messages.success(request, f"Your watchlist is now shown to {shown}.")
    return redirect(back)


@login_required
@require_POST
def replies_seen(request):
    """The member has looked at the replies to their comments: count from now on."""
    CommunityMember.settings_for(request.user, replies_seen_at=timezone.now())
    messages.success(request, "Replies marked as seen.")
    return redirect(f"{_profile(request)}#new-replies")


def _profile(request):
    return reverse("accounts:profile", args=[request.user.get_username()])


NEW_REPLIES_SHOWN = 10
SUGGESTIONS_SHOWN = 20
WATCHLIST_PER_PAGE = 24


def profile_context(request, member, is_owner):
    """
    The profile's community sections (templates/reviews/_profile_community.html): the
    member's watchlist, a page at a time (to the owner, or to everyone if they chose),
    and for the owner the replies to their comments since they last looked.
    """
    settings = CommunityMember.of(member)
    shown = is_owner or settings.watchlist_is_public
    context = {"settings": settings, "watchlist_page": None}
    if shown:
        entries = (
            WatchlistEntry.objects.filter(user=member, title__is_published=True)
            .select_related("title")
            .order_by("-created_at", "-pk")
        )
        paginator = Paginator(entries, WATCHLIST_PER_PAGE)
        context["watchlist_page"] = paginator.get_page(request.GET.get("watchlist"))
    if is_owner:
        context["suggestions"] = list(
            Suggestion.objects.filter(user=member)
            .select_related("title")
            .order_by("-created_at", "-pk")[:SUGGESTIONS_SHOWN]
        )
        new = CommunityMember.new_replies(member, settings.replies_seen_at)
        context["new_reply_count"] = new.count()
        context["new_replies"] = list(
            new.select_related("user", "title").order_by("-created_at", "-pk")[:NEW_REPLIES_SHOWN]
        )
    return context
