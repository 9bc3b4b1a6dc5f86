"""
The JSON API, version 1: what the site's pages show, for other programs.

Reads are open to anyone (and to other origins, api.middleware). Writes need a
personal access token that may write, and go through the same forms and model methods
as the title page (reviews.views), so the rules, the limits and the stats kept by
triggers are the same whichever way a member rates or comments.
"""

import re
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import NinjaAPI, Path, Query
from ninja.responses import Status
from pydantic import TypeAdapter

from accounts.urls import UsernameConverter
from api import problems
from api.forms import RatingExtrasForm
from api.limits import READS, WRITES, TokenAuth, token_member
from api.problems import Problem
from api.schemas import (
    CauseOut,
    CommentIn,
    CommentOut,
    Me,
    MemberOut,
    MemberRating,
    Page,
    RatingIn,
    RatingOut,
    SourceOut,
    ThemeWithCount,
    TitleDetail,
    TitleSummary,
)
from api.titles import elsewhere_out, insights_out, watch_options_out
from catalogue.models import Mention, Source, Theme
from pages.filters import DEFAULT_SORT, SORTS, TitleFilter
from pages.rankings import compare_rankings
from pages.views import TITLES_PER_PAGE, listed_titles, tear_distribution
from reviews import threads
from reviews.forms import CommentForm, RatingForm
from reviews.insights import (
    causes_in_use,
    own_extras,
    rate_telling_more,
    title_insights,
    with_own_extras,
)
from reviews.models import Comment, CommentLimitReached, Ending, RatedTitle, Rating
from reviews.views import COMMENTS_PER_PAGE, listings
from sadlist.freshness import address_key, shared_part


class SadlistAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return problems.document_problems(super().get_openapi_schema(*args, **kwargs))


api = SadlistAPI(
    title="Sadlist API",
    version="1",
    description="Anime that make people cry, and how hard: titles, tear ratings, "
    "comments and the articles they come from. Errors are application/problem+json.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    throttle=[READS],
)
problems.install(api)


# The largest id a database column holds (PostgreSQL's bigint).
BIGGEST_ID = 2**63 - 1


def absolute(request, path):
    return request.build_absolute_uri(path)


def paginate(request, items, number, per_page, count=None, convert=lambda item: item):
    """
    One page of `items` as a `Page`: a page past the last is a 404 problem (a program
    should not be handed another page than it asked for). `count` spares a COUNT(*)
    where a stored total exists.
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count
    pages = paginator.num_pages
    if number > pages:
        raise Problem(
            404, f"There {'is only 1 page' if pages == 1 else f'are only {pages} pages'}."
        )
    offset = (number - 1) * per_page
    results = [convert(item) for item in items[offset : offset + per_page]]

    def link(page_number):
        query = request.GET.copy()
        query["page"] = page_number
        return absolute(request, f"{request.path}?{query.urlencode()}")

    return {
        "count": paginator.count,
        "page": number,
        "pages": pages,
        "next": link(number + 1) if number < pages else None,
        "previous": link(number - 1) if number > 1 else None,
        "results": results,
    }


def field_errors(errors):
    """A form's errors by field; those about the whole request under "request"."""
    fields = {name: list(messages) for name, messages in errors.items() if name != "__all__"}
    if "__all__" in errors:
        fields["request"] = list(errors["__all__"])
    return fields


def title_summary(request, title):
    picture = title.picture
    return {
        "slug": title.slug,
        "name": title.name,
        "original_name": title.original_name,
        "other_names": title.other_names_list,
        "kind": title.kind,
        "year": title.year,
        "studio": title.studio,
        "episodes": title.episodes,
        "runtime_minutes": title.runtime_minutes,
        "tear_score": round(title.tear_score, 3),
        "rating_count": title.rating_count,
        "comment_count": title.comment_count,
        "few_ratings": title.rating_count < settings.FEW_RATINGS_THRESHOLD,
        "picture": absolute(request, picture.url) if picture else None,
        "url": absolute(request, title.get_absolute_url()),
        "external_ids": {
            "myanimelist": title.myanimelist_id,
            "anilist": title.anilist_id,
            "anidb": title.anidb_id,
            "kitsu": title.kitsu_id,
        },
    }


def for_everyone(request, schema, compute):
    """
    `compute()`'s answer as JSON in the shape of `schema`, shared for FRESHNESS_SECONDS
    like a visitor's page part (sadlist.freshness.shared_part), keyed by the whole
    address: the JSON is built once and served as it is. A request with a token is a
    member's program: it gets the answer built afresh, so it sees its own writes at
    once. The response itself stays private (no shared HTTP cache keeps it).
    """

    def as_json():
        return TypeAdapter(schema).dump_json(TypeAdapter(schema).validate_python(compute()))

    if "HTTP_AUTHORIZATION" in request.META:
        content = as_json()
    else:
        content = shared_part(request, f"api:{address_key(request)}", as_json)
    return HttpResponse(content, content_type="application/json; charset=utf-8")


def published_title(slug):
    return get_object_or_404(listed_titles(), slug=slug)


@api.get(
    "/titles/",
    response=Page[TitleSummary],
    summary="Titles, filtered and sorted as on the browse page",
    tags=["titles"],
)
def titles(
    request,
    q: str | None = None,
    kind: Literal["movie", "series"] | None = None,
    theme: list[str] = Query(None, description="Theme slugs; any of them."),  # noqa: B008
    year_min: int | None = None,
    year_max: int | None = None,
    tears_min: float | None = Query(None, ge=0, le=5),
    tears_max: float | None = Query(None, ge=0, le=5),
    min_ratings: int | None = Query(None, ge=0),
    source: str | None = Query(None, description="An article's slug."),
    avoid: str | None = Query(
        None, description="A cause's slug (see /causes/): leave out titles it counts for."
    ),
    seek: str | None = Query(None, description="A cause's slug: only titles it counts for."),
    ending: Literal[tuple(Ending.values)] | None = Query(
        None, description="The ending most raters chose."
    ),
    quality_min: float | None = Query(
        None, ge=1, le=5, description="How good at least: the mean of 1 to 5."
    ),
    service: str | None = Query(None, description="A streaming service's slug."),
    on_my_list: bool = Query(False, description="Only titles on your list; needs your token."),
    not_rated_by_me: bool = Query(
        False, description="Only titles you have not rated yet; needs your token."
    ),
    sort: Literal[tuple(SORTS)] = DEFAULT_SORT,
    page: int = Query(1, ge=1),
):
    """The same filter as the browse page (pages.filters.TitleFilter), page by page."""
    own = {"on_my_list": on_my_list, "not_rated_by_me": not_rated_by_me}
    return for_everyone(request, Page[TitleSummary], lambda: filtered_titles(request, page, own))


def filtered_titles(request, page, own):
    """
    `own`: the member-only filters asked for. They need a token (any token: they only
    read), whose member they are answered for; a request with a token is never shared.
    """
    data = request.GET.copy()
    member = None
    for name, wanted in own.items():
        data.pop(name, None)
        if wanted:
            data[name] = "1"
            member = member or token_member(request)
            if member is None:
                raise Problem(
                    422,
                    "Your own filters need your token.",
                    {name: ["Send your token (Authorization: Bearer …) to use this filter."]},
                )
    title_filter = TitleFilter(data, queryset=listed_titles(), member=member)
    if title_filter.errors or title_filter.notes:
        errors = field_errors(title_filter.errors)
        if title_filter.notes:
            errors.setdefault("request", []).extend(title_filter.notes)
        raise Problem(422, "Some filters could not be used; see errors.", errors)
    return paginate(
        request,
        title_filter.qs,
        page,
        TITLES_PER_PAGE,
        convert=lambda title: title_summary(request, title),
    )


@api.get("/titles/{slug:slug}/", response=TitleDetail, summary="A title", tags=["titles"])
def title(
    request,
    slug: str,
    spoilers: bool = Query(  # noqa: B008
        False,
        description="true to include what may spoil: the causes marked as spoilers, where "
        "it hit hardest and how it ends. Left out otherwise.",
    ),
):
    """
    Facts, provenance, the tear distribution, where to watch it and the insights from
    the ratings' extras of one published title. The answer is the same for everyone
    (spoilers or not are two addresses, each shared as a visitor's page is).
    """
    return for_everyone(request, TitleDetail, lambda: title_facts(request, slug, spoilers))


def title_facts(request, slug, spoilers=False):
    found = published_title(slug)
    return {
        **title_summary(request, found),
        "synopsis": found.synopsis,
        "why_it_hurts": found.why_it_hurts,
        "themes": list(found.themes.order_by("name").values("slug", "name", "description")),
        "listings": [
            {
                "id": mention.pk,
                "source": mention.source.slug,
                "source_name": mention.source.name,
                "section": mention.section,
                "rank": mention.rank,
                "description": mention.description,
            }
            for mention in listings(found)
        ],
        "mean": round(found.stats.mean, 3) if found.rating_count else None,
        "distribution": tear_distribution(found),
        "elsewhere": elsewhere_out(found),
        "where_to_watch": watch_options_out(found),
        "insights": insights_out(title_insights(found), spoilers),
    }


@api.get(
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


@api.get(
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


@api.get("/themes/", response=list[ThemeWithCount], summary="Themes", tags=["catalogue"])
def themes(request):
    return list(
        Theme.objects.with_title_count()
        .order_by("name")
        .values("slug", "name", "description", "title_count")
    )


@api.get(
    "/causes/",
    response=list[CauseOut],
    summary="What makes people cry: the causes members may name",
    tags=["catalogue"],
)
def causes(request):
    """The causes still offered, in the curators' order; retired ones are left out."""
    return [
        {
            "slug": cause.slug,
            "name": cause.name,
            "description": cause.description,
            "is_spoiler": cause.is_spoiler,
        }
        for cause in causes_in_use(request)
    ]


def rankings():
    mentions = Mention.objects.select_related("source").order_by("source__pk", "section", "rank")
    titles = listed_titles().filter(pk__in=Mention.objects.values("title_id"))
    return compare_rankings(mentions, {title.pk: title for title in titles})


def source_out(source, sections):
    return {
        "slug": source.slug,
        "name": source.name,
        "publisher": source.publisher,
        "url": source.url,
        "sections": [
            {
                "section": section.section,
                "heading": section.heading,
                "is_ranked": section.is_ranked,
                "entries": [
                    {
                        "title": entry.title.slug,
                        "name": entry.title.name,
                        "article_rank": entry.article_rank,
                        "community_rank": entry.community_rank,
                        "rating_count": entry.title.rating_count,
                        "tear_score": round(entry.title.tear_score, 3),
                    }
                    for entry in section.entries
                ],
            }
            for section in sections
        ],
    }


@api.get(
    "/sources/",
    response=list[SourceOut],
    summary="The articles, each ranking beside the community's",
    tags=["catalogue"],
)
def sources(request):
    return for_everyone(
        request,
        list[SourceOut],
        lambda: [source_out(source, sections) for source, sections in rankings()],
    )


@api.get("/sources/{slug:slug}/", response=SourceOut, summary="One article", tags=["catalogue"])
def source(request, slug: str):
    found = get_object_or_404(Source, slug=slug)
    for listed, sections in rankings():
        if listed.pk == found.pk:
            return source_out(listed, sections)
    return source_out(found, [])


def active_member(username):
    # Only what a username can hold reaches the database (PostgreSQL refuses NUL).
    if not re.fullmatch(UsernameConverter.regex, username):
        raise Problem(404, "There is no member by that name.")
    return get_object_or_404(get_user_model(), username=username, is_active=True)


@api.get(
    "/members/{username}/",
    response=MemberOut,
    summary="A member's public profile",
    tags=["members"],
)
def member(request, username: str):
    found = active_member(username)
    return {
        "username": found.get_username(),
        "joined": found.date_joined,
        "rating_count": Rating.objects.filter(user=found, title__is_published=True).count(),
        "comment_count": Comment.objects.visible()
        .filter(user=found, title__is_published=True)
        .count(),
        "url": absolute(request, reverse("accounts:profile", args=[found.get_username()])),
    }


@api.get(
    "/members/{username}/ratings/",
    response=Page[MemberRating],
    summary="A member's tear ratings, latest first",
    tags=["members"],
)
def member_ratings(request, username: str, page: int = Query(1, ge=1)):
    found = active_member(username)
    ratings = (
        Rating.objects.filter(user=found, title__is_published=True)
        .select_related("title")
        .order_by("-updated_at", "-pk")
    )
    return paginate(
        request,
        ratings,
        page,
        TITLES_PER_PAGE,
        convert=lambda rating: {
            "title": rating.title.slug,
            "name": rating.title.name,
            "tears": rating.tears,
            "tear_level": rating.get_tears_display(),
            "updated_at": rating.updated_at,
        },
    )


# Writes: a token that may write, the web forms' rules, the models' methods.

AUTH = {"auth": TokenAuth(), "throttle": [WRITES]}


def writer(request):
    """The member behind a token that may write; a read-only token is refused."""
    if not request.auth.can_write:
        raise Problem(403, "This token is read-only; make a read-write token to change data.")
    return request.auth.user


def form_problem(form):
    return Problem(422, "What was sent breaks a rule; see errors.", field_errors(form.errors))


@api.get("/me/", response=Me, summary="Who the token belongs to", tags=["account"], **AUTH)
def me(request):
    return {"username": request.auth.user.get_username(), "can_write": request.auth.can_write}


def rating_out(title, rating):
    """The member's own rating of `title`, extras and all (they may spoil: only theirs)."""
    stats = RatedTitle.objects.with_stats().get(pk=title.pk)
    rating = with_own_extras(Rating.objects.filter(pk=rating.pk)).get()
    rating.title = title
    return {
        "title": title.slug,
        "tears": rating.tears,
        "tear_level": rating.get_tears_display(),
        "causes": [cause.slug for cause in rating.causes_named],
        "moment": rating.moment,
        "where_it_hit": own_extras(rating)["where_it_hit"],
        "quality": rating.quality,
        "ending": rating.ending,
        "rating_count": stats.rating_count,
        "tear_score": round(stats.tear_score, 3),
    }


@api.get(
    "/titles/{slug:slug}/rating/",
    response=RatingOut,
    summary="Your rating of a title, with its extras",
    tags=["ratings"],
    auth=TokenAuth(),
)
def my_rating(request, slug: str):
    found = published_title(slug)
    rating = Rating.objects.filter(user=request.auth.user, title=found).first()
    if rating is None:
        raise Problem(404, f"You have not rated {found.name}.")
    return rating_out(found, rating)


EXTRAS = ("causes", "moment", "quality", "ending")


def extras_data(payload):
    """What was sent, as the rating form's data (a form reads what a browser would post)."""
    data = QueryDict(mutable=True)
    data["tears"] = payload.tears
    data.setlist("causes", payload.causes or [])
    for name in ("moment", "quality", "ending"):
        value = getattr(payload, name)
        data[name] = "" if value is None else value
    return data


@api.put(
    "/titles/{slug:slug}/rating/",
    response={200: RatingOut},
    summary="Rate a title, or change your rating",
    tags=["ratings"],
    **AUTH,
)
def rate(request, slug: str, payload: RatingIn):
    """
    Tears alone change only the tears. With any extra, the tears and the extras are
    saved together through the title page's form and rate_telling_more (the same
    rules and messages), or nothing is saved.
    """
    user = writer(request)
    found = published_title(slug)
    if not set(EXTRAS) & payload.model_fields_set:
        form = RatingForm({"tears": payload.tears})
        if not form.is_valid():
            raise form_problem(form)
        return rating_out(found, Rating.objects.rate(user, found, form.cleaned_data["tears"]))
    form = RatingExtrasForm(extras_data(payload), title=found, request=request)
    if not form.is_valid():
        raise form_problem(form)
    if "moment" not in form.fields and payload.moment is not None:
        # The page offers no moment then; a program is told rather than ignored.
        unknown = "We do not know how many episodes it has, so no moment can be marked."
        raise Problem(422, "What was sent breaks a rule; see errors.", {"moment": [unknown]})
    try:
        rating = rate_telling_more(user, found, form.cleaned_data["tears"], **form.extras())
    except ValueError as problem:
        raise Problem(422, str(problem), {"request": [str(problem)]}) from None
    return rating_out(found, rating)


@api.delete(
    "/titles/{slug:slug}/rating/",
    response={204: None},
    summary="Remove your rating",
    tags=["ratings"],
    **AUTH,
)
def unrate(request, slug: str):
    user = writer(request)
    found = published_title(slug)
    if not Rating.objects.unrate(user, found):
        raise Problem(404, f"You had not rated {found.name}; nothing to remove.")
    return Status(204, None)


@api.post(
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


@api.delete(
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
