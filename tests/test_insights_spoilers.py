"""
Spoiler safety: the causes that give something away, where it hit and how it ends are
shown only inside the title page's closed "may spoil" disclosure, and nowhere else on
any public page: not in cards, search results, home, lists, themes, profiles, page
titles, meta descriptions or OpenGraph tags, nor in another member's download.
"""

import json
import re

import pytest

from reviews.insights import rate_telling_more

from .factories import make_members, make_source, make_theme, make_title, mention
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db

# What a visitor must never read outside the disclosure, whatever the page.
SPOILERS = [
    "The death of an animal",
    "Reunion",
    "in the last tenth",
    "most marked",
    "Where it hit",
    "ittersweet",  # the ending, whatever its case
]
DISCLOSURE = re.compile(r'<details class="may-spoil">.*?</details>', re.S)
FORMS = re.compile(
    r'<form class="filter-form".*?</form>|<details class="tell-more".*?</details>', re.S
)


@pytest.fixture
def hachi(reader):
    """A title whose spoiling causes, moments and ending count, rated by `reader` too."""
    causes = seed_causes()
    theme = make_theme("Loyalty", slug="loyalty")
    title = make_title("Hachi", slug="hachi", themes=[theme], synopsis="A dog waits.")
    mention(title, make_source("Saddest dogs"), 1)
    spoiling = [causes["the-death-of-an-animal"].pk, causes["reunion"].pk, causes["war"].pk]
    for member in [reader, *make_members(3)]:
        rate_telling_more(member, title, 5, spoiling, moment=10, quality=5, ending="bittersweet")
    return title


def public_pages(title, member):
    return [
        "/",
        "/titles/",
        "/titles/?q=Hachi",
        "/titles/?sort=quality",
        title.get_absolute_url(),
        "/themes/",
        "/themes/loyalty/",
        "/lists/",
        f"/members/{member.get_username()}/",
        "/tears-against-quality/",
    ]


def outside_the_disclosure(html):
    return FORMS.sub("", DISCLOSURE.sub("", html))


def test_a_visitor_reads_no_spoiler_outside_the_closed_disclosure(client, hachi, reader):
    for url in public_pages(hachi, reader):
        html = client.get(url).content.decode()
        assert html.count('<details class="may-spoil"') <= 1
        assert '<details class="may-spoil" open' not in html
        for spoiler in SPOILERS:
            assert spoiler not in outside_the_disclosure(html), (url, spoiler)


def test_another_member_reads_none_either(other_client, hachi, reader):
    for url in public_pages(hachi, reader):
        html = other_client.get(url).content.decode()
        for spoiler in SPOILERS:
            assert spoiler not in outside_the_disclosure(html), (url, spoiler)


def test_the_disclosure_holds_them_on_the_title_page(client, hachi):
    html = client.get(hachi.get_absolute_url()).content.decode()
    (disclosure,) = DISCLOSURE.findall(html)
    assert "<summary>What makes people cry here (may spoil)</summary>" in disclosure
    for spoiler in ("The death of an animal", "Reunion", "in the last tenth", "Bittersweet"):
        assert spoiler in disclosure
    # War gives nothing away: it is named openly.
    assert "<strong>War</strong>: named by 100% of raters (4)" in DISCLOSURE.sub("", html)


def test_another_members_download_holds_none_of_them(other_client, hachi):
    data = other_client.get("/account/export.json").content.decode()
    assert json.loads(data)["ratings"] == []
    for spoiler in SPOILERS:
        assert spoiler not in data
