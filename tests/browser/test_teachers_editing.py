"""A teacher's editing, walked in the browser at laptop and wide-screen widths: a Word article
in, drafts first, more drafts on demand, review on one page, a key moved up, a worksheet out.
No step may log a console error (a CSP violation is one)."""

import pytest
from playwright.sync_api import expect

from courses.importing import decode_article, parse_article
from courses.models import Lesson
from quiz.models import Question, Status
from tests.browser.test_quiz_flow import admin_log_in
from tests.courses.test_import_formats import make_docx
from tests.factories import ARTICLES, make_course


@pytest.fixture(params=[1366, 1920], ids=["1366px", "1920px"])
def wide_page(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width = request.param
    yield page
    context.close()


def test_from_a_word_file_to_a_reviewed_quiz(live_server, teacher, wide_page, screenshot, tmp_path):
    page, base, width = wide_page, live_server.url, wide_page.width
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    make_course("Science reading", "science-reading")
    article = parse_article(decode_article((ARTICLES / "news-report.txt").read_bytes()))
    word = tmp_path / "council-vote.docx"
    word.write_bytes(make_docx(list(article.paragraphs), heading="The council's vote"))

    admin_log_in(page, base, teacher.username)

    # A Word file in: the title from the document, a draft until published.
    page.goto(base + "/admin/courses/lesson/import/")
    page.set_input_files("input[name=file]", str(word))
    page.get_by_role("button", name="Import article").click()
    expect(page.locator(".messagelist")).to_contain_text("It is a draft")
    lesson = Lesson.objects.get()
    assert (lesson.title, lesson.published) == ("The council's vote", False)

    # Before publication the address follows the title.
    page.fill("input[name=title]", "How the council voted")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    lesson.refresh_from_db()
    assert lesson.slug == "how-the-council-voted"

    # Questions, then more beside them: the tool buttons sit under the title, never over it.
    title = page.get_by_role("heading", name="How the council voted", exact=True)
    box, tools = title.bounding_box(), page.locator(".object-tools").bounding_box()
    assert tools["y"] >= box["y"] + box["height"]
    page.get_by_role("button", name="Generate questions").click()
    expect(page.locator(".messagelist")).to_contain_text("draft questions")
    first_run = set(Question.objects.values_list("pk", "prompt"))
    page.goto(base + f"/admin/courses/lesson/{lesson.pk}/change/")
    page.get_by_label("How many new questions").fill("2")
    page.get_by_role("button", name="Generate more").click()
    expect(page).to_have_url(f"{base}/preview/lessons/{lesson.pk}/drafts/")
    expect(page.locator(".messages, .messagelist").first).to_contain_text("new draft question")
    assert first_run <= set(Question.objects.values_list("pk", "prompt"))  # none touched
    screenshot(page, f"editing-drafts-{width}")

    # One-page review: publish one with htmx (the page itself does not reload).
    page.evaluate("window.stillHere = true")
    card = page.locator("section.draft").first
    card.get_by_role("button", name="Publish").click()
    expect(page.locator("section.draft").first).to_contain_text("Published")
    assert page.evaluate("window.stillHere") is True
    published = Question.objects.get(status=Status.PUBLISHED)

    # The key moved up to the first choice saves (it once failed with a 500).
    question = (
        Question.objects.filter(lesson=lesson, type="multiple_choice")
        .exclude(choices__position=1, choices__is_correct=True)
        .first()
        or published
    )
    page.goto(base + f"/admin/quiz/question/{question.pk}/change/")
    page.locator("input[name='choices-0-is_correct']").check()
    for i in range(1, question.choices.count()):
        page.locator(f"input[name='choices-{i}-is_correct']").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    first = question.choices.order_by("position", "pk").first()
    assert question.choices.get(is_correct=True) == first

    # Publishing the lesson; then a worksheet to print, without the key, and the answer key.
    page.goto(base + f"/admin/courses/lesson/{lesson.pk}/change/")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(base + f"/preview/lessons/{lesson.pk}/worksheet/")
    expect(page.locator("main")).to_contain_text(published.prompt)
    expect(page.locator("main")).not_to_contain_text("right answer")
    screenshot(page, f"editing-worksheet-{width}")
    page.goto(base + f"/preview/lessons/{lesson.pk}/answer-key/")
    expect(page.locator("main")).to_contain_text(published.prompt)
    assert not errors, errors
