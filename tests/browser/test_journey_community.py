"""
The community in a real browser: a member suggests a title, is warned about one we
already have, sends a new one; a curator accepts it, completes and publishes it; the
member sees it credited; another member puts it on their watchlist, rates it, replies
to a comment and marks another. Every new page passes axe, and the title page with its
links out and a thread is photographed at 360 and 1280 wide.
"""

import datetime

from playwright.sync_api import expect

from catalogue.models import Title
from catalogue.suggestions import Suggestion
from catalogue.watching import StreamingService, WatchOption
from reviews.models import Comment, CommentMark, Rating, WatchlistEntry

from .a11y import assert_accessible
from .screenshots import save_screenshots


def as_member(page, sign_in, user):
    page.context.clear_cookies()
    sign_in(page, user)


def test_a_suggestion_becomes_a_title_that_members_list_rate_and_discuss(
    page, sign_in, live_server, listed_titles, reader, other_reader, curator
):
    # The member suggests a title we already have, then a new one.
    as_member(page, sign_in, reader)
    page.goto("/members/reader/")
    page.get_by_role("link", name="Suggest a title").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a title")
    assert_accessible(page)
    page.get_by_label("English name").fill("grave of the fireflies")
    page.get_by_label("Movie").check()
    page.get_by_label("Year").fill("1988")
    page.get_by_label("Why it makes people cry").fill("Setsuko.")
    page.get_by_role("button", name="Send my suggestion").click()
    expect(page.get_by_text("Did you mean")).to_be_visible()
    expect(page.get_by_role("link", name="Grave of the Fireflies")).to_be_visible()
    assert_accessible(page)
    assert not Suggestion.objects.exists()

    page.get_by_label("English name").fill("Bokurano")
    page.get_by_label("Original (romaji) name").fill("Bokura no")
    page.get_by_label("Series").check()
    page.get_by_label("Year").fill("2007")
    page.get_by_label("Episodes").fill("24")
    page.get_by_label("Why it makes people cry").fill("Children who know how it ends.")
    page.get_by_role("button", name="Send my suggestion").click()
    expect(page.get_by_text("Bokurano is waiting for a curator.")).to_be_visible()
    expect(page.locator("#suggestions")).to_contain_text("Waiting for a curator")
    assert_accessible(page)

    # A curator accepts it, completes it and publishes it.
    as_member(page, sign_in, curator)
    page.goto("/admin/catalogue/suggestion/")
    page.get_by_role("link", name="Bokurano").click()
    expect(page.get_by_label("Accept: create an unpublished title from it")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Accept: create an unpublished title from it").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change title")
    page.get_by_label("Synopsis:").fill("Fifteen children pilot a giant robot, one at a time.")
    page.get_by_role("checkbox", name="Grief").check()
    page.get_by_label("MyAnimeList id:").fill("2059")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    title = Title.objects.get(name="Bokurano")
    assert title.is_published and title.myanimelist_id == 2059

    # The member sees it credited.
    as_member(page, sign_in, reader)
    page.goto(title.get_absolute_url())
    expect(page.locator(".suggested-by")).to_have_text("Suggested by reader")
    expect(page.get_by_role("link", name="Bokurano on MyAnimeList")).to_have_attribute(
        "href", "https://myanimelist.net/anime/2059"
    )
    first = Comment.objects.post(reader, title, "Episode 10 broke me.")
    second = Comment.objects.post(reader, title, "The last pilot's goodbye.")

    # Another member lists it, rates it, replies to one comment and marks another.
    as_member(page, sign_in, other_reader)
    page.goto(title.get_absolute_url())
    page.get_by_role("button", name="Add to my watchlist").click()
    expect(page.get_by_text("Bokurano is on your list, to cry at later.")).to_be_visible()
    page.get_by_label("5 — Cried a river").check()
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("You have rated it: take it off your list?")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Reply to reader").first.click()
    expect(page.get_by_label("Your reply")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reply").fill("Same. I could not watch the next one for a week.")
    page.get_by_role("button", name="Post my reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    expect(page.get_by_text("I could not watch the next one for a week.")).to_be_visible()
    assert_accessible(page)

    page.goto(title.get_absolute_url())
    page.locator(f"#comment-{first.pk}").get_by_role("button", name="This hit me too").click()
    expect(page.get_by_text("Marked: this hit you too.")).to_be_visible()
    expect(page.locator(f"#comment-{first.pk}")).to_contain_text("1 member was hit by this too")
    assert_accessible(page)

    assert WatchlistEntry.objects.filter(user=other_reader, title=title).exists()
    assert Rating.objects.get(user=other_reader, title=title).tears == 5
    assert Comment.objects.get(parent__isnull=False).parent_id == second.pk
    assert CommentMark.objects.get().comment_id == first.pk

    # Where it can be watched, as a curator checked it, for the pictures.
    service = StreamingService.objects.create(name="Example Stream", slug="example-stream")
    WatchOption.objects.create(
        title=title,
        service=service,
        link="https://stream.example/bokurano",
        countries="JP US",
        access=WatchOption.Access.STREAM,
        checked_on=datetime.date(2026, 12, 2),
    )
    page.goto(title.get_absolute_url())
    expect(page.get_by_role("link", name="Example Stream")).to_have_attribute(
        "rel", "nofollow noopener"
    )
    assert_accessible(page)
    phone, desktop = save_screenshots(page, title.get_absolute_url(), "title-community")
    assert phone.exists() and desktop.exists()
