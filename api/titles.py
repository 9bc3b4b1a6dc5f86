"""
What the API tells about one title beyond its facts: where else it lives, where to
watch it, and the insights from the ratings' extras, built from the same totals as the
title page (reviews.insights.title_insights). What may spoil (the causes marked as
spoilers, where it hit, how it ends) is left out unless the program asks for it.
"""

from reviews.models import Ending

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
