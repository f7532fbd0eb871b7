"""A teacher imports a Moodle question file: the preview says what will come in, what changes
and what cannot, and only the confirmation saves, on a laptop and on a phone, by keyboard."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_quiz_flow import admin_log_in
from tests.factories import make_sample_lesson

from .conftest import SIZES

FIXTURE = Path(__file__).resolve().parents[1] / "quiz" / "fixtures" / "moodle" / "every_kind.gift"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_preview_then_confirm(live_server, teacher, browser, screenshot, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    lesson = make_sample_lesson()
    admin_log_in(page, live_server.url, teacher.username)

    page.goto(live_server.url + f"/admin/courses/lesson/{lesson.pk}/import-questions/")
    page.set_input_files("input[name=file]", str(FIXTURE))
    page.get_by_role("button", name="Import questions").click()

    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text(
        "14 questions can be imported as drafts, 9 cannot. Nothing is saved until you confirm."
    )
    will = page.get_by_role("table", name="Can be imported")
    cannot = page.get_by_role("table", name="Cannot be imported")
    expect(will.get_by_role("row")).to_have_count(15)  # header + 14
    expect(cannot).to_contain_text("Essay questions (empty { }) are not supported here")
    expect(will).to_contain_text("Left out: an image (questions here are plain text)")
    assert not lesson.questions.exists()  # nothing saved by the preview
    assert Axe().run(page).violations_count == 0
    screenshot(page, f"import-preview-{size}")

    # The confirmation is the first button after the summary, reached by keyboard.
    confirm = page.get_by_role("button", name="Import 14 questions").first
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text(
        "Imported 14 questions into “Tension between Iran and Azerbaijan” as drafts. 9 in the "
        "file were not imported (as previewed)."
    )
    assert lesson.questions.filter(status="draft").count() == 14
    assert errors == []
    context.close()
