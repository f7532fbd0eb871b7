"""Screenshots of the student pages for docs/screenshots/: home, lesson, question, feedback,
results and My learning, at desktop and phone width, light and dark.

Usage (with the demo server of the README running and its demo accounts):
    .venv/bin/python scripts/screenshots.py [BASE_URL] [OUT_DIR] [--light-only]

It logs in as the demo student, starts (or resumes) the sample lesson's quiz, answers the
first question wrong (to show the most feedback), finishes, and photographs each page.
Headless Chromium from /usr/bin/chromium, through Playwright.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 360, "height": 740}}
LESSON = "/courses/south-caucasus-geopolitics/tension-between-iran-and-azerbaijan/"


def shoot(page, target: Path, name: str, suffix: str) -> None:
    """The page as it is now, at each width (the server is not asked again)."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(target / f"{name}-{size}{suffix}.png"))
    page.set_viewport_size(SIZES["desktop"])


def answer_wrong(page) -> None:
    """Answer the question on screen (its last option, or a word that is not the answer)."""
    card = page.locator("#question-card")
    if card.locator(".choice").count():
        card.locator(".choice").last.click()
    elif card.locator("input[type=text]").count():
        card.locator("input[type=text]").fill("river")
    else:
        for select in card.locator("select").all():
            select.select_option(index=1)
    card.locator("button[type=submit]").first.click()
    page.locator("#feedback").wait_for()


def walk(page, base: str, target: Path, suffix: str) -> None:
    for name, path in (("home", "/"), ("lesson", LESSON)):
        page.goto(base + path)
        shoot(page, target, name, suffix)
    page.locator("#quiz button[type=submit]").first.click()  # Start, Resume or Try again
    page.wait_for_url("**/attempts/*/*/")
    shoot(page, target, "question", suffix)
    answer_wrong(page)  # a wrong answer shows the most feedback
    shoot(page, target, "feedback", suffix)
    attempt = page.url.split("/attempts/")[1].split("/")[0]
    page.goto(f"{base}/attempts/{attempt}/summary/")
    page.get_by_role("button", name="Finish and see my results").click()
    page.wait_for_url("**/results/")
    shoot(page, target, "results", suffix)
    page.goto(base + "/me/")
    shoot(page, target, "my-learning", suffix)


def main(base: str = "http://127.0.0.1:8000", out: str = "docs/screenshots", light_only=False):
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for scheme in ["light"] if light_only else ["light", "dark"]:
            context = browser.new_context(viewport=SIZES["desktop"], color_scheme=scheme)
            page = context.new_page()
            page.goto(base + "/accounts/login/")
            page.fill("input[name=username]", "student")
            page.fill("input[name=password]", "read-and-learn")
            page.locator("form button[type=submit]").last.click()
            page.wait_for_load_state()
            walk(page, base, target, "" if scheme == "light" else "-dark")
            context.close()
        browser.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*args, light_only="--light-only" in sys.argv)
