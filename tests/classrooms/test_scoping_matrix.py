"""Two teachers, two classes: every admin page, search, filter, report and CSV shows each
teacher their own students and never the other's. A superuser sees both."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from classrooms.models import Assignment, Classroom, Enrolment
from quiz import attempts
from quiz.grading import Answer
from quiz.models import Attempt, AttemptItem, LessonProgress, QuizSettings, Response
from tests.factories import make_lesson, make_question, make_student, make_teacher

pytestmark = pytest.mark.django_db

# Usernames that appear nowhere else on the pages (not in a lesson, a menu or a help text).
MINE, THEIRS = "amaranth", "beryllium"


@pytest.fixture
def two_classes(db):
    lesson = make_lesson()
    make_question(lesson, position=1)
    make_question(lesson, position=2, prompt="Second?")
    QuizSettings.objects.create(lesson=lesson)
    tess, tom = make_teacher("tess"), make_teacher("tom")
    learners = {}
    for teacher, username in ((tess, MINE), (tom, THEIRS)):
        student = make_student(username)
        classroom = Classroom.objects.create(name=f"Class of {teacher.username}")
        classroom.teachers.add(teacher)
        Enrolment.objects.create(classroom=classroom, student=student)
        Assignment.objects.create(classroom=classroom, lesson=lesson)
        attempt, _ = attempts.start_or_resume(student, lesson)
        for item in attempt.items.select_related("question", "attempt"):
            attempts.record_answer(item, Answer(choice=item.question.choices.first()))
        attempts.finish(attempt)
        learners[username] = (student, classroom, attempt)
    return lesson, tess, tom, learners


def learner_pages(lesson, learners) -> list[str]:
    """Every admin URL that lists or shows learners' work, discovered from the admin site."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in ("quiz", "classrooms", "courses", "auth", "accounts"):
            continue
        try:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        urls.append(changelist)
        for username in (MINE, THEIRS):
            # Part of the name: the page echoes the search term, never the whole username.
            urls.append(f"{changelist}?q={username[:5]}")
        for spec in (
            model_admin.get_list_filter(None) if hasattr(model_admin, "get_list_filter") else []
        ):
            field = spec if isinstance(spec, str) else getattr(spec, "parameter_name", None)
            if isinstance(field, str) and "learner" in field:
                for student, _, _ in learners.values():
                    urls.append(f"{changelist}?{field}__id__exact={student.pk}")
    for name in ("quiz_lesson_report", "quiz_lesson_grades_csv", "quiz_lesson_responses_csv"):
        urls.append(reverse(f"admin:{name}", args=[lesson.pk]))
    return urls


def own_pages(learners, username) -> dict[str, str]:
    """Pages about one teacher's own students (the other teacher must get a 404 on them)."""
    student, classroom, attempt = learners[username]
    response = Response.objects.filter(item__attempt=attempt).first()
    progress = LessonProgress.objects.get(learner=student)
    item = AttemptItem.objects.filter(attempt=attempt).first()
    return {
        "attempt": reverse("admin:quiz_attempt_change", args=[attempt.pk]),
        "answer": reverse("admin:quiz_response_change", args=[response.pk]),
        "progress": reverse("admin:quiz_lessonprogress_change", args=[progress.pk]),
        "class": reverse("admin:classrooms_classroom_change", args=[classroom.pk]),
        "gradebook": reverse("admin:classrooms_gradebook", args=[classroom.pk]),
        "gradebook csv": reverse("admin:classrooms_gradebook_csv", args=[classroom.pk]),
        "student": reverse("admin:classrooms_student", args=[classroom.pk, student.pk]),
        "paragraphs": reverse(
            "admin:classrooms_paragraphs", args=[classroom.pk, attempt.lesson_id]
        ),
        "regrade": reverse("admin:quiz_question_regrade", args=[item.question_id]),
    }


@pytest.mark.parametrize("me, mine, theirs", [("tess", MINE, THEIRS), ("tom", THEIRS, MINE)])
def test_each_teacher_sees_only_their_own_students(client, two_classes, me, mine, theirs):
    lesson, tess, tom, learners = two_classes
    client.force_login(tess if me == "tess" else tom)
    seen_mine = False
    for url in learner_pages(lesson, learners):
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        body = response.content.decode("utf-8", "replace")
        assert theirs not in body, url
        seen_mine |= mine in body
    assert seen_mine
    for name, url in own_pages(learners, theirs).items():
        response = client.get(url, follow=True)
        body = response.content.decode("utf-8", "replace")
        assert theirs not in body, (name, url)
        assert response.status_code in (403, 404) or "doesn’t exist" in body or "regrade" in name
    for name, url in own_pages(learners, mine).items():
        if name == "regrade":
            continue  # a question page, not a learner's: covered by the first loop's absence
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        assert mine in response.content.decode("utf-8", "replace") or name in (
            "paragraphs",
            "class",
        )


def test_a_superuser_sees_both_classes(client, two_classes):
    lesson, _, _, learners = two_classes
    boss = make_teacher("boss")
    boss.is_superuser = True
    boss.save()
    client.force_login(boss)
    report = client.get(reverse("admin:quiz_lesson_report", args=[lesson.pk])).content.decode()
    assert MINE in report and THEIRS in report
    answers = client.get(reverse("admin:quiz_response_changelist")).content.decode()
    assert MINE in answers and THEIRS in answers
    assert Attempt.objects.count() == 2
