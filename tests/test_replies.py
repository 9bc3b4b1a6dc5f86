"""
Members answer each other: one level of replies under a comment, "this hit me too"
marks (once each, undoable), comments sorted by newest or most marked, and the
profile's count of new replies. Replies follow the comments' limits, spoiler flag,
reports and moderation; every count stays exact whatever deletes the rows.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from reviews.models import Comment, CommentMark, CommunityMember, reply
from reviews.stats import recount_all, remove_member

from .factories import make_members, make_title

pytestmark = pytest.mark.django_db

TITLE_URL = "/titles/grave-of-the-fireflies/"


@pytest.fixture
def first(reader, grave):
    """reader's comment, which starts a thread."""
    return Comment.objects.post(reader, grave, "Setsuko's tin of drops.")


def post_reply(client, comment, body="Same here.", **fields):
    return client.post(f"/comments/{comment.pk}/reply/", {"body": body, **fields}, follow=True)


def test_a_reply_shows_under_the_comment_it_answers(other_client, other_reader, first):
    response = post_reply(other_client, first, "The fireflies scene.")
    posted = Comment.objects.get(parent=first)
    assert response.redirect_chain == [(f"/comments/{first.pk}/#comment-{posted.pk}", 302)]
    assert "Your reply is posted." in response.content.decode()
    first.refresh_from_db()
    assert (posted.user, posted.title, first.reply_count) == (other_reader, first.title, 1)
    html = other_client.get(TITLE_URL).content.decode()
    thread = html.split(f'id="comment-{first.pk}"')[1]
    assert f'<li class="comment reply" id="comment-{posted.pk}">' in thread
    assert "The fireflies scene." in thread
    # Replies are counted in their thread, not among the title's comments.
    assert 'Comments <span class="count">(1)</span>' in html


def test_a_reply_to_a_reply_joins_the_same_thread(other_reader, reader, first):
    answer = reply(other_reader, first, "Me too.")
    again = reply(reader, answer, "Thank you.")
    assert again.parent_id == first.pk
    first.refresh_from_db()
    assert first.reply_count == 2


def test_the_thread_page_shows_every_reply_a_page_at_a_time(client, first):
    members = make_members(23)
    for index, member in enumerate(members):
        reply(member, first, f"Reply number {index}.")
    html = client.get(f"/comments/{first.pk}/").content.decode()
    assert 'Replies <span class="count">(23)</span>' in html
    assert "Reply number 0." in html and "Reply number 19." in html
    assert "Reply number 20." not in html
    assert "Reply number 22." in client.get(f"/comments/{first.pk}/?replies=2").content.decode()
    # On the title page, the first three and a link to the rest.
    title_page = client.get(TITLE_URL).content.decode()
    assert "Reply number 2." in title_page and "Reply number 3." not in title_page
    assert f'<a href="/comments/{first.pk}/">See all 23 replies</a>' in title_page


def test_a_reply_to_a_hidden_or_deleted_comment_is_refused(other_client, first, unchanged, reader):
    first.hide()
    with unchanged():
        response = post_reply(other_client, first)
    assert "A moderator has hidden that comment; it takes no replies." in response.content.decode()
    with unchanged():
        assert other_client.get(f"/comments/{first.pk}/reply/").status_code == 404
    gone = Comment.objects.post(reader, first.title, "Soon gone.")
    gone_pk = gone.pk
    gone.remove()
    with unchanged():
        assert other_client.post(f"/comments/{gone_pk}/reply/", {"body": "Hi"}).status_code == 404


def test_an_empty_reply_is_refused_next_to_the_field(other_client, first, unchanged):
    with unchanged():
        response = post_reply(other_client, first, "   ")
    assert "Write something before posting: a comment cannot be empty." in (
        response.content.decode()
    )


def test_replies_count_against_the_comment_limits(other_client, other_reader, first, settings):
    settings.COMMENTS_PER_MINUTE = 2
    Comment.objects.post(other_reader, first.title, "One")
    post_reply(other_client, first, "Two")
    response = post_reply(other_client, first, "Three")
    assert "in the last minute, the most we allow" in response.content.decode()
    assert Comment.objects.filter(user=other_reader).count() == 2


def test_a_spoiler_reply_is_hidden_until_revealed(other_client, first):
    html = post_reply(other_client, first, "He dies.", is_spoiler="on").content.decode()
    assert "Contains spoilers — show the comment" in html


def test_hiding_a_comment_hides_its_whole_thread(client, other_reader, first):
    reply(other_reader, first, "A reply under a hidden comment.")
    first.hide()
    html = client.get(TITLE_URL).content.decode()
    assert "A reply under a hidden comment." not in html
    assert client.get(f"/comments/{first.pk}/").status_code == 404


def test_a_hidden_reply_leaves_the_count_and_comes_back(other_reader, first):
    answer = reply(other_reader, first, "Rude words.")
    answer.hide()
    first.refresh_from_db()
    assert first.reply_count == 0
    answer.restore()
    first.refresh_from_db()
    assert first.reply_count == 1


def test_a_member_marks_a_comment_once_and_can_take_it_back(other_client, other_reader, first):
    url = f"/comments/{first.pk}/mark/"
    html = other_client.post(url, follow=True).content.decode()
    assert "Marked: this hit you too." in html
    assert "1 member was hit by this too" in html
    assert "Undo “this hit me too”" in html
    other_client.post(url)  # a double submit
    first.refresh_from_db()
    assert first.mark_count == 1
    assert CommentMark.objects.filter(user=other_reader).count() == 1
    html = other_client.post(url, {"undo": "1"}, follow=True).content.decode()
    assert "Your “this hit me too” is taken back." in html
    first.refresh_from_db()
    assert first.mark_count == 0


def test_a_member_cannot_mark_their_own_comment(reader_client, first, unchanged):
    with unchanged():
        html = reader_client.post(f"/comments/{first.pk}/mark/", follow=True).content.decode()
    assert "This is your own comment: marks are for what others wrote." in html


def test_a_mark_needs_a_post_and_a_signed_in_member(client, other_client, first, unchanged):
    with unchanged():
        assert other_client.get(f"/comments/{first.pk}/mark/").status_code == 405
        response = client.post(f"/comments/{first.pk}/mark/")
    assert response.status_code == 302 and "/account/signin/" in response["Location"]


def test_comments_sort_by_most_marks(client, reader, grave):
    marked = Comment.objects.post(reader, grave, "Quiet one.")
    Comment.objects.post(reader, grave, "Loud one.")
    Comment.objects.post(reader, grave, "Newest one.")
    for member in make_members(3):
        CommentMark.objects.mark(member, marked)
    html = client.get(TITLE_URL + "?order=marks").content.decode()
    assert html.index("Quiet one.") < html.index("Newest one.") < html.index("Loud one.")
    html = client.get(TITLE_URL).content.decode()
    assert html.index("Newest one.") < html.index("Loud one.") < html.index("Quiet one.")


def test_the_profile_counts_new_replies_since_the_member_last_looked(
    reader_client, other_reader, first
):
    reply(other_reader, first, "First answer.")
    reply(other_reader, first, "Second answer.")
    html = reader_client.get("/members/reader/").content.decode()
    assert "2 new replies" in html
    html = reader_client.post("/replies/seen/", follow=True).content.decode()
    assert "No new replies since you last looked." in html
    reply(other_reader, first, "Third answer.")
    assert "1 new reply" in reader_client.get("/members/reader/").content.decode()


def test_new_replies_are_only_shown_to_the_member_themselves(client, other_reader, first):
    reply(other_reader, first, "An answer.")
    assert "new repl" not in client.get("/members/reader/").content.decode()


def test_deleting_a_member_removes_their_replies_and_marks_with_exact_counts(
    reader, other_reader, first
):
    theirs = Comment.objects.post(other_reader, first.title, "Other's own comment.")
    reply(other_reader, first, "Leaving soon.")
    reply(reader, theirs, "A reply to someone who leaves.")
    CommentMark.objects.mark(other_reader, first)
    remaining = reply(make_members(1)[0], first, "Staying.")
    remove_member(get_user_model().objects.get(pk=other_reader.pk))
    first.refresh_from_db()
    assert (first.reply_count, first.mark_count) == (1, 0)
    assert list(Comment.objects.filter(parent=first)) == [remaining]
    assert not CommentMark.objects.exists()
    assert recount_all() == []


def test_recount_repairs_drifted_reply_and_mark_counts(other_reader, first):
    reply(other_reader, first, "An answer.")
    CommentMark.objects.mark(other_reader, first)
    Comment.objects.filter(pk=first.pk).update(reply_count=7, mark_count=9)
    drift = recount_all()
    assert drift == [f"comment {first.pk}: reply_count 7 → 1, mark_count 9 → 1"]
    first.refresh_from_db()
    assert (first.reply_count, first.mark_count) == (1, 1)


def test_deleting_a_comment_deletes_its_thread(other_reader, first):
    reply(other_reader, first, "An answer.")
    first.remove()
    assert not Comment.objects.exists()
    assert recount_all() == []


# The thread page: the comment with its author's rating, one page of replies with
# theirs (the count is stored); a member adds the session with the member, and their
# marks.
@pytest.mark.parametrize("replies", [0, 100])
def test_the_thread_page_costs_the_same_whatever_the_number_of_replies(
    client, other_client, first, replies, django_assert_num_queries
):
    for member in make_members(replies):
        reply(member, first, "An answer.")
        CommentMark.objects.mark(member, first)
    with django_assert_num_queries(3):
        client.get(f"/comments/{first.pk}/")
    with django_assert_num_queries(5):
        html = other_client.get(f"/comments/{first.pk}/").content.decode()
    assert f'Replies <span class="count">({replies})</span>' in html


@pytest.mark.parametrize("replies", [0, 100])
def test_the_title_page_costs_the_same_whatever_the_number_of_replies_and_marks(
    client, other_client, first, replies, django_assert_num_queries
):
    for member in make_members(replies):
        reply(member, first, "An answer.")
        CommentMark.objects.mark(member, first)
    # Visitor: title, themes, listings, where to watch, comments, first replies, and the
    # insights (their totals, the named causes, the marked moments).
    with django_assert_num_queries(9):
        client.get(TITLE_URL)
    # Member: also the session with the member, their rating with their list and their
    # marks (one query), and the insights' part for a member (their avoid list, the
    # causes offered).
    with django_assert_num_queries(13):
        html = other_client.get(TITLE_URL).content.decode()
    assert f"See all {replies} replies" in html or replies <= 3


def test_a_reply_from_another_title_page_cannot_be_edited_by_others(other_client, reader, first):
    answer = reply(reader, first, "Mine.")
    assert other_client.get(f"/comments/{answer.pk}/edit/").status_code == 404


def test_the_author_edits_a_reply_without_a_stance_question(reader_client, other_reader, first):
    answer = reply(other_reader, first, "Typo.")
    reader_client.force_login(other_reader)
    html = reader_client.get(f"/comments/{answer.pk}/edit/").content.decode()
    assert "Typo." in html
    reader_client.post(f"/comments/{answer.pk}/edit/", {"body": "Fixed.", "stance": "none"})
    answer.refresh_from_db()
    assert answer.body == "Fixed."


def test_a_community_member_row_starts_empty(reader):
    assert CommunityMember.of(reader).watchlist_count == 0


def test_a_comment_on_another_title_is_not_a_thread_of_this_one(client, reader):
    other = make_title("Other", slug="other")
    comment = Comment.objects.post(reader, other, "Elsewhere.")
    html = client.get(f"/comments/{comment.pk}/").content.decode()
    assert "A thread about" in html and "Other" in html


@pytest.mark.django_db(transaction=True)
def test_members_marking_and_replying_at_once_are_all_counted(reader, grave):
    first = Comment.objects.post(reader, grave, "Setsuko's tin of drops.")
    members = make_members(32)
    errors = []
    barrier = threading.Barrier(len(members))

    def answer(member, index):
        try:
            barrier.wait(timeout=30)
            CommentMark.objects.mark(member, first)
            CommentMark.objects.mark(member, first)  # a double submit
            if index % 2:
                reply(member, first, f"Me too, {index}.")
                reply(member, first, f"Me too, {index}.")  # a double submit
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [
        threading.Thread(target=answer, args=(member, index))
        for index, member in enumerate(members)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    first.refresh_from_db()
    assert (first.mark_count, first.reply_count) == (32, 16)
    assert CommentMark.objects.count() == 32
    assert Comment.objects.filter(parent=first).count() == 16
    assert recount_all() == []


@pytest.mark.parametrize("body", ["Nul\x00", "x" * 10_000])
def test_a_hostile_reply_is_refused_next_to_the_field(other_client, first, body, unchanged):
    with unchanged():
        response = post_reply(other_client, first, body)
    assert response.status_code == 200
    assert 'id="id_body_error"' in response.content.decode()


@pytest.mark.parametrize("action", ["", "reply/", "mark/"])
def test_an_impossible_comment_number_is_not_found(other_client, action, unchanged):
    with unchanged():
        if action == "mark/":
            response = other_client.post(f"/comments/99999999999999999999/{action}")
        else:
            response = other_client.get(f"/comments/99999999999999999999/{action}")
    assert response.status_code == 404


def test_a_members_own_reply_and_mark_show_at_once_and_hiding_reaches_everyone(
    settings, other_client, other_reader, reader, grave
):
    from django.core.cache import cache
    from django.test import Client

    settings.FRESHNESS_SECONDS = 60
    cache.clear()
    first = Comment.objects.post(reader, grave, "Setsuko's tin of drops.")
    second = Comment.objects.post(reader, grave, "The ending.")
    Client().get(TITLE_URL), other_client.get(TITLE_URL)  # both caches hold the page
    post_reply(other_client, first, "Cached no more.")
    other_client.post(f"/comments/{second.pk}/mark/")
    html = other_client.get(TITLE_URL).content.decode()
    assert "Cached no more." in html
    assert "1 member was hit by this too" in html
    first.hide()  # a moderator's decision reaches every page at once
    visitor = Client().get(TITLE_URL).content.decode()
    assert "Setsuko's tin of drops." not in visitor and "Cached no more." not in visitor
    cache.clear()


def test_the_comment_pages_keep_the_order(client, reader, grave):
    for index in range(21):
        Comment.objects.post(reader, grave, f"Comment {index}")
    html = client.get(TITLE_URL + "?order=marks").content.decode()
    assert 'href="?order=marks&amp;comments=2#comments" rel="next"' in html
