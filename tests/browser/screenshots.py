"""
Pictures for people: what a page looks like on a phone and on a desktop, written to
test-artifacts/screenshots/ (not committed) so anyone can look at what the site shows.
"""

from tests.check_tools import PROJECT_ROOT

SCREENSHOT_DIR = PROJECT_ROOT / "test-artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 360, "height": 800}, "desktop": {"width": 1280, "height": 800}}


def save_screenshots(page, url, name):
    """
    Open `url` at 360×800 and at 1280×800 and save a full-page PNG of each, named
    `<name>-360x800.png` and `<name>-1280x800.png`. Returns the paths, phone first.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for viewport in VIEWPORTS.values():
        page.set_viewport_size(viewport)
        page.goto(url)
        _load_every_picture(page)
        path = SCREENSHOT_DIR / f"{name}-{viewport['width']}x{viewport['height']}.png"
        page.screenshot(path=path, full_page=True)
        paths.append(path)
    return paths


def _load_every_picture(page):
    # Lazy pictures load only when scrolled near; a full-page picture should show them
    # all, as a person scrolling would see them, so load them now and wait for each.
    page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            images.forEach(image => { image.loading = "eager"; });
            await Promise.all(images.map(image => image.decode().catch(() => null)));
        }"""
    )
