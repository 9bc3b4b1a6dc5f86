"""
Moving through a page with the keyboard, as a person who cannot use a mouse does,
and checking at every stop that they can see where the focus is.
"""

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
    a focus ring on screen. Returns what is focused at the end.
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
