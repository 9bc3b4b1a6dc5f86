"""
What members do on a title page: rate it, comment, edit or delete their comments, and
report someone else's. Every change is a POST from a signed-in member; the title page
itself gets its comments from `title_comments` (the same for everyone, so shared) and
the member's own part from `title_reviews_context`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from catalogue.models import Title
from reviews import threads
from reviews.forms import CommentForm, RatingForm, ReportForm
from reviews.insight_forms import TellMoreForm
from reviews.insights import my_extras, rate_telling_more
from reviews.models import (
    CauseNotOffered,
    Comment,
    CommentLimitReached,
    Rating,
    Report,
    TearLevel,
)
from sadlist.addresses import address
from sadlist.freshness import shared_html
from sadlist.rows import select_one

COMMENTS_PER_PAGE = 20
# The title page's query parameter for its page of comments.
COMMENT_PAGE_PARAMETER = "comments"
# Signed in, and the author of none of the comments: shown Report on each of them.
SOME_OTHER_MEMBER = {"is_authenticated": True, "pk": None}


def listings(title):
    """The title's listings in the articles, with their sources, in the lists' order."""
    return list(title.mentions.select_related("source").order_by("source__pk", "section", "rank"))


def title_comments(title, page_number, mentions, order=None):
    """
    The title page's comments, the same for every visitor and member: the visible
    thread count (from the title's stored stats), one page of threads newest first (or
    most marked first, `order` "marks"), each rendered with its author and their current
    tear rating for the title, its first replies (reviews.threads), and the links to
    other pages. A fixed number of queries whatever the number of comments and replies.
    `mentions`: the title's listings (`listings`), which the comment form asks about.
    """
    comment_count = title.stats.comment_count
    order = threads.comment_order(order)
    comments = Comment.objects.on_title(title, threads.ORDERS[order])
    paginator = Paginator(comments, COMMENTS_PER_PAGE)
    paginator.count = comment_count  # the stored total spares a COUNT(*) per page view
    page = paginator.get_page(page_number)
    # Paginator skips the query for an empty page; reading the slice ourselves keeps the
    # page's cost the same however many comments the title has.
    offset = (page.number - 1) * COMMENTS_PER_PAGE
    shown = comments[offset : offset + COMMENTS_PER_PAGE]
    page.object_list = list(shown)
    entries = threads.entries(page.object_list, shown.values("pk"))
    return {
        "comment_count": comment_count,
        "comment_order": order,
        "comments": entries,
        # The list as a visitor sees it, and as a member who wrote none of it does
        # (Report on each): almost every request is one of these two.
        "comment_items": {
            "visitor": comment_items(entries, AnonymousUser()),
            "member": comment_items(entries, SOME_OTHER_MEMBER),
        },
        "comment_pages": render_to_string(
            "reviews/_pagination.html",
            {
                "page": page,
                "param": COMMENT_PAGE_PARAMETER,
                "keep": threads.order_query(order),
                "anchor": "comments",
                "label": "Comment pages",
            },
        ),
        # The empty form's fields; each member's <form> adds its own CSRF token.
        "comment_fields": CommentForm(title=title, mentions=mentions).render(),
    }


def comment_items(entries, reader, marked=frozenset()):
    """The comments' <li> items as `reader` sees them (`marked`: what they marked)."""
    template = get_template("reviews/_comment.html")
    # Each item is already safe HTML (the template escaped what members wrote).
    return format_html_join(
        "",
        "{}",
        (
            (template.render({"comment": entry, "user": reader, "marked": marked}),)
            for entry in entries
        ),
    )


def title_reviews_context(request, title, comments):
    """
    The reviews section's part that belongs to the member reading it: their rating,
    and whether the comments shown include their own (then the list is built for them,
    with Edit and Delete on theirs).
    """
    my_rating = tell_more = None
    wrote_some = False
    personal = {}
    if request.user.is_authenticated:
        personal = threads.member_context(request.user, title, comments)
        rating = personal["rating"]
        my_rating = rating["tears"] if rating else None
        tell_more = tell_more_part(request, title, my_extras(rating, personal["causes"]))
        wrote_some = personal["wrote_some"]
    return {
        "tear_levels": TearLevel.choices,
        "my_rating": my_rating,
        "wrote_some": wrote_some,
        "tell_more": tell_more,
        "marked": personal.get("marked", frozenset()),
        "on_watchlist": personal.get("on_watchlist", False),
    }


def tell_more_part(request, title, extras):
    """
    The rating form's "Tell more" part, rendered. It depends only on the title, the
    causes offered (both in the generation) and what the member told (`extras`, the
    form's initial values), so members who told the same share it: most share the
    blank part, and one who told more is not served a part built for each request.
    """
    told = ":".join(
        [
            ",".join(sorted(extras.get("causes", []), key=int)),
            *(str(extras.get(name) or "") for name in ("moment", "quality", "ending")),
        ]
    )
    return shared_html(
        request,
        f"tell-more:{title.pk}:{told}",
        "reviews/_tell_more.html",
        lambda: {"form": TellMoreForm(title=title, request=request, initial=extras)},
    )


# What a rating's way needs of its title, whatever it does: its id to write with, its
# length to check a moment against, its name and address to answer with.
RATED_TITLE_FIELDS = ("id", "slug", "name", "kind", "episodes")


def _published_title(slug, fields=None):
    """
    The published title at `slug` (`fields` of it, if given: see sadlist.rows), read
    with written SQL: every write starts here, but a plain rating, whose one statement
    finds the title itself.
    """
    title = select_one(Title, ["slug", "is_published"], [slug, True], fields)
    if title is None:
        raise Http404("No published title has this address.")
    return title


@login_required
@require_POST
def rate(request, slug):
    back = address("catalogue:title", slug) + "#your-rating"
    plain = not ({"remove", "tell_more"} & request.POST.keys())
    form = RatingForm(request.POST) if plain else None
    if plain and form.is_valid():
        # The common case takes one statement, which finds the title as it writes.
        rating = Rating.objects.rate_published(request.user, slug, form.cleaned_data["tears"])
        if rating is not None:
            return _saved(request, rating, back)
    title = _published_title(slug, RATED_TITLE_FIELDS)
    if "remove" in request.POST:
        if Rating.objects.unrate(request.user, title):
            messages.success(request, f"Your rating of {title.name} was removed.")
        else:
            messages.info(request, f"You had not rated {title.name}; nothing to remove.")
        return HttpResponseRedirect(back)
    if not plain:
        return rate_and_tell_more(request, title, back)
    if not form.is_valid():
        messages.error(request, form.errors["tears"][0])
        return HttpResponseRedirect(back)
    rating = Rating.objects.rate(request.user, title, form.cleaned_data["tears"])
    return _saved(request, rating, back)


def _saved(request, rating, back):
    """Back to the member's rating on the title page (`back`), saying what was saved."""
    messages.success(request, f"Saved: {rating.tears} — {TearLevel(rating.tears).label}.")
    return HttpResponseRedirect(back)


def rate_and_tell_more(request, title, back):
    """
    The rating form sent with its "Tell more" part: the tears and the extras are saved
    together, or, when something does not fit, the form comes back with a message next
    to each field and nothing is saved.
    """
    form = TellMoreForm(request.POST, title=title, request=request)
    if form.is_valid():
        try:
            rating = rate_telling_more(
                request.user, title, form.cleaned_data["tears"], **form.extras()
            )
        except CauseNotOffered as problem:
            form.not_offered(problem.cause_ids[0])
        except ValueError as problem:
            form.add_error(None, str(problem))
        else:
            return _saved(request, rating, back)
    return render(request, "reviews/rating_form.html", {"title": title, "form": form})


@login_required
@require_POST
def post_comment(request, slug):
    title = _published_title(slug)
    form = CommentForm(request.POST, title=title, mentions=listings(title))
    if form.is_valid():
        try:
            comment = Comment.objects.post_from_member(request.user, title, **form.cleaned_data)
        except CommentLimitReached as limit:
            form.add_error(None, str(limit))
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(f"{title.get_absolute_url()}#comment-{comment.pk}")
    return render(request, "reviews/comment_form.html", {"title": title, "form": form})


def _own_comment(request, pk):
    """The signed-in member's comment on a published title; anyone else's is a 404."""
    return get_object_or_404(
        Comment.objects.select_related("title"),
        pk=pk,
        user=request.user,
        title__is_published=True,
    )


@login_required
def edit_comment(request, pk):
    """
    The author edits their comment. A comment a moderator hid can still be edited (the
    author may mend what was reported) but stays hidden; the page says so, with the
    reasons members reported it for.
    """
    comment = _own_comment(request, pk)
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        instance=comment,
        title=comment.title,
        # A reply takes no stance on the list.
        mentions=() if comment.parent_id else listings(comment.title),
    )
    if request.method == "POST" and form.is_valid():
        try:
            comment.edit(**form.cleaned_data)
        except Comment.DoesNotExist:
            messages.error(request, "That comment was deleted in the meantime.")
            return redirect(comment.title.get_absolute_url())
        if comment.is_hidden:
            messages.info(
                request,
                "Your comment is updated. A moderator has hidden it, so it still does not "
                "show on the title page; only a moderator can make it public again.",
            )
            return redirect(f"{comment.title.get_absolute_url()}#comments")
        messages.success(request, "Your comment is updated.")
        return redirect(f"{comment.title.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "reviews/comment_form.html",
        {
            "title": comment.title,
            "form": form,
            "comment": comment,
            "report_reasons": comment.report_reasons() if comment.is_hidden else [],
        },
    )


@login_required
def delete_comment(request, pk):
    comment = _own_comment(request, pk)
    if request.method == "POST":
        comment.remove()
        messages.success(request, "Your comment is deleted.")
        return redirect(comment.title.get_absolute_url() + "#comments")
    return render(request, "reviews/comment_confirm_delete.html", {"comment": comment})


@login_required
def report_comment(request, pk):
    comment = get_object_or_404(
        Comment.objects.visible().exclude(parent__is_hidden=True).select_related("title", "user"),
        pk=pk,
        title__is_published=True,
    )
    back = f"{comment.title.get_absolute_url()}#comment-{comment.pk}"
    if comment.user_id == request.user.pk:
        messages.error(request, "You cannot report your own comment; edit or delete it instead.")
        return redirect(back)
    if Report.objects.filter(comment=comment, reporter=request.user).exists():
        messages.info(
            request, "You have already reported this comment; moderators will look at it."
        )
        return redirect(back)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.comment, report.reporter = comment, request.user
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            pass  # a double submit: the first copy of the report is the one kept
        messages.success(request, "Thank you: the moderators will look at this comment.")
        return redirect(back)
    return render(request, "reviews/report_form.html", {"comment": comment, "form": form})
