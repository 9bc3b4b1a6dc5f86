from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from catalogue.caching import address_key, cache_for_visitors, shared_html, while_unchanged
from catalogue.filters import TitleFilter, without_controls
from catalogue.models import Mention, SiteStats, Theme, Title
from catalogue.rankings import BIG_DISAGREEMENT, compare_rankings
from reviews.models import Comment, TearLevel
from reviews.views import title_comments, title_reviews_context

TITLES_PER_PAGE = 24
SIMILAR_TITLES_SHOWN = 6
HOME_SADDEST_SHOWN = 8
HOME_DISPUTED_SHOWN = 5
HOME_COMMENTS_SHOWN = 6
THEME_TITLES_LISTED = 12


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def listed_titles(site_mean):
    """Published titles with their tear score and counts: what every title list reads."""
    return Title.objects.published().with_stats(site_mean).with_counts()


def as_cards(titles):
    """Evaluate `titles`, formatting each card's score once here rather than in the template."""
    titles = list(titles)
    for title in titles:
        title.score_text = f"{title.tear_score:.1f}"
        title.few_ratings = title.rating_count < settings.FEW_RATINGS_THRESHOLD
    return titles


@cache_for_visitors
def home(request):
    # Below the header, the home page is the same for everyone.
    charts = shared_html("home-charts", "catalogue/_home_charts.html", home_charts)
    return render(request, "catalogue/home.html", {"charts": charts})


def home_charts():
    """The home page's three charts: the same for every visitor and member."""
    titles = listed_titles(SiteStats.current().mean)
    # Titles with enough ratings to mean something come first; on a young site the
    # rest of the catalogue fills the shelf.
    saddest = as_cards(
        titles.annotate(
            well_rated=Case(
                When(rating_count__gte=settings.FEW_RATINGS_THRESHOLD, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("-well_rated", F("tear_score").desc(), "name", "pk")[:HOME_SADDEST_SHOWN]
    )
    disputed = as_cards(
        titles.filter(stance_count__gte=1).order_by(
            F("dispute_share").desc(), "-stance_count", "name", "pk"
        )[:HOME_DISPUTED_SHOWN]
    )
    comments = list(
        Comment.objects.filter(is_hidden=False, title__is_published=True)
        .select_related("user", "title")
        .order_by("-created_at", "-pk")[:HOME_COMMENTS_SHOWN]
    )
    return {
        "saddest": saddest,
        "chart_is_young": bool(saddest) and not saddest[0].well_rated,
        "disputed": disputed,
        "comments": comments,
    }


@cache_for_visitors
def browse(request):
    # Everything below the header depends only on the address, so it is rendered once
    # per content version for each address and shared by every visitor and member.
    return render(
        request,
        "catalogue/browse.html",
        while_unchanged(
            f"browse:{address_key(request)}", lambda: browse_results(request.path, request.GET)
        ),
    )


def browse_results(path, query):
    """The filtered, sorted page of titles for `query`, rendered for everyone."""
    titles = listed_titles(SiteStats.current().mean)
    title_filter = TitleFilter(query, queryset=titles)
    paginator = Paginator(title_filter.qs, TITLES_PER_PAGE)
    number, page_note = page_number(query.getlist("page"), paginator.num_pages)
    page = paginator.page(number)
    notes = title_filter.notes + title_filter.ignored + ([page_note] if page_note else [])
    links = pagination(path, title_filter.state, page)
    return {
        "page_number": page.number,
        "address": links["current"],
        "results": render_to_string(
            "catalogue/_browse_results.html",
            {
                "path": path,
                "filter": title_filter,
                "page": page,
                "titles": as_cards(page.object_list),
                "notes": notes,
                "pagination": links,
                "active_filters": [
                    (label, link(path, rest)) for label, rest in title_filter.active
                ],
            },
        ),
    }


def page_number(values, last_page):
    """The page to show for the ?page= values given, and a note if we changed it."""
    if not values:
        return 1, ""
    raw = values[-1]
    repeated = (
        "The page number was given more than once; we used the last one. "
        if len(set(values)) > 1
        else ""
    )
    try:
        number = int(raw)
    except ValueError:
        shown = without_controls(raw)[:20]
        return 1, f"{repeated}“{shown}” is not a page number; here is the first page."
    if number < 1:
        return 1, f"{repeated}Pages start at 1; here is the first page."
    if number > last_page:
        pages = "is only 1 page" if last_page == 1 else f"are only {last_page} pages"
        return last_page, f"{repeated}There {pages}; here is the last one."
    return number, repeated.strip()


def link(path, query):
    return f"{path}?{query}" if query else path


def pagination(path, state, page):
    """
    Links to the previous, next, first, last and nearby pages, each keeping every
    filter and the sort; None in `pages` marks a gap.
    """

    def url(number):
        query = "&".join(part for part in (state, f"page={number}" if number > 1 else "") if part)
        return link(path, query)

    last = page.paginator.num_pages
    wanted = sorted({1, last, *range(page.number - 2, page.number + 3)} & set(range(1, last + 1)))
    pages, previous = [], 0
    for number in wanted:
        if number > previous + 1:
            pages.append(None)
        pages.append({"number": number, "url": url(number), "is_current": number == page.number})
        previous = number
    return {
        "current": url(page.number),
        "pages": pages,
        "previous": url(page.number - 1) if page.has_previous() else None,
        "next": url(page.number + 1) if page.has_next() else None,
    }


def tear_distribution(title):
    """
    The title's ratings per tear level, highest level first, with whole percentages
    that add up to 100 (largest remainders are rounded up; on a tie, the higher level).
    """
    stats = getattr(title, "stats", None)
    counts = stats.distribution if stats else [0] * 6
    total = sum(counts)
    exact = [count * 100 / total if total else 0 for count in counts]
    percents = [int(share) for share in exact]
    by_remainder = sorted(
        range(6), key=lambda level: (exact[level] - percents[level], level), reverse=True
    )
    for level in by_remainder[: 100 - sum(percents) if total else 0]:
        percents[level] += 1
    return [
        {
            "level": level,
            "name": TearLevel(level).label,
            "count": counts[level],
            "percent": percents[level],
        }
        for level in reversed(range(6))
    ]


def similar_titles(title, themes, site_mean):
    """
    Titles the same members rated 4–5 when they rated this one 4–5, then titles
    sharing the most themes; at most SIMILAR_TITLES_SHOWN.
    """
    similar = []
    stats = getattr(title, "stats", None)
    if stats and stats.tears_4 + stats.tears_5:
        similar = list(listed_titles(site_mean).rated_high_by_fans_of(title)[:SIMILAR_TITLES_SHOWN])
    if len(similar) < SIMILAR_TITLES_SHOWN and themes:
        similar += (
            listed_titles(site_mean)
            .sharing_themes_with(title, [theme.pk for theme in themes])
            .exclude(pk__in=[other.pk for other in similar])[: SIMILAR_TITLES_SHOWN - len(similar)]
        )
    for other in similar:
        if getattr(other, "fan_count", 0):
            fans = "member" if other.fan_count == 1 else "members"
            other.reason = f"Also rated 4–5 by {other.fan_count} {fans} who rated this 4–5"
        else:
            themes = "theme" if other.shared_themes == 1 else "themes"
            other.reason = f"Shares {other.shared_themes} {themes}"
    return as_cards(similar)


@cache_for_visitors
def title_detail(request, slug):
    # The facts, the distribution, the comments and the similar titles are the same for
    # everyone, so they are rendered once per content version for each address; only the
    # member's own rating and the forms are built for each request.
    parts = while_unchanged(
        f"title:{address_key(request)}",
        lambda: title_parts(slug, request.GET.get("comments")),
    )
    return render(
        request,
        "catalogue/title_detail.html",
        {
            **parts,
            **title_reviews_context(request, parts["title"], parts["comments"]),
        },
    )


def title_parts(slug, comments_page):
    """The parts of a title's page that are the same for everyone, rendered."""
    site_mean = SiteStats.current().mean
    title = get_object_or_404(listed_titles(site_mean), slug=slug)
    as_cards([title])
    themes = list(title.themes.all())
    mentions = title.mentions.select_related("source").order_by("source__pk", "section", "rank")
    return {
        "title": title,
        "facts": render_to_string(
            "catalogue/_title_facts.html",
            {
                "title": title,
                "themes": themes,
                "mentions": mentions,
                "distribution": tear_distribution(title),
                "mean_text": f"{title.stats.mean:.1f}" if title.rating_count else "",
                "few_ratings_threshold": settings.FEW_RATINGS_THRESHOLD,
            },
        ),
        "similar": render_to_string(
            "catalogue/_similar_titles.html",
            {
                "similar": similar_titles(title, themes, site_mean),
            },
        ),
        **title_comments(title, comments_page),
    }


@cache_for_visitors
def theme_list(request):
    return render(
        request,
        "catalogue/theme_list.html",
        {
            "listing": shared_html("theme-list", "catalogue/_theme_list.html", theme_list_context),
        },
    )


def theme_list_context():
    # Each theme names its first titles and links to its page for the rest, so the
    # page stays the same size however large the catalogue grows.
    first_titles = Title.objects.published().order_by("name", "pk")[:THEME_TITLES_LISTED]
    themes = (
        Theme.objects.annotate(title_count=Count("titles", filter=Q(titles__is_published=True)))
        .order_by("name")
        .prefetch_related(Prefetch("titles", queryset=first_titles, to_attr="first_titles"))
    )
    return {"themes": themes}


@cache_for_visitors
def theme_detail(request, slug):
    parts = while_unchanged(f"theme:{slug}", lambda: theme_parts(slug))
    return render(request, "catalogue/theme_detail.html", parts)


def theme_parts(slug):
    """A theme's page below the header, the same for everyone: its saddest titles."""
    theme = get_object_or_404(Theme, slug=slug)
    titles = as_cards(
        listed_titles(SiteStats.current().mean)
        .filter(themes=theme)
        .order_by(F("tear_score").desc(), "name", "pk")[: TITLES_PER_PAGE + 1]
    )
    return {
        "theme": theme,
        "listing": render_to_string(
            "catalogue/_theme_detail.html",
            {
                "theme": theme,
                "titles": titles[:TITLES_PER_PAGE],
                "has_more": len(titles) > TITLES_PER_PAGE,
            },
        ),
    }


@cache_for_visitors
def lists(request):
    site_mean = SiteStats.current().mean
    mentions = Mention.objects.select_related("source").order_by("source__pk", "section", "rank")
    titles = as_cards(listed_titles(site_mean).filter(pk__in=Mention.objects.values("title_id")))
    return render(
        request,
        "catalogue/lists.html",
        {
            "sources": compare_rankings(mentions, {title.pk: title for title in titles}),
            "big_disagreement": BIG_DISAGREEMENT,
        },
    )
