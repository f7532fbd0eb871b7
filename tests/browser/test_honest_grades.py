"""Honest grades in Chromium, with JavaScript and without: fail, see "Not passed yet", review
without keys, a second try in interactive mode, pass, then see the keys and "Passed"."""

import re

import pytest
from playwright.sync_api import expect

from quiz.models import QuizSettings, Response
from tests.browser.conftest import SIZES
from tests.browser.test_quiz_flow import (
    fill_with_mouse,
    item_at,
    log_in,
    make_handmade_lesson,
    plan_answer,
    question_heading,
    serious_axe_violations,
    start_quiz,
)

TOTAL = 4


@pytest.fixture(params=["js", "no-js"])
def any_page(request, page, nojs_page):
    """(page, its name): the same walk with JavaScript and with plain forms and links."""
    return (page, "js") if request.param == "js" else (nojs_page, "nojs")


def card(page):
    return page.locator("#question-card")


def go_on(page, n: int) -> None:
    """Past a question's feedback: the retry card's "Move on" or the usual Next link."""
    name = re.compile(r"^(Move on|Next question|Review and finish)$")
    card(page).get_by_role("link", name=name).first.click()
    if n < TOTAL:
        question_heading(page, n + 1, TOTAL)
    else:
        expect(page.get_by_role("heading", name="Ready to finish?")).to_be_visible()


def finish(page, base: str, attempt_id: int) -> None:
    page.get_by_role("button", name="Finish and see my results").click()
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/results/")


def test_fail_review_without_keys_second_try_then_pass(live_server, student, any_page, screenshot):
    page, mode = any_page
    lesson = make_handmade_lesson(shuffle_questions=False)
    QuizSettings.objects.filter(lesson=lesson).update(feedback_mode="interactive", retry_penalty=50)
    base = live_server.url
    log_in(page, base, student.username)

    # Attempt 1: everything wrong. A wrong answer offers one more try but never the key.
    first_id = start_quiz(page, base, lesson)
    keys = []
    for n in range(1, TOTAL + 1):
        question_heading(page, n, TOTAL)
        plan = plan_answer(item_at(first_id, n), correct=False)
        if plan.key not in ("True", "False"):  # words any page may hold
            keys.append(plan.key)
        fill_with_mouse(page, plan)
        card(page).get_by_role("button", name="Check answer").click()
        heading = card(page).locator("h2[data-autofocus]")
        is_true_false = item_at(first_id, n).question.type == "true_false"
        expect(heading).to_have_text(
            "✗ Not quite" if is_true_false else "↻ Not quite: one more try"
        )
        expect(card(page)).not_to_contain_text("Right answer")
        expect(card(page).get_by_role("link", name="Show me where in the article")).to_be_visible()
        if n == 1:
            expect(card(page)).to_contain_text("A right answer now earns 50% of the mark")
            for label, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                screenshot(page, f"honest-retry-{mode}-{label}")
            page.set_viewport_size(SIZES["desktop"])
            if mode == "js":
                assert serious_axe_violations(page) == []
        go_on(page, n)
    finish(page, base, first_id)
    expect(page.locator(".score__number")).to_have_text("0%")
    expect(page.locator(".score__detail")).to_contain_text("Not passed yet (pass mark 70%)")
    review = page.locator("ol.review")
    expect(review).not_to_contain_text("Right answer")
    for key in keys:
        expect(review).not_to_contain_text(key)
    expect(page.get_by_text("You will see the right answers once you pass")).to_be_visible()
    for label, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"honest-results-no-keys-{mode}-{label}")
    page.set_viewport_size(SIZES["desktop"])

    # The lesson page says "Not passed yet" and lists the attempt, whose review holds no key.
    page.goto(base + lesson.get_absolute_url())
    panel = page.locator("#quiz")
    expect(panel.locator(".badge")).to_have_text("✗ Not passed yet")
    expect(panel).to_contain_text("best 0%, pass mark 70%")
    panel.get_by_role("link", name="Attempt 1").click()
    expect(page).to_have_url(f"{base}/attempts/{first_id}/results/")
    expect(page.locator("ol.review")).not_to_contain_text("Right answer")
    page.goto(base + "/me/")
    expect(page.get_by_text("0 of 1 lesson passed")).to_be_visible()
    expect(page.locator("table.table .badge")).to_have_text("✗ Not passed yet")

    # Attempt 2: question 1 wrong, then the evidence, back, and right at the second try.
    page.goto(base + lesson.get_absolute_url())
    page.locator("#quiz").get_by_role("button", name="Try again").click()
    second_id = int(re.search(r"/attempts/(\d+)/1/$", page.url)[1])
    assert second_id != first_id
    for n in range(1, TOTAL + 1):
        question_heading(page, n, TOTAL)
        item = item_at(second_id, n)
        retry = n == 1 and item.question.type != "true_false"
        plan = plan_answer(item, correct=not retry)
        fill_with_mouse(page, plan)
        card(page).get_by_role("button", name="Check answer").click()
        if retry:
            expect(card(page).locator("h2[data-autofocus]")).to_have_text(
                "↻ Not quite: one more try"
            )
            card(page).get_by_role("link", name="Show me where in the article").click()
            mark = page.locator(f"#p-{item.question.evidence_paragraph} mark#evidence")
            expect(mark).to_have_text(item.question.evidence_quote)
            page.get_by_role("link", name="Back to the quiz").click()
            expect(page).to_have_url(f"{base}/attempts/{second_id}/1/")
            fill_with_mouse(page, plan_answer(item, correct=True), prefix="retry-")
            card(page).get_by_role("button", name="Check my second try").click()
            expect(card(page).locator("h2[data-autofocus]")).to_have_text(
                "✓ Right at the second try"
            )
            expect(card(page)).to_contain_text("A right second try earns 50% of the mark")
        else:
            expect(card(page).locator("h2[data-autofocus]")).to_have_text("✓ Correct")
        go_on(page, n)
    finish(page, base, second_id)
    expect(page.locator(".score__number")).to_have_text("88%")  # (0.5 + 3) of 4
    expect(page.locator(".score__detail")).to_contain_text("Passed (pass mark 70%)")
    expect(page.locator("ol.review")).to_contain_text("Right at the second try")
    for label, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"honest-results-passed-{mode}-{label}")
    page.set_viewport_size(SIZES["desktop"])
    if mode == "js":
        assert serious_axe_violations(page) == []
    assert Response.objects.filter(item__attempt_id=second_id, tries=2, credit=0.5).count() == 1

    # Passed: the first attempt's review now shows its keys too.
    page.goto(f"{base}/attempts/{first_id}/results/")
    expect(page.locator("ol.review")).to_contain_text("Right answer")
    for key in keys:
        expect(page.locator("ol.review")).to_contain_text(key)
    page.goto(base + "/me/")
    expect(page.get_by_text("1 of 1 lesson passed")).to_be_visible()
    expect(page.locator("table.table .badge")).to_have_text("✓ Passed")
