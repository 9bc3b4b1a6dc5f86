"""
The public pages: home, browse, a title, themes and the lists.

Each is served whole to visitors from the cache, and built for members around shared
parts (sadlist.freshness): the parts named in each view's docstring are rendered once
per address and shared for FRESHNESS_SECONDS within a generation; everything that
belongs to one member (the header, their rating, forms) is built for each request.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import (
    F,
    OuterRef,
    Subquery,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.http import urlencode

from catalogue.models import Mention, Theme, Title
from catalogue.search import did_you_mean
from catalogue.suggestions import Suggestion
from pages.cards import for_reader, shared_cards
from pages.filters import (
    DISPUTED_FIRST,
    MEMBER_PARAMETERS,
    PARAMETERS,
    SADDEST_FIRST,
    TitleFilter,
    without_controls,
)
from pages.findable import structured_data_script
from pages.rankings import BIG_DISAGREEMENT, compare_rankings
from reviews.insights import (
    avoided_cause_ids,
    leave_out_avoided,
    title_insights,
    titles_counted_for,
)
from reviews.models import Comment, RatedTitle, TearLevel, whole_percentages
from reviews.templatetags.reviews_tags import moment
from reviews.threads import COMMENT_ORDER_PARAMETER
from reviews.views import (
    COMMENT_PAGE_PARAMETER,
    listings,
    title_comments,
    title_reviews_context,
)
from sadlist.freshness import address_key, shared_html, shared_part, visitor_page

TITLES_PER_PAGE = 24
SIMILAR_TITLES_SHOWN = 6
HOME_SADDEST_SHOWN = 8
# A young site's shelf shows each ranked list's first this many titles.
HOME_PICKS_PER_LIST = 2
HOME_DISPUTED_SHOWN = 5
HOME_COMMENTS_SHOWN = 6
THEME_TITLES_LISTED = 12


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def listed_titles():
    """Published titles with their tear score and counts: what every title list reads."""
    return RatedTitle.objects.published().with_stats()


def as_cards(titles):
    """Evaluate `titles`, formatting each card's score once here rather than in the template."""
    titles = list(titles)
    for title in titles:
        title.score_text = f"{title.tear_score:.1f}"
        title.few_ratings = title.rating_count < settings.FEW_RATINGS_THRESHOLD
    return titles


# Shows a member the titles their avoid list leaves out, for this one address.
SHOW_AVOIDED = "show_avoided"


def avoided_here(request):
    """The member's avoid list, unless this address asks to show what it leaves out."""
    return [] if SHOW_AVOIDED in request.GET else avoided_cause_ids(request.user)


def avoid_key(avoided):
    """What a shared part built without the titles of `avoided` adds to its name."""
    return f":avoid:{'-'.join(map(str, avoided))}" if avoided else ""


@visitor_page(parameters=[SHOW_AVOIDED])
def home(request):
    """
    Below the header, the home page is the same for everyone (but a member's avoid
    list): one shared part per avoid list and kind of reader (members' cards carry a
    list button), the buttons then set for the member (pages.cards).
    """
    avoided = avoided_here(request)
    members = request.user.is_authenticated
    charts = shared_part(
        request,
        f"home-charts{avoid_key(avoided)}{':members' if members else ''}",
        lambda: home_chart_part(avoided, members),
    )
    return render(
        request, "catalogue/home.html", {"charts": for_reader(request.user, charts, "charts")}
    )


def home_chart_part(avoided, for_members):
    """The charts' HTML and their cards (pages.cards), with list buttons `for_members`."""
    context = home_charts(avoided)
    cards = shared_cards(context["saddest"], for_members)
    return {
        **cards,
        "charts": render_to_string("catalogue/_home_charts.html", {**context, **cards}),
    }


def home_charts(avoided=()):
    """
    The home page's three charts: the same for every visitor and member.

    The saddest shelf is the community's chart: the titles with FEW_RATINGS_THRESHOLD
    ratings, saddest first (saddest_shelf). The most disputed and the newest comments
    are one query each, read in an index's order and stopped after the few shown.
    """
    titles, hidden = leave_out_avoided(listed_titles(), avoided)
    saddest, chart_is_young, shows_picks = saddest_shelf(titles)
    disputed = as_cards(
        # A share above 0 is a title with a disagreeing comment.
        titles.filter(stats__dispute_share__gt=0).order_by(*DISPUTED_FIRST)[:HOME_DISPUTED_SHOWN]
    )
    comments = list(
        Comment.objects.filter(is_hidden=False, title__is_published=True)
        .select_related("user", "title", "mention__source")
        .order_by("-created_at", "-pk")[:HOME_COMMENTS_SHOWN]
    )
    for comment in comments:
        # As the title page shows it; catalogue templates load no tags of reviews.
        comment.created_html = moment(comment.created_at)
    return {
        "saddest": saddest,
        "chart_is_young": chart_is_young,
        "shows_picks": shows_picks,
        "few_ratings_threshold": settings.FEW_RATINGS_THRESHOLD,
        "hidden": hidden,
        "show_hidden": f"/?{SHOW_AVOIDED}=1",
        "disputed": disputed,
        "comments": comments,
    }


def saddest_shelf(titles):
    """
    (cards, chart_is_young, shows_picks): the home page's saddest shelf of `titles`.

    The well rated (FEW_RATINGS_THRESHOLD ratings or more) by tear score, ties oldest
    title first: one query walking the tear score index, stopped once the shelf is
    full. Only when fewer are well rated does a second query fill the rest from the
    others: the articles' first picks (each ranked list's #1 and #2, all the #1s
    first), then by tear score and name. A shelf with no well-rated title is a young
    chart: it shows only the picks, and says so; a catalogue without articles shows
    its titles.
    """
    threshold = settings.FEW_RATINGS_THRESHOLD
    well_rated = list(
        titles.filter(stats__rating_count__gte=threshold).order_by(*SADDEST_FIRST)[
            :HOME_SADDEST_SHOWN
        ]
    )
    if len(well_rated) == HOME_SADDEST_SHOWN:
        return as_cards(well_rated), False, False
    picks = Mention.objects.filter(title=OuterRef("pk"), rank__lte=HOME_PICKS_PER_LIST).exclude(
        section=Mention.Section.ALSO
    )
    first_pick = picks.order_by("rank", "source_id", "section")
    others = list(
        titles.filter(stats__rating_count__lt=threshold)
        .annotate(
            pick_rank=Subquery(first_pick.values("rank")[:1]),
            pick_section=Subquery(first_pick.values("section")[:1]),
            pick_source_id=Subquery(first_pick.values("source_id")[:1]),
            pick_source=Subquery(first_pick.values("source__name")[:1]),
        )
        .order_by(
            F("pick_rank").asc(nulls_last=True),
            "pick_source_id",
            "pick_section",
            F("tear_score").desc(),
            "name",
            "pk",
        )[: HOME_SADDEST_SHOWN - len(well_rated)]
    )
    chart_is_young = not well_rated and bool(others)
    shows_picks = chart_is_young and others[0].pick_rank is not None
    if shows_picks:
        others = [title for title in others if title.pick_rank is not None]
        for title in others:
            pick = Mention(section=title.pick_section, rank=title.pick_rank)
            title.reason = f"{pick.description} in {title.pick_source}"
    return as_cards(well_rated + others), chart_is_young, shows_picks


@visitor_page(parameters=[*PARAMETERS, "page", SHOW_AVOIDED])
def browse(request):
    """
    Everything below the header depends only on the address, on whether the reader is
    signed in (members are offered their own filters and a list button on each card)
    and, for a member with an avoid list, on that list: one shared part per address,
    kind of reader and list. A member who asks for their own titles (MEMBER_PARAMETERS)
    gets results built for them alone, never read from or put into the shared cache;
    either way their cards' list buttons are set for them last (pages.cards).
    """
    avoided = avoided_here(request)
    member = request.user if request.user.is_authenticated else None
    if member is not None and any(request.GET.get(name) for name in MEMBER_PARAMETERS):
        results = browse_results(request.path, request.GET, avoided, member)
    else:
        results = shared_part(
            request,
            f"browse:{address_key(request)}{avoid_key(avoided)}{':members' if member else ''}",
            lambda: browse_results(request.path, request.GET, avoided, member),
        )
    results = {**results, "results": for_reader(request.user, results, "results")}
    return render(request, "catalogue/browse.html", results)


def browse_results(path, query, avoided=(), member=None):
    """
    The filtered, sorted page of titles for `query`, without the titles `avoided` names;
    `member` (or None) for the filters on their own titles. The total is counted only
    when something filters: every published title's is stored, by kind.
    """
    title_filter = TitleFilter(query, queryset=listed_titles(), member=member)
    titles, hidden = leave_out_avoided(title_filter.qs, avoided)
    # Every published title (only a sort applies): the stored counts say how many.
    stored = None if avoided else title_filter.stored_count
    if stored is None:
        paginator = capped_paginator(titles)
    else:
        paginator = CountedPaginator(titles, TITLES_PER_PAGE, count=stored)
    number, page_note = page_number(query.getlist("page"), paginator.num_pages, paginator.is_capped)
    page = paginator.page(number)
    notes = title_filter.notes + title_filter.ignored + ([page_note] if page_note else [])
    # Showing what the avoid list hides is kept by every link that stays on this list.
    showing_avoided = SHOW_AVOIDED in query

    def keeping(state):
        return "&".join(filter(None, [state, f"{SHOW_AVOIDED}=1" if showing_avoided else ""]))

    links = pagination(path, keeping(title_filter.state), page)
    search = "" if title_filter.errors.get("q") else title_filter.form.cleaned_data.get("q")
    suggestions = []
    # Only a search that found nothing on its own: with other filters, removing one helps.
    if search and not page.paginator.count and len(title_filter.active) == 1:
        suggestions = [(name, link(path, urlencode({"q": name}))) for name in did_you_mean(search)]
    cards = shared_cards(as_cards(page.object_list), member is not None)
    return {
        **cards,
        "page_number": page.number,
        "address": links["current"],
        "results": render_to_string(
            "catalogue/_browse_results.html",
            {
                **cards,
                "path": path,
                "filter": title_filter,
                "page": page,
                "titles": cards["card_titles"],
                "notes": notes,
                "pagination": links,
                "suggestions": suggestions,
                "active_filters": [
                    (label, link(path, keeping(rest))) for label, rest in title_filter.active
                ],
                "clear_all": link(path, keeping(title_filter.clear_all)),
                "showing_avoided": showing_avoided,
                "hidden": hidden,
                "show_hidden": link(
                    path, "&".join(filter(None, [title_filter.state, f"{SHOW_AVOIDED}=1"]))
                ),
            },
        ),
    }


class CountedPaginator(Paginator):
    """
    A Paginator told how many objects it pages through, in place of its COUNT(*) query;
    `is_capped` when there are more than that and only so many are paged through.
    """

    def __init__(self, object_list, per_page, count, is_capped=False):
        super().__init__(object_list, per_page)
        self.count = count
        self.is_capped = is_capped


# A filtered list is counted exactly up to this many titles: counting stops there, so the
# count costs the same however large the catalogue grows (bench/README.md, "Growth").
# Past it, the page says "more than" and pages through the first this many.
FILTERED_COUNT_LIMIT = 1000


def capped_paginator(titles):
    """A paginator over `titles` (filtered), counting no further than FILTERED_COUNT_LIMIT."""
    counted = titles.order_by()[: FILTERED_COUNT_LIMIT + 1].count()
    return CountedPaginator(
        titles,
        TITLES_PER_PAGE,
        count=min(counted, FILTERED_COUNT_LIMIT),
        is_capped=counted > FILTERED_COUNT_LIMIT,
    )


def page_number(values, last_page, capped=False):
    """
    The page to show for the ?page= values given, and a note if we changed it;
    `capped`: the last page is the last one paged through, not the last title's.
    """
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
    if number > last_page and capped:
        return last_page, (
            f"{repeated}We page through the first {FILTERED_COUNT_LIMIT} titles of a "
            "filtered list; add a filter to narrow it. Here is the last of those pages."
        )
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
    that add up to 100 (on a tie for the last point, the higher level gets it).
    """
    counts = list(reversed(title.stats.distribution))
    levels = reversed(range(6))
    return [
        {"level": level, "name": TearLevel(level).label, "count": count, "percent": percent}
        for level, count, percent in zip(levels, counts, whole_percentages(counts), strict=True)
    ]


def similar_titles(title, themes, avoided=()):
    """
    Titles the same members rated 4–5 when they rated this one 4–5, then titles
    sharing the most themes; at most SIMILAR_TITLES_SHOWN; none that `avoided` names.
    """
    candidates = listed_titles()
    if avoided:
        candidates = candidates.exclude(pk__in=titles_counted_for(avoided))
    similar = []
    if title.stats.tears_4 + title.stats.tears_5:
        similar = candidates.rated_high_by_fans_of(title, SIMILAR_TITLES_SHOWN)
    if len(similar) < SIMILAR_TITLES_SHOWN and themes:
        similar += candidates.sharing_themes_with(title, [theme.pk for theme in themes]).exclude(
            pk__in=[other.pk for other in similar]
        )[: SIMILAR_TITLES_SHOWN - len(similar)]
    for other in similar:
        if getattr(other, "fan_count", 0):
            fans = "member" if other.fan_count == 1 else "members"
            other.reason = f"Also rated 4–5 by {other.fan_count} {fans} who rated this 4–5"
        else:
            themes = "theme" if other.shared_themes == 1 else "themes"
            other.reason = f"Shares {other.shared_themes} {themes}"
    return as_cards(similar)


@visitor_page(parameters=[COMMENT_PAGE_PARAMETER, COMMENT_ORDER_PARAMETER])
def title_detail(request, slug):
    """
    The facts, the distribution, the comments and the similar titles are the same for
    everyone: one shared part per address (`title_parts`). The member's own rating,
    the forms, and the comment list for a member who wrote some of it are built for
    each request (`reviews.views.title_reviews_context`).
    """
    parts = shared_part(
        request,
        f"title:{address_key(request)}",
        lambda: title_parts(
            slug,
            request.GET.get(COMMENT_PAGE_PARAMETER),
            request.GET.get(COMMENT_ORDER_PARAMETER),
            # The part's name holds the address, host included.
            absolute=request.build_absolute_uri,
        ),
    )
    if avoided := avoided_cause_ids(request.user):
        # The similar titles without those the member's avoid list names.
        parts = {
            **parts,
            "similar": shared_part(
                request,
                f"similar:{slug}{avoid_key(avoided)}",
                lambda: render_to_string(
                    "catalogue/_similar_titles.html",
                    {"similar": similar_titles(parts["title"], parts["themes"], avoided)},
                ),
            ),
        }
    return render(
        request,
        "catalogue/title_detail.html",
        {
            **parts,
            **title_reviews_context(request, parts["title"], parts["comments"]),
        },
    )


def title_parts(slug, comments_page, comments_order, absolute):
    """
    The parts of a title's page that are the same for everyone, rendered. `absolute`
    turns a path into an address on the host the page is read on (for its structured
    data).
    """
    title = get_object_or_404(
        listed_titles().annotate(suggested_by=Suggestion.objects.credited_member()), slug=slug
    )
    as_cards([title])
    themes = list(title.themes.all())
    mentions = listings(title)
    return {
        "title": title,
        "findable": render_to_string(
            "catalogue/_title_findable.html",
            {"title": title, "structured_data": structured_data_script(title, absolute)},
        ),
        "facts": render_to_string(
            "catalogue/_title_facts.html",
            {
                "title": title,
                "themes": themes,
                "mentions": mentions,
                "watch_options": list(
                    title.watch_options.select_related("service").order_by("service__name", "pk")
                ),
                "distribution": tear_distribution(title),
                "mean_text": f"{title.stats.mean:.1f}" if title.rating_count else "",
                "few_ratings_threshold": settings.FEW_RATINGS_THRESHOLD,
            },
        ),
        "insights": render_to_string("reviews/_insights.html", title_insights(title)),
        "themes": themes,
        "similar": render_to_string(
            "catalogue/_similar_titles.html", {"similar": similar_titles(title, themes)}
        ),
        **title_comments(title, comments_page, mentions, comments_order),
    }


@visitor_page()
def theme_list(request):
    """The list of themes is the same for everyone: one shared part."""
    listing = shared_html(request, "theme-list", "catalogue/_theme_list.html", theme_list_context)
    return render(request, "catalogue/theme_list.html", {"listing": listing})


def theme_list_context():
    # Each theme names its first titles and links to its page for the rest, so the
    # page stays the same size however large the catalogue grows.
    themes = list(Theme.objects.with_title_count().order_by("name"))
    first_titles = Title.objects.published().first_by_name_per_theme(
        [theme.pk for theme in themes], THEME_TITLES_LISTED
    )
    for theme in themes:
        theme.first_titles = first_titles.get(theme.pk, [])
    return {"themes": themes}


@visitor_page(parameters=[SHOW_AVOIDED])
def theme_detail(request, slug):
    """
    A theme's saddest titles are the same for everyone (but a member's avoid list): one
    shared part per theme and list.
    """
    avoided = avoided_here(request)
    parts = shared_part(
        request, f"theme:{slug}{avoid_key(avoided)}", lambda: theme_parts(slug, avoided)
    )
    return render(request, "catalogue/theme_detail.html", parts)


def theme_parts(slug, avoided=()):
    """A theme's page below the header: its saddest titles, but those `avoided` names."""
    theme = get_object_or_404(Theme, slug=slug)
    titles, hidden = leave_out_avoided(listed_titles().filter(themes=theme), avoided)
    titles = as_cards(titles.order_by(*SADDEST_FIRST)[: TITLES_PER_PAGE + 1])
    return {
        "theme": theme,
        "listing": render_to_string(
            "catalogue/_theme_detail.html",
            {
                "theme": theme,
                "titles": titles[:TITLES_PER_PAGE],
                "has_more": len(titles) > TITLES_PER_PAGE,
                "hidden": hidden,
                "show_hidden": f"{theme.get_absolute_url()}?{SHOW_AVOIDED}=1",
            },
        ),
    }


@visitor_page()
def lists(request):
    """
    Each article's ranking beside the community's, with which way members lean about
    each listing (their stances), built for each request.
    """
    mentions = Mention.objects.select_related("source", "stance_stats").order_by(
        "source__pk", "section", "rank"
    )
    titles = as_cards(listed_titles().filter(pk__in=Mention.objects.values("title_id")))
    return render(
        request,
        "catalogue/lists.html",
        {
            "sources": compare_rankings(mentions, {title.pk: title for title in titles}),
            "big_disagreement": BIG_DISAGREEMENT,
        },
    )
