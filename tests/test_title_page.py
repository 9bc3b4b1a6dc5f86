"""
The title page: picture, facts, provenance, themes, the tear distribution drawn on
the server, the tear score with its caveats, and similar titles.
"""

import re

import pytest
from django.urls import reverse, set_script_prefix

from catalogue.models import Title
from reviews.models import RatedTitle, Rating, TearPrior
from reviews.models.community import reply as post_reply
from reviews.threads import entry

from .factories import comment as post_comment
from .factories import make_catalogue, make_members, make_theme, make_title, rate

pytestmark = pytest.mark.django_db


def distribution_rows(html):
    """[(level, name, count, percent)] from the distribution table, top level first."""
    rows = re.findall(
        r'<th scope="row"><span class="level">(\d)</span> ([^<]+)</th>.*?'
        r'<td class="number">(\d+)</td>\s*<td class="number">(\d+)%</td>',
        html,
        re.S,
    )
    return [(int(level), name, int(count), int(percent)) for level, name, count, percent in rows]


def similar_names(html):
    section = html.split('id="similar-heading"', 1)[1] if 'id="similar-heading"' in html else ""
    return re.findall(r'<span class="card-name">(.*?)</span>', section)


def test_it_shows_the_picture_facts_provenance_and_theme_links(client, catalogue):
    html = client.get("/titles/your-lie-in-april/").content.decode()
    title = Title.objects.get(slug="your-lie-in-april")
    assert html.count("<h1>") == 1
    assert "<h1>Your Lie in April</h1>" in html
    assert (
        f'<img class="title-picture" src="{title.cover.url}" '
        'alt="Generated cover for Your Lie in April"'
    ) in html
    assert "Shigatsu wa Kimi no Uso" in html
    assert "<dt>Episodes</dt><dd>22</dd>" in html
    assert "#3 series in <cite>Sad Anime: 21 Stories to Make You Cry a River</cite>" in html
    assert "in <cite>The Saddest Anime That Guarantee a Good Sob</cite>" in html
    for theme in title.themes.all():
        assert f'<a href="/themes/{theme.slug}/">{theme.name}</a>' in html
    assert "<title>Your Lie in April · Sadlist</title>" in html
    assert '<meta property="og:type" content="video.tv_show">' in html
    assert f'<meta property="og:image" content="http://testserver{title.cover.url}">' in html


def test_an_unrated_title_invites_the_first_rating(client, db):
    make_title("Untouched", slug="untouched")
    html = client.get("/titles/untouched/").content.decode()
    assert "Nobody has rated Untouched yet. Seen it? Be the first" in html
    assert "Not rated yet" in html
    assert '<table class="distribution">' not in html


def test_the_distribution_shows_counts_and_percentages_that_add_up_to_100(client, db):
    title = make_title("Three ways", slug="three-ways")
    rate(title, [5, 4, 2])
    html = client.get("/titles/three-ways/").content.decode()
    rows = distribution_rows(html)
    assert rows == [
        (5, "Cried a river", 1, 34),
        (4, "Sobbing", 1, 33),
        (3, "A few tears", 0, 0),
        (2, "Misty-eyed", 1, 33),
        (1, "Lump in the throat", 0, 0),
        (0, "Dry eyes", 0, 0),
    ]
    assert sum(percent for *_, percent in rows) == 100
    # Bars drawn without a style attribute, which the site's policy would refuse.
    assert '<svg class="bar" aria-hidden="true"><rect width="34%" height="100%" rx="3">' in html
    assert '<rect width="2" height="100%" rx="3">' in html  # a sliver for an empty level
    assert "<caption>3 ratings, by tear level</caption>" in html


@pytest.mark.parametrize(
    "tears", [[5] * 7, [0, 1, 1, 5, 5, 5, 3], [4] * 3 + [3] * 3 + [2], [1, 2, 3, 4, 5, 0] * 5]
)
def test_percentages_always_add_up_to_100(client, db, tears):
    title = make_title("Any", slug="any")
    rate(title, tears)
    rows = distribution_rows(client.get("/titles/any/").content.decode())
    assert sum(percent for *_, percent in rows) == 100
    assert [count for _, _, count, _ in rows] == [tears.count(level) for level in range(5, -1, -1)]


def test_the_score_carries_a_few_ratings_note_under_five(client, db):
    title = make_title("Young", slug="young")
    rate(title, [5, 5, 5, 5])
    html = client.get("/titles/young/").content.decode()
    assert "tear score from 4 ratings, mean 5.0" in html
    assert "Few ratings yet: until 5 members have rated it" in html
    rate(title, [5])
    html = client.get("/titles/young/").content.decode()
    assert "tear score from 5 ratings, mean 5.0" in html
    assert "Few ratings yet" not in html


def test_the_score_is_the_damped_mean(client, db):
    title = make_title("Rated", slug="rated")
    other = make_title("Other", slug="other")
    rate(title, [5, 5, 5, 5, 5])
    rate(other, [1, 1, 1, 1, 1])
    TearPrior.refresh()
    # Site mean 3.0 (the refreshed prior), weight 5: (25 + 5 × 3) / (5 + 5) = 4.0
    html = client.get("/titles/rated/").content.decode()
    assert '<span class="score-number">4.0</span>' in html


def test_similar_titles_share_the_most_themes_first(client, db):
    grief, war, music = make_theme("Grief"), make_theme("War"), make_theme("Music")
    make_title("This one", slug="this-one", themes=[grief, war, music])
    make_title("Two shared", themes=[grief, war])
    make_title("Three shared", themes=[grief, war, music])
    make_title("One shared", themes=[music])
    make_title("None shared", themes=[make_theme("Other")])
    make_title("Unpublished", themes=[grief, war, music], is_published=False)
    html = client.get("/titles/this-one/").content.decode()
    assert similar_names(html) == ["Three shared", "Two shared", "One shared"]
    assert "Shares 3 themes" in html and "Shares 1 theme<" in html


def test_at_most_six_similar_titles_ties_broken_by_tear_score(client, db):
    grief = make_theme("Grief")
    make_title("This one", slug="this-one", themes=[grief])
    others = [make_title(f"Other {number}", themes=[grief]) for number in range(8)]
    rate(others[7], [5, 5, 5])
    rate(others[0], [0])
    html = client.get("/titles/this-one/").content.decode()
    names = similar_names(html)
    assert len(names) == 6
    assert names[0] == "Other 7"
    assert "This one" not in names


def test_once_fans_rate_high_their_other_favourites_come_first(client, db):
    grief = make_theme("Grief")
    this = make_title("This one", slug="this-one", themes=[grief])
    loved = make_title("Loved by the same fans")
    liked = make_title("Liked by one fan")
    disliked = make_title("Rated low by the fans")
    themed = make_title("Same theme", themes=[grief])
    fans = make_members(3)
    stranger = make_members(1)[0]
    for fan in fans:
        Rating.objects.rate(fan, this, 5)
        Rating.objects.rate(fan, loved, 4)
        Rating.objects.rate(fan, disliked, 1)
    Rating.objects.rate(fans[0], liked, 5)
    Rating.objects.rate(stranger, this, 1)
    Rating.objects.rate(stranger, themed, 5)
    html = client.get("/titles/this-one/").content.decode()
    assert similar_names(html) == [loved.name, liked.name, themed.name]
    assert "Also rated 4–5 by 3 members who rated this 4–5" in html
    assert "Also rated 4–5 by 1 member who rated this 4–5" in html
    assert disliked.name not in similar_names(html)


def test_only_a_bounded_number_of_fans_are_read_the_fives_first(db):
    this = make_title("This one")
    fours_pick, fives_pick = make_title("Picked by 4-raters"), make_title("Picked by 5-raters")
    four_raters, five_raters = make_members(3), make_members(2)
    for fan in four_raters:
        Rating.objects.rate(fan, this, 4)
        Rating.objects.rate(fan, fours_pick, 5)
    for fan in five_raters:
        Rating.objects.rate(fan, this, 5)
        Rating.objects.rate(fan, fives_pick, 5)
    picks = RatedTitle.objects.with_stats().rated_high_by_fans_of(this, 6, fans_considered=2)
    assert [(title.name, title.fan_count) for title in picks] == [("Picked by 5-raters", 2)]


def test_a_titles_address_is_the_one_its_route_gives_under_any_script_prefix(db):
    title = make_title("Grave of the Fireflies", slug="grave-of-the-fireflies")
    other = make_title("Tokyo Story")
    assert title.get_absolute_url() == "/titles/grave-of-the-fireflies/"
    assert other.get_absolute_url() == reverse("catalogue:title", args=[other.slug])
    set_script_prefix("/sadlist/")
    try:
        assert title.get_absolute_url() == "/sadlist/titles/grave-of-the-fireflies/"
        assert other.get_absolute_url() == reverse("catalogue:title", args=[other.slug])
    finally:
        set_script_prefix("/")
    assert title.get_absolute_url() == "/titles/grave-of-the-fireflies/"


@pytest.mark.parametrize("prefix", ["/", "/sadlist/"])
def test_the_links_of_each_comment_are_the_ones_their_routes_give(db, prefix):
    title = make_title("Grave of the Fireflies")
    comment = post_comment(title, "It wrecked me.")
    reply = post_reply(comment.user, comment, "Me too.")
    set_script_prefix(prefix)
    try:
        links = {name: url for name, url in entry(reply).items() if name.endswith("_url")}
        assert links == {
            "edit_url": reverse("reviews:edit_comment", args=[reply.pk]),
            "delete_url": reverse("reviews:delete_comment", args=[reply.pk]),
            "report_url": reverse("reviews:report_comment", args=[reply.pk]),
            "mark_url": reverse("reviews:mark_comment", args=[reply.pk]),
            "reply_url": reverse("reviews:reply", args=[reply.pk]),
            "thread_url": reverse("reviews:thread", args=[comment.pk]),
        }
        assert links["edit_url"].startswith(f"{prefix}comments/")
    finally:
        set_script_prefix("/")


def test_an_unknown_title_is_a_404(client, db):
    response = client.get("/titles/never-made/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("size", [5, 50])
def test_the_title_page_takes_the_same_queries_whatever_the_catalogue_size(
    client, django_assert_num_queries, size
):
    titles = make_catalogue(size)
    # A title with high ratings: title with stats, themes, provenance, where to watch,
    # the fans' other favourites (ranked, then read), titles sharing themes, one page
    # of comments, their first replies, and the insights: their totals row, the named
    # causes, the marked moments.
    rated = max(titles[:5], key=lambda title: title.stats.tears_4 + title.stats.tears_5)
    assert rated.stats.tears_4 + rated.stats.tears_5
    with django_assert_num_queries(12):
        response = client.get(rated.get_absolute_url())
    assert similar_names(response.content.decode())
    # An unrated title does not look for fans.
    unrated = make_title("Unrated", themes=titles[0].themes.all())
    with django_assert_num_queries(10):
        response = client.get(unrated.get_absolute_url())
    assert "Be the first" in response.content.decode()
