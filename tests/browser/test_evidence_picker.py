"""A teacher picks a question's evidence by clicking its sentence, edits the lesson's text, and
checks the one question whose sentence changed, at laptop and wide-screen widths."""

import pytest
from playwright.sync_api import expect

from quiz.models import EvidenceCheck, Question
from tests.browser.test_quiz_flow import admin_log_in
from tests.factories import make_lesson, make_question
from tests.quiz.test_evidence import NOBEL, P3


@pytest.fixture(params=[1366, 1920], ids=["1366px", "1920px"])
def wide_page(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.width = request.param
    yield page
    context.close()


def test_evidence_by_click_then_a_text_edit(live_server, teacher, wide_page, screenshot):
    page, base = wide_page, live_server.url
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    lesson = make_lesson()
    question = make_question(lesson, prompt="Who decoded the bees' dance?", status="draft")

    admin_log_in(page, base, teacher.username)

    page.goto(base + f"/admin/quiz/question/{question.pk}/change/")
    title = page.get_by_role("heading", name="Who decoded the bees' dance?")
    tools = page.locator(".object-tools")
    # The tool buttons never cover the title (they did at 1280–1366 px).
    assert tools.bounding_box()["y"] >= title.bounding_box()["y"] + title.bounding_box()["height"]
    picked = page.locator(".evidence-picker__radio:checked + span")
    expect(picked).to_have_text(question.evidence_quote)

    # Click the sentence that really proves the answer, in its paragraph.
    page.locator(".evidence-picker__sentence", has_text=NOBEL).click()
    expect(picked).to_have_text(NOBEL)
    # By keyboard: the arrow keys move the pick along the sentences, and back.
    page.keyboard.press("ArrowUp")
    expect(picked).not_to_have_text(NOBEL)
    page.keyboard.press("ArrowDown")
    expect(picked).to_have_text(NOBEL)
    screenshot(page, f"evidence-picker-{page.width}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question.refresh_from_db()
    assert question.evidence_quote == NOBEL and question.evidence_paragraph == 3

    # The teacher changes the year in paragraph 3 and fixes spacing in paragraph 1.
    page.goto(base + f"/admin/courses/lesson/{lesson.pk}/change/")
    first = page.locator("textarea[name='paragraphs-0-text']")
    first.fill(first.input_value() + " ")
    page.locator("textarea[name='paragraphs-2-text']").fill(P3.replace("1973", "1974"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question.refresh_from_db()
    assert question.evidence_check == EvidenceCheck.CHANGED

    page.goto(base + "/admin/quiz/question/?stale=yes")
    page.get_by_role("link", name="Who decoded the bees' dance?").click()
    expect(page.locator(".evidence-context__flag")).to_contain_text("this sentence changed")
    expect(page.locator(".evidence-context blockquote")).to_have_text(NOBEL)
    page.get_by_label("Mark as checked").check()
    screenshot(page, f"evidence-check-{page.width}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question = Question.objects.get(pk=question.pk)
    assert question.evidence_check == "" and "1974" in question.evidence_quote
    assert not errors, errors
