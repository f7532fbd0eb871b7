"""Learner reports for a lesson: summary, item analysis, per-learner rows and CSV exports.

Every function runs a fixed number of queries whatever the number of learners, attempts or
answers: it fetches flat ``values()`` rows once and computes in Python. What counts:

* Scores and item analysis use only **graded** attempts: finished (``finished_at`` set) and
  not practice. Practice attempts are counted separately and never change a grade or a
  statistic; open attempts and their answers are ignored.
* A learner's **grade** is ``LessonProgress.grade``, which ``quiz.attempts.refresh_progress``
  keeps equal to the score of the attempt that counts under the lesson's grading rule
  (highest, latest or first). Only if it is missing while graded attempts exist (data written
  outside the quiz code) is it recomputed here from those attempts with the same rule.
* **Passing** compares the grade with the lesson's current pass mark (``QuizSettings``, or the
  model default of 70 when the lesson has no settings yet).
* **Whose work**: every function takes ``learners``, the ids of the learners the reader may see
  (``quiz.scoping.visible_learners(request.user)``, a lazy queryset used as a subquery, so the
  query counts stay the same), or None for every learner.
"""

from __future__ import annotations

import csv
import io
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from courses.models import Lesson

from .grading import Answer, is_correct
from .models import (
    SINGLE_ANSWER_TYPES,
    Attempt,
    Choice,
    GradingMethod,
    LessonProgress,
    ProgressStatus,
    Question,
    QuestionType,
    QuizSettings,
    Response,
)
from .scoping import restrict

HISTOGRAM_LABELS = [f"{low}–{low + 9}" for low in range(0, 90, 10)] + ["90–100"]
MIN_ANSWERS = 5  # fewer answers than this: too few to judge a question
HARD_FACILITY = 0.3  # facility below this (with enough answers): a hard question
GROUP_SHARE = 0.27  # upper and lower groups for the upper–lower index (Kelley's 27%)

HINT_TOO_FEW = "Too few answers to judge yet."
HINT_NEGATIVE = (
    "Strong learners miss it more than weak ones — the key may be wrong or the question ambiguous."
)
HINT_HARD = "Most learners miss this question — check the key and the wording."
HINT_EASY = "Almost everyone gets this right — it tells strong and weak readers apart little."
HINT_NO_SPREAD = "Everyone scored the same on the rest of the quiz — nothing to compare yet."
HINT_GOOD = "Separates strong and weak readers well."
HINT_FAIR = "Separates strong and weak readers somewhat — a distractor may need work."
HINT_WEAK = "Hardly separates strong and weak readers — review the distractors and wording."

_DEFAULT_PASS_MARK = QuizSettings._meta.get_field("pass_mark").default
_DEFAULT_GRADING = QuizSettings._meta.get_field("grading_method").default
_STATUS_LABELS = dict(ProgressStatus.choices)
_TYPE_LABELS = dict(QuestionType.choices)


# ---------------------------------------------------------------------------------------------
# Lesson summary


@dataclass(frozen=True)
class LessonSummary:
    learners: int  # distinct learners with progress (opened the lesson) or any attempt
    started: int  # learners who started the lesson (have a progress record)
    completed: int  # learners with at least one graded attempt
    attempts: int  # graded attempts (finished, not practice)
    practice_attempts: int  # finished practice attempts (never graded, listed for information)
    open_attempts: int  # attempts still open (graded or practice)
    graded_learners: int  # learners with a grade (same as `completed`, kept for clarity)
    completion_rate: float | None  # completed / started, 0..1; None when nobody started
    average_score: float | None  # mean of learners' grades (percent); None without grades
    median_score: float | None  # median of learners' grades (percent)
    pass_rate: float | None  # share of graded learners whose grade reaches the pass mark
    passed: int  # graded learners whose grade reaches the pass mark
    pass_mark: int
    grading_method: str  # GradingMethod value
    histogram: list[int]  # learners per grade band, 10 bands (see `histogram_labels`)
    histogram_labels: list[str] = field(default_factory=lambda: list(HISTOGRAM_LABELS))


def histogram_bin(score: int) -> int:
    """The band (0–9) of a percent score: 0–9 → 0, …, 80–89 → 8, 90–100 → 9."""
    return min(max(int(score), 0) // 10, 9)


def _grade_from_scores(scores_in_order: list[int], method: str) -> int:
    if method == GradingMethod.LATEST:
        return scores_in_order[-1]
    if method == GradingMethod.FIRST:
        return scores_in_order[0]
    return max(scores_in_order)


def _score_percent(correct: float, total: int) -> int:
    # Same rule as Attempt.score_percent.
    return round(100 * correct / total) if total else 0


def lesson_summary(lesson: Lesson, learners=None) -> LessonSummary:
    """Who took the lesson's quiz and how they did (of `learners`; None: all). Three queries."""
    settings = (
        QuizSettings.objects.filter(lesson=lesson).values("pass_mark", "grading_method").first()
    ) or {"pass_mark": _DEFAULT_PASS_MARK, "grading_method": _DEFAULT_GRADING}
    pass_mark, method = settings["pass_mark"], settings["grading_method"]

    progress = {
        row["learner_id"]: row["grade"]
        for row in restrict(
            LessonProgress.objects.filter(lesson=lesson), learners, "learner"
        ).values("learner_id", "grade")
    }
    attempt_rows = restrict(Attempt.objects.filter(lesson=lesson), learners, "learner").values_list(
        "learner_id", "is_practice", "finished_at", "marks", "question_total"
    )  # marks: a right second try earns less than a right first answer
    attempt_learners: set[int] = set()
    graded_scores: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    graded = practice = still_open = 0
    for learner_id, is_practice, finished_at, correct, total in attempt_rows:
        attempt_learners.add(learner_id)
        if finished_at is None:
            still_open += 1
        elif is_practice:
            practice += 1
        else:
            graded += 1
            graded_scores[learner_id].append((finished_at, _score_percent(correct, total)))

    grades: list[int] = []
    for learner_id, scores in graded_scores.items():
        grade = progress.get(learner_id)
        if grade is None:  # only for data written outside quiz.attempts
            grade = _grade_from_scores([s for _, s in sorted(scores)], method)
        grades.append(grade)

    histogram = [0] * 10
    for grade in grades:
        histogram[histogram_bin(grade)] += 1
    passed = sum(1 for grade in grades if grade >= pass_mark)
    completed = len(graded_scores)
    # Learners who started = those with progress; a graded attempt implies a start even if
    # its progress row were missing, so the rate can never exceed 1.
    started = len(progress.keys() | graded_scores.keys())
    return LessonSummary(
        learners=len(progress.keys() | attempt_learners),
        started=started,
        completed=completed,
        attempts=graded,
        practice_attempts=practice,
        open_attempts=still_open,
        graded_learners=len(grades),
        completion_rate=completed / started if started else None,
        average_score=statistics.fmean(grades) if grades else None,
        median_score=float(statistics.median(grades)) if grades else None,
        pass_rate=passed / len(grades) if grades else None,
        passed=passed,
        pass_mark=pass_mark,
        grading_method=method,
        histogram=histogram,
    )


# ---------------------------------------------------------------------------------------------
# Item analysis


class ChoiceCount(NamedTuple):
    text: str
    is_correct: bool
    count: int
    share: float  # count / answers to the question, 0..1


@dataclass(frozen=True)
class QuestionStat:
    question_id: int
    position: int
    type: str  # QuestionType value
    type_label: str
    prompt: str
    answers: int  # answers in graded attempts ("n")
    correct: int
    facility: float  # share of answers that are correct, 0..1
    discrimination: float | None  # corrected point-biserial; None: < 5 answers or no variance
    upper_lower: float | None  # p(upper 27%) − p(lower 27%); None with < 5 answers
    hint: str
    choices: list[ChoiceCount]  # every choice, 0 counts included; empty for other types
    hard: bool  # facility < 0.3 with at least 5 answers
    negative: bool  # discrimination < 0

    @property
    def flags(self) -> list[str]:
        return [name for name in ("hard", "negative") if getattr(self, name)]


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's correlation; None when either variable has no variance."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def upper_lower_index(scored: list[tuple[float, int, bool]]) -> float | None:
    """p_upper − p_lower over (attempt score, attempt id, correct) rows of one question.

    Groups are the top and bottom 27% (rounded, at least one) of the attempts that answered
    the question, ranked by attempt score; ties at a group's edge fall by attempt id.
    """
    n = len(scored)
    if n < MIN_ANSWERS:
        return None
    ranked = sorted(scored, key=lambda row: (row[0], row[1]))
    size = max(1, round(GROUP_SHARE * n))
    lower, upper = ranked[:size], ranked[-size:]
    return sum(r[2] for r in upper) / size - sum(r[2] for r in lower) / size


def _hint(answers: int, facility: float, discrimination: float | None) -> str:
    if answers < MIN_ANSWERS:
        return HINT_TOO_FEW
    if discrimination is not None and discrimination < 0:
        return HINT_NEGATIVE
    if facility < HARD_FACILITY:
        return HINT_HARD
    if facility > 0.9:
        return HINT_EASY
    if discrimination is None:  # the item varies here, so the rest scores do not
        return HINT_NO_SPREAD
    if discrimination >= 0.3:
        return HINT_GOOD
    if discrimination >= 0.1:
        return HINT_FAIR
    return HINT_WEAK


def question_stats(lesson: Lesson, learners=None) -> list[QuestionStat]:
    """Item analysis of each published question answered in graded attempts (by `learners`;
    None: everyone). Three queries.

    Discrimination is the corrected point-biserial: the Pearson correlation between the item
    (1 right, 0 wrong) and the attempt's score on its *other* questions, as a share
    ((correct − item) / (questions − 1)) so attempts with different question counts compare.
    Every graded attempt is one observation (a learner with two attempts counts twice).
    Unanswered items of a finished attempt are not answers: they count only in its score.
    """
    questions = list(
        Question.objects.published()
        .filter(lesson=lesson)
        .order_by("position", "pk")
        .values("pk", "position", "type", "prompt")
    )
    if not questions:
        return []
    ids = [q["pk"] for q in questions]
    choices_by_question: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Choice.objects.filter(question_id__in=ids)
        .order_by("question_id", "position", "pk")
        .values("pk", "question_id", "text", "is_correct")
    ):
        choices_by_question[row["question_id"]].append(row)

    rows_by_question: dict[int, list[tuple]] = defaultdict(list)
    for row in restrict(
        Response.objects.filter(
            item__question_id__in=ids,
            item__attempt__lesson=lesson,
            item__attempt__is_practice=False,
            item__attempt__finished_at__isnull=False,
        ),
        learners,
        "item__attempt__learner",
    ).values_list(
        "item__question_id",
        "item__attempt_id",
        "item__attempt__correct_count",
        "item__attempt__question_total",
        "is_correct",
        "choice_id",
    ):
        rows_by_question[row[0]].append(row[1:])

    stats = []
    for question in questions:
        rows = rows_by_question.get(question["pk"])
        if not rows:
            continue
        n = len(rows)
        correct = sum(1 for row in rows if row[3])
        facility = correct / n
        items = [1.0 if is_right else 0.0 for _, _, _, is_right, _ in rows]
        rest = [
            (attempt_correct - int(is_right)) / (total - 1) if total > 1 else 0.0
            for _, attempt_correct, total, is_right, _ in rows
        ]
        discrimination = pearson(items, rest) if n >= MIN_ANSWERS else None
        upper_lower = upper_lower_index(
            [(_score_percent(c, t), attempt_id, ok) for attempt_id, c, t, ok, _ in rows]
        )
        choice_counts: list[ChoiceCount] = []
        if question["type"] in SINGLE_ANSWER_TYPES:
            picked = Counter(row[4] for row in rows)
            choice_counts = [
                ChoiceCount(c["text"], c["is_correct"], picked[c["pk"]], picked[c["pk"]] / n)
                for c in choices_by_question[question["pk"]]
            ]
        stats.append(
            QuestionStat(
                question_id=question["pk"],
                position=question["position"],
                type=question["type"],
                type_label=_TYPE_LABELS.get(question["type"], question["type"]),
                prompt=question["prompt"],
                answers=n,
                correct=correct,
                facility=facility,
                discrimination=discrimination,
                upper_lower=upper_lower,
                hint=_hint(n, facility, discrimination),
                choices=choice_counts,
                hard=n >= MIN_ANSWERS and facility < HARD_FACILITY,
                negative=discrimination is not None and discrimination < 0,
            )
        )
    return stats


# ---------------------------------------------------------------------------------------------
# Per-learner rows


@dataclass(frozen=True)
class LearnerRow:
    learner_id: int
    username: str
    status: str  # display label, e.g. "Quiz in progress"
    status_code: str  # ProgressStatus value ("" when the learner has no progress record)
    attempts: int  # graded attempts
    practice_attempts: int  # finished practice attempts
    best_score: int | None
    latest_score: int | None
    grade: int | None
    last_activity: datetime | None


def learner_rows(lesson: Lesson, learners=None) -> list[LearnerRow]:
    """One row per learner (of `learners`; None: all) who opened the lesson or attempted its
    quiz, by username. 2 queries."""
    rows: dict[int, dict] = {}
    for row in restrict(LessonProgress.objects.filter(lesson=lesson), learners, "learner").values(
        "learner_id",
        "learner__username",
        "status",
        "attempts_count",
        "best_score",
        "latest_score",
        "grade",
        "last_activity",
    ):
        rows[row["learner_id"]] = row
    counts = (
        restrict(Attempt.objects.filter(lesson=lesson), learners, "learner")
        .order_by()
        .values("learner_id", "learner__username")
        .annotate(
            graded=Count("pk", filter=Q(is_practice=False, finished_at__isnull=False)),
            practice=Count("pk", filter=Q(is_practice=True, finished_at__isnull=False)),
        )
    )
    practice: dict[int, int] = {}
    for row in counts:
        practice[row["learner_id"]] = row["practice"]
        if row["learner_id"] not in rows:  # attempts without progress: outside quiz.attempts
            rows[row["learner_id"]] = {
                "learner_id": row["learner_id"],
                "learner__username": row["learner__username"],
                "status": "",
                "attempts_count": row["graded"],
                "best_score": None,
                "latest_score": None,
                "grade": None,
                "last_activity": None,
            }
    result = [
        LearnerRow(
            learner_id=row["learner_id"],
            username=row["learner__username"],
            status=_STATUS_LABELS.get(row["status"], row["status"]) or "—",
            status_code=row["status"],
            attempts=row["attempts_count"],
            practice_attempts=practice.get(row["learner_id"], 0),
            best_score=row["best_score"],
            latest_score=row["latest_score"],
            grade=row["grade"],
            last_activity=row["last_activity"],
        )
        for row in rows.values()
    ]
    result.sort(key=lambda r: (r.username.casefold(), r.learner_id))
    return result


# ---------------------------------------------------------------------------------------------
# Figures out of date: keys changed after learners answered


@dataclass(frozen=True)
class StaleQuestion:
    question_id: int
    position: int
    prompt: str
    answers: int  # stored answers whose mark would change under the current key


def stale_questions(lesson: Lesson, learners=None) -> list[StaleQuestion]:
    """Questions whose stored answers (of `learners`; None: all) would change mark under the
    current key: until they are re-graded, the report's figures are out of date.

    The same rule as ``quiz.regrade.regrade_preview`` (every stored answer, in graded,
    practice and open attempts, judged by ``quiz.grading.is_correct``), over identical answers
    grouped in the database. One query, and three more (the questions with their choices and
    accepted answers) only when someone has answered; never more with more learners.
    """
    given = list(
        restrict(
            Response.objects.filter(item__question__lesson=lesson),
            learners,
            "item__attempt__learner",
        )
        .order_by()
        .values_list("item__question_id", "choice_id", "text", "order", "is_correct")
        .annotate(n=Count("pk"))
    )
    if not given:
        return []
    questions = {
        q.pk: q for q in Question.objects.filter(pk__in={row[0] for row in given}).with_options()
    }
    changed: Counter[int] = Counter()
    for question_id, choice_id, text, order, was_correct, n in given:
        question = questions[question_id]
        choice = next((c for c in question.choices.all() if c.pk == choice_id), None)
        answer = Answer(choice=choice, text=text, order=tuple(order or ()))
        if is_correct(question, answer) != was_correct:
            changed[question_id] += n
    return [
        StaleQuestion(q.pk, q.position, q.prompt, changed[q.pk])
        for q in sorted(questions.values(), key=lambda q: (q.position, q.pk))
        if changed[q.pk]
    ]


# ---------------------------------------------------------------------------------------------
# CSV exports (rows of strings; the caller writes them with csv.writer)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

GRADES_HEADER = [
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
RESPONSES_HEADER = [
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


# A formula character after a separator a spreadsheet may split the cell on: Excel in many
# European locales splits "Tehran;=1+1" into "Tehran" and a live formula "=1+1".
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t\r\n])(?=[ \"]*[=+\-@\t\r])")


def safe_cell(value) -> str:
    """A CSV cell that spreadsheets will not run as a formula (CSV injection guard, as OWASP
    advises): a cell starting with = + - @ tab or carriage return is prefixed with ', and so is
    each formula character that follows a separator (; , tab or a line break) inside the cell,
    so whichever separator the spreadsheet splits on, no piece starts a formula.

    Every CSV the app writes (lesson reports, gradebooks) passes each cell through this.
    """
    text = "" if value is None else str(value)
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if text.lstrip(' "').startswith(FORMULA_PREFIXES) else text


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def grades_csv_rows(
    lessons: Lesson | Iterable[Lesson] | QuerySet, learners=None
) -> Iterator[list[str]]:
    """Header, then one row per learner and lesson (courses, lessons, learners in order).

    `lessons` is a Lesson, an iterable of lessons or a Lesson queryset; `learners` the learners
    to list (None: all). One query.
    """
    if isinstance(lessons, Lesson):
        lesson_filter = Q(lesson=lessons)
    elif isinstance(lessons, QuerySet):
        lesson_filter = Q(lesson__in=lessons.order_by().values("pk"))
    else:
        lesson_filter = Q(lesson_id__in=[lesson.pk for lesson in lessons])
    yield [safe_cell(cell) for cell in GRADES_HEADER]
    rows = (
        restrict(LessonProgress.objects.filter(lesson_filter), learners, "learner")
        .order_by(
            "lesson__course__position",
            "lesson__course__title",
            "lesson__course_id",
            "lesson__position",
            "learner__username",
        )
        .values_list(
            "lesson__course__title",
            "lesson__title",
            "learner__username",
            "status",
            "attempts_count",
            "best_score",
            "latest_score",
            "grade",
            "last_activity",
        )
    )
    for course, title, username, status, attempts, best, latest, grade, last in rows.iterator():
        yield [
            safe_cell(cell)
            for cell in (
                course,
                title,
                username,
                _STATUS_LABELS.get(status, status),
                attempts,
                best,
                latest,
                grade,
                _iso(last),
            )
        ]


def responses_csv_rows(lesson: Lesson, learners=None) -> Iterator[list[str]]:
    """Header, then one row per answer (graded, practice and still-open attempts) of
    `learners` (None: all). 2 queries."""
    yield [safe_cell(cell) for cell in RESPONSES_HEADER]
    choice_texts = dict(
        Choice.objects.filter(question__lesson=lesson).values_list("pk", "text").iterator()
    )
    rows = (
        restrict(
            Response.objects.filter(item__attempt__lesson=lesson),
            learners,
            "item__attempt__learner",
        )
        .order_by(
            "item__attempt__learner__username",
            "item__attempt__learner_id",
            "item__attempt__number",
            "item__position",
        )
        .values_list(
            "item__attempt__learner__username",
            "item__attempt__number",
            "item__attempt__is_practice",
            "item__question__position",
            "item__question_id",
            "item__question__type",
            "item__question__prompt",
            "choice_id",
            "text",
            "order",
            "is_correct",
            "answered_at",
        )
    )
    for (
        username,
        number,
        is_practice,
        position,
        question_id,
        qtype,
        prompt,
        choice_id,
        text,
        order,
        is_right,
        answered_at,
    ) in rows.iterator():
        if order:
            given = " → ".join(choice_texts.get(pk, "(deleted choice)") for pk in order)
        elif choice_id is not None:
            given = choice_texts.get(choice_id, "(deleted choice)")
        else:
            given = text
        yield [
            safe_cell(cell)
            for cell in (
                username,
                number,
                _yes_no(is_practice),
                position,
                question_id,
                _TYPE_LABELS.get(qtype, qtype),
                prompt,
                given,
                _yes_no(is_right),
                _iso(answered_at),
            )
        ]


def csv_text(rows: Iterable[list[str]]) -> str:
    """The rows as CSV text (for tests and small downloads; stream big ones instead)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()
