"""
The API's comments: a title's threads and a thread's replies, as the title page shows
them, and a member's own comments, posted and deleted through the title page's form
and model methods.
"""

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.responses import Status

from api.problems import Problem
from api.responses import (
    AUTH,
    BIGGEST_ID,
    for_everyone,
    form_problem,
    paginate,
    published_title,
    writer,
)
from api.schemas import CommentIn, CommentOut, Page
from reviews import threads
from reviews.forms import CommentForm
from reviews.models import Comment, CommentLimitReached
from reviews.views import COMMENTS_PER_PAGE, listings

router = Router()


@router.get(
    "/titles/{slug:slug}/comments/",
    response=Page[CommentOut],
    summary="A title's visible threads: the comments that start one, newest first",
    tags=["comments"],
)
def title_comments(
    request,
    slug: str,
    order: Literal[tuple(threads.ORDERS)] = Query(  # noqa: B008
        threads.DEFAULT_ORDER,
        description="newest first, or the most “this hit me too” marks first.",
    ),
    page: int = Query(1, ge=1),
):
    """The comments that start a thread (replies: /comments/{id}/replies/), as on the page."""

    def compute():
        found = published_title(slug)
        return paginate(
            request,
            Comment.objects.on_title(found, threads.ORDERS[order]),
            page,
            COMMENTS_PER_PAGE,
            count=found.comment_count,
            convert=lambda comment: comment_out(comment, found.slug),
        )

    return for_everyone(request, Page[CommentOut], compute)


@router.post(
    "/titles/{slug:slug}/comments/",
    response={201: CommentOut},
    summary="Post a comment",
    tags=["comments"],
    **AUTH,
)
def post_comment(request, slug: str, payload: CommentIn):
    user = writer(request)
    found = published_title(slug)
    data = payload.dict()
    if data["mention"] is None:
        del data["mention"]
    form = CommentForm(data, title=found, mentions=listings(found))
    if not form.is_valid():
        raise form_problem(form)
    try:
        comment = Comment.objects.post_from_member(user, found, **form.cleaned_data)
    except CommentLimitReached as limit:
        # The minute's limit lifts within a minute; the day's, at worst, in a day.
        wait = 60 if "minute" in str(limit) else 24 * 60 * 60
        raise Problem(429, str(limit), retry_after=wait) from None
    return Status(201, comment_out(comment, found.slug))


def comment_out(comment, slug):
    mention = comment.mention
    return {
        "id": comment.pk,
        "title": slug,
        "author": comment.user.get_username(),
        "author_tears": getattr(comment, "author_tears", None),
        "body": comment.body,
        "is_spoiler": comment.is_spoiler,
        "stance": comment.stance,
        "listing": f"{mention.description} in {mention.source.name}" if mention else None,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "in_reply_to": comment.parent_id,
        "reply_count": comment.reply_count,
        "mark_count": comment.mark_count,
    }


@router.get(
    "/comments/{comment_id}/replies/",
    response=Page[CommentOut],
    summary="The visible replies to a comment, oldest first",
    tags=["comments"],
)
def comment_replies(
    request,
    comment_id: int = Path(..., ge=1, le=BIGGEST_ID),  # noqa: B008
    page: int = Query(1, ge=1),
):
    """
    A thread as its page shows it (reviews.community_views.thread): the comment must
    start a thread, be visible and be on a published title; else there is none (404).
    """

    def compute():
        start = get_object_or_404(
            Comment.objects.visible().threads().select_related("title"),
            pk=comment_id,
            title__is_published=True,
        )
        replies = threads.with_author_tears(Comment.objects.visible().filter(parent=start))
        return paginate(
            request,
            replies.select_related("mention__source").order_by("created_at", "pk"),
            page,
            threads.REPLIES_PER_PAGE,
            count=start.reply_count,
            convert=lambda each: comment_out(each, start.title.slug),
        )

    return for_everyone(request, Page[CommentOut], compute)


@router.delete(
    "/comments/{comment_id}/",
    response={204: None},
    summary="Delete your own comment",
    tags=["comments"],
    **AUTH,
)
def delete_comment(request, comment_id: int = Path(..., ge=1, le=BIGGEST_ID)):  # noqa: B008
    user = writer(request)
    comment = get_object_or_404(Comment, pk=comment_id, user=user, title__is_published=True)
    comment.remove()
    return Status(204, None)
