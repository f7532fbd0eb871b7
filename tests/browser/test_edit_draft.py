"""A teacher edits a draft in place on the review page, in Chromium, under the strict CSP."""

from django.urls import reverse
from playwright.sync_api import expect

from quiz.models import Question
from tests.browser.test_quiz_flow import admin_log_in, serious_axe_violations
from tests.factories import make_lesson, make_question


def test_edit_a_draft_in_place(live_server, teacher, page):
    lesson = make_lesson()
    first = make_question(lesson, status="draft", position=1, prompt="Which insect dances?")
    second = make_question(lesson, status="draft", position=2, prompt="Who decoded the dance?")
    base = live_server.url
    errors = []

    def console(message):
        # The admin's log-in page links no icon: Chromium's own /favicon.ico try is no error.
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))

    admin_log_in(page, base, teacher.username)

    page.goto(base + reverse("quiz:review_drafts", args=[lesson.pk]))
    page.evaluate("window.noPageLoad = true")  # gone if the page were loaded again
    card = page.locator(f"#draft-{first.pk}")
    card.get_by_role("link", name="Edit “Which insect dances?”").click()

    # The form takes the card's place; focus on its heading, ready for the keyboard.
    prompt = card.get_by_label("Question", exact=True)
    expect(prompt).to_have_value("Which insect dances?")
    expect(card.get_by_role("heading", name="Edit this draft")).to_be_focused()
    expect(page.locator(f"#draft-{second.pk}")).to_contain_text("Who decoded the dance?")
    assert not serious_axe_violations(page)

    # An empty prompt: the reason in place, the typed explanation kept.
    prompt.fill("")
    card.get_by_label("Explanation").fill("The text says so, in paragraph 1.")
    card.get_by_role("button", name="Save").click()
    expect(card.locator(".field__error")).to_contain_text("Write the question the students")
    expect(card.get_by_label("Explanation")).to_have_value("The text says so, in paragraph 1.")
    expect(card.locator(".form-errors").first).to_be_focused()

    # Now a real edit: the card comes back with the new prompt, without a page load.
    card.get_by_label("Question", exact=True).fill("Which insect dances to show the way?")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("h2.draft__prompt")).to_have_text("Which insect dances to show the way?")
    expect(card.get_by_role("button", name="Publish")).to_be_visible()
    assert page.evaluate("window.noPageLoad") is True
    question = Question.objects.get(pk=first.pk)
    assert question.prompt == "Which insect dances to show the way?" and question.teacher_edited
    assert question.explanation == "The text says so, in paragraph 1."

    # Cancel brings the unchanged card back, by keyboard.
    card.get_by_role("link", name="Edit “Which insect dances to show the way?”").focus()
    page.keyboard.press("Enter")
    expect(card.get_by_label("Question", exact=True)).to_be_visible()
    card.get_by_label("Question", exact=True).fill("Not to be kept")
    card.get_by_role("link", name="Cancel").click()
    expect(card.locator("h2.draft__prompt")).to_have_text("Which insect dances to show the way?")
    assert page.evaluate("window.noPageLoad") is True

    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not errors, errors


def test_a_link_swapped_in_works_at_once(live_server, teacher, page):
    """htmx binds swapped-in links when it settles: a click right after a swap must not fall
    through to a plain page load (it did with htmx's default 20 ms settle delay)."""
    lesson = make_lesson()
    draft = make_question(lesson, status="draft", position=1, prompt="Which insect dances?")
    admin_log_in(page, live_server.url, teacher.username)

    page.goto(live_server.url + reverse("quiz:review_drafts", args=[lesson.pk]))
    card = page.locator(f"#draft-{draft.pk}")
    page.evaluate(
        """() => {
          window.noPageLoad = true;
          window.settled = new Promise((done) =>
            document.body.addEventListener("htmx:afterSettle", done, { once: true }));
        }"""
    )
    card.get_by_role("link", name="Edit “Which insect dances?”").click()
    page.evaluate("window.settled.then(() => true)")

    # Cancel swaps the card back; its Edit link is clicked in the very next task.
    page.evaluate(
        """(id) => document.body.addEventListener("htmx:afterSwap", () => setTimeout(() =>
             document.querySelector("#draft-" + id + " a[href$='/edit/']").click(), 0),
           { once: true })""",
        draft.pk,
    )
    card.get_by_role("link", name="Cancel").click()
    expect(card.get_by_role("heading", name="Edit this draft")).to_be_visible()
    assert page.evaluate("window.noPageLoad") is True
