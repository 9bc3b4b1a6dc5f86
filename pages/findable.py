"""
What search engines and link previews read: robots.txt, and a title's structured data
(schema.org JSON-LD) with the links out to other catalogues.
"""

import json

from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

# The title's page on each catalogue that Sadlist keeps an id for.
CATALOGUES = {
    "myanimelist_id": "https://myanimelist.net/anime/{}",
    "anilist_id": "https://anilist.co/anime/{}",
    "anidb_id": "https://anidb.net/anime/{}",
    "kitsu_id": "https://kitsu.app/anime/{}",
}

# Crawlers stay out of accounts, the admin, and every address that changes something
# (they answer only POST, but a crawler need not even try), and the API's writes.
ROBOTS = """User-agent: *
Disallow: /account/
Disallow: /admin/
Disallow: /comments/
Disallow: /titles/*/rate/
Disallow: /titles/*/comments/
Disallow: /api/v1/me/
Disallow: /api/v1/comments/
Disallow: /api/v1/titles/*/rating/

Sitemap: {sitemap}
"""


@require_GET
def robots(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(ROBOTS.format(sitemap=sitemap), content_type="text/plain; charset=utf-8")


def links_out(title):
    """The title's page on each other catalogue that has an id for it."""
    return [
        address.format(getattr(title, field))
        for field, address in CATALOGUES.items()
        if getattr(title, field)
    ]


def title_structured_data(title, absolute):
    """
    schema.org Movie or TVSeries for a title: its names, year, studio, picture and the
    same title elsewhere. No aggregateRating: tears say how sad, not how good.
    `absolute` turns a path into an address.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "Movie" if title.kind == "movie" else "TVSeries",
        "name": title.name,
        "url": absolute(title.get_absolute_url()),
        "description": title.synopsis,
        "inLanguage": "ja",
        "genre": "Animation",
    }
    alternates = [name for name in [title.original_name, *title.other_names_list] if name]
    if alternates:
        data["alternateName"] = alternates
    if title.kind == "movie":
        data["datePublished"] = str(title.year)
        if title.runtime_minutes:
            data["duration"] = f"PT{title.runtime_minutes}M"
    else:
        data["startDate"] = str(title.year)
        if title.episodes:
            data["numberOfEpisodes"] = title.episodes
    if title.studio:
        key = "productionCompany"
        data[key] = {"@type": "Organization", "name": title.studio}
    if title.picture:
        data["image"] = absolute(title.picture.url)
    if same_as := links_out(title):
        data["sameAs"] = same_as
    return data


def structured_data_script(title, absolute):
    """The title's <script> of structured data (title_structured_data)."""
    text = as_script_text(title_structured_data(title, absolute))
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 -- escaped by as_script_text


def as_script_text(data):
    """JSON that cannot end its <script> element early, whatever the names hold."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
