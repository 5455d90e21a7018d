"""Take the README's phone screenshots: five pages at 390 px, against a running vcc.

    python manage.py seed_demo && python manage.py runserver   # in one shell
    python docs/screenshots.py [http://127.0.0.1:8000] [--width 390]

It signs in with the demo accounts, finds its pages by following links (no ids assumed), and
writes docs/phone-*.png; with --width 1280 it writes test-artifacts/desktop-*.png instead (not
committed), to check that the wide layout still holds. Needs Playwright and Chromium
(CHROMIUM, default /usr/bin/chromium).
"""

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
PASSWORD = "demo-pass-2026"  # devdata.demo.DEMO_PASSWORD, kept here so no Django is imported


def sign_in(browser, base_url: str, viewport: dict, username: str):
    page = browser.new_context(base_url=base_url, viewport=viewport).new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def shoot(page, name: str, prefix: str) -> None:
    """The page from the top, cut at two screens: enough to show the layout, small to load."""
    folder = DOCS if prefix == "phone" else DOCS.parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{prefix}-{name}.png"
    size = page.viewport_size
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2 * size["height"])
    clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    print(path.relative_to(DOCS.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--width", type=int, default=390)
    args = parser.parse_args()
    base, prefix = args.base_url.rstrip("/"), "phone" if args.width < 800 else "desktop"
    viewport = {"width": args.width, "height": 844 if args.width < 800 else 900}
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        coordinator = sign_in(browser, base, viewport, "coordinator@demo.vcc")
        coordinator.goto("/partners/")
        shoot(coordinator, "directory", prefix)
        coordinator.get_by_role("link", name="Riverbend Family Farm").first.click()
        coordinator.wait_for_load_state()
        shoot(coordinator, "partner-page", prefix)
        coordinator.goto("/introductions/")
        shoot(coordinator, "board", prefix)
        coordinator.goto("/convenings/")
        coordinator.locator("table.data tbody a").first.click()
        coordinator.wait_for_load_state()
        shoot(coordinator, "convening", prefix)

        partner = sign_in(browser, base, viewport, "partner@demo.vcc")
        partner.get_by_role("tab", name="Offers & needs").click()
        partner.goto(partner.get_by_role("link", name="Add an offer").get_attribute("href"))
        shoot(partner, "offer-form", prefix)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
