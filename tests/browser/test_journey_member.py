"""
A visitor becomes a member, in a real browser: signs up from a title page (after one
mistake), rates the title, changes the rating and watches the distribution follow,
comments with a spoiler, reveals a spoiler in someone else's comment, edits and
deletes their own comment, reports someone else's, and signs out. Every kind of
page on the way passes axe.
"""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reviews.models import Comment, Rating, Report

from ..factories import comment, rate
from .a11y import assert_accessible

NEW_PASSWORD = "Rivers-of-tears-2024"


def distribution_row(page, level_name):
    """The cells of the distribution row for one tear level: level, bar, count, share."""
    return page.locator("table.distribution tbody tr").filter(has_text=level_name)


def test_a_visitor_signs_up_rates_comments_and_reports(
    page, live_server, listed_titles, other_reader
):
    grave = listed_titles[0]
    rate(grave, [5, 3])
    comment(
        grave,
        "Seita's last scene: the station, and the tin of drops.",
        is_spoiler=True,
        user=other_reader,
    )
    rude = comment(grave, "This list is rubbish, and so is everyone who cried.")

    page.goto(grave.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Grave of the Fireflies")
    expect(page.locator("table.distribution caption")).to_have_text("2 ratings, by tear level")

    # Sign up, on the way to rating: one mistake first, said clearly, nothing created.
    page.get_by_role("link", name="Sign in to rate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("The two password fields didn’t match.")).to_be_visible()
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert_accessible(page)

    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(f"{live_server.url}{grave.get_absolute_url()}#your-rating")
    expect(page.get_by_text("Welcome to Sadlist, newcomer.")).to_be_visible()
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link", name="newcomer")).to_be_visible()

    # Rate, then change the rating: the distribution follows.
    page.get_by_label("4 — Sobbing").check()
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("Saved: 4 — Sobbing.")).to_be_visible()
    expect(page.locator("table.distribution caption")).to_have_text("3 ratings, by tear level")
    expect(distribution_row(page, "Sobbing").locator("td")).to_have_text(["", "1", "33%"])
    expect(distribution_row(page, "Misty-eyed").locator("td")).to_have_text(["", "0", "0%"])
    expect(page.get_by_label("4 — Sobbing")).to_be_checked()

    page.get_by_label("2 — Misty-eyed").check()
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("Saved: 2 — Misty-eyed.")).to_be_visible()
    expect(page.locator("table.distribution caption")).to_have_text("3 ratings, by tear level")
    expect(distribution_row(page, "Sobbing").locator("td")).to_have_text(["", "0", "0%"])
    expect(distribution_row(page, "Misty-eyed").locator("td")).to_have_text(["", "1", "33%"])
    expect(page.get_by_text("You rated it 2 — Misty-eyed.")).to_be_visible()
    member = get_user_model().objects.get(username="newcomer")
    assert Rating.objects.get(user=member).tears == 2

    # Comment with a spoiler: it is hidden until revealed, for its author too.
    page.get_by_label("Your comment").fill("The fruit drops tin. I had to stop the film.")
    page.get_by_label("It contains spoilers").check()
    page.get_by_label("Ranked too low").check()
    page.get_by_role("button", name="Post my comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    mine = page.get_by_role("article", name="Comment by newcomer")
    expect(mine.get_by_text("Contains spoilers — show the comment")).to_be_visible()
    expect(mine.get_by_text("The fruit drops tin.")).to_be_hidden()
    expect(mine.get_by_text(re.compile("^Ranked too low"))).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (3)")).to_be_visible()

    # Reveal someone else's spoiler.
    theirs = page.get_by_role("article", name="Comment by other")
    expect(theirs.get_by_text("Seita's last scene")).to_be_hidden()
    theirs.get_by_text("Contains spoilers — show the comment").click()
    expect(theirs.get_by_text("Seita's last scene")).to_be_visible()
    assert_accessible(page)

    # Edit my comment: no longer a spoiler, new words.
    mine.get_by_role("link", name="Edit your comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Edit your comment on Grave of the Fireflies"
    )
    expect(page.get_by_label("Your comment")).to_have_value(
        "The fruit drops tin. I had to stop the film."
    )
    assert_accessible(page)
    page.get_by_label("Your comment").fill("I had to stop the film halfway. Then I finished it.")
    page.get_by_label("It contains spoilers").uncheck()
    page.get_by_role("button", name="Save my changes").click()
    expect(page.get_by_text("Your comment is updated.")).to_be_visible()
    expect(mine.get_by_text("I had to stop the film halfway.")).to_be_visible()
    expect(mine.get_by_text(re.compile(r"\(edited "))).to_be_visible()

    # Delete it, after a confirmation page.
    mine.get_by_role("link", name="Delete your comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Delete your comment on Grave of the Fireflies?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Delete my comment").click()
    expect(page.get_by_text("Your comment is deleted.")).to_be_visible()
    expect(mine).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()
    assert not Comment.objects.filter(user=member).exists()

    # Report someone else's comment.
    page.get_by_role("link", name=f"Report {rude.user.username}'s comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Report {rude.user.username}'s comment on Grave of the Fireflies"
    )
    assert_accessible(page)
    page.get_by_label("Abusive").check()
    page.get_by_role("button", name="Send my report").click()
    expect(page.get_by_text("Thank you: the moderators will look at this comment.")).to_be_visible()
    report = Report.objects.get(comment=rude)
    assert (report.reporter, report.reason) == (member, Report.Reason.ABUSIVE)

    # Sign out: the header and the title page are a visitor's again.
    account.get_by_role("button", name="Sign out").click()
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account.get_by_role("link", name="newcomer")).to_have_count(0)
    page.goto(grave.get_absolute_url())
    expect(page.get_by_role("link", name="Sign in to rate")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to comment")).to_be_visible()
