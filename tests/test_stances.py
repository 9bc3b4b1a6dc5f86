"""
A comment's stance is about one listing of its title: ranked too high, about right or
too low, or for an unranked recommendation whether it belongs on the list. The lists
page shows which way members lean about each listing.
"""

import re
from html import unescape

import pytest

from catalogue.models import Mention
from reviews.models import Comment, MentionStats, TitleStats
from reviews.stats import recount_all

from .factories import comment, make_source, make_title, mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(db):
    first = make_source("Sad Anime: 21 Stories", slug="sad-anime")
    second = make_source("Ten Saddest", slug="ten-saddest")
    return first, second


@pytest.fixture
def one_list(articles):
    """A title the first article ranks #2 among its movies."""
    title = make_title("Grave", slug="grave")
    mention(title, articles[0], 2, Mention.Section.MOVIES)
    return title


@pytest.fixture
def two_lists(articles):
    """A title both articles rank: #1 series in the first, #4 in the second."""
    title = make_title("Clannad", slug="clannad", kind="series")
    mention(title, articles[0], 1, Mention.Section.SERIES)
    mention(title, articles[1], 4)
    return title


@pytest.fixture
def recommended(articles):
    """A title the first article recommends without a rank."""
    title = make_title("Wolf Children", slug="wolf-children")
    mention(title, articles[0], 3, Mention.Section.ALSO)
    return title


def form_page(client, title):
    return unescape(client.get(f"/titles/{title.slug}/").content.decode())


def post(client, title, **fields):
    data = {"body": "How I saw it.", "stance": "none", **fields}
    return client.post(f"/titles/{title.slug}/comments/", data, follow=True)


def radio_labels(html, name):
    """The labels of the radio buttons called `name`, in order."""
    return [
        unescape(label).strip()
        for label in re.findall(
            rf'<input type="radio" name="{name}"[^>]*>\s*([^<]*)</label>', html, re.S
        )
    ]


QUESTIONS = {
    "one_list": (
        "Is it ranked right as #2 movie in Sad Anime: 21 Stories?",
        ["Ranked too high", "About right", "Ranked too low", "No stance"],
    ),
    "recommended": (
        "Does it belong on the list? Also recommended in Sad Anime: 21 Stories.",
        ["It belongs on the list", "It does not belong on the list", "No stance"],
    ),
}


@pytest.mark.parametrize("listed", QUESTIONS)
def test_the_question_names_the_listing_and_offers_the_answers_it_can_take(
    reader_client, request, listed
):
    question, answers = QUESTIONS[listed]
    html = form_page(reader_client, request.getfixturevalue(listed))
    assert question in html
    assert radio_labels(html, "stance") == answers
    assert 'name="mention"' not in html


def test_a_member_says_a_title_is_ranked_too_low(reader_client, one_list):
    html = post(reader_client, one_list, stance="too_low").content.decode()
    saved = Comment.objects.get()
    assert (saved.stance, saved.mention) == ("too_low", one_list.mentions.get())
    assert "Ranked too low: #2 movie in Sad Anime: 21 Stories" in unescape(html)
    stats = MentionStats.objects.get(mention=saved.mention)
    assert (stats.too_high_count, stats.agree_count, stats.too_low_count) == (0, 0, 1)
    assert TitleStats.objects.get(pk=one_list.pk).disagree_count == 1


def test_for_a_title_in_both_articles_the_member_picks_which(reader_client, two_lists):
    html = form_page(reader_client, two_lists)
    assert "Which list is your answer about?" in html
    assert radio_labels(html, "mention") == [
        "#1 series in Sad Anime: 21 Stories",
        "#4 in Ten Saddest",
    ]
    second = two_lists.mentions.get(source__slug="ten-saddest")
    post(reader_client, two_lists, stance="too_high", mention=second.pk)
    saved = Comment.objects.get()
    assert (saved.stance, saved.mention) == ("too_high", second)
    assert MentionStats.objects.get(mention=second).too_high_count == 1
    assert not MentionStats.objects.exclude(mention=second).exists()


def test_a_stance_without_saying_which_list_is_refused(reader_client, two_lists, unchanged):
    with unchanged():
        html = post(reader_client, two_lists, stance="too_high").content.decode()
    assert "Choose which list your answer is about." in html
    assert "How I saw it.</textarea>" in html


def test_a_member_says_a_recommendation_does_not_belong(reader_client, recommended):
    post(reader_client, recommended, stance="off_list")
    saved = Comment.objects.get()
    assert saved.stance == "off_list"
    assert MentionStats.objects.get(mention=saved.mention).off_list_count == 1


@pytest.mark.parametrize("stance", ["too_high", "disagree", "maybe"])
def test_a_stance_the_listing_cannot_take_is_refused(reader_client, recommended, stance, unchanged):
    with unchanged():
        html = post(reader_client, recommended, stance=stance).content.decode()
    assert "Choose one of the answers shown." in html
    assert not Comment.objects.exists()


def test_a_stance_about_another_titles_listing_is_refused(
    reader_client, two_lists, one_list, unchanged
):
    elsewhere = one_list.mentions.get()
    with unchanged():
        html = post(reader_client, two_lists, stance="agree", mention=elsewhere.pk)
    assert "That listing is not one of this title's; choose one of the lists shown." in (
        unescape(html.content.decode())
    )


def test_the_model_refuses_a_stance_that_does_not_fit(reader, one_list, recommended):
    with pytest.raises(ValueError, match="say whether it belongs there"):
        Comment.objects.post(
            reader, recommended, "x", stance="too_low", mention=recommended.mentions.get()
        )
    with pytest.raises(ValueError, match="not one of this title's"):
        Comment.objects.post(
            reader, recommended, "x", stance="agree", mention=one_list.mentions.get()
        )
    assert not Comment.objects.exists()


def test_a_title_in_no_list_asks_no_stance(reader_client, db):
    title = make_title("Unlisted", slug="unlisted")
    html = form_page(reader_client, title)
    assert 'type="radio" name="stance"' not in html
    post(reader_client, title)
    assert Comment.objects.get().stance == "none"


def test_editing_moves_the_stance_between_listings_and_hiding_uncounts_it(
    reader_client, reader, two_lists
):
    first, second = two_lists.mentions.order_by("source__pk")
    saved = Comment.objects.post(reader, two_lists, "Too high", stance="too_high", mention=first)
    response = reader_client.post(
        f"/comments/{saved.pk}/edit/",
        {"body": "Too low, in fact", "stance": "too_low", "mention": second.pk},
    )
    assert response.status_code == 302
    counts = {row.pk: (row.too_high_count, row.too_low_count) for row in MentionStats.objects.all()}
    assert counts == {first.pk: (0, 0), second.pk: (0, 1)}
    saved.refresh_from_db()
    saved.hide()
    assert MentionStats.objects.get(pk=second.pk).too_low_count == 0
    saved.restore()
    assert MentionStats.objects.get(pk=second.pk).too_low_count == 1
    assert recount_all() == []
    saved.remove()
    assert MentionStats.objects.get(pk=second.pk).too_low_count == 0


def test_the_recount_repairs_a_listings_stance_counts(one_list):
    listing = one_list.mentions.get()
    comment(one_list, stance="agree")
    Comment.objects.update(mention=listing)  # as a shell would: the triggers count it
    MentionStats.objects.filter(pk=listing.pk).update(agree_count=7)
    drift = recount_all()
    assert drift == ["Grave, #2 movies in Sad Anime: 21 Stories: agree_count 7 → 1"]
    assert MentionStats.objects.get(pk=listing.pk).agree_count == 1
    assert recount_all() == []


def test_deleting_a_listing_keeps_the_comment_and_its_title_counts(reader, one_list):
    listing = one_list.mentions.get()
    Comment.objects.post(reader, one_list, "Too high", stance="too_high", mention=listing)
    listing.delete()
    saved = Comment.objects.get()
    assert (saved.stance, saved.mention) == ("too_high", None)
    assert saved.stance_text == "Ranked too high"
    assert TitleStats.objects.get(pk=one_list.pk).disagree_count == 1
    assert recount_all() == []


def lean_cells(html):
    """{slug: what the "Members say" cell reads} on the lists page."""
    rows = re.findall(r'<a href="/titles/([^/]+)/">.*?<td class="lean">(.*?)</td>', html, re.S)
    return {slug: re.sub(r"<[^>]+>", "", cell) for slug, cell in rows}


def test_the_lists_page_shows_which_way_members_lean(
    client, reader, other_reader, one_list, recommended, two_lists, django_assert_num_queries
):
    grave = one_list.mentions.get()
    for user, stance in [(reader, "too_high"), (other_reader, "too_high")]:
        Comment.objects.post(user, one_list, "x", stance=stance, mention=grave)
    Comment.objects.post(reader, one_list, "x", stance="agree", mention=grave)
    wolf = recommended.mentions.get()
    Comment.objects.post(reader, recommended, "x", stance="agree", mention=wolf)
    Comment.objects.post(other_reader, recommended, "x", stance="off_list", mention=wolf)
    # Mentions with their sources and stance counts, the listed titles with their stats.
    with django_assert_num_queries(2):
        html = client.get("/lists/").content.decode()
    cells = lean_cells(html)
    assert cells["grave"] == "Leans ranked too high: 2 of 3 member stances"
    assert cells["wolf-children"] == "Split: belongs on the list / does not belong (1 each of 2)"
    assert cells["clannad"] == "No stances yet"
