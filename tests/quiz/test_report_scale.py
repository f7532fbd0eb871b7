"""The class report at scale: learner rows paginated while every figure stays over all learners,
a constant query count, and CSVs streamed with the same content as the old in-memory ones.

The data (`big_class`): a teacher's class of 120 learners (`l000`–`l119`, created in an order
other than their names' and in mixed case) take a three-question quiz through the real quiz
code; two learners outside the class also take it and must never show or count.
"""

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Assignment, Classroom, Enrolment
from quiz import attempts, reports
from quiz.grading import Answer
from quiz.models import LessonProgress, QuizSettings, Response
from tests.factories import make_course, make_lesson, make_question, make_teacher
from tests.quiz.test_csv_guard import assert_no_formula

pytestmark = pytest.mark.django_db

PAGE_SIZE = 50
ROW = re.compile(r'<tr>\s*<td>([^<]+)</td>(?:(?!</tr>).)*?href="[^"]+">See answers', re.S)


def lesson_with_questions(course=None):
    lesson = make_lesson(course)
    questions = [
        make_question(lesson, position=1, prompt="What dances?"),
        make_question(lesson, "true_false", position=2, prompt="The run points to food."),
        make_question(
            lesson, "fill_blank", answers=["waggle dance"], position=3, prompt="Bees do the ____."
        ),
    ]
    QuizSettings.objects.create(lesson=lesson, shuffle_questions=False, shuffle_choices=False)
    return lesson, questions


def answers_of(i: int, questions) -> dict:
    """Learner i's answers: a spread of scores, and a typed answer that looks like a formula."""
    q1, q2, q3 = questions
    return {
        q1.pk: ["Bees", "Ants", "Wasps", "Moths"][i % 4],
        q2.pk: "True" if i % 3 else "False",
        q3.pk: "waggle dance" if i % 5 < 2 else "=1+1;-2",
    }


def take(user, lesson, questions, i: int):
    attempt, _ = attempts.start_or_resume(user, lesson)
    given = answers_of(i, questions)
    items = attempt.items.select_related("question", "attempt").prefetch_related(
        "question__choices"
    )
    for item in items:
        value = given[item.question_id]
        if item.question.type == "fill_blank":
            answer = Answer(text=value)
        else:
            answer = Answer(choice=next(c for c in item.question.choices.all() if c.text == value))
        attempts.record_answer(item, answer)
    return attempts.finish(attempt)


def make_class(lesson, questions, teacher, n: int, prefix: str = "l"):
    classroom = Classroom.objects.create(name=f"Class of {n}")
    classroom.teachers.add(teacher)
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    # Created from the last name to the first, some in capitals: the order is the names'.
    for i in reversed(range(n)):
        name = f"{prefix}{i:03}" if i % 7 else f"{prefix.upper()}{i:03}"
        user = User.objects.create(username=name)
        Enrolment.objects.create(classroom=classroom, student=user)
        take(user, lesson, questions, i)
    return classroom


@pytest.fixture
def big_class(db):
    lesson, questions = lesson_with_questions()
    teacher = make_teacher()
    classroom = make_class(lesson, questions, teacher, 120)
    for i in range(2):  # not in the teacher's class
        take(User.objects.create(username=f"outsider{i}"), lesson, questions, 0)
    return lesson, questions, teacher, classroom


def report(client, lesson, **params):
    response = client.get(reverse("admin:quiz_lesson_report", args=[lesson.pk]), params)
    assert response.status_code == 200
    return response


def shown_learners(response) -> list[str]:
    return ROW.findall(response.content.decode())


def figures(response) -> str:
    """The class figures, histogram and item analysis: the page above the learner rows."""
    html = response.content.decode()
    return html[html.index("<h2>The class</h2>") : html.index('<h2 id="learners">Learners</h2>')]


# ---------------------------------------------------------------------------------------------
# The page


def test_figures_are_over_all_learners_on_every_page(client, big_class):
    lesson, (q1, q2, q3), teacher, _ = big_class
    client.force_login(teacher)
    pages = [report(client, lesson, page=n) for n in (1, 2, 3)]
    # Same summary, item analysis and HTML of the figures on every page.
    for page in pages[1:]:
        assert page.context["summary"] == pages[0].context["summary"]
        assert [r["stat"] for r in page.context["stats"]] == [
            r["stat"] for r in pages[0].context["stats"]
        ]
        assert figures(page) == figures(pages[0])
    summary = pages[1].context["summary"]
    assert summary.learners == summary.graded_learners == 120  # the class, not the outsiders
    stats = {r["stat"].question_id: r["stat"] for r in pages[1].context["stats"]}
    # Facility over all 120, by hand: "Bees" for i % 4 == 0; "True" unless i % 3 == 0;
    # "waggle dance" for i % 5 < 2.
    right = {
        q1.pk: sum(1 for i in range(120) if i % 4 == 0),
        q2.pk: sum(1 for i in range(120) if i % 3),
        q3.pk: sum(1 for i in range(120) if i % 5 < 2),
    }
    for qid, n_right in right.items():
        assert stats[qid].answers == 120
        assert stats[qid].facility == pytest.approx(n_right / 120)
    assert [c.count for c in stats[q1.pk].choices] == [30, 30, 30, 30]
    assert sum(summary.histogram) == 120
    # The functions the page calls, over every visible learner, give the same figures.
    learners = User.objects.filter(enrolments__classroom__teachers=teacher).values("pk")
    assert reports.question_stats(lesson, learners=learners) == list(stats.values())
    assert reports.lesson_summary(lesson, learners=learners) == summary


def test_learner_rows_are_split_across_pages_in_a_stable_order(client, big_class):
    lesson, _, teacher, _ = big_class
    client.force_login(teacher)
    everyone = sorted(
        User.objects.filter(enrolments__isnull=False).values_list("username", flat=True),
        key=str.casefold,
    )
    seen = []
    url = reverse("admin:quiz_lesson_report", args=[lesson.pk])
    page = client.get(url)
    for number in (1, 2, 3):
        names = shown_learners(page)
        assert len(names) == (PAGE_SIZE if number < 3 else 20)
        assert page.context["learner_page"].number == number
        seen += names
        html = page.content.decode()
        first = PAGE_SIZE * (number - 1) + 1
        assert f"Learners {first}–{first + len(names) - 1} of 120" in html
        if number < 3:  # follow the page's own "Next" link
            (href,) = re.findall(r'<a href="([^"]+)" rel="next"', html)
            page = client.get(url + href.replace("&amp;", "&").split("#")[0])
        else:
            assert 'rel="next"' not in html
    assert seen == everyone and len(set(seen)) == 120
    assert shown_learners(report(client, lesson, page=2)) == everyone[50:100]  # stable


@pytest.mark.parametrize(
    "value, expected", [("999", 3), ("abc", 1), ("", 1), ("0", 3), ("-1", 3), ("2.5", 1)]
)
def test_junk_or_out_of_range_page_numbers(client, big_class, value, expected):
    lesson, _, teacher, _ = big_class
    client.force_login(teacher)
    page = report(client, lesson, page=value)
    assert page.context["learner_page"].number == expected
    assert len(shown_learners(page)) == (20 if expected == 3 else PAGE_SIZE)


def test_search_by_name_keeps_the_figures(client, big_class):
    lesson, _, teacher, _ = big_class
    client.force_login(teacher)
    everything = report(client, lesson)
    found = report(client, lesson, q="l11")
    expected = [f"l{i}" if i % 7 else f"L{i}" for i in range(110, 120)]  # L112, L119
    assert shown_learners(found) == expected  # any case, in the report's order
    assert found.context["learner_page"].paginator.count == 10
    assert figures(found) == figures(everything)
    assert shown_learners(report(client, lesson, q="outsider")) == []


def test_query_count_does_not_grow_with_learners(client, db):
    teacher = make_teacher()
    client.force_login(teacher)
    counts = []
    course = make_course()
    for n, prefix in ((10, "a"), (120, "b")):
        lesson, questions = lesson_with_questions(course)
        make_class(lesson, questions, teacher, n, prefix)
        for page in (1, 2):
            with CaptureQueriesContext(connection) as queries:
                report(client, lesson, page=page)
            counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] == counts[3], counts
    # Pinned: session, user, the user's and their groups' permissions, lesson; the learners'
    # names, the page's progress and attempt counts; every attempt (one row each, with its
    # answer lines, kept or built), the lesson's questions and choices (for the summary, the
    # item analysis, its upper–lower groups' edges and the stale-key check); the summary's
    # settings and the learners' progress; questions, choices; the questions, choices and
    # accepted answers of the stale-key check.
    assert counts[0] == 17, counts


# ---------------------------------------------------------------------------------------------
# The CSVs


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8")


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def as_csv(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def small_class(db):
    lesson, questions = lesson_with_questions()
    teacher = make_teacher()
    classroom = make_class(lesson, questions, teacher, 7)
    evil = User.objects.create(username="@evil", first_name="=HYPERLINK(1)")
    Enrolment.objects.create(classroom=classroom, student=evil)
    take(evil, lesson, questions, 4)
    take(User.objects.create(username="outsider"), lesson, questions, 0)
    return lesson, questions, teacher, classroom


def test_answers_csv_is_streamed_with_the_old_content(client, small_class, monkeypatch):
    lesson, _, teacher, _ = small_class
    monkeypatch.setattr(reports, "CSV_ROWS_PER_PIECE", 3)  # several pieces, cut mid-file
    client.force_login(teacher)
    response = client.get(reverse("admin:quiz_lesson_responses_csv", args=[lesson.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="responses-{lesson.slug}.csv"'
    text = body(response)
    expected = [reports.RESPONSES_HEADER]
    answers = (
        Response.objects.filter(item__attempt__learner__enrolments__isnull=False)
        .select_related("item__attempt__learner", "item__question", "choice")
        .order_by("item__attempt__learner__username", "item__attempt__learner_id", "item__position")
    )
    for r in answers:
        attempt, question = r.item.attempt, r.item.question
        expected.append(
            [
                reports.safe_cell(attempt.learner.username),
                str(attempt.number),
                "no",
                str(question.position),
                str(question.pk),
                question.get_type_display(),
                question.prompt,
                reports.safe_cell(r.choice.text if r.choice else r.text),
                "yes" if r.is_correct else "no",
                iso(r.answered_at),
            ]
        )
    assert len(expected) == 1 + 8 * 3
    assert text == as_csv(expected)
    assert text == reports.csv_text(
        reports.responses_csv_rows(lesson, learners=teacher_learners(teacher))
    )
    assert "outsider" not in text and "'=1+1;'-2" in text and "'@evil" in text
    assert_no_formula(text)
    for row in csv.reader(io.StringIO(text)):
        assert not any(cell.lstrip(' "').startswith(reports.FORMULA_PREFIXES) for cell in row)


def teacher_learners(teacher):
    return User.objects.filter(enrolments__classroom__teachers=teacher).values("pk")


def test_grades_csv_is_streamed_with_the_old_content(client, small_class):
    lesson, _, teacher, _ = small_class
    client.force_login(teacher)
    response = client.get(reverse("admin:quiz_lesson_grades_csv", args=[lesson.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="grades-{lesson.slug}.csv"'
    text = body(response)
    expected = [reports.GRADES_HEADER]
    for p in (
        LessonProgress.objects.filter(learner__enrolments__isnull=False)
        .select_related("learner")
        .order_by("learner__username")
    ):
        expected.append(
            [
                lesson.course.title,
                lesson.title,
                reports.safe_cell(p.learner.username),
                p.get_status_display(),
                str(p.attempts_count),
                str(p.best_score),
                str(p.latest_score),
                str(p.grade),
                iso(p.last_activity),
            ]
        )
    assert len(expected) == 1 + 8
    assert text == as_csv(expected)
    assert_no_formula(text)


def test_gradebook_csv_is_streamed_with_the_old_content(client, small_class, monkeypatch):
    from classrooms import gradebook

    lesson, _, teacher, classroom = small_class
    monkeypatch.setattr(gradebook, "CSV_CHUNK", 3)  # students fetched 3 at a time
    client.force_login(teacher)
    response = client.get(reverse("admin:classrooms_gradebook_csv", args=[classroom.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="gradebook-{classroom.pk}.csv"'
    )
    text = body(response)
    assert text.startswith("\ufeff")
    # The old CSV, written from the whole gradebook as the view did.
    book = gradebook.build(classroom)
    expected = [
        ["Student", "Username"]
        + [f"{c.title}: {part}" for c in book.columns for part in ("state", "grade %", "late")]
        + ["Passed", "Average %", "Late"]
    ]
    for row in book.rows:
        cells = [row.name, row.username]
        for cell in row.cells:
            cells += [cell.label, "" if cell.grade is None else cell.grade, "late" * cell.late]
        expected.append(
            [
                reports.safe_cell(c)
                for c in [*cells, row.passed, "" if row.average is None else row.average, row.late]
            ]
        )
    assert len(expected) == 1 + 8
    assert text == "\ufeff" + as_csv(expected)
    assert_no_formula(text)
    names = [row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert names == [reports.safe_cell(row.name) for row in book.rows]
    assert "'=HYPERLINK(1)" in names
