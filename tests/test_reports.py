"""A member reports someone else's comment, once, for the moderators to look at."""

import pytest

from reviews.models import Comment, Report

pytestmark = pytest.mark.django_db

TITLE_URL = "/titles/grave-of-the-fireflies/"


@pytest.fixture
def their_comment(other_reader, grave):
    return Comment.objects.post(other_reader, grave, "Setsuko dies at the end, lol")


def report_url(comment):
    return f"/comments/{comment.pk}/report/"


def test_a_report_link_shows_on_other_members_comments_only(
    reader_client, reader, grave, their_comment
):
    mine = Comment.objects.post(reader, grave, "My own thoughts")
    html = reader_client.get(TITLE_URL).content.decode()
    assert (
        f'href="/comments/{their_comment.pk}/report/" '
        'aria-label="Report other\'s comment">Report</a>'
    ) in html
    assert f'href="/comments/{mine.pk}/report/"' not in html
    assert f'href="/comments/{mine.pk}/edit/" aria-label="Edit your comment">Edit</a>' in html


def test_a_member_reports_a_comment_with_a_reason(reader_client, reader, their_comment):
    form = reader_client.get(report_url(their_comment)).content.decode()
    assert "Report other's comment on Grave of the Fireflies" in form
    assert "Spoiler not marked" in form and "Abusive" in form and "Spam" in form
    assert not Report.objects.exists()
    response = reader_client.post(report_url(their_comment), {"reason": "spoiler"}, follow=True)
    assert response.redirect_chain == [(f"{TITLE_URL}#comment-{their_comment.pk}", 302)]
    assert "Thank you: the moderators will look at this comment." in response.content.decode()
    assert list(Report.objects.values_list("comment", "reporter", "reason", "text")) == [
        (their_comment.pk, reader.pk, "spoiler", "")
    ]
    assert Comment.objects.visible().filter(pk=their_comment.pk).exists()


def test_other_needs_a_few_words(reader_client, their_comment, unchanged):
    with unchanged():
        html = reader_client.post(
            report_url(their_comment), {"reason": "other", "text": "   "}
        ).content.decode()
    assert "Say what is wrong when you choose “Other”." in html
    reader_client.post(report_url(their_comment), {"reason": "other", "text": "Off  topic\n"})
    assert Report.objects.get().text == "Off topic"


@pytest.mark.parametrize("data", [{}, {"reason": "boring"}])
def test_a_missing_or_unknown_reason_is_refused(reader_client, their_comment, unchanged, data):
    with unchanged():
        response = reader_client.post(report_url(their_comment), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a reason for your report." in html or "Select a valid choice" in html


def test_reporting_twice_adds_nothing(reader_client, their_comment, unchanged):
    reader_client.post(report_url(their_comment), {"reason": "spam"})
    with unchanged():
        response = reader_client.post(report_url(their_comment), {"reason": "abusive"}, follow=True)
    assert "You have already reported this comment" in response.content.decode()
    assert list(Report.objects.values_list("reason", flat=True)) == ["spam"]


def test_a_member_cannot_report_their_own_comment(reader_client, reader, grave, unchanged):
    mine = Comment.objects.post(reader, grave, "Mine")
    with unchanged():
        response = reader_client.post(report_url(mine), {"reason": "spam"}, follow=True)
    assert "You cannot report your own comment" in response.content.decode()


def test_a_missing_or_hidden_comment_cannot_be_reported(reader_client, their_comment, unchanged):
    hidden_pk = their_comment.pk
    their_comment.hide()
    with unchanged():
        assert (
            reader_client.post(f"/comments/{hidden_pk}/report/", {"reason": "spam"}).status_code
            == 404
        )
        assert reader_client.post("/comments/999999/report/", {"reason": "spam"}).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, their_comment, unchanged):
    with unchanged():
        response = client.post(report_url(their_comment), {"reason": "spam"})
    assert response.url == f"/account/signin/?next={report_url(their_comment)}"


def test_reporting_without_csrf_is_refused(csrf_client, reader, their_comment, unchanged):
    csrf_client.force_login(reader)
    with unchanged():
        assert csrf_client.post(report_url(their_comment), {"reason": "spam"}).status_code == 403


def test_a_report_hidden_by_a_moderator_leaves_every_public_page(
    client, reader_client, their_comment, grave
):
    reader_client.post(report_url(their_comment), {"reason": "spoiler"})
    their_comment.hide()
    assert "Setsuko dies" not in client.get(TITLE_URL).content.decode()
    assert "Setsuko dies" not in client.get("/members/other/").content.decode()
    assert grave.stats.__class__.objects.get(pk=grave.pk).comment_count == 0


# The report page: the session with the member, the comment with its title and author,
# and whether this member already reported it.
def test_the_report_page_costs_three_queries(
    reader_client, their_comment, django_assert_num_queries
):
    with django_assert_num_queries(3):
        html = reader_client.get(report_url(their_comment)).content.decode()
    assert "Setsuko dies at the end, lol" in html
