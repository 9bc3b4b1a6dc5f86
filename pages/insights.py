"""
Tears against quality: every published title with enough ratings of both, drawn as a
scatter chart (how hard it made members cry across, how good they found it up), for
the whole catalogue or one theme, with the same numbers in a table beside it.

The page is the same for everyone: visitors get it whole from the cache, members get
it built around one shared part per address (sadlist.freshness), fresh within
FRESHNESS_SECONDS of members' ratings and at once after a curator's change.
"""

from django.conf import settings
from django.db.models import F
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string

from catalogue.models import Theme
from pages.views import listed_titles
from sadlist.freshness import shared_part, visitor_page

# The chart's drawing area inside its viewBox, and the margins for the axes' labels.
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 640, 440, 56, 48, 16, 16
# Where the quadrants meet: the middle of each scale.
TEARS_MIDDLE, QUALITY_MIDDLE = 2.5, 3.0
QUADRANTS = {
    (True, True): "Worth every tear",
    (False, True): "Good without the tears",
    (True, False): "Tears without much else",
    (False, False): "Neither moving nor memorable",
}
SORTS = {
    "tears": [F("tear_score").desc(), "name", "pk"],
    "quality": [F("insights__quality_mean").desc(), "name", "pk"],
    "name": ["name", "pk"],
}


def x_of(tears):
    return round(LEFT + tears / 5 * (WIDTH - LEFT - RIGHT), 1)


def y_of(quality):
    return round(TOP + (5 - quality) / 4 * (HEIGHT - TOP - BOTTOM), 1)


def scatter(theme_slug, sort):
    """The chart's points and table rows: one query for the titles, one for the themes."""
    themes = list(Theme.objects.order_by("name"))
    theme = next((each for each in themes if each.slug == theme_slug), None)
    if theme_slug and theme is None:
        raise Http404("No such theme")
    enough = settings.FEW_RATINGS_THRESHOLD
    titles = listed_titles().filter(
        stats__rating_count__gte=enough, insights__quality_count__gte=enough
    )
    if theme is not None:
        titles = titles.filter(themes=theme)
    titles = list(
        titles.annotate(
            quality_mean=F("insights__quality_mean"), quality_count=F("insights__quality_count")
        ).order_by(*SORTS[sort])
    )
    points = [
        {
            "name": title.name,
            "url": title.get_absolute_url(),
            "tears": f"{title.tear_score:.1f}",
            "quality": f"{title.quality_mean:.1f}",
            "ratings": title.rating_count,
            "votes": title.quality_count,
            "x": x_of(title.tear_score),
            "y": y_of(title.quality_mean),
            "quadrant": QUADRANTS[
                (title.tear_score >= TEARS_MIDDLE, title.quality_mean >= QUALITY_MIDDLE)
            ],
        }
        for title in titles
    ]
    middle_x, middle_y = x_of(TEARS_MIDDLE), y_of(QUALITY_MIDDLE)
    return {
        "theme": theme,
        "themes": themes,
        "points": points,
        "sort": sort,
        "enough": enough,
        "chart": {
            "width": WIDTH,
            "height": HEIGHT,
            "left": LEFT,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "bottom": HEIGHT - BOTTOM,
            "middle_x": middle_x,
            "middle_y": middle_y,
            "x_ticks": [{"value": value, "at": x_of(value)} for value in range(6)],
            "y_ticks": [{"value": value, "at": y_of(value)} for value in range(1, 6)],
            "quadrants": [
                {
                    "name": QUADRANTS[(True, True)],
                    "x": WIDTH - RIGHT - 6,
                    "y": TOP + 16,
                    "end": True,
                },
                {"name": QUADRANTS[(False, True)], "x": LEFT + 6, "y": TOP + 16, "end": False},
                {
                    "name": QUADRANTS[(True, False)],
                    "x": WIDTH - RIGHT - 6,
                    "y": HEIGHT - BOTTOM - 8,
                    "end": True,
                },
                {
                    "name": QUADRANTS[(False, False)],
                    "x": LEFT + 6,
                    "y": HEIGHT - BOTTOM - 8,
                    "end": False,
                },
            ],
        },
    }


@visitor_page(parameters=["theme", "sort"])
def tears_quality(request):
    """Below the header the page depends only on its address: one shared part."""
    theme_slug = request.GET.get("theme", "")
    sort = request.GET.get("sort", "tears")
    if sort not in SORTS:
        sort = "tears"
    context = shared_part(
        request,
        f"tears-quality:{theme_slug}:{sort}",
        lambda: _rendered(theme_slug, sort),
    )
    return render(request, "catalogue/tears_quality.html", context)


def _rendered(theme_slug, sort):
    context = scatter(theme_slug, sort)
    return {
        "theme": context["theme"],
        "chart": render_to_string("catalogue/_tears_quality.html", context),
    }
