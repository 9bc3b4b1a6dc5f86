"""
Comments as threads on a title page: each comment that starts a thread with its first
replies and its "this hit me too" count, as plain entries the templates render once
for everyone (reviews.views.title_comments), and the part that belongs to one member
(their rating, what they marked, whether the title is on their list).
"""

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils.http import urlencode

from reviews.models import Comment
from sadlist.addresses import address

# Replies shown under each comment on the title page; the thread page shows them all.
REPLIES_SHOWN = 3
REPLIES_PER_PAGE = 20
# The title page's query parameter for the comments' order, and the orders it takes.
COMMENT_ORDER_PARAMETER = "order"
ORDERS = {
    "newest": ("-created_at", "-pk"),
    "marks": ("-mark_count", "-created_at", "-pk"),
}
ORDER_LABELS = {"newest": "Newest first", "marks": "Most “hit me too” first"}
DEFAULT_ORDER = "newest"


def comment_order(value):
    """The order asked for, or the default for anything else."""
    return value if value in ORDERS else DEFAULT_ORDER


def order_query(order):
    """The query string that keeps `order` in links (empty for the default)."""
    return "" if order == DEFAULT_ORDER else urlencode({COMMENT_ORDER_PARAMETER: order})


def with_author_tears(comments):
    """Comments with their authors and each author's current tear rating of the title."""
    return comments.with_author_tears()


def first_replies(threads):
    """
    The first REPLIES_SHOWN visible replies of each of `threads` (comment ids, or a
    query of them), oldest first, keyed by comment: one query whatever the number of
    replies (a window numbers each thread's replies and keeps the first few), and one
    even for a page without comments, so every page costs the same.
    """
    place = Window(RowNumber(), partition_by=[F("parent_id")], order_by=[F("created_at"), F("pk")])
    replies = (
        with_author_tears(Comment.objects.visible())
        .filter(parent__in=threads)
        .annotate(place=place)
        .filter(place__lte=REPLIES_SHOWN)
        .order_by("parent_id", "created_at", "pk")
    )
    by_thread = {}
    for each in replies:
        by_thread.setdefault(each.parent_id, []).append(each)
    return by_thread


def entry(comment, replies=()):
    """What a comment's templates need, for everyone: text rendered once, links, counts."""
    return {
        "pk": comment.pk,
        "user_id": comment.user_id,
        "author": comment.user.get_username(),
        "html": render_to_string("reviews/_comment_text.html", {"comment": comment}),
        "is_reply": comment.parent_id is not None,
        "mark_count": comment.mark_count,
        "reply_count": comment.reply_count,
        "more_replies": max(comment.reply_count - REPLIES_SHOWN, 0),
        "replies": [entry(each) for each in replies],
        "edit_url": address("reviews:edit_comment", comment.pk),
        "delete_url": address("reviews:delete_comment", comment.pk),
        "report_url": address("reviews:report_comment", comment.pk),
        "mark_url": address("reviews:mark_comment", comment.pk),
        "reply_url": address("reviews:reply", comment.pk),
        "thread_url": address("reviews:thread", comment.parent_id or comment.pk),
    }


def entries(comments, threads):
    """Entries for `comments`, each with its first replies: `threads` queries their ids."""
    replies = first_replies(threads)
    return [entry(comment, replies.get(comment.pk, ())) for comment in comments]


def shown_comments(comment_entries):
    """Every comment and reply shown on the page, as entries."""
    for each in comment_entries:
        yield each
        yield from each["replies"]


# What a member has of a title, one row per thing, in one statement (member_context).
MEMBER_STANDING = (
    "SELECT 'rating', tears, moment, quality, ending FROM reviews_rating "
    "WHERE user_id = %(user)s AND title_id = %(title)s "
    "UNION ALL "
    "SELECT 'cause', link.cause_id, NULL, NULL, NULL FROM reviews_ratingcause link "
    "JOIN reviews_rating rating ON rating.id = link.rating_id "
    "JOIN reviews_cause cause ON cause.id = link.cause_id "
    "WHERE rating.user_id = %(user)s AND rating.title_id = %(title)s AND NOT cause.is_retired "
    "UNION ALL "
    "SELECT 'listed', NULL, NULL, NULL, NULL FROM reviews_watchlistentry "
    "WHERE user_id = %(user)s AND title_id = %(title)s"
)
MARKS = (
    " UNION ALL SELECT 'mark', comment_id, NULL, NULL, NULL FROM reviews_commentmark "
    "WHERE user_id = %(user)s AND comment_id IN ({})"
)


def member_context(user, title, comment_entries):
    """
    What `title` and its shown comments mean to `user`: their rating (tears, moment,
    quality and ending, or None) and the causes still offered that they named; whether
    they wrote any of the comments (then the list is built for them, with Edit and
    Delete), which they marked (then too, with Undo), and whether the title is on their
    list.

    One written query of simple index lookups (MEMBER_STANDING): this is the page
    members open most, and four ORM queries cost several times its round trip.
    """
    shown = list(shown_comments(comment_entries))
    shown_ids = {f"comment{index}": each["pk"] for index, each in enumerate(shown)}
    sql = MEMBER_STANDING
    if shown_ids:
        sql += MARKS.format(", ".join(f"%({name})s" for name in shown_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "title": title.pk, **shown_ids})
        rows = cursor.fetchall()
    rating = None
    causes, marked, on_watchlist = [], set(), False
    for kind, number, moment, quality, ending in rows:
        if kind == "rating":
            rating = {"tears": number, "moment": moment, "quality": quality, "ending": ending}
        elif kind == "cause":
            causes.append(number)
        elif kind == "mark":
            marked.add(number)
        else:
            on_watchlist = True
    return {
        "rating": rating,
        "causes": sorted(causes),
        "wrote_some": bool(marked) or any(each["user_id"] == user.pk for each in shown),
        "marked": frozenset(marked),
        "on_watchlist": on_watchlist,
    }
