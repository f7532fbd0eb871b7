"""Learner reports and charts, on data built through the real quiz code paths.

The main data set (`class_data`): six learners take a four-question quiz once each.

    learner  Q1 (MC)   Q2 (MC)   Q3 (T/F)  Q4 (fill)     score
    s1       Bees ✓    Ants  ✗   True ✓    waggle ✓      3/4 = 75
    s2       Bees ✓    Ants  ✗   True ✓    waggle ✓      3/4 = 75
    s3       Bees ✓    Wasps ✗   True ✓    tango  ✗      2/4 = 50
    s4       Ants ✗    Ants  ✗   True ✓    waggle ✓      2/4 = 50
    s5       Wasps ✗   Bees  ✓   False ✗   tango  ✗      1/4 = 25
    s6       Moths ✗   Wasps ✗   False ✗   tango  ✗      0/4 = 0

Q2's distractor "Ants" is chosen by the strongest learners: a miskeyed-looking question.
Besides them: s6 also finishes a practice attempt with every answer right, "reader" only
opened the lesson, and "dropout" answered Q1 right in an attempt never finished. None of that
may change a score or an item statistic.
"""

import csv
import io
import math
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import SafeString

from courses.models import Lesson
from quiz import attempts, charts, reports
from quiz.grading import Answer
from quiz.models import LessonProgress, Question, QuizSettings
from tests.factories import make_course, make_lesson, make_question

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def learner(username: str) -> User:
    # No password: hashing one per learner would make the 40-learner test slow.
    return User.objects.create(username=username)


def answer_items(attempt, answers: dict[int, object]) -> None:
    """Answer the attempt's items: question id → choice text, typed text or tuple of texts."""
    items = attempt.items.select_related("question", "attempt").prefetch_related(
        "question__choices", "question__accepted_answers"
    )
    for item in items:
        if item.question_id not in answers:
            continue
        given = answers[item.question_id]
        by_text = {c.text: c for c in item.question.choices.all()}
        if item.question.type == "fill_blank":
            answer = Answer(text=given)
        elif item.question.type == "sequence":
            answer = Answer(order=tuple(by_text[text].pk for text in given))
        else:
            answer = Answer(choice=by_text[given])
        assert attempts.record_answer(item, answer).created


def take(user, lesson, answers: dict[int, object], *, finish: bool = True):
    attempt, _ = attempts.start_or_resume(user, lesson)
    answer_items(attempt, answers)
    return attempts.finish(attempt) if finish else attempt


def four_questions(lesson):
    q1 = make_question(lesson, position=1, prompt="What dances?")
    q2 = make_question(lesson, position=2, prompt="Who dances in the hive?")
    q3 = make_question(lesson, "true_false", position=3, prompt="The run points to food.")
    q4 = make_question(
        lesson, "fill_blank", answers=["waggle dance"], position=4, prompt="Bees do the ____."
    )
    return q1, q2, q3, q4


ANSWERS = {  # learner → answers to Q1..Q4, as in the module docstring
    "s1": ("Bees", "Ants", "True", "waggle dance"),
    "s2": ("Bees", "Ants", "True", "waggle dance"),
    "s3": ("Bees", "Wasps", "True", "tango"),
    "s4": ("Ants", "Ants", "True", "waggle dance"),
    "s5": ("Wasps", "Bees", "False", "tango"),
    "s6": ("Moths", "Wasps", "False", "tango"),
}


@pytest.fixture
def class_data():
    lesson = make_lesson()
    questions = four_questions(lesson)
    ids = [q.pk for q in questions]
    finished = {}
    for name, given in ANSWERS.items():
        finished[name] = take(learner(name), lesson, dict(zip(ids, given, strict=True)))
    # s6 practises every missed question and gets them all right: never graded.
    practice = attempts.start_practice(finished["s6"].learner, finished["s6"])
    answer_items(practice, dict(zip(ids, ("Bees", "Bees", "True", "waggle dance"), strict=True)))
    attempts.finish(practice)
    attempts.note_reading(learner("reader"), lesson)
    take(learner("dropout"), lesson, {ids[0]: "Bees"}, finish=False)
    return lesson, questions


# ---------------------------------------------------------------------------------------------
# Summary


def test_lesson_summary_counts_only_finished_graded_attempts(class_data):
    lesson, _ = class_data
    summary = reports.lesson_summary(lesson)
    assert summary.learners == 8  # six who finished, the reader and the dropout
    assert summary.started == 8
    assert summary.completed == summary.graded_learners == 6
    assert summary.completion_rate == pytest.approx(6 / 8)
    assert summary.attempts == 6
    assert summary.practice_attempts == 1
    assert summary.open_attempts == 1
    grades = [75, 75, 50, 50, 25, 0]
    assert summary.average_score == pytest.approx(sum(grades) / 6)  # 45.83…
    assert summary.median_score == 50  # (50 + 50) / 2
    assert summary.pass_mark == 70
    assert summary.passed == 2 and summary.pass_rate == pytest.approx(2 / 6)
    #                       0–9 10– 20– 30– 40– 50– 60– 70– 80– 90–100
    assert summary.histogram == [1, 0, 1, 0, 0, 2, 0, 2, 0, 0]
    assert summary.histogram_labels[0] == "0–9" and summary.histogram_labels[-1] == "90–100"


def _lesson_with_scores(quarters: list[int]):
    """A four-question lesson where learner i answers quarters[i] questions right."""
    lesson = make_lesson()
    questions = [make_question(lesson, position=i) for i in range(1, 5)]
    for i, right in enumerate(quarters):
        given = ["Bees"] * right + ["Ants"] * (4 - right)
        take(learner(f"l{i}"), lesson, {q.pk: g for q, g in zip(questions, given, strict=True)})
    return lesson, questions


def test_median_with_an_even_number_of_grades():
    lesson, _ = _lesson_with_scores([0, 1, 3, 4])  # grades 0, 25, 75, 100
    summary = reports.lesson_summary(lesson)
    assert summary.median_score == 50  # (25 + 75) / 2: a grade nobody has
    assert summary.average_score == 50
    # 100 falls in the last band (90–100), 0 in the first.
    assert summary.histogram == [1, 0, 1, 0, 0, 0, 0, 1, 0, 1]
    assert summary.pass_rate == pytest.approx(2 / 4)


def test_median_with_an_odd_number_of_grades():
    lesson, _ = _lesson_with_scores([0, 1, 4])  # grades 0, 25, 100
    summary = reports.lesson_summary(lesson)
    assert summary.median_score == 25
    assert summary.average_score == pytest.approx(125 / 3)


def test_histogram_band_edges():
    assert [reports.histogram_bin(s) for s in (0, 9, 10, 19, 89, 90, 99, 100)] == [
        0,
        0,
        1,
        1,
        8,
        9,
        9,
        9,
    ]


def test_summary_uses_the_grade_of_the_attempt_that_counts():
    lesson = make_lesson()
    QuizSettings.objects.create(lesson=lesson, grading_method="latest", pass_mark=50)
    questions = [make_question(lesson, position=i) for i in range(1, 5)]
    user = learner("twice")
    take(user, lesson, {q.pk: "Bees" for q in questions})  # 100
    take(user, lesson, {questions[0].pk: "Bees"})  # 25 (three left unanswered)
    assert LessonProgress.objects.get(learner=user, lesson=lesson).grade == 25
    summary = reports.lesson_summary(lesson)
    assert summary.attempts == 2 and summary.graded_learners == 1
    assert summary.average_score == summary.median_score == 25
    assert summary.histogram[2] == 1 and summary.passed == 0 and summary.pass_rate == 0


def test_empty_lesson_summary():
    summary = reports.lesson_summary(make_lesson())
    assert summary.learners == summary.attempts == 0
    assert summary.completion_rate is None and summary.average_score is None
    assert summary.median_score is None and summary.pass_rate is None
    assert summary.histogram == [0] * 10


# ---------------------------------------------------------------------------------------------
# Item analysis, checked against arithmetic done by hand


def pb_by_group_means(items: list[int], rests: list[int]) -> float:
    """Point-biserial by the textbook formula (M1 − M0) / s · √(pq), population s."""
    n = len(items)
    ones = [r for x, r in zip(items, rests, strict=True) if x == 1]
    zeros = [r for x, r in zip(items, rests, strict=True) if x == 0]
    mean = sum(rests) / n
    s = math.sqrt(sum(r * r for r in rests) / n - mean * mean)
    p = len(ones) / n
    return (sum(ones) / len(ones) - sum(zeros) / len(zeros)) / s * math.sqrt(p * (1 - p))


def test_question_stats_match_hand_computation(class_data):
    lesson, (q1, q2, q3, q4) = class_data
    stats = {s.question_id: s for s in reports.question_stats(lesson)}
    assert list(stats) == [q1.pk, q2.pk, q3.pk, q4.pk]
    assert all(s.answers == 6 for s in stats.values())  # practice and open attempts left out

    # Item correctness per learner s1..s6, and totals 3, 3, 2, 2, 1, 0.
    x = {
        q1.pk: [1, 1, 1, 0, 0, 0],
        q2.pk: [0, 0, 0, 0, 1, 0],
        q3.pk: [1, 1, 1, 1, 0, 0],
        q4.pk: [1, 1, 0, 1, 0, 0],
    }
    totals = [3, 3, 2, 2, 1, 0]

    # Facility = share right.
    assert stats[q1.pk].facility == pytest.approx(3 / 6)
    assert stats[q2.pk].facility == pytest.approx(1 / 6)
    assert stats[q3.pk].facility == pytest.approx(4 / 6)
    assert stats[q4.pk].facility == pytest.approx(3 / 6)

    # Corrected point-biserial, Q2 by hand: rest scores (total − item) = 3, 3, 2, 2, 0, 0.
    # M1 = 0 (s5 alone), M0 = (3+3+2+2+0)/5 = 2; mean = 10/6 = 5/3;
    # E[r²] = (9+9+4+4)/6 = 13/3, variance = 13/3 − 25/9 = 14/9, s = √14/3;
    # p = 1/6, √(pq) = √(5/36) = √5/6; r = (0 − 2)/(√14/3) · √5/6 = −√(5/14) ≈ −0.598.
    assert stats[q2.pk].discrimination == pytest.approx(-math.sqrt(5 / 14))
    # Q1: rest = 2, 2, 1, 2, 1, 0; M1 = 5/3, M0 = 1; mean 4/3; E[r²] = 14/6 = 7/3,
    # variance = 7/3 − 16/9 = 5/9, s = √5/3; p = 1/2; r = (2/3)/(√5/3) · 1/2 = 1/√5 ≈ 0.447.
    assert stats[q1.pk].discrimination == pytest.approx(1 / math.sqrt(5))
    # Q3: rest = 2, 2, 1, 1, 1, 0; M1 = 6/4, M0 = 1/2; mean 7/6; E[r²] = 11/6,
    # variance = 11/6 − 49/36 = 17/36, s = √17/6; p = 2/3, √(pq) = √2/3;
    # r = 1/(√17/6) · √2/3 = √(8/17) ≈ 0.686.
    assert stats[q3.pk].discrimination == pytest.approx(math.sqrt(8 / 17))
    # Q4: rest = 2, 2, 2, 1, 1, 0; M1 = 5/3, M0 = 1; same spread as Q1: 1/√5.
    assert stats[q4.pk].discrimination == pytest.approx(1 / math.sqrt(5))
    # The same numbers by the group-means formula applied to the raw lists.
    for qid, items in x.items():
        rests = [t - i for t, i in zip(totals, items, strict=True)]
        assert stats[qid].discrimination == pytest.approx(pb_by_group_means(items, rests))

    # Upper–lower: 27% of 6 = 1.62 → 2 learners each. Upper = s1, s2 (75), lower = s5, s6.
    assert stats[q1.pk].upper_lower == pytest.approx((1 + 1) / 2 - (0 + 0) / 2)  # 1.0
    assert stats[q2.pk].upper_lower == pytest.approx((0 + 0) / 2 - (1 + 0) / 2)  # −0.5
    assert stats[q3.pk].upper_lower == pytest.approx(1.0)
    assert stats[q4.pk].upper_lower == pytest.approx(1.0)

    # Flags and hints.
    assert stats[q2.pk].hard and stats[q2.pk].negative
    assert stats[q2.pk].flags == ["hard", "negative"]
    assert stats[q2.pk].hint == reports.HINT_NEGATIVE
    assert "key may be wrong" in stats[q2.pk].hint
    for q in (q1, q3, q4):
        assert not stats[q.pk].hard and not stats[q.pk].negative
        assert stats[q.pk].hint == "Separates strong and weak readers well."


def test_choice_counts_include_unchosen_choices(class_data):
    lesson, (q1, q2, q3, q4) = class_data
    stats = {s.question_id: s for s in reports.question_stats(lesson)}
    assert stats[q2.pk].choices == [
        ("Bees", True, 1, pytest.approx(1 / 6)),
        ("Ants", False, 3, pytest.approx(3 / 6)),  # the strong learners' pick
        ("Wasps", False, 2, pytest.approx(2 / 6)),
        ("Moths", False, 0, 0),
    ]
    assert [(c.text, c.count) for c in stats[q1.pk].choices] == [
        ("Bees", 3),
        ("Ants", 1),
        ("Wasps", 1),
        ("Moths", 1),
    ]
    assert [(c.text, c.is_correct, c.count) for c in stats[q3.pk].choices] == [
        ("True", True, 4),
        ("False", False, 2),
    ]
    assert stats[q4.pk].choices == []  # typed answers have no choices


def test_too_few_answers_to_judge():
    lesson = make_lesson()
    question = make_question(lesson)
    draft = make_question(lesson, position=2, status="draft")
    for i, given in enumerate(["Ants", "Ants", "Wasps", "Bees"]):
        take(learner(f"u{i}"), lesson, {question.pk: given})
    (stat,) = reports.question_stats(lesson)  # drafts are not reported
    assert stat.question_id != draft.pk
    assert stat.answers == 4 and stat.facility == pytest.approx(0.25)
    assert stat.discrimination is None and stat.upper_lower is None
    assert stat.hint == "Too few answers to judge yet."
    assert not stat.hard and not stat.negative


def test_no_discrimination_without_variance():
    lesson = make_lesson()
    question = make_question(lesson)
    for i in range(5):
        take(learner(f"u{i}"), lesson, {question.pk: "Bees"})
    (stat,) = reports.question_stats(lesson)
    assert stat.facility == 1 and stat.discrimination is None and stat.upper_lower == 0
    assert not stat.negative


def test_question_stats_of_a_lesson_without_answers():
    lesson = make_lesson()
    make_question(lesson)
    assert reports.question_stats(lesson) == []


# ---------------------------------------------------------------------------------------------
# Learner rows


def test_learner_rows(class_data):
    lesson, _ = class_data
    rows = {row.username: row for row in reports.learner_rows(lesson)}
    assert list(rows) == ["dropout", "reader", "s1", "s2", "s3", "s4", "s5", "s6"]
    s1 = rows["s1"]
    assert (s1.status, s1.attempts, s1.best_score, s1.latest_score, s1.grade) == (
        "Passed",
        1,
        75,
        75,
        75,
    )
    assert s1.last_activity is not None
    assert rows["s6"].attempts == 1 and rows["s6"].practice_attempts == 1
    assert rows["s6"].best_score == 0  # the perfect practice does not count
    assert rows["reader"].status == "Reading" and rows["reader"].attempts == 0
    assert rows["reader"].best_score is None
    assert rows["dropout"].status == "Quiz in progress" and rows["dropout"].attempts == 0


# ---------------------------------------------------------------------------------------------
# CSV


def parse(rows) -> list[list[str]]:
    return list(csv.reader(io.StringIO(reports.csv_text(rows))))


def test_grades_csv(class_data):
    lesson, _ = class_data
    rows = parse(reports.grades_csv_rows(Lesson.objects.filter(pk=lesson.pk)))
    assert rows[0] == [
        "course",
        "lesson",
        "learner",
        "status",
        "attempts",
        "best score (%)",
        "latest score (%)",
        "grade (%)",
        "last activity",
    ]
    assert len(rows) == 1 + 8
    by_learner = {row[2]: row for row in rows[1:]}
    s1 = by_learner["s1"]
    assert s1[:8] == [lesson.course.title, lesson.title, "s1", "Passed", "1", "75", "75", "75"]
    last = LessonProgress.objects.get(learner__username="s1").last_activity
    assert s1[8] == last.isoformat(timespec="seconds")  # UTC, ISO 8601
    assert by_learner["reader"][3:8] == ["Reading", "0", "", "", ""]
    # A list of lessons and a single lesson give the same rows.
    assert parse(reports.grades_csv_rows([lesson])) == rows
    assert parse(reports.grades_csv_rows(lesson)) == rows


def test_grades_csv_orders_courses_and_lessons():
    first = make_lesson(make_course("A course", "a-course", position=1))
    second = make_lesson(make_course("B course", "b-course", position=2))
    for lesson in (second, first):
        attempts.note_reading(learner(f"on-{lesson.course.slug}"), lesson)
    rows = parse(reports.grades_csv_rows(Lesson.objects.all()))
    assert [row[0] for row in rows[1:]] == ["A course", "B course"]


def test_responses_csv_rows_and_injection_guard():
    lesson = make_lesson()
    mc = make_question(lesson, position=1, choices=[("-1 bees", True), ("Ants", False)])
    typed = make_question(lesson, "fill_blank", answers=["waggle dance"], position=2)
    seq = make_question(
        lesson,
        "sequence",
        position=3,
        prompt="=Order these",
        choices=[("Leave", False), ("Dance", False), ("Return", False)],
    )
    user = learner("+plus")  # allowed by Django's username rules, starts a formula
    take(user, lesson, {mc.pk: "-1 bees", typed.pk: "=1+2", seq.pk: ("Leave", "Return", "Dance")})
    rows = parse(reports.responses_csv_rows(lesson))
    assert rows[0] == [
        "learner",
        "attempt",
        "practice",
        "question position",
        "question id",
        "question type",
        "prompt",
        "answer",
        "correct",
        "answered at",
    ]
    body = sorted(rows[1:], key=lambda row: int(row[3]))
    assert [row[:6] for row in body] == [
        ["'+plus", "1", "no", "1", str(mc.pk), "Multiple choice"],
        ["'+plus", "1", "no", "2", str(typed.pk), "Fill in the blank"],
        ["'+plus", "1", "no", "3", str(seq.pk), "Put in order"],
    ]
    assert [row[6:9] for row in body] == [
        ["Question 1?", "'-1 bees", "yes"],
        ["Question 2?", "'=1+2", "no"],
        ["'=Order these", "Leave → Return → Dance", "no"],
    ]
    assert all("T" in row[9] for row in body)


def test_responses_csv_marks_practice(class_data):
    lesson, _ = class_data
    rows = parse(reports.responses_csv_rows(lesson))
    # 6 learners × 4 answers, 4 practice answers, 1 answer in the open attempt.
    assert len(rows) == 1 + 24 + 4 + 1
    s6 = [row for row in rows[1:] if row[0] == "s6"]
    assert [row[1:3] for row in s6] == [["1", "no"]] * 4 + [["2", "yes"]] * 4
    assert {row[8] for row in s6 if row[2] == "yes"} == {"yes"}


def test_safe_cell():
    assert [reports.safe_cell(v) for v in ("=A1", "+1", "-2", "@x", "\tx", "ok", 5, None)] == [
        "'=A1",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "ok",
        "5",
        "",
    ]


# ---------------------------------------------------------------------------------------------
# Query counts do not grow with the data


def _query_counts(lesson, learners=None) -> dict[str, int]:
    lessons = Lesson.objects.filter(pk=lesson.pk)
    calls = {
        "summary": lambda: reports.lesson_summary(lesson, learners=learners),
        "questions": lambda: reports.question_stats(lesson, learners=learners),
        "learners": lambda: reports.learner_rows(lesson, learners=learners),
        "stale": lambda: reports.stale_questions(lesson, learners=learners),
        "grades_csv": lambda: list(reports.grades_csv_rows(lessons, learners=learners)),
        "responses_csv": lambda: list(reports.responses_csv_rows(lesson, learners=learners)),
    }
    counts = {}
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as queries:
            call()
        counts[name] = len(queries)
    return counts


def _add_learners(lesson, questions, start: int, stop: int) -> None:
    picks = ["Bees", "Ants", "Wasps", "True", "False"]
    for i in range(start, stop):
        user = learner(f"bulk{i:03}")
        answers = {}
        for j, q in enumerate(questions):
            if q.type == "fill_blank":
                answers[q.pk] = "waggle dance" if (i + j) % 2 else "tango"
            elif q.type == "true_false":
                answers[q.pk] = picks[3 + (i + j) % 2]
            else:
                answers[q.pk] = picks[(i * 7 + j) % 3]
        attempt = take(user, lesson, answers)
        if i % 3 == 0 and attempt.correct_count < attempt.question_total:
            practice = attempts.start_practice(user, attempt)
            answer_items(practice, {q.pk: answers[q.pk] for q in questions})
            attempts.finish(practice)


def test_query_counts_do_not_grow_with_learners(django_assert_max_num_queries):
    lesson = make_lesson()
    questions = four_questions(lesson)
    _add_learners(lesson, questions, 0, 5)
    small = _query_counts(lesson)
    assert small == {
        # Settings, the learners' progress (one short row each), and the attempts as
        # `answer_groups` reads them: every attempt with its answer lines, and the lesson's
        # questions and their choices.
        "summary": 4,
        # Questions, choices, and the answers (`answer_groups`' two queries, which also give
        # the upper–lower groups' edges: no query of their own).
        "questions": 4,
        "learners": 2,
        # The stale-key check: answers grouped (1), then the questions with their choices and
        # accepted answers (3), which quiz.grading.is_correct needs to judge them.
        "stale": 4,
        "grades_csv": 1,
        "responses_csv": 2,
    }
    # Limited to some learners (quiz.scoping), each is the same query with a subquery.
    some = User.objects.filter(username__in=["bulk000", "bulk001"]).values("pk")
    assert _query_counts(lesson, some) == small
    _add_learners(lesson, questions, 5, 40)
    assert reports.lesson_summary(lesson).graded_learners == 40
    assert _query_counts(lesson) == small
    assert _query_counts(lesson, some) == small
    assert reports.lesson_summary(lesson, learners=some).graded_learners == 2
    with django_assert_max_num_queries(small["summary"]):
        reports.lesson_summary(lesson)
    with django_assert_max_num_queries(small["questions"]):
        assert all(s.answers == 40 for s in reports.question_stats(lesson))
    with django_assert_max_num_queries(small["learners"]):
        assert len(reports.learner_rows(lesson)) == 40
    with django_assert_max_num_queries(small["responses_csv"]):
        assert len(list(reports.responses_csv_rows(lesson))) > 160


def test_every_report_is_limited_to_the_learners_given(class_data):
    lesson, (q1, *_) = class_data
    some = User.objects.filter(username__in=["s1", "s6", "reader"]).values("pk")
    summary = reports.lesson_summary(lesson, learners=some)
    assert (summary.learners, summary.completed, summary.attempts) == (3, 2, 2)
    assert summary.practice_attempts == 1 and summary.open_attempts == 0  # s6's; not dropout's
    assert summary.average_score == pytest.approx((75 + 0) / 2)
    assert sum(summary.histogram) == 2
    stats = {s.question_id: s for s in reports.question_stats(lesson, learners=some)}
    assert stats[q1.pk].answers == 2 and [c.count for c in stats[q1.pk].choices] == [1, 0, 0, 1]
    assert [r.username for r in reports.learner_rows(lesson, learners=some)] == [
        "reader",
        "s1",
        "s6",
    ]
    grades = parse(reports.grades_csv_rows(lesson, learners=some))
    assert sorted(row[2] for row in grades[1:]) == ["reader", "s1", "s6"]
    answers = parse(reports.responses_csv_rows(lesson, learners=some))
    assert {row[0] for row in answers[1:]} == {"s1", "s6"}
    # A list of ids works as well as a queryset; nobody visible: empty reports.
    ids = list(User.objects.filter(username="s1").values_list("pk", flat=True))
    assert [r.username for r in reports.learner_rows(lesson, learners=ids)] == ["s1"]
    nobody = User.objects.none().values("pk")
    assert reports.lesson_summary(lesson, learners=nobody).learners == 0
    assert reports.question_stats(lesson, learners=nobody) == []
    assert len(parse(reports.responses_csv_rows(lesson, learners=nobody))) == 1


def test_stale_questions_when_keys_change(class_data):
    from quiz.models import AcceptedAnswer, Choice

    lesson, (q1, q2, q3, q4) = class_data
    assert reports.stale_questions(lesson) == []
    # Q2's key becomes "Ants" (s1, s2, s4 chose it; s5 chose "Bees"); Q4 also accepts "tango".
    Choice.objects.filter(question=q2).update(is_correct=False)
    Choice.objects.filter(question=q2, text="Ants").update(is_correct=True)
    AcceptedAnswer.objects.create(question=q4, text="tango")
    stale = reports.stale_questions(lesson)
    # Q2: s1, s2, s4 become right, s5 wrong, and s6's practice "Bees" wrong: 5 answers.
    # Q4: s3, s5, s6 typed "tango" (graded attempts); s6's practice typed the old key.
    assert [(s.question_id, s.position, s.answers) for s in stale] == [
        (q2.pk, 2, 5),
        (q4.pk, 4, 3),
    ]
    from quiz.regrade import regrade_preview

    for s in stale:  # the same rule as the re-grade page
        assert s.answers == len(regrade_preview(Question.objects.get(pk=s.question_id)))
    only_s1 = User.objects.filter(username="s1").values("pk")
    assert [(s.question_id, s.answers) for s in reports.stale_questions(lesson, only_s1)] == [
        (q2.pk, 1)
    ]


def test_stale_sequence_question():
    lesson = make_lesson()
    seq = make_question(
        lesson,
        "sequence",
        prompt="Order",
        choices=[("Leave", False), ("Dance", False), ("Return", False)],
    )
    take(learner("u"), lesson, {seq.pk: ("Leave", "Return", "Dance")})
    assert reports.stale_questions(lesson) == []
    from quiz.models import Choice

    Choice.objects.filter(question=seq, text="Return").update(position=2)
    Choice.objects.filter(question=seq, text="Dance").update(position=3)
    (stale,) = reports.stale_questions(lesson)
    assert stale.question_id == seq.pk and stale.answers == 1


# ---------------------------------------------------------------------------------------------
# Charts


def test_histogram_svg_is_well_formed_accessible_and_escaped():
    labels = reports.HISTOGRAM_LABELS
    svg = charts.histogram_svg([1, 0, 1, 0, 0, 2, 0, 2, 0, 0], labels, title="<b>&")
    assert isinstance(svg, SafeString)
    assert "&lt;b&gt;&amp;" in svg and "<b>" not in svg
    assert "style=" not in svg and "<script" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "<b>&"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "90–100: 0" in desc.text and "50–59: 2" in desc.text
    assert len(root.findall(f".//{SVG}rect")) == 10
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Score (%)" in texts and "Learners" in texts and "90–100" in texts
    assert texts.count("2") >= 2  # the count labels of the two tallest bars


def test_histogram_svg_with_no_data_and_given_id():
    svg = charts.histogram_svg([0] * 10, reports.HISTOGRAM_LABELS, title="Scores", chart_id="h1")
    root = ET.fromstring(svg)
    assert root.get("aria-labelledby") == "h1-title h1-desc"
    assert all(float(r.get("height")) == 0 for r in root.iter(f"{SVG}rect"))
    with pytest.raises(ValueError):
        charts.histogram_svg([1, 2], ["one"], title="x")


def test_bar_svg_escapes_labels_and_shows_percents(class_data):
    lesson, (_, q2, _, _) = class_data
    stat = next(s for s in reports.question_stats(lesson) if s.question_id == q2.pk)
    values = [(c.text, c.share) for c in stat.choices] + [("<script>alert(1)</script>", 0.5)]
    values.append(("A very long choice " * 10, 2.0))  # clamped to the maximum
    svg = charts.bar_svg(values, title='Q2 "choices" {x} & <i>', highlight={0})
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "style=" not in svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == 'Q2 "choices" {x} & <i>'
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "17%" in texts and "50%" in texts and "0%" in texts
    assert "<script>alert(1)</script>" in texts
    assert any(t.endswith("…") for t in texts)
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in r.get("class").split()]
    assert "chart-bar-key" in bars[0].get("class")
    assert float(bars[-1].get("width")) == 320  # clamped at max_value
    assert "Ants: 50%" in root.find(f"{SVG}desc").text


def test_bar_svg_marks_the_highlighted_row_in_words():
    long = "A very long right answer " * 4
    svg = charts.bar_svg(
        [("Bees", 0.5), (long, 0.25), ("Moths", 0.25)],
        title="Q",
        highlight={1},
        highlight_note="right answer",
    )
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in r.get("class").split()]
    assert ["chart-bar-key" in r.get("class") for r in bars] == [False, True, False]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels[0] == "Bees" and labels[2] == "Moths"
    assert labels[1].endswith("… (right answer)") and len(labels[1]) <= charts.MAX_LABEL_CHARS
    desc = root.find(f"{SVG}desc").text
    assert f"{long} (right answer): 25%" in desc and "Bees: 50%" in desc
    assert "style=" not in svg
    with pytest.raises(TypeError):  # labels are not indices (the report's old mistake)
        charts.bar_svg([("Bees", 1.0)], title="Q", highlight=frozenset({"Bees"}))


def test_bar_svg_with_another_maximum_and_the_data_table():
    svg = charts.bar_svg([("a", 3), ("b", 6)], title="Counts", max_value=6)
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    widths = [float(r.get("width")) for r in bars]
    assert widths == [160, 320]
    with pytest.raises(ValueError):
        charts.bar_svg([], title="x", max_value=0)
    table = charts.data_table([("<a>", 1)], caption="Q & A", headers=("Choice", "Count"))
    root = ET.fromstring(table)
    assert root.find("caption").text == "Q & A" and root.find(".//tbody/tr/th").text == "<a>"
