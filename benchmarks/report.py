"""The class report of one lesson, and its CSVs, at 100 / 1,000 / 10,000 learners.

Usage: .venv/bin/python benchmarks/report.py [RUNS] [SIZES...]   (default: 5 100 1000 10000)
       BENCH_NO_FREEZE=1 …  measures without the start-up gc.freeze() of config/wsgi.py
       BENCH_NO_KEPT_LINES=1 …  as if no attempt kept its answer lines (the report builds them)

Builds, in a fresh temporary SQLite database (or the one DATABASE_URL names, which it must be
allowed to fill), one lesson of 12 published questions (10 multiple choice with 4 choices, one
true/false, one fill-in) per size, and that many learners in one class, each with progress and
one finished graded attempt answering every question (scores spread 0–12 by a seeded random
number generator). Then, in-process through Django's test client as the classes' teacher (a
staff member of the Teachers group, not a superuser: the report is scoped to their classes'
learners, as in production), it measures for each size:

* the report page (its first page of learners): median and slowest wall time of RUNS requests
  after one warm-up, the part of it spent in Python's cycle collector, HTML size, queries;
* the answers CSV (one row per answer: 12 per learner), the grades CSV (one row per learner)
  and the class's gradebook CSV: time to the last byte (median of RUNS), size, queries, and
  the peak of Python memory allocations (tracemalloc) while the response is produced and read
  to the end in 64 KiB pieces and thrown away (what a server sending it does), in a separate
  request, since tracing slows the code down.
"""

from __future__ import annotations

import cProfile
import gc
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/report.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Static files from the source tree: no collectstatic needed for an in-process run.
os.environ.setdefault("DJANGO_PLAIN_STATIC", "1")
os.environ.setdefault("DJANGO_STATIC_FINDERS", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from classrooms.models import Assignment, Classroom, Enrolment  # noqa: E402
from courses.models import Course, Lesson, Paragraph  # noqa: E402
from quiz import answer_lines  # noqa: E402
from quiz.models import (  # noqa: E402
    AcceptedAnswer,
    Attempt,
    AttemptItem,
    Choice,
    LessonProgress,
    Question,
    Response,
)

QUESTIONS = 12
BATCH = 5000


def _questions(lesson: Lesson) -> list[tuple[Question, list[Choice]]]:
    specs = [("multiple_choice", 4)] * 10 + [("true_false", 2), ("fill_blank", 0)]
    questions = Question.objects.bulk_create(
        Question(
            lesson=lesson,
            type=qtype,
            prompt=f"Question {n} of {lesson.title}?",
            evidence_paragraph=1 + n % 5,
            evidence_start=0,
            evidence_end=5,
            evidence_quote="Parag",
            status="published",
            position=n,
        )
        for n, (qtype, _) in enumerate(specs, start=1)
    )
    out = []
    for question, (qtype, n_choices) in zip(questions, specs, strict=True):
        texts = ["True", "False"] if qtype == "true_false" else [f"Choice {c}" for c in "ABCD"]
        choices = Choice.objects.bulk_create(
            Choice(question=question, text=texts[c], is_correct=c == 0, position=c + 1)
            for c in range(n_choices)
        )
        if qtype == "fill_blank":
            AcceptedAnswer.objects.create(question=question, text="waggle")
        out.append((question, choices))
    return out


def build(course: Course, teacher: User, size: int, rng: random.Random) -> tuple[Lesson, int]:
    """A lesson, a class of `size` learners who each finished one graded attempt."""
    lesson = Lesson.objects.create(
        course=course, title=f"Lesson {size}", slug=f"lesson-{size}", position=size, published=True
    )
    Paragraph.objects.bulk_create(
        Paragraph(lesson=lesson, position=p, text=f"Paragraph {p} of the lesson.")
        for p in range(1, 6)
    )
    questions = _questions(lesson)
    classroom = Classroom.objects.create(name=f"Class of {size}")
    classroom.teachers.add(teacher)
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    learners = User.objects.bulk_create(
        (
            User(username=f"l{size}-{i:05d}", first_name=f"Learner{i}", last_name="Bench")
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    Enrolment.objects.bulk_create(
        (Enrolment(classroom=classroom, student=u) for u in learners), batch_size=BATCH
    )
    now = timezone.now()
    # Learner ability spreads the scores; each answer is right with that probability.
    plans = []
    for _ in learners:
        ability = rng.random()
        plans.append([rng.random() < 0.2 + 0.75 * ability for _ in range(QUESTIONS)])
    attempts = Attempt.objects.bulk_create(
        (
            Attempt(
                learner=u,
                lesson=lesson,
                number=1,
                feedback_mode="immediate",
                pass_mark=70,
                finished_at=now,
                correct_count=sum(plan),
                marks=sum(plan),
                answered_count=QUESTIONS,
                question_total=QUESTIONS,
            )
            for u, plan in zip(learners, plans, strict=True)
        ),
        batch_size=BATCH,
    )
    for start in range(0, len(attempts), 1000):
        chunk = list(zip(attempts[start : start + 1000], plans[start : start + 1000], strict=True))
        items = AttemptItem.objects.bulk_create(
            AttemptItem(attempt=a, question=q, position=i, choice_order=[c.pk for c in choices])
            for a, _ in chunk
            for i, (q, choices) in enumerate(questions, start=1)
        )
        responses = []
        for item, right in zip(items, (r for _, plan in chunk for r in plan), strict=True):
            question, choices = questions[item.position - 1]
            if choices:
                choice = choices[0] if right else rng.choice(choices[1:])
                responses.append(Response(item=item, choice=choice, is_correct=right))
            else:
                text = "waggle" if right else rng.choice(["tango", "=1+1", "round dance"])
                responses.append(Response(item=item, text=text, is_correct=right))
        Response.objects.bulk_create(responses)
    LessonProgress.objects.bulk_create(
        (
            LessonProgress(
                learner=u,
                lesson=lesson,
                status="passed" if round(100 * sum(plan) / QUESTIONS) >= 70 else "not_passed",
                attempts_count=1,
                best_score=round(100 * sum(plan) / QUESTIONS),
                latest_score=round(100 * sum(plan) / QUESTIONS),
                grade=round(100 * sum(plan) / QUESTIONS),
                pass_mark=70,
            )
            for u, plan in zip(learners, plans, strict=True)
        ),
        batch_size=BATCH,
    )
    _analyze()
    if not os.environ.get("BENCH_NO_KEPT_LINES"):
        # What quiz.attempts.finish writes as each attempt closes, here for all at once.
        Attempt.objects.filter(lesson=lesson).update(answer_lines=answer_lines.of_attempt())
        _analyze()
    return lesson, classroom.pk


def _analyze() -> None:
    """PostgreSQL: table statistics, as autovacuum keeps them on a server that has had this
    data a while; without them it plans joins over the freshly loaded tables blind."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _read(response) -> int:
    """Read the whole body as a server would; its size in bytes (nothing kept)."""
    if getattr(response, "streaming", False):
        size = 0
        for piece in response.streaming_content:
            size += len(piece)
        response.close()
        return size
    return len(response.content)


class _CollectorTime:
    """Time spent in the cycle collector (gc.callbacks), part of the wall time measured."""

    def __init__(self):
        self.seconds, self._start = 0.0, 0.0

    def __call__(self, phase, _info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start


def measure(client: Client, url: str, runs: int, *, memory: bool) -> dict:
    client.get(url) if not memory else _read(client.get(url))  # warm-up
    times = []
    collector = _CollectorTime()
    gc.callbacks.append(collector)
    for _ in range(runs):
        begin = time.perf_counter()
        response = client.get(url)
        size = _read(response)
        times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    gc.callbacks.remove(collector)
    with CaptureQueriesContext(connection) as queries:
        _read(client.get(url))
    out = {
        "median_ms": statistics.median(times),
        "gc_ms": collector.seconds * 1000 / runs,
        "max_ms": max(times),
        "queries": len(queries),
        "kib": size / 1024,
        "peak_kib": None,
        "streamed": getattr(response, "streaming", False),
    }
    if memory:
        tracemalloc.start()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        _read(client.get(url))
        out["peak_kib"] = (tracemalloc.get_traced_memory()[1] - before) / 1024
        tracemalloc.stop()
    return out


def main(runs: int = 5, sizes: tuple[int, ...] = (100, 1000, 10000)) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    rng = random.Random(20261202)
    course = Course.objects.create(title="Benchmark", slug="benchmark")
    teacher = User.objects.create_user("bench-teacher", is_staff=True)
    teacher.groups.add(Group.objects.get(name="Teachers"))
    built = {}
    for size in sizes:
        start = time.perf_counter()
        built[size] = build(course, teacher, size, rng)
        print(f"built {size} learners × {QUESTIONS} answers in {time.perf_counter() - start:.1f} s")
    client = Client()
    client.force_login(teacher)
    if not os.environ.get("BENCH_NO_FREEZE"):
        from config.wsgi import freeze_heap  # what the WSGI entry point does at start-up

        freeze_heap()
    header = (
        f"{'learners':>8} {'page':14} {'median ms':>10} {'max ms':>8} {'GC ms':>6} "
        f"{'queries':>8} {'KiB':>8} {'peak KiB':>9} streamed"
    )
    print(header)
    for size, (lesson, classroom_id) in built.items():
        pages = {
            "report": (reverse("admin:quiz_lesson_report", args=[lesson.pk]), False),
            "answers CSV": (reverse("admin:quiz_lesson_responses_csv", args=[lesson.pk]), True),
            "grades CSV": (reverse("admin:quiz_lesson_grades_csv", args=[lesson.pk]), True),
            "gradebook CSV": (
                reverse("admin:classrooms_gradebook_csv", args=[classroom_id]),
                True,
            ),
        }
        for name, (url, memory) in pages.items():
            m = measure(client, url, runs, memory=memory)
            peak = "" if m["peak_kib"] is None else f"{m['peak_kib']:.0f}"
            print(
                f"{size:>8} {name:14} {m['median_ms']:>10.1f} {m['max_ms']:>8.1f} "
                f"{m['gc_ms']:>6.1f} {m['queries']:>8} {m['kib']:>8.0f} {peak:>9} "
                f"{'yes' if m['streamed'] else 'no'}",
                flush=True,
            )
    if os.environ.get("BENCH_PROFILE"):
        lesson, _ = built[max(built)]
        profile(client, reverse("admin:quiz_lesson_report", args=[lesson.pk]))


def profile(client: Client, url: str) -> None:
    """cProfile of one request (BENCH_PROFILE=1): where the time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    _read(client.get(url))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 5, tuple(args[1:]) or (100, 1000, 10000))
