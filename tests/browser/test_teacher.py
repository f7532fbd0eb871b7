"""A teacher goes from an article file to a published quiz and a class report, in the browser."""

import re

from playwright.sync_api import expect

from courses.models import Lesson
from quiz.models import Question
from tests.browser.test_quiz_flow import admin_log_in
from tests.factories import ARTICLES, make_course


def test_teacher_from_article_to_report(live_server, teacher, page, screenshot, tmp_path):
    make_course("Science reading", "science-reading")
    base = live_server.url
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    admin_log_in(page, base, teacher.username)

    # Add lesson from article.
    page.goto(base + "/admin/courses/lesson/")
    page.get_by_role("link", name="Add lesson from article").click()
    page.set_input_files("input[name=file]", str(ARTICLES / "news-report.txt"))
    page.get_by_role("button", name="Import article").click()
    expect(page.locator(".messagelist")).to_contain_text("Next: generate its questions")
    lesson = Lesson.objects.get(source_name="news-report.txt")

    # Generate questions: drafts, counted by type.
    page.get_by_role("button", name="Generate questions").click()
    expect(page.locator(".messagelist")).to_contain_text("draft questions")
    drafts = Question.objects.filter(lesson=lesson, status="draft")
    # Never padded: this article's speakers' views would give each other's keys away, so the
    # set holds one of them beside the main idea.
    assert drafts.count() >= 2
    screenshot(page, "admin-questions")

    # Edit one: the prompt, then save.
    question = drafts.order_by("position").first()
    page.goto(base + f"/admin/quiz/question/{question.pk}/change/")
    expect(page.locator(".evidence-context mark")).to_have_text(question.evidence_quote)
    page.fill("textarea[name=prompt]", question.prompt + " (edited)")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question.refresh_from_db()
    assert question.teacher_edited and question.prompt.endswith("(edited)")

    # Publish them all from the list.
    page.goto(base + f"/admin/quiz/question/?lesson__id__exact={lesson.pk}")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", "publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("published")
    assert not Question.objects.filter(lesson=lesson, status="draft").exists()

    # Preview as a student: answers are checked, nothing recorded.
    page.goto(base + f"/admin/courses/lesson/{lesson.pk}/change/")
    page.get_by_role("link", name="Preview as a student").click()
    expect(page.get_by_text("Nothing you do here is recorded")).to_be_visible()
    first = page.locator(".preview-question").first
    first.locator("input[type=radio], input[type=text]").first.click()
    if first.locator("input[type=text]").count():
        first.locator("input[type=text]").fill("anything")
    first.get_by_role("button", name="Check answer").click()
    expect(page.locator(".preview-question .feedback").first).to_be_visible()
    screenshot(page, "admin-preview")

    # The class report.
    page.goto(base + f"/admin/courses/lesson/{lesson.pk}/change/")
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("The class"))).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    screenshot(page, "admin-report")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
