"""Server time and queries of a class's gradebook: 300 students × 20 assigned lessons.

Usage: .venv/bin/python benchmarks/gradebook.py [RUNS] [STUDENTS] [LESSONS]
Builds the class in a fresh temporary SQLite database (or the one DATABASE_URL names, which it
must be allowed to fill), every student with a finished graded attempt and progress on every
lesson, then requests the gradebook, its CSV and one lesson's "where the class struggled" page
in-process through Django's test client as the class's teacher, RUNS times each, and prints the
median and slowest wall time and the queries of one request.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/gradebook.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Static files from the source tree: no collectstatic needed for an in-process run.
os.environ.setdefault("DJANGO_PLAIN_STATIC", "1")
os.environ.setdefault("DJANGO_STATIC_FINDERS", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from classrooms.models import Assignment, Classroom, Enrolment  # noqa: E402
from courses.models import Course, Lesson, Paragraph  # noqa: E402
from quiz.models import (  # noqa: E402
    Attempt,
    AttemptItem,
    Choice,
    LessonProgress,
    Question,
    Response,
)

QUESTIONS = 5


def build(students: int, lessons: int) -> Classroom:
    course = Course.objects.create(title="Benchmark", slug="benchmark")
    teacher = User.objects.create_user("bench-teacher", is_staff=True, is_superuser=True)
    classroom = Classroom.objects.create(name="Benchmark class")
    classroom.teachers.add(teacher)
    learners = User.objects.bulk_create(
        User(username=f"s{i:04d}", first_name=f"Student{i}", last_name="Bench")
        for i in range(students)
    )
    Enrolment.objects.bulk_create(Enrolment(classroom=classroom, student=u) for u in learners)
    now = timezone.now()
    for n in range(lessons):
        lesson = Lesson.objects.create(
            course=course, title=f"Lesson {n}", slug=f"lesson-{n}", position=n, published=True
        )
        Paragraph.objects.bulk_create(
            Paragraph(lesson=lesson, position=p, text=f"Paragraph {p} of lesson {n}.")
            for p in range(1, 6)
        )
        questions = Question.objects.bulk_create(
            Question(
                lesson=lesson,
                type="multiple_choice",
                prompt=f"Q{q}?",
                evidence_paragraph=q,
                evidence_start=0,
                evidence_end=5,
                evidence_quote="Parag",
                status="published",
                position=q,
            )
            for q in range(1, QUESTIONS + 1)
        )
        keys = Choice.objects.bulk_create(
            Choice(question=q, text="Right", is_correct=True, position=1) for q in questions
        )
        Assignment.objects.create(classroom=classroom, lesson=lesson, due_at=now)
        attempts = Attempt.objects.bulk_create(
            Attempt(
                learner=u,
                lesson=lesson,
                number=1,
                feedback_mode="immediate",
                pass_mark=70,
                finished_at=now,
                correct_count=3,
                marks=3,
                answered_count=QUESTIONS,
                question_total=QUESTIONS,
            )
            for u in learners
        )
        items = AttemptItem.objects.bulk_create(
            AttemptItem(attempt=a, question=q, position=i, choice_order=[])
            for a in attempts
            for i, q in enumerate(questions, start=1)
        )
        Response.objects.bulk_create(
            Response(item=item, choice=keys[item.position - 1], is_correct=item.position <= 3)
            for item in items
        )
        LessonProgress.objects.bulk_create(
            LessonProgress(
                learner=u,
                lesson=lesson,
                status="not_passed",
                attempts_count=1,
                best_score=60,
                latest_score=60,
                grade=60,
                pass_mark=70,
            )
            for u in learners
        )
    return classroom


def main(runs: int = 10, students: int = 300, lessons: int = 20) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    classroom = build(students, lessons)
    print(f"built {students} students × {lessons} lessons in {time.perf_counter() - start:.1f} s")
    client = Client()
    client.force_login(classroom.teachers.get())
    first_lesson = classroom.assignments.order_by("pk").first().lesson_id
    pages = {
        "gradebook": reverse("admin:classrooms_gradebook", args=[classroom.pk]),
        "gradebook CSV": reverse("admin:classrooms_gradebook_csv", args=[classroom.pk]),
        "where they struggled": reverse(
            "admin:classrooms_paragraphs", args=[classroom.pk, first_lesson]
        ),
    }
    print(f"{'page':22} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KiB':>7}")
    for name, url in pages.items():
        client.get(url)  # warm: templates compiled, caches filled
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        print(
            f"{name:22} {statistics.median(times):>10.1f} {max(times):>8.1f} "
            f"{len(queries):>8} {len(response.content) / 1024:>7.0f}"
        )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    main(*args)
