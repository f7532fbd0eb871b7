"""CSV injection: no cell of any CSV we write starts a formula, whichever separator
(`,` or `;`, as Excel uses in many European locales) the spreadsheet splits on."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from classrooms.models import Assignment, Classroom, Enrolment
from quiz import attempts
from quiz.grading import Answer
from quiz.reports import csv_text, safe_cell
from tests.factories import make_lesson, make_question, make_student

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [
    "Tehran;=1+1",
    'Tehran; =HYPERLINK("http://x")',
    "a,=1+1",
    "a,+1",
    "x;-2+3",
    "x;@SUM(A1)",
    "x\t=1",
    "x;\t=1",
    "x;\r=1",
    "=cmd|' /C calc'!A0",
    " =1+1",
    "-1 bees",
    "1;2;3",  # no formula: left as it is
]


def fields(body: str) -> list[str]:
    """Every field of the CSV text, read as a spreadsheet might: split on `,` and on `;`."""
    out = []
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(body.lstrip("\ufeff"), newline=""), delimiter=delimiter):
            out += row
    return out


def assert_no_formula(body: str) -> None:
    # A field of nothing but white space (a line break a mismatched reader cut off) runs nothing.
    starts = [f for f in fields(body) if f.lstrip(" ").startswith(FORMULA_START) and f.strip()]
    assert not starts, starts


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_neutralises_formulas_after_separators(payload):
    assert_no_formula(csv_text([["first", safe_cell(payload), "last"]]))
    assert_no_formula(csv_text([[safe_cell(payload)]]))


def test_safe_cell_keeps_harmless_text():
    assert safe_cell("Tehran") == "Tehran"
    assert safe_cell("1;2;3") == "1;2;3"
    assert safe_cell("Leave → Return → Dance") == "Leave → Return → Dance"
    assert safe_cell("Tehran;=1+1") == "Tehran;'=1+1"
    assert safe_cell(None) == "" and safe_cell(5) == "5"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab;,=+-@ \t\r\n\"'", max_size=12), min_size=1, max_size=4))
def test_no_cell_of_any_row_starts_a_formula(cells):
    assert_no_formula(csv_text([[safe_cell(cell) for cell in cells]]))


# --- every CSV download ---------------------------------------------------------------------


@pytest.fixture
def answered(db, teacher):
    lesson = make_lesson()
    question = make_question(
        lesson, "fill_blank", answers=["Tehran"], position=1, prompt="The capital?"
    )
    learner = make_student()
    User.objects.filter(pk=learner.pk).update(first_name="Ana;=HYPERLINK(1)", last_name="x,-2")
    attempt, _ = attempts.start_or_resume(learner, lesson)
    item = attempt.items.select_related("question", "attempt").get(question=question)
    attempts.record_answer(item, Answer(text="Tehran;=1+1"))
    attempts.finish(attempt)
    classroom = Classroom.objects.create(name="Year 9;=1")
    classroom.teachers.add(teacher)
    Enrolment.objects.create(classroom=classroom, student=learner)
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    return lesson, classroom


def test_report_csvs_guard_formulas(client, teacher, answered):
    lesson, _ = answered
    client.force_login(teacher)
    bodies = {}
    for name in ("quiz_lesson_responses_csv", "quiz_lesson_grades_csv"):
        response = client.get(reverse(f"admin:{name}", args=[lesson.pk]))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        bodies[name] = response.content.decode("utf-8")
        assert_no_formula(bodies[name])
    assert "Tehran;'=1+1" in bodies["quiz_lesson_responses_csv"]


def test_gradebook_csv_guards_formulas(client, teacher, answered):
    _, classroom = answered
    client.force_login(teacher)
    response = client.get(reverse("admin:classrooms_gradebook_csv", args=[classroom.pk]))
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert "HYPERLINK" in body
    assert_no_formula(body)


def test_the_guard_is_the_one_shared_function():
    import classrooms.admin
    import quiz.reports

    assert classrooms.admin.safe_cell is quiz.reports.safe_cell
