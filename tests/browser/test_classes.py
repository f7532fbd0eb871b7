"""A teacher runs a class in the browser: create it, paste 25 names, print the slips, assign the
sample lesson due Friday; three students sign in with their slips, two finish on time, one late;
the gradebook and "where the class struggled" show it."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from classrooms.models import Assignment, Classroom
from quiz.generation import generate_for_lesson
from quiz.models import Attempt, QuizSettings
from tests.browser.test_quiz_flow import admin_log_in, item_at, plan_answer, serious_axe_violations

NAMES = [
    "Maria Lopez", "Tom Brown", "Aisha Khan", "Lucas Martin", "Zoë Ångström", "Noah Smith",
    "Emma Jones", "Liam Wilson", "Olivia Taylor", "Ethan Davies", "Ava Evans", "Mason Thomas",
    "Sophia Roberts", "Logan Johnson", "Isabella Walker", "James Wright", "Mia Robinson",
    "Benjamin Thompson", "Charlotte White", "Elijah Hughes", "Amelia Edwards", "Oliver Green",
    "Harper Hall", "Jacob Wood", "Evelyn Harris",
]  # fmt: skip
WIDE = {"laptop": {"width": 1366, "height": 800}, "desktop": {"width": 1920, "height": 1080}}


def next_friday(now):
    days = (4 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=16, minute=0, second=0, microsecond=0)


def shots(page, screenshot, name):
    for label, viewport in WIDE.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"classes-{name}-{label}")
    page.set_viewport_size(WIDE["laptop"])


def slip_of(page, name: str) -> tuple[str, str]:
    slip = page.locator("li.slip").filter(has_text=name)
    codes = slip.locator(".slip__code")
    return codes.nth(0).inner_text(), codes.nth(1).inner_text()


def student_takes_quiz(browser, base, lesson, username, password, *, right: bool):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username.capitalize())  # a phone capitalises it
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    # First log-in: choose one's own password.
    expect(page).to_have_url(re.compile(r"/accounts/password/new/"))
    page.locator("input[name=new_password1]").fill("my-own-long-phrase")
    page.locator("input[name=new_password2]").fill("my-own-long-phrase")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_role("heading", name="Assigned to you")).to_be_visible()
    assigned = page.locator(".assigned")
    expect(assigned).to_contain_text(lesson.title)
    expect(assigned).to_contain_text("Not started")
    expect(assigned).to_contain_text("due ")
    assigned.get_by_role("link", name=lesson.title).click()
    page.locator("#quiz").get_by_role("button", name="Start the quiz").click()
    attempt_id = int(re.search(r"/attempts/(\d+)/1/", page.url)[1])
    total = Attempt.objects.get(pk=attempt_id).question_total
    for n in range(1, total + 1):
        plan = plan_answer(item_at(attempt_id, n), correct=right or n == 1)
        card = page.locator("#question-card")
        card.locator("label.choice").filter(
            has=page.get_by_text(plan.choice_text, exact=True)
        ).click()
        card.get_by_role("button", name="Check answer").click()
        expect(card.locator("h2[data-autofocus]")).to_be_visible()
        link = "Next question" if n < total else "Review and finish"
        card.get_by_role("link", name=link).click()
    page.get_by_role("button", name="Finish and see my results").click()
    expect(page.locator(".score__number")).to_be_visible()
    context.close()
    return attempt_id


def test_teacher_runs_a_class(live_server, teacher, sample_lesson, browser, screenshot):
    generate_for_lesson(sample_lesson, publish=True)
    QuizSettings.objects.update_or_create(lesson=sample_lesson, defaults={"max_attempts": 3})
    base = live_server.url
    context = browser.new_context(viewport=WIDE["laptop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    admin_log_in(page, base, teacher.username)

    # Create a class with the sample lesson due Friday.
    page.goto(base + "/admin/classrooms/classroom/add/")
    page.get_by_label("Name").fill("Year 9 English")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    classroom = Classroom.objects.get(name="Year 9 English")
    assert list(classroom.teachers.all()) == [teacher]
    friday = next_friday(timezone.localtime())
    row = page.locator("#assignments-group tr.form-row").first
    row.locator("select[name$='-lesson']").select_option(str(sample_lesson.pk))
    row.locator("input[name$='-due_at_0']").fill(friday.strftime("%Y-%m-%d"))
    row.locator("input[name$='-due_at_1']").fill(friday.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assignment = Assignment.objects.get(classroom=classroom)
    assert assignment.lesson == sample_lesson and assignment.due_at is not None

    # Paste 25 names; the slips page prints one card each.
    page.get_by_role("link", name="Add students from a list").first.click()
    page.get_by_label("Names").fill("\n".join(NAMES))
    page.get_by_role("button", name="Create accounts and print slips").click()
    expect(page.locator("li.slip")).to_have_count(25)
    shots(page, screenshot, "slips")
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator(".slips-intro").first).to_be_hidden()
    screenshot(page, "classes-slips-print")
    page.emulate_media(media="screen")
    slips = {name: slip_of(page, name) for name in ("Maria Lopez", "Tom Brown", "Aisha Khan")}
    assert classroom.students.count() == 25

    # Three students sign in with their slips; two finish on time, one late.
    for name, right in (("Maria Lopez", True), ("Tom Brown", True), ("Aisha Khan", False)):
        username, password = slips[name]
        attempt_id = student_takes_quiz(
            browser, base, sample_lesson, username, password, right=right
        )
        if name == "Aisha Khan":  # she finished after the due date
            Attempt.objects.filter(pk=attempt_id).update(finished_at=friday + timedelta(hours=3))

    # The gradebook shows who passed, who is late and who has not started.
    page.goto(base + f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    table = page.locator("table.gradebook__table")
    maria = table.locator("tbody tr").filter(has_text="Maria Lopez")
    expect(maria).to_contain_text(re.compile(r"Passed|Mastered"))
    aisha = table.locator("tbody tr").filter(has_text="Aisha Khan")
    expect(aisha).to_contain_text("Not passed yet")
    expect(aisha).to_contain_text("late")
    expect(table.locator("tbody tr").filter(has_text="Zoë Ångström")).to_contain_text("Not started")
    expect(table.locator("tfoot")).to_contain_text("2 passed")
    assert serious_axe_violations(page) == []
    shots(page, screenshot, "gradebook")
    table.get_by_role("link", name="Average").click()
    expect(table.locator("tbody tr").first).to_contain_text(re.compile("Maria Lopez|Tom Brown"))

    # Where the class struggled: paragraphs shaded, linked to their questions.
    page.goto(base + f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    page.get_by_role("link", name=re.compile("Where they struggled")).first.click()
    expect(page.locator(".struggle__paragraph").first).to_be_visible()
    expect(page.locator(".struggle__paragraph.struggle--1, .struggle__paragraph.struggle--2, "
                        ".struggle__paragraph.struggle--3, .struggle__paragraph.struggle--4")
           .first).to_be_visible()  # fmt: skip
    assert serious_axe_violations(page) == []
    shots(page, screenshot, "struggled")
    context.close()
