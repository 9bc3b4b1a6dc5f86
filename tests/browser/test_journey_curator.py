"""
A curator in the admin, in a real browser: signs in, uploads a poster that then shows
on the title page, hides a reported comment which then disappears from the title
page, and unpublishes a title which then disappears from browse. The admin pages a
curator uses pass axe, and so does the public page each change shows on.
"""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from catalogue.models import Title
from reviews.models import Comment, Report

from ..factories import comment, make_theme
from .a11y import assert_accessible


def png_poster():
    """A real 300×450 PNG, as a curator's poster file would be."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 450), (40, 60, 110)).save(buffer, format="PNG")
    return {"name": "grave-poster.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def choose_action(page, row_label, action):
    """Tick one row of an admin change list, pick an action and run it."""
    page.get_by_role("checkbox", name=f"Select this object for an action - {row_label}").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_a_curator_adds_a_poster_hides_a_comment_and_unpublishes_a_title(
    page, live_server, curator, password, listed_titles, reader, other_reader
):
    grave, april = listed_titles
    make_theme("Music", slug="music")  # a theme Grave does not carry: its box stays empty
    rude = comment(grave, "Anyone who cried at this is an idiot.", user=reader)
    Report.objects.create(comment=rude, reporter=other_reader, reason=Report.Reason.ABUSIVE)
    comment(grave, "I still think about the ending.", user=other_reader)

    # Sign in, typing the name and password.
    page.goto("/admin/")
    expect(page).to_have_title(re.compile("^Log in"))
    page.get_by_label("Username:").fill("curator")
    page.get_by_label("Password:").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue and moderation")

    # A poster for Grave of the Fireflies.
    page.get_by_role("link", name="Titles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Select title to change")
    assert_accessible(page)
    page.get_by_role("link", name="Grave of the Fireflies", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change title")
    assert_accessible(page)
    expect(page.get_by_role("checkbox", name="Music")).not_to_be_checked()
    page.get_by_label("Poster:").set_input_files(png_poster())
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    grave.refresh_from_db()
    assert grave.poster.name.startswith("posters/")

    page.goto(grave.get_absolute_url())
    picture = page.get_by_role("img", name="Poster of Grave of the Fireflies")
    expect(picture).to_have_attribute("src", re.compile(r"^/media/posters/[^/]+\.png$"))
    assert picture.evaluate("image => image.complete && image.naturalWidth === 300")
    expect(page.get_by_text("Anyone who cried at this is an idiot.")).to_be_visible()

    # Hide the reported comment from the moderation queue.
    page.goto("/admin/")
    page.get_by_role("link", name="Reported comments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Select reported comment to change")
    )
    expect(page.locator("#result_list")).to_contain_text("Anyone who cried at this")
    assert_accessible(page)
    choose_action(page, str(rude), "Hide the selected comments")
    expect(page.locator(".messagelist")).to_have_text(
        "Hid 1 comment; hidden comments no longer show on any public page."
    )
    expect(page.locator("#result_list")).to_have_count(0)
    assert Comment.objects.get(pk=rude.pk).is_hidden

    page.goto(grave.get_absolute_url())
    expect(page.get_by_text("I still think about the ending.")).to_be_visible()
    expect(page.get_by_text("Anyone who cried at this is an idiot.")).to_have_count(0)
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()

    # Unpublish Your Lie in April.
    page.goto("/admin/catalogue/title/")
    choose_action(page, "Your Lie in April", "Unpublish the selected titles")
    expect(page.locator(".messagelist")).to_have_text("Unpublished 1 title(s).")
    assert not Title.objects.get(pk=april.pk).is_published

    page.goto("/titles/")
    expect(page.locator(".results .card-name")).to_have_text(["Grave of the Fireflies"])
    response = page.goto(april.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
