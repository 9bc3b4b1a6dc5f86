"""
The API's titles: the catalogue filtered and sorted as on the browse page, and one
title with its facts, provenance, tear distribution, where else it lives, where to
watch it, and the insights from the ratings' extras, built from the same totals as the
title page (reviews.insights.title_insights). What may spoil (the causes marked as
spoilers, where it hit, how it ends) is left out unless the program asks for it.
"""

from typing import Literal

from django.conf import settings
from ninja import Query, Router

from api.limits import token_member
from api.problems import Problem
from api.responses import absolute, field_errors, for_everyone, paginate, published_title
from api.schemas import Page, TitleDetail, TitleSummary
from pages.filters import DEFAULT_SORT, SORTS, TitleFilter
from pages.views import TITLES_PER_PAGE, listed_titles, tear_distribution
from reviews.insights import title_insights
from reviews.models import Ending
from reviews.views import listings

router = Router()

ENDING_BY_LABEL = {label: value for value, label in Ending.choices}


def elsewhere_out(title):
    return [{"site": site, "url": url} for site, url in title.links_elsewhere()]


def watch_options_out(title):
    """The title's watch options, as the title page lists them (one query)."""
    return [
        {
            "service": option.service.slug,
            "service_name": option.service.name,
            "link": option.link,
            "countries": option.countries.split(),
            "access": option.access,
            "access_name": option.get_access_display(),
            "checked_on": option.checked_on,
            "source": option.source,
        }
        for option in title.watch_options.select_related("service").order_by("service__name", "pk")
    ]


def cause_out(row):
    cause = row["cause"]
    return {
        "cause": cause.slug,
        "name": cause.name,
        "is_spoiler": cause.is_spoiler,
        "count": row["count"],
        "percent": row["percent"],
        "how_hard": row["how_hard"],
        "tears": row["tears"],
    }


def moment_out(bar):
    return {"position": bar["position"], "name": bar["name"], "count": bar["count"]}


def insights_out(insights, spoilers):
    """
    `insights` (title_insights) as the API shows them: without `spoilers`, only the
    causes that do not spoil and how good it was; with them, everything.
    """
    causes = insights["open_causes"]
    if spoilers:
        # Most named first, as the page lists each group.
        causes = sorted(
            [*causes, *insights["spoiler_causes"]],
            key=lambda row: (-row["count"], row["cause"].order, row["cause"].name),
        )
    quality = insights["quality"]
    shown = {
        "spoilers": spoilers,
        "causes": [cause_out(row) for row in causes],
        "quality": {
            "count": quality["count"],
            "mean": round(quality["mean_value"], 3) if quality["mean_value"] else None,
            "distribution": quality["rows"],
        },
        "endings": None,
        "moments": None,
    }
    if not spoilers:
        return shown
    endings = insights["endings"]
    shown["endings"] = {
        "count": endings["count"],
        "leading": ENDING_BY_LABEL.get(endings["leading"]),
        "distribution": [
            {"ending": value, **row}
            for value, row in zip(Ending.values, endings["rows"], strict=True)
        ],
    }
    if moments := insights["moments"]:
        shown["moments"] = {
            "marked": moments["marked"],
            "peak": moment_out(moments["peak"]),
            "positions": [moment_out(bar) for bar in moments["bars"]],
        }
    return shown


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


@router.get(
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


@router.get("/titles/{slug:slug}/", response=TitleDetail, summary="A title", tags=["titles"])
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
