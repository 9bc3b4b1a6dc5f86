"""Moderating comments: the queue of reported ones, hiding, restoring, dismissing reports."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from reviews.models import Comment, Rating, Report, TitleStats

from .factories import make_title

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/reportedcomment/"


@pytest.fixture
def members(django_user_model, reader, other_reader):
    extra = [django_user_model.objects.create_user(f"member{n}") for n in range(3)]
    return [reader, other_reader, *extra]


@pytest.fixture
def title():
    return make_title("Your Lie in April", slug="your-lie-in-april")


@pytest.fixture
def comments(title, members):
    """A rude comment reported three times, a spoiler reported once, a kind one unreported."""
    reader, other, *extra = members
    rude = Comment.objects.post(
        other, title, "Anyone who cried at this is an idiot.", stance="disagree"
    )
    spoiler = Comment.objects.post(extra[0], title, "She dies at the end, by the way.")
    kind = Comment.objects.post(reader, title, "The violin scene wrecked me.", stance="agree")
    for reporter, text in [(reader, "Insults everyone"), (extra[1], ""), (extra[2], "Rude")]:
        Report.objects.create(comment=rude, reporter=reporter, reason="abusive", text=text)
    Report.objects.create(
        comment=spoiler, reporter=reader, reason="spoiler", text="Gives the ending away"
    )
    return {"rude": rude, "spoiler": spoiler, "kind": kind}


def queue_rows(response):
    return [comment.body for comment in response.context["cl"].result_list]


def act(client, action, *comments, url=QUEUE):
    return client.post(
        url, {"action": action, "_selected_action": [c.pk for c in comments]}, follow=True
    )


def visible_bodies(title):
    return set(Comment.objects.visible().filter(title=title).values_list("body", flat=True))


def public_page(title):
    """The title page as a visitor sees it."""
    from django.test import Client

    return Client().get(title.get_absolute_url()).content.decode()


def test_the_queue_lists_reported_comments_most_reported_first(curator_client, comments):
    response = curator_client.get(QUEUE)
    assert queue_rows(response) == [comments["rude"].body, comments["spoiler"].body]
    html = response.content.decode()
    assert "The violin scene wrecked me." not in html
    assert "3 reports" in html and "1 report<ul>" in html
    assert "<strong>Abusive</strong> from reader: “Insults everyone”" in html
    assert "<strong>Abusive</strong> from member1</li>" in html
    assert "<strong>Spoiler not marked</strong> from reader: “Gives the ending away”" in html
    assert 'href="/titles/your-lie-in-april/">Your Lie in April</a>' in html
    assert '<td class="field-author">other</td>' in html
    assert "<strong>Dismiss the reports</strong> when nothing is wrong" in html


def test_hiding_takes_a_comment_off_the_public_pages_and_counts(
    curator_client, curator, comments, title
):
    assert "Anyone who cried at this is an idiot." in public_page(title)
    response = act(curator_client, "hide", comments["rude"])
    assert "Hid 1 comment;" in response.content.decode()
    page = public_page(title)
    assert "Anyone who cried at this is an idiot." not in page
    assert "The violin scene wrecked me." in page
    assert queue_rows(response) == [comments["spoiler"].body]
    assert visible_bodies(title) == {comments["spoiler"].body, comments["kind"].body}
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.comment_count, stats.stance_count, stats.disagree_count) == (2, 1, 0)
    # The reports stay open, as the record of why; the hidden filter still finds it.
    assert Report.objects.filter(dismissed_at__isnull=True).count() == 4
    hidden = curator_client.get(QUEUE, {"status": "hidden"})
    assert queue_rows(hidden) == [comments["rude"].body]
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id, entry.change_message) == (
        curator,
        CHANGE,
        str(comments["rude"].pk),
        "Hid the comment from the public pages.",
    )


def test_restoring_brings_a_hidden_comment_back(curator_client, comments, title):
    act(curator_client, "hide", comments["rude"])
    response = act(curator_client, "restore", comments["rude"], url=f"{QUEUE}?status=hidden")
    assert "Restored 1 comment;" in response.content.decode()
    assert "Anyone who cried at this is an idiot." in public_page(title)
    assert comments["rude"].body in visible_bodies(title)
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.comment_count, stats.stance_count, stats.disagree_count) == (3, 2, 1)
    assert [entry.change_message for entry in LogEntry.objects.order_by("pk")] == [
        "Hid the comment from the public pages.",
        "Restored the comment to the public pages.",
    ]


def test_dismissing_reports_clears_the_queue_and_leaves_the_comment(
    curator_client, comments, title
):
    response = act(curator_client, "dismiss_reports", comments["spoiler"])
    assert "Dismissed 1 report on 1 comment." in response.content.decode()
    assert queue_rows(response) == [comments["rude"].body]
    assert comments["spoiler"].body in visible_bodies(title)
    assert "She dies at the end, by the way." in public_page(title)
    assert Report.objects.get(comment=comments["spoiler"]).dismissed_at is not None
    assert LogEntry.objects.get().change_message == "Dismissed the reports on the comment."


def test_a_new_report_after_a_dismissal_puts_the_comment_back(
    curator_client, comments, other_reader
):
    act(curator_client, "dismiss_reports", comments["spoiler"])
    Report.objects.create(comment=comments["spoiler"], reporter=other_reader, reason="spoiler")
    assert comments["spoiler"].body in queue_rows(curator_client.get(QUEUE))


def test_a_reported_comment_page_shows_every_report_and_no_save_button(curator_client, comments):
    act(curator_client, "dismiss_reports", comments["spoiler"])
    html = curator_client.get(f"{QUEUE}{comments['spoiler'].pk}/change/").content.decode()
    assert "She dies at the end, by the way." in html
    assert "Gives the ending away" in html and "(dismissed " in html
    assert 'name="body"' not in html
    assert 'value="Save"' not in html


def test_any_comment_can_be_hidden_from_the_list_of_all_comments(curator_client, comments, title):
    response = act(curator_client, "hide", comments["kind"], url="/admin/reviews/comment/")
    assert "Hid 1 comment;" in response.content.decode()
    assert comments["kind"].body not in visible_bodies(title)
    page = curator_client.get(f"/admin/reviews/comment/{comments['kind'].pk}/change/")
    assert 'name="body"' not in page.content.decode()


@pytest.mark.parametrize("who", ["client", "reader_client"])
def test_visitors_and_members_cannot_moderate(request, who, comments, title):
    client = request.getfixturevalue(who)
    for action in ["hide", "dismiss_reports"]:
        act(client, action, comments["rude"])
    act(client, "hide", comments["kind"], url="/admin/reviews/comment/")
    assert len(visible_bodies(title)) == 3
    assert not Report.objects.filter(dismissed_at__isnull=False).exists()
    assert not LogEntry.objects.exists()


def test_the_queue_costs_the_same_queries_for_50_comments(
    curator_client, django_assert_num_queries, title, members
):
    for number in range(50):
        comment = Comment.objects.post(members[number % 2], title, f"Comment {number}")
        for reporter in members[2:]:
            Report.objects.create(comment=comment, reporter=reporter, reason="spam")
    curator_client.get(QUEUE)  # per-process caches are warm
    # session with its user, user's own and group permissions, the count of the page,
    # the 50 comments with their title and author, their open reports with reporters.
    with django_assert_num_queries(6):
        response = curator_client.get(QUEUE)
    assert len(queue_rows(response)) == 50
    assert response.content.decode().count("<strong>Spam</strong>") == 150


def test_the_rating_list_links_to_each_rating_and_its_title_without_nesting_links(
    curator_client, reader, grave
):
    rating = Rating.objects.rate(reader, grave, 4)
    html = curator_client.get("/admin/reviews/rating/").content.decode()
    row = re.search(r"<tr>.*?</tr>", html.split('id="result_list"')[1].split("<tbody>")[1], re.S)[0]
    assert '<a href="/titles/grave-of-the-fireflies/">Grave of the Fireflies</a>' in row
    assert f'<a href="/admin/reviews/rating/{rating.pk}/change/">4 · Sobbing</a>' in row
    assert not re.search(r"<a [^>]*>[^<]*<a ", row), "a link inside a link"


@pytest.mark.parametrize(
    ("url", "last_row", "queries"),
    [
        # session with its user, user's own and group permissions, the count and the
        # full count, the 50 rows with their title and member; for comments also the
        # date range and the days of the date hierarchy.
        ("/admin/reviews/comment/", "Comment 49", 8),
        ("/admin/reviews/rating/", "Title 49", 6),
    ],
)
def test_the_comment_and_rating_lists_cost_the_same_queries_for_50_rows(
    curator_client, django_assert_num_queries, django_user_model, url, last_row, queries
):
    for number in range(50):
        member = django_user_model.objects.create_user(f"fan{number}")
        title = make_title(f"Title {number}")
        Comment.objects.post(member, title, f"Comment {number}")
        Rating.objects.rate(member, title, number % 6)
    curator_client.get(url)  # per-process caches are warm
    with django_assert_num_queries(queries):
        html = curator_client.get(url).content.decode()
    assert last_row in html
