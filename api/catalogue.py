"""
The API's catalogue beside the titles: the themes, the causes members may name, and the
articles, each ranking beside the community's.
"""

from django.shortcuts import get_object_or_404
from ninja import Router

from api.responses import for_everyone
from api.schemas import CauseOut, SourceOut, ThemeWithCount
from catalogue.models import Mention, Source, Theme
from pages.rankings import compare_rankings
from pages.views import listed_titles
from reviews.insights import causes_in_use

router = Router()


@router.get("/themes/", response=list[ThemeWithCount], summary="Themes", tags=["catalogue"])
def themes(request):
    return list(
        Theme.objects.with_title_count()
        .order_by("name")
        .values("slug", "name", "description", "title_count")
    )


@router.get(
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


@router.get(
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


@router.get("/sources/{slug:slug}/", response=SourceOut, summary="One article", tags=["catalogue"])
def source(request, slug: str):
    found = get_object_or_404(Source, slug=slug)
    for listed, sections in rankings():
        if listed.pk == found.pk:
            return source_out(listed, sections)
    return source_out(found, [])
