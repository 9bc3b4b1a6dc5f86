"""
Findable pages: sitemap.xml lists every public page and only those, robots.txt keeps
crawlers out of accounts, the admin and every address that changes something, each
page names its canonical address, and a title page carries schema.org JSON-LD and
complete link-preview tags.
"""

import json
import re
from html import unescape

import defusedxml.ElementTree as ET
import pytest
from django.test import Client

from catalogue.models import Title

from .factories import make_title

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_addresses(client):
    """Every address in every sitemap the index at /sitemap.xml lists."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    addresses = []
    for sitemap in index.iter(f"{SITEMAP}loc"):
        root = ET.fromstring(client.get(sitemap.text).content)
        addresses += [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    return addresses


def test_the_sitemap_lists_published_titles_themes_members_and_fixed_pages(listed_titles, reader):
    make_title("Hidden Draft", slug="hidden-draft", is_published=False)
    addresses = sitemap_addresses(Client())
    assert "http://testserver/titles/grave-of-the-fireflies/" in addresses
    assert "http://testserver/titles/your-lie-in-april/" in addresses
    assert "http://testserver/titles/hidden-draft/" not in addresses
    assert "http://testserver/themes/grief/" in addresses
    assert "http://testserver/members/reader/" in addresses
    for page in ("/", "/titles/", "/themes/", "/lists/", "/api/"):
        assert f"http://testserver{page}" in addresses
    assert not [address for address in addresses if "/account/" in address]


def test_a_large_catalogue_is_split_into_sitemap_pages(db, settings):
    from pages.sitemaps import Titles

    Titles.limit = 2
    try:
        for number in range(5):
            make_title(f"Title {number}", slug=f"title-{number}")
        addresses = sitemap_addresses(Client())
    finally:
        Titles.limit = 5000
    assert sorted(a for a in addresses if "/titles/title-" in a) == [
        f"http://testserver/titles/title-{number}/" for number in range(5)
    ]


def test_robots_keeps_crawlers_out_of_accounts_admin_and_writes(db):
    response = Client().get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = response.content.decode().splitlines()
    for path in (
        "/account/",
        "/admin/",
        "/comments/",
        "/titles/*/rate/",
        "/api/v1/titles/*/rating/",
    ):
        assert f"Disallow: {path}" in rules
    assert "Disallow: /titles/" not in rules
    assert "Sitemap: http://testserver/sitemap.xml" in rules


def canonical(html):
    return unescape(re.search(r'<link rel="canonical" href="([^"]*)">', html).group(1))


def test_every_page_names_its_canonical_address(listed_titles, reader_client):
    visitor = Client()
    assert canonical(visitor.get("/").content.decode()) == "http://testserver/"
    browse = visitor.get("/titles/?kind=movie&sort=name").content.decode()
    assert canonical(browse) == "http://testserver/titles/?kind=movie&sort=name"
    # Browse sends empty and unknown parameters away first; the member's page too.
    response = reader_client.get("/titles/?kind=movie&q=&utm_source=x", follow=True)
    assert canonical(response.content.decode()) == "http://testserver/titles/?kind=movie"
    profile = visitor.get("/members/reader/?utm_source=x").content.decode()
    assert canonical(profile) == "http://testserver/members/reader/"


def json_ld(html):
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_a_title_page_carries_schema_org_data_with_links_out(listed_titles):
    movie, series = listed_titles
    Title.objects.filter(pk=movie.pk).update(myanimelist_id=578, kitsu_id=349)
    html = Client().get("/titles/grave-of-the-fireflies/").content.decode()
    data = json_ld(html)
    assert data["@type"] == "Movie" and data["name"] == "Grave of the Fireflies"
    assert data["alternateName"] == ["Hotaru no Haka"]
    assert data["datePublished"] == "1988" and data["duration"] == "PT89M"
    assert data["productionCompany"]["name"] == "Studio Ghibli"
    assert data["sameAs"] == [
        "https://myanimelist.net/anime/578",
        "https://kitsu.app/anime/349",
    ]
    assert data["image"].startswith("http://testserver/media/")
    assert "aggregateRating" not in data and "review" not in data

    series_data = json_ld(Client().get("/titles/your-lie-in-april/").content.decode())
    assert series_data["@type"] == "TVSeries" and series_data["numberOfEpisodes"] == 22
    assert "sameAs" not in series_data


def test_structured_data_cannot_break_out_of_its_script(db):
    make_title("</script><script>alert(1)</script>", slug="sneaky")
    html = Client().get("/titles/sneaky/").content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_a_title_page_has_complete_preview_tags(listed_titles):
    html = Client().get("/titles/grave-of-the-fireflies/").content.decode()
    for tag in (
        'property="og:title" content="Grave of the Fireflies on Sadlist"',
        'property="og:type" content="video.movie"',
        'property="og:url" content="http://testserver/titles/grave-of-the-fireflies/"',
        'property="og:image" content="http://testserver/media/',
        'property="og:image:alt"',
        'name="twitter:card" content="summary_large_image"',
        'name="twitter:image" content="http://testserver/media/',
        'property="og:site_name" content="Sadlist"',
    ):
        assert tag in html, tag
