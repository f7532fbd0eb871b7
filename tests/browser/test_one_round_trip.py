"""One round trip per question in Chromium: the answer's POST is the only request, "Next" swaps
the next card in from the answer's <template id="next-card">, and the URL, Back, Forward,
reload, focus and the strict CSP all still hold."""

import re

from playwright.sync_api import expect

from tests.browser.test_quiz_flow import (
    answer_with_mouse,
    expect_feedback,
    item_at,
    log_in,
    make_handmade_lesson,
    plan_answer,
    question_heading,
    start_quiz,
    tab_to,
)

TOTAL = 4
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_one_request_per_question_and_history_works(live_server, student, page):
    lesson = make_handmade_lesson(shuffle_questions=False)
    base = live_server.url
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(WATCH_CSP)
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    question_url = f"{base}/attempts/{attempt_id}/{{}}/"
    requests = []

    def note(request):
        # Chromium itself re-checks the tab's icon when the URL changes (pushState included):
        # not a request of the page's.
        if not request.url.endswith("/static/favicon.svg"):
            requests.append((request.method, request.url))

    page.on("request", note)

    for n in range(1, TOTAL + 1):
        question_heading(page, n, TOTAL)
        assert page.url == question_url.format(n)
        page.evaluate(f"window.__marker = {n}")
        requests.clear()
        plan = plan_answer(item_at(attempt_id, n), correct=n != 2)
        answer_with_mouse(page, plan)
        expect_feedback(page, plan)
        expect(page.locator("#question-card [data-autofocus]")).to_be_focused()
        expect(page.locator("template#next-card")).to_have_count(1)
        if n == 2:  # the keyboard: Tab from the verdict to "Next question", then Enter
            tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Next question'")
            page.keyboard.press("Enter")
        elif n < TOTAL:
            page.get_by_role("link", name="Next question").click()
        else:
            page.locator("#question-card").get_by_role("link", name="Review and finish").click()
        if n < TOTAL:
            question_heading(page, n + 1, TOTAL)
            expect(page).to_have_url(question_url.format(n + 1))
            expect(page).to_have_title(re.compile(rf"^Question {n + 1} · "))
            # Focus moves to the new question's heading, as after an htmx swap.
            expect(page.locator("h1.quiz__title")).to_be_focused()
            expect(page.locator(f"#qm-{n + 1} a")).to_have_attribute("aria-current", "step")
            expect(page.locator(f"#qm-{n} a")).not_to_have_attribute("aria-current", "step")
            expect(page.locator(f"#qm-{n} a")).to_have_class(re.compile(r"\bqm--answered\b"))
            expect(page.locator(".feedback")).to_have_count(0)
            expect(page.locator("template#next-card")).to_have_count(0)
        else:
            expect(page).to_have_url(f"{base}/attempts/{attempt_id}/summary/")
            heading = page.get_by_role("heading", name="Ready to finish?")
            expect(heading).to_be_focused()
            expect(page.get_by_text("Every question has an answer.")).to_be_visible()
            expect(page).to_have_title(re.compile(r"^Review · "))
        page.wait_for_timeout(300)  # anything Next might have fetched would be on its way
        assert page.evaluate("window.__marker") == n, "Next reloaded the page"
        assert requests == [("POST", question_url.format(n))], requests

    # Back: the previous question's URL, rendered by the server with its saved answer.
    page.go_back()
    expect(page).to_have_url(question_url.format(TOTAL))
    question_heading(page, TOTAL, TOTAL)
    expect(page.locator("#question-card .feedback h2")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(question_url.format(TOTAL - 1))
    question_heading(page, TOTAL - 1, TOTAL)
    expect(page.locator("#question-card .feedback h2")).to_have_text("✓ Correct")
    # Forward, then a reload: each shows the question its URL names.
    page.go_forward()
    expect(page).to_have_url(question_url.format(TOTAL))
    question_heading(page, TOTAL, TOTAL)
    page.reload()
    question_heading(page, TOTAL, TOTAL)
    expect(page.locator("#question-card .feedback h2")).to_be_visible()

    # The summary reached without a request still finishes the attempt.
    page.goto(f"{base}/attempts/{attempt_id}/summary/")
    page.get_by_role("button", name="Finish and see my results").click()
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/results/")
    expect(page.locator(".score__number")).to_have_text("75%")

    assert page.evaluate("window.__csp") == []
    assert not problems, problems


def test_reload_of_a_pushed_url_shows_that_question(live_server, student, page):
    lesson = make_handmade_lesson(shuffle_questions=False)
    base = live_server.url
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    plan = plan_answer(item_at(attempt_id, 1))
    answer_with_mouse(page, plan)
    expect_feedback(page, plan)
    page.get_by_role("link", name="Next question").click()
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/2/")
    page.reload()
    question_heading(page, 2, TOTAL)
    expect(page.locator("#question-card form.answer-form")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/1/")
    expect_feedback(page, plan)
