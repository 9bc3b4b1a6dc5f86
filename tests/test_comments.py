"""Members comment on a title: plain text, spoilers hidden, a stance on the list, edits, deletes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from catalogue.models import Mention
from reviews.models import Comment, RatedTitle, Rating, Report, TitleStats
from reviews.stats import recount_all

from .factories import make_source, make_title, mention

pytestmark = pytest.mark.django_db

TITLE_URL = "/titles/grave-of-the-fireflies/"
POST_URL = TITLE_URL + "comments/"


@pytest.fixture
def grave(grave):
    """Grave of the Fireflies as the first article lists it: its #2 movie."""
    source = make_source("Sad Anime: 21 Stories", slug="sad-anime")
    mention(grave, source, 2, Mention.Section.MOVIES)
    return grave


LISTING = "#2 movie in Sad Anime: 21 Stories"


def post(client, body="Seita and Setsuko broke me.", **fields):
    data = {"body": body, "stance": "none", **fields}
    return client.post(POST_URL, data, follow=True)


def comments_section(html):
    return html.split('id="comments"')[1]


def test_a_posted_comment_shows_on_the_title_page_with_its_author(reader_client, reader, grave):
    response = post(reader_client, stance="too_high")
    comment = Comment.objects.get()
    assert response.redirect_chain == [(f"{TITLE_URL}#comment-{comment.pk}", 302)]
    html = response.content.decode()
    assert "Your comment is posted." in html
    assert 'Comments <span class="count">(1)</span>' in html
    assert '<a href="/members/reader/">reader</a>' in comments_section(html)
    assert "Seita and Setsuko broke me." in html
    assert f"Ranked too high: {LISTING}" in html
    assert (comment.user, comment.title, comment.stance, comment.is_spoiler) == (
        reader,
        grave,
        "too_high",
        False,
    )
    assert TitleStats.objects.get(pk=grave.pk).comment_count == 1


def test_comment_times_name_their_zone_and_the_exact_instant(client, reader, grave):
    written = timezone.make_aware(datetime(2026, 3, 1, 21, 5, 9), UTC)
    comment = Comment.objects.post(reader, grave, "Late at night")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=written, edited_at=written + timedelta(hours=2)
    )
    written_at = (
        '<time datetime="2026-03-01T21:05:09+00:00" title="Sunday 1 March 2026, 21:05:09 UTC">'
        "1 Mar 2026, 21:05 UTC</time>"
    )
    assert written_at in comments_section(client.get(TITLE_URL).content.decode())
    edited_at = '(edited <time datetime="2026-03-01T23:05:09+00:00"'
    assert edited_at in client.get(TITLE_URL).content.decode()
    home = client.get("/").content.decode()
    assert '<time datetime="2026-03-01T21:05:09+00:00"' in home
    assert "1 Mar 2026, 21:05 UTC</time>" in home


def test_comments_show_their_authors_current_tear_rating(reader_client, reader, grave):
    post(reader_client)
    Rating.objects.rate(reader, grave, 5)
    assert "rated it 5 — Cried a river" in reader_client.get(TITLE_URL).content.decode()
    Rating.objects.rate(reader, grave, 2)
    html = reader_client.get(TITLE_URL).content.decode()
    assert "rated it 2 — Misty-eyed" in html
    assert "Cried a river</span>" not in html


def test_line_breaks_are_kept_and_markup_is_shown_as_text(reader_client, other_client, grave):
    body = (
        "First line\nsecond line\n\n<script>alert('x')</script> <b>bold?</b>\n"
        "javascript:alert(1) and [x](javascript:alert(2)) and "
        '<a href="javascript:alert(3)">click</a>'
    )
    post(reader_client, body)
    # The author, another member and a visitor each get the list built another way.
    for browser in (reader_client, other_client, Client()):
        html = comments_section(browser.get(TITLE_URL).content.decode())
        assert "<p>First line<br>\nsecond line</p>" in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &lt;b&gt;bold?&lt;/b&gt;" in html
        assert "<script>" not in html
        assert 'href="javascript' not in html
        assert "&lt;a href=&quot;javascript:alert(3)&quot;&gt;click&lt;/a&gt;" in html
    assert Comment.objects.get().body == body


def test_web_links_become_links_that_search_engines_do_not_follow(reader_client, grave):
    post(
        reader_client,
        "Trailer: https://example.com/trailer?a=1&b=2. Also "
        "http://example.org, ftp://example.net and mailto:x@example.com",
    )
    html = comments_section(reader_client.get(TITLE_URL).content.decode())
    assert (
        '<a href="https://example.com/trailer?a=1&amp;b=2" rel="nofollow ugc">'
        "https://example.com/trailer?a=1&amp;b=2</a>."
    ) in html
    assert '<a href="http://example.org" rel="nofollow ugc">http://example.org</a>,' in html
    assert "ftp://example.net" in html and 'href="ftp' not in html
    assert 'href="mailto' not in html


def test_a_spoiler_is_hidden_until_the_reader_opens_it(client, reader_client, grave):
    post(reader_client, "Setsuko does not make it.", is_spoiler="on")
    html = comments_section(client.get(TITLE_URL).content.decode())
    assert '<details class="spoiler">' in html
    assert "<summary>Contains spoilers — show the comment</summary>" in html
    details = html.split('<details class="spoiler">')[1].split("</details>")[0]
    assert "Setsuko does not make it." in details
    assert Comment.objects.get().is_spoiler is True


STANCES_SHOWN = {
    "too_high": f"Ranked too high: {LISTING}",
    "agree": f"Ranked about right: {LISTING}",
    "too_low": f"Ranked too low: {LISTING}",
    "none": None,
}


@pytest.mark.parametrize("stance", STANCES_SHOWN)
def test_each_comment_states_a_stance_on_the_lists_placement(reader_client, grave, stance):
    html = comments_section(post(reader_client, stance=stance).content.decode())
    comment = Comment.objects.get()
    assert comment.stance == stance
    assert comment.mention == (grave.mentions.get() if stance != "none" else None)
    for shown in STANCES_SHOWN.values():
        if shown:
            assert (shown in html) == (shown == STANCES_SHOWN[stance])


def test_the_dispute_share_damps_disagreeing_comments_among_those_with_a_stance(
    reader_client, other_client, grave
):
    post(reader_client, "Too high", stance="too_high")
    post(other_client, "Deserved", stance="agree")
    post(other_client, "Just watched it", stance="none")
    title = RatedTitle.objects.with_stats().get(pk=grave.pk)
    # One of two disagrees, beside two phantom agreements: 1 / (2 + 2).
    assert title.dispute_share == 0.25
    assert (title.stats.stance_count, title.stats.disagree_count) == (2, 1)


def test_a_title_without_stances_is_not_disputed(grave):
    assert RatedTitle.objects.with_stats().get(pk=grave.pk).dispute_share == 0.0


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "Write something before posting: a comment cannot be empty."),
        ("   \n\t  \r\n ", "Write something before posting: a comment cannot be empty."),
        ("\u200b\u200b \u2060", "Write something before posting: a comment cannot be empty."),
        ("x" * 5001, "A comment can be at most 5,000 characters long (yours has 5001)."),
        ("nul\x00byte", "invisible control characters (U+0000)"),
        ("bell\x07 and escape\x1b", "invisible control characters (U+0007, U+001B)"),
    ],
)
def test_a_bad_comment_is_explained_keeps_its_text_and_changes_nothing(
    reader_client, grave, unchanged, body, message
):
    with unchanged():
        response = post(reader_client, body)
    html = response.content.decode()
    assert response.redirect_chain == []
    assert message in html
    assert "Your comment is not posted yet" in html
    if body.strip() and "\x00" not in body:
        assert body[:50] in html


def test_a_comment_of_5000_characters_with_browser_line_breaks_is_accepted(reader_client, grave):
    body = ("y" * 99 + "\r\n") * 50
    post(reader_client, body)
    stored = Comment.objects.get().body
    assert stored == ("y" * 99 + "\n") * 49 + "y" * 99
    assert len(stored) <= 5000


def test_an_unknown_stance_is_refused(reader_client, grave, unchanged):
    with unchanged():
        html = post(reader_client, stance="maybe").content.decode()
    assert "Choose one of the answers shown." in html


@pytest.mark.parametrize("slug", ["no-such-title", "unpublished"])
def test_commenting_on_an_unknown_or_unpublished_title_is_a_404(reader_client, unchanged, slug):
    make_title("Hidden away", slug="unpublished", is_published=False)
    with unchanged():
        response = reader_client.post(f"/titles/{slug}/comments/", {"body": "Hi", "stance": "none"})
    assert response.status_code == 404


def test_a_visitor_cannot_comment(client, grave, unchanged):
    html = client.get(TITLE_URL).content.decode()
    assert "Sign in to comment" in html
    assert 'name="body"' not in html
    with unchanged():
        response = client.post(POST_URL, {"body": "Hi", "stance": "none"})
    assert response.url == "/account/signin/?next=" + POST_URL


def test_commenting_by_get_or_without_csrf_is_refused(reader, grave, csrf_client, unchanged):
    csrf_client.force_login(reader)
    with unchanged():
        assert csrf_client.get(POST_URL + "?body=hi").status_code == 405
        assert csrf_client.post(POST_URL, {"body": "Hi", "stance": "none"}).status_code == 403


def test_a_member_edits_their_comment_and_it_shows_as_edited(reader_client, grave):
    post(reader_client, "Too high", stance="too_high")
    comment = Comment.objects.get()
    form = reader_client.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "Too high</textarea>" in form
    response = reader_client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": "Right where it belongs", "stance": "agree"},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain == [(f"{TITLE_URL}#comment-{comment.pk}", 302)]
    assert "Your comment is updated." in html
    assert "Right where it belongs" in html and "Too high" not in html
    assert '<span class="edited">(edited ' in html
    comment.refresh_from_db()
    assert (comment.body, comment.stance, comment.edited_at is not None) == (
        "Right where it belongs",
        "agree",
        True,
    )
    stats = TitleStats.objects.get(pk=grave.pk)
    assert (stats.comment_count, stats.stance_count, stats.disagree_count) == (1, 1, 0)


def test_a_bad_edit_is_explained_and_changes_nothing(reader_client, grave, unchanged):
    post(reader_client, "Original")
    comment = Comment.objects.get()
    with unchanged():
        html = reader_client.post(
            f"/comments/{comment.pk}/edit/", {"body": "  ", "stance": "none"}
        ).content.decode()
    assert "a comment cannot be empty" in html


def test_a_member_deletes_their_comment_after_confirming(reader_client, grave):
    post(reader_client, "Second thoughts", stance="too_low")
    comment = Comment.objects.get()
    confirm = reader_client.get(f"/comments/{comment.pk}/delete/").content.decode()
    assert "Delete your comment on Grave of the Fireflies?" in confirm
    assert Comment.objects.exists()
    html = reader_client.post(f"/comments/{comment.pk}/delete/", follow=True).content.decode()
    assert "Your comment is deleted." in html
    assert "Second thoughts" not in html
    assert not Comment.objects.exists()
    assert recount_all() == []


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_someone_elses_or_a_missing_comment_is_a_404(
    reader_client, other_reader, grave, unchanged, action
):
    theirs = Comment.objects.post(other_reader, grave, "Mine, not yours")
    for pk in (theirs.pk, theirs.pk + 100):
        with unchanged():
            assert reader_client.get(f"/comments/{pk}/{action}/").status_code == 404
            response = reader_client.post(
                f"/comments/{pk}/{action}/", {"body": "Hijacked", "stance": "agree"}
            )
        assert response.status_code == 404


def test_editing_or_deleting_without_csrf_is_refused(csrf_client, reader, grave, unchanged):
    comment = Comment.objects.post(reader, grave, "Mine")
    csrf_client.force_login(reader)
    with unchanged():
        assert (
            csrf_client.post(
                f"/comments/{comment.pk}/edit/", {"body": "Changed", "stance": "none"}
            ).status_code
            == 403
        )
        assert csrf_client.post(f"/comments/{comment.pk}/delete/").status_code == 403


def make_comments(title, count):
    """`count` comments by as many members, one minute apart, the last one newest."""
    people = get_user_model().objects.bulk_create(
        get_user_model()(username=f"fan{n}") for n in range(count)
    )
    start = timezone.now() - timezone.timedelta(minutes=count)
    for n, person in enumerate(people):
        comment = Comment.objects.post(person, title, f"Comment number {n}")
        Comment.objects.filter(pk=comment.pk).update(
            created_at=start + timezone.timedelta(minutes=n)
        )
        Rating.objects.rate(person, title, n % 6)


def test_comments_list_newest_first_twenty_to_a_page(client, grave):
    make_comments(grave, 25)
    first = comments_section(client.get(TITLE_URL).content.decode())
    assert first.index("Comment number 24") < first.index("Comment number 23")
    assert "Comment number 5<" in first and "Comment number 4<" not in first
    assert "Page 1 of 2" in first
    assert '<a href="?comments=2#comments" rel="next">Older</a>' in first
    second = comments_section(client.get(TITLE_URL + "?comments=2").content.decode())
    assert "Comment number 4<" in second and "Comment number 5<" not in second
    assert "Page 2 of 2" in second


@pytest.mark.parametrize(
    "page, shown", [("abc", "Page 1 of 2"), ("99", "Page 2 of 2"), ("-1", "Page 2 of 2")]
)
def test_a_strange_comment_page_number_shows_a_real_page(client, grave, page, shown):
    make_comments(grave, 21)
    html = client.get(f"{TITLE_URL}?comments={page}").content.decode()
    assert shown in html


def test_hidden_comments_vanish_from_the_page_and_the_count(client, reader, grave):
    keep = Comment.objects.post(reader, grave, "Stays visible")
    gone = Comment.objects.post(reader, grave, "Moderated away", stance="disagree")
    gone.hide()
    html = client.get(TITLE_URL).content.decode()
    assert "Stays visible" in html and "Moderated away" not in html
    assert 'Comments <span class="count">(1)</span>' in html
    assert keep.pk != gone.pk
    assert RatedTitle.objects.with_stats().get(pk=grave.pk).dispute_share == 0.0


def test_a_member_editing_a_hidden_comment_is_told_it_is_hidden_and_why(
    reader_client, reader, other_reader, grave, django_assert_num_queries
):
    comment = Comment.objects.post(reader, grave, "Setsuko dies at the end.")
    Report.objects.create(comment=comment, reporter=other_reader, reason="spoiler")
    comment.hide()
    # The session with its member, the comment with its title, the title's listings,
    # the reasons it was reported.
    with django_assert_num_queries(4):
        html = reader_client.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "A moderator has hidden this comment." in html
    assert "It no longer shows on the title page" in html
    assert "Members reported it as: Spoiler not marked." in html
    response = reader_client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": "It ends badly.", "is_spoiler": "on", "stance": "none"},
        follow=True,
    )
    html = response.content.decode()
    assert "A moderator has hidden it, so it still does not show on the title page" in html
    assert "It ends badly." not in html
    comment.refresh_from_db()
    assert (comment.body, comment.is_hidden) == ("It ends badly.", True)
    assert TitleStats.objects.get(pk=grave.pk).comment_count == 0


def test_a_visible_comment_being_edited_says_nothing_of_hiding(reader_client, reader, grave):
    comment = Comment.objects.post(reader, grave, "Mine")
    html = reader_client.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "hidden this comment" not in html


# The title page, queries whatever the number of comments:
#  visitor: title with its stats, themes, provenance, where to watch, one page of
#           comments with authors and their tear ratings (a subquery), their first
#           replies, the insights (totals, named causes, marked moments), and once
#           someone rated the title 4–5, the other titles those members rated 4–5;
#  member:  the same, plus the session with the member, the causes offered, their
#           avoid list, and in one query their own rating with its causes, whether the
#           title is on their list and their marks on the comments shown.
@pytest.mark.parametrize("comment_count", [0, 100])
@pytest.mark.parametrize("who, queries", [("visitor", 9), ("member", 13)])
def test_the_title_page_costs_the_same_whatever_the_number_of_comments(
    client, reader, grave, django_assert_num_queries, comment_count, who, queries
):
    make_comments(grave, comment_count)  # their ratings include 4s and 5s
    if who == "member":
        client.force_login(reader)
        Rating.objects.rate(reader, grave, 4)
    rated_high = comment_count > 0 or who == "member"
    with django_assert_num_queries(queries + rated_high):
        response = client.get(TITLE_URL)
    assert response.status_code == 200
    assert f'Comments <span class="count">({comment_count})</span>' in response.content.decode()


# The edit and delete pages: the session with the member, and the comment with its
# title; the edit page also reads the title's listings, for the stance question.
@pytest.mark.parametrize(("action", "queries"), [("edit", 3), ("delete", 2)])
def test_the_edit_and_delete_pages_cost_a_fixed_number_of_queries(
    reader_client, reader, grave, action, queries, django_assert_num_queries
):
    comment = Comment.objects.post(reader, grave, "Mine")
    with django_assert_num_queries(queries):
        html = reader_client.get(f"/comments/{comment.pk}/{action}/").content.decode()
    assert "Mine" in html
