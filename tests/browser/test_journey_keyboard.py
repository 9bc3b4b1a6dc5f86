"""
A member who uses only the keyboard, in a real browser: from the title page, skip to
the content, rate the title with Tab, the arrow keys and Enter, then write a spoiler
comment with Tab, typing, Space and Enter. Every element that takes the focus on the
way shows where the focus is.
"""

from playwright.sync_api import expect

from reviews.models import Comment, Rating

from ..factories import rate
from .a11y import assert_accessible

# What the focused element is, and whether a sighted keyboard user can see that it is:
# a focus ring at least 2px wide, on screen, with a contrast of at least 3:1 against
# the background around it (WCAG 2.1, 1.4.11 non-text contrast).
FOCUSED = """() => {
    const luminance = color => {
        const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map(channel => {
            const c = channel / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const opaque = color => !/rgba\\(.*, 0\\)$/.test(color) && color !== "transparent";
    const element = document.activeElement;
    const style = getComputedStyle(element);
    let around = element.parentElement;
    while (around && !opaque(getComputedStyle(around).backgroundColor)) {
        around = around.parentElement;
    }
    const background = around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)";
    const [light, dark] = [luminance(style.outlineColor), luminance(background)]
        .sort((a, b) => b - a);
    const box = element.getBoundingClientRect();
    const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
    return {
        tag: element.tagName.toLowerCase(),
        name: element.getAttribute("name") || "",
        value: element.value || "",
        checked: Boolean(element.checked),
        in_main: Boolean(element.closest("main")),
        text: (label || element.innerText || element.getAttribute("aria-label") || "").trim(),
        outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        ring_contrast: (light + 0.05) / (dark + 0.05),
        on_screen: box.bottom > 0 && box.top < window.innerHeight && box.width > 0,
    };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, most=40, key="Tab"):
    """
    Press Tab (or `key`, such as Shift+Tab) until the focused element matches `wanted`
    (a function of `focused(page)`), checking that every element the focus passes shows
    a focus ring on screen.
    Returns what is focused at the end.
    """
    for _ in range(most):
        page.keyboard.press(key)
        now = focused(page)
        assert now["outlined"], f"no visible focus on {now}"
        assert now["on_screen"], f"the focused element is off screen: {now}"
        assert now["ring_contrast"] >= 3, f"the focus ring hardly shows: {now}"
        if wanted(now):
            return now
    raise AssertionError(f"{most} presses of {key} never reached the element; last: {now}")


def test_a_member_rates_and_comments_with_the_keyboard_only(page, sign_in, reader,
                                                             listed_titles):
    grave = listed_titles[0]
    rate(grave, [5, 3])
    sign_in(page, reader)
    page.goto(grave.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Grave of the Fireflies")

    # The first Tab shows the skip link. Every stop in the header shows the focus, both
    # ways; back on the skip link, Enter takes the focus past the header.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content" and skip["on_screen"] and skip["outlined"]
    assert skip["ring_contrast"] >= 3, skip
    tab_to(page, lambda element: element["in_main"])
    tab_to(page, lambda element: element["text"] == "Skip to content", key="Shift+Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Into the rating group: the arrows move the choice, Space confirms it.
    now = tab_to(page, lambda element: element["name"] == "tears")
    assert now["value"] == "0", "the group is entered on its first level when none is chosen"
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    now = focused(page)
    assert (now["value"], now["checked"], now["text"]) == ("4", True, "4 — Sobbing")
    tab_to(page, lambda element: element["text"] == "Save my rating")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Saved: 4 — Sobbing.")).to_be_visible()
    expect(page.get_by_text("You rated it 4 — Sobbing.")).to_be_visible()
    assert Rating.objects.get(user=reader, title=grave).tears == 4
    assert_accessible(page)

    # The page came back at the rating; the comment form is the next stop.
    now = tab_to(page, lambda element: element["tag"] == "textarea")
    assert now["text"] == "Your comment:"
    page.keyboard.type("I watched it once. Never again, and I tell everyone to watch it.")
    tab_to(page, lambda element: element["name"] == "is_spoiler")
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    now = tab_to(page, lambda element: element["name"] == "stance")
    assert now["text"] == "No stance", "the group is entered on its chosen answer"
    page.keyboard.press("ArrowUp")
    assert focused(page)["text"] == "I disagree with it"
    tab_to(page, lambda element: element["text"] == "Post my comment")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    mine = page.get_by_role("article", name="Comment by reader")
    expect(mine.get_by_text("Disagrees with the list")).to_be_visible()
    expect(mine.get_by_text("rated it 4 — Sobbing")).to_be_visible()
    saved = Comment.objects.get(user=reader, title=grave)
    assert saved.body == "I watched it once. Never again, and I tell everyone to watch it."
    assert (saved.is_spoiler, saved.stance) == (True, "disagree")

    # The spoiler opens from the keyboard too.
    tab_to(page, lambda element: element["text"] == "Contains spoilers — show the comment")
    page.keyboard.press("Enter")
    expect(mine.get_by_text("I watched it once.")).to_be_visible()
