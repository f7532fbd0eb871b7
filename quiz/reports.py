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

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast, Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone

from courses.models import Lesson

from . import answer_lines
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


def lesson_summary(
    lesson: Lesson, learners=None, given: AnswerGroups | None = None
) -> LessonSummary:
    """Who took the lesson's quiz and how they did (of `learners`; None: all). Two queries
    (settings, the learners' progress) with `given`, the `answer_groups` of the same learners,
    whose rows are every attempt; without it, `answer_groups`' two more. One flat row per
    learner and per attempt, counted here: 10,000 short rows cost the database less than
    aggregates over them with the scoping subqueries repeated in each."""
    settings = (
        QuizSettings.objects.filter(lesson=lesson).values("pass_mark", "grading_method").first()
    ) or {"pass_mark": _DEFAULT_PASS_MARK, "grading_method": _DEFAULT_GRADING}
    pass_mark, method = settings["pass_mark"], settings["grading_method"]

    progress = restrict(LessonProgress.objects.filter(lesson=lesson), learners, "learner")
    grade_of = dict(_plain_rows(progress.order_by().values_list("learner_id", "grade")))
    if given is None:
        given = answer_groups(lesson, learners)
    counts: Counter[str] = Counter()
    with_attempts: set[int] = set()
    graded_ids: set[int] = set()
    # Only for data written outside quiz.attempts: graded attempts without a kept grade.
    graded_scores: dict[int, list[tuple]] = defaultdict(list)
    for row in given.rows:
        with_attempts.add(row.learner_id)
        if row.finished is None:
            counts["still_open"] += 1
        elif row.is_practice:
            counts["practice"] += 1
        else:
            counts["graded"] += 1
            graded_ids.add(row.learner_id)
            if grade_of.get(row.learner_id) is None:
                # marks: a right second try earns less than a right first answer
                score = _score_percent(row.marks, row.question_total)
                graded_scores[row.learner_id].append((row.finished, row.pk, score))
    # Learners who started = those with progress; a graded attempt implies a start even if
    # its progress row were missing, so the rate can never exceed 1.
    opened = set(grade_of)
    grades = [grade_of[pk] for pk in graded_ids if grade_of.get(pk) is not None]
    for scores in graded_scores.values():
        grades.append(_grade_from_scores([s for *_, s in sorted(scores)], method))
    people = {
        "learners": len(opened | with_attempts),
        "started": len(opened | graded_ids),
        "completed": len(graded_ids),
    }

    histogram = [0] * 10
    for grade in grades:
        histogram[histogram_bin(grade)] += 1
    passed = sum(1 for grade in grades if grade >= pass_mark)
    started, completed = people["started"], people["completed"]
    return LessonSummary(
        learners=people["learners"],
        started=started,
        completed=completed,
        attempts=counts["graded"],
        practice_attempts=counts["practice"],
        open_attempts=counts["still_open"],
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


def weighted_pearson(points: Iterable[tuple[float, float, int]]) -> float | None:
    """Pearson's correlation of (x, y, count) points, each one standing for `count` equal
    observations: the same two-pass sums as `pearson` over the repeated values, without
    repeating them. None when either variable has no variance."""
    points = list(points)
    n = sum(w for _, _, w in points)
    if n < 2:
        return None
    mean_x = sum(x * w for x, _, w in points) / n
    mean_y = sum(y * w for _, y, w in points) / n
    sxy = sum(w * (x - mean_x) * (y - mean_y) for x, y, w in points)
    sxx = sum(w * (x - mean_x) ** 2 for x, _, w in points)
    syy = sum(w * (y - mean_y) ** 2 for _, y, w in points)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass
class _Band:
    """The answers to one question from attempts of one score (percent)."""

    answers: int = 0
    correct: int = 0
    pairs: set[tuple[int, int]] = field(default_factory=set)  # (right answers, questions)


def _group_edge(bands: list[tuple[int, _Band]], size: int) -> tuple[int, int | None, int]:
    """Walking `bands` in order: the right answers of whole bands inside the first `size`
    answers, the score of the band the group's edge falls in (None if it falls between
    bands) and how many of that band's answers are in the group."""
    correct, left = 0, size
    for score, band in bands:
        if band.answers < left:
            correct += band.correct
            left -= band.answers
            continue
        return correct, score, left
    return correct, None, 0  # never reached: size <= answers


class AttemptRow(NamedTuple):
    """One attempt as `answer_groups` reads it: plain database values."""

    pk: int
    learner_id: int
    correct_count: int
    question_total: int
    is_practice: bool
    finished: str | None  # the moment it finished, as text (sorts as the moment does)
    marks: float
    lines: str  # its answers' lines, kept or built ("": none)


class AnswerGroups(list):
    """`answer_groups`' rows; also keeps each attempt's answer lines (`attempts`: attempt id,
    right answers, questions, graded, lines; `parsed`: line → answer) so that `question_stats`
    finds the upper–lower groups' edges without another query."""

    attempts: list[tuple[int, int, int, bool, list[str]]]
    parsed: dict[str, tuple]
    rows: list[AttemptRow]


def answer_groups(lesson: Lesson, learners=None) -> AnswerGroups:
    """Every stored answer to the lesson's questions in its attempts (of `learners`; None:
    all), counted by what the report needs: (question id, choice id, typed text, order, right,
    the attempt's right answers, its questions, whether it is graded, count). Two queries,
    however many learners: the report passes it to both `question_stats` and
    `stale_questions` (``given=``), so the answers are read once.

    One row per attempt with its answers as lines (`quiz.answer_lines`): finished attempts
    keep theirs, so for them the database reads one short row and joins nothing; the others'
    lines are built from their own items in the same query (no sort of the answers, the slow
    part of a GROUP BY over every answer). The counting is done here over the distinct lines,
    keeping those of the lesson's own questions (the join's filter before lines were kept) and
    only choices that still exist."""
    attempts = restrict(Attempt.objects.filter(lesson=lesson), learners, "learner").order_by()
    every = _plain_rows(
        attempts.annotate(
            # As text: only compared and sorted here, and 10,000 parsed moments cost.
            finished=Cast("finished_at", TextField()),
            # COALESCE stops at the kept lines: only an attempt that keeps none (an open one)
            # has its lines built, from its own items.
            lines=Coalesce(F("answer_lines"), answer_lines.of_attempt()),
        ).values_list(*AttemptRow._fields)
    )
    # The lesson's questions and their choices now: a kept line may name a choice deleted
    # since (the answer's choice is then empty, as the database now has it).
    known = list(Question.objects.filter(lesson=lesson).values_list("pk", "choices__pk"))
    own, choices = {q for q, _ in known}, {c for _, c in known}
    by_score: defaultdict[tuple, list[str]] = defaultdict(list)
    raw = []
    rows = []
    for row in every:
        row = AttemptRow(*row)
        rows.append(row)
        if not row.lines:
            continue  # no answers
        lines = row.lines.split("\n")
        graded = row.finished is not None and not row.is_practice
        key = (row.correct_count, row.question_total, graded)
        by_score[key] += lines  # counted once per score, below
        raw.append((row.pk, *key, lines))
    counts = {key: Counter(lines) for key, lines in by_score.items()}
    parsed: dict[str, tuple] = {}
    result = AnswerGroups()
    for (correct, total, graded), lines in counts.items():
        for line, n in lines.items():
            if line not in parsed:
                question_id, choice_id, *rest = answer_lines.parse(line)
                choice_id = choice_id if choice_id in choices else None
                parsed[line] = (question_id, choice_id, *rest)
            if parsed[line][0] in own:
                result.append((*parsed[line], correct, total, graded, n))
    result.attempts, result.parsed = raw, parsed  # lines read back only where needed
    result.rows = rows  # every attempt, for `lesson_summary`
    return result


def _plain_rows(rows: QuerySet) -> list[tuple]:
    """The rows of a values_list queryset as the database driver gives them: no converters
    per value (10,000 rows), no query when it is certainly empty (e.g. nobody visible)."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def question_stats(
    lesson: Lesson, learners=None, given: list[tuple] | None = None
) -> list[QuestionStat]:
    """Item analysis of each published question answered in graded attempts (by `learners`;
    None: everyone). Three queries, whatever the number of learners: questions, choices and
    the answers (`answer_groups`); two with `given`, the `answer_groups` of the same learners.

    Discrimination is the corrected point-biserial: the Pearson correlation between the item
    (1 right, 0 wrong) and the attempt's score on its *other* questions, as a share
    ((correct − item) / (questions − 1)) so attempts with different question counts compare.
    Every graded attempt is one observation (a learner with two attempts counts twice).
    Unanswered items of a finished attempt are not answers: they count only in its score.

    The answers come counted by question, the attempt's score (right answers of how many
    questions), right or wrong and choice: a few hundred groups however many learners, from
    which every figure follows exactly. Only the upper–lower index needs single answers, where
    its groups' edges cut through the answers of one score (ties fall by attempt id): those
    are taken from the attempts' rows `answer_groups` keeps, in attempt id order.
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

    if given is None:
        given = answer_groups(lesson, learners)
    published = set(ids)
    graded_answers = [
        (question_id, attempt_correct, total, is_right, choice_id, n)
        for question_id, choice_id, _, _, is_right, attempt_correct, total, graded, n in given
        if graded and question_id in published
    ]
    groups: dict[int, list[tuple]] = defaultdict(list)
    for question_id, *group in graded_answers:
        groups[question_id].append(group)

    # The score bands of each question, and where the upper and lower groups' edges fall.
    bands_by_question: dict[int, dict[int, _Band]] = {}
    edges: dict[int, tuple] = {}
    for question_id, rows in groups.items():
        bands: dict[int, _Band] = defaultdict(_Band)
        for attempt_correct, total, is_right, _, n in rows:
            band = bands[_score_percent(attempt_correct, total)]
            band.answers += n
            band.correct += n if is_right else 0
            band.pairs.add((attempt_correct, total))
        bands_by_question[question_id] = bands
        n = sum(band.answers for band in bands.values())
        if n >= MIN_ANSWERS:
            size = max(1, round(GROUP_SHARE * n))
            ordered = sorted(bands.items())
            edges[question_id] = (
                size,
                _group_edge(ordered, size),
                _group_edge(ordered[::-1], size),
            )
    # The answers of the edge bands, by attempt id (ties at an edge fall by attempt id).
    edge_answers: dict[tuple[int, int], list[bool]] = defaultdict(list)
    wanted = {
        (question_id, score)
        for question_id, (_, (_, low, _), (_, high, _)) in edges.items()
        for score in (low, high)
        if score is not None
    }
    if wanted:
        if not isinstance(given, AnswerGroups):  # plain rows: the attempts' answers are needed
            given = answer_groups(lesson, learners)
        scores = {score for _, score in wanted}
        edge_attempts = sorted(
            (attempt_id, score, lines)
            for attempt_id, attempt_correct, total, graded, lines in given.attempts
            if graded and (score := _score_percent(attempt_correct, total)) in scores
        )
        for _, score, lines in edge_attempts:
            for line in lines:
                question_id, _, _, _, is_right = given.parsed[line]
                if (question_id, score) in wanted:
                    edge_answers[(question_id, score)].append(is_right)

    stats = []
    for question in questions:
        rows = groups.get(question["pk"])
        if not rows:
            continue
        n = sum(row[4] for row in rows)
        correct = sum(row[4] for row in rows if row[2])
        facility = correct / n
        points: Counter[tuple[float, float]] = Counter()
        for attempt_correct, total, is_right, _, count in rows:
            rest = (attempt_correct - int(is_right)) / (total - 1) if total > 1 else 0.0
            points[(1.0 if is_right else 0.0, rest)] += count
        discrimination = (
            weighted_pearson((x, y, w) for (x, y), w in sorted(points.items()))
            if n >= MIN_ANSWERS
            else None
        )
        upper_lower = None
        if question["pk"] in edges:
            size, (low_right, low, low_take), (high_right, high, high_take) = edges[question["pk"]]
            if low is not None:
                low_right += sum(edge_answers[(question["pk"], low)][:low_take])
            if high is not None:
                high_right += sum(edge_answers[(question["pk"], high)][-high_take:])
            upper_lower = high_right / size - low_right / size
        choice_counts: list[ChoiceCount] = []
        if question["type"] in SINGLE_ANSWER_TYPES:
            picked: Counter = Counter()
            for _, _, _, choice_id, count in rows:
                picked[choice_id] += count
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


def learner_list(lesson: Lesson, learners=None, search: str = "") -> list[tuple[int, str]]:
    """(id, username) of each learner (of `learners`; None: all) who opened the lesson or
    attempted its quiz, whose username contains `search` (any case; "": everyone), in the
    report's order: by username (case-folded), then id. One query, of two columns: what a page
    of `learner_rows` is picked from."""
    opened = restrict(LessonProgress.objects.filter(lesson=lesson), learners, "learner")
    tried = restrict(Attempt.objects.filter(lesson=lesson), learners, "learner")
    users = get_user_model().objects.filter(
        Q(pk__in=opened.values("learner_id")) | Q(pk__in=tried.values("learner_id"))
    )
    if search:
        users = users.filter(username__icontains=search)
    found = list(users.order_by().values_list("pk", "username"))
    found.sort(key=lambda row: (row[1].casefold(), row[0]))
    return found


def learner_page(
    lesson: Lesson, learners=None, *, page=1, per_page: int = 50, search: str = ""
) -> Page:
    """One page of `learner_rows` (`page`: its number as given, e.g. ``request.GET``; junk
    gives the first page, a number out of range the last), in the report's order, optionally
    only learners whose username contains `search`. Three queries, whatever the number of
    learners: their names (`learner_list`), then the page's rows."""
    paginator = Paginator(learner_list(lesson, learners, search), per_page)
    current = paginator.get_page(page)
    # The page's ids come from the visible learners already: no second scoping subquery.
    current.object_list = learner_rows(lesson, None, only=[pk for pk, _ in current.object_list])
    return current


def learner_rows(lesson: Lesson, learners=None, only: list[int] | None = None) -> list[LearnerRow]:
    """One row per learner (of `learners`; None: all; and of the ids `only`, if given) who
    opened the lesson or attempted its quiz, by username. 2 queries."""
    progress = restrict(LessonProgress.objects.filter(lesson=lesson), learners, "learner")
    tried = restrict(Attempt.objects.filter(lesson=lesson), learners, "learner")
    if only is not None:
        progress, tried = progress.filter(learner__in=only), tried.filter(learner__in=only)
    rows: dict[int, dict] = {}
    for row in progress.values(
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
        tried.order_by()
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


def stale_questions(
    lesson: Lesson, learners=None, given: list[tuple] | None = None
) -> list[StaleQuestion]:
    """Questions whose stored answers (of `learners`; None: all) would change mark under the
    current key: until they are re-graded, the report's figures are out of date.

    The same rule as ``quiz.regrade.regrade_preview`` (every stored answer, in graded,
    practice and open attempts, judged by ``quiz.grading.is_correct``), over identical answers
    grouped in the database. One query, and three more (the questions with their choices and
    accepted answers) only when someone has answered; never more with more learners. With
    `given`, the `answer_groups` of the same learners, not the first query.
    """
    if given is None:
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
    else:  # the same answers, no longer told apart by the attempt's score
        merged: dict[tuple, list] = {}
        for question_id, choice_id, text, order, is_right, *_, n in given:
            key = (question_id, choice_id, text, repr(order), is_right)
            merged.setdefault(key, [question_id, choice_id, text, order, is_right, 0])[-1] += n
        given = [tuple(row) for row in merged.values()]
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
CSV_CHUNK = 2000  # rows fetched from the database at a time while a CSV streams
CSV_ROWS_PER_PIECE = 500  # rows of CSV text sent at a time

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
    for course, title, username, status, attempts, best, latest, grade, last in rows.iterator(
        chunk_size=CSV_CHUNK
    ):
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
    ) in rows.iterator(chunk_size=CSV_CHUNK):
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


def csv_stream(rows: Iterable[list[str]], *, bom: bool = False) -> Iterator[bytes]:
    """The rows as CSV (as `csv_text` writes them), in UTF-8 pieces of `CSV_ROWS_PER_PIECE`
    rows: csv.writer writes into a small buffer emptied after each piece, so memory stays that
    of one piece however many rows. `bom`: start with a byte-order mark (for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    waiting = 0
    for row in rows:
        writer.writerow(row)
        waiting += 1
        if waiting >= CSV_ROWS_PER_PIECE:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            waiting = 0
    if buffer.tell():
        yield buffer.getvalue().encode()


class CsvResponse(StreamingHttpResponse):
    """A CSV download streamed as it is written (`csv_stream`): rows come from the database in
    chunks and go out in pieces, never the whole file in memory. Each cell must already have
    passed `safe_cell`."""

    def __init__(self, rows: Iterable[list[str]], filename: str, *, bom: bool = False):
        super().__init__(csv_stream(rows, bom=bom), content_type="text/csv; charset=utf-8")
        self["Content-Disposition"] = f'attachment; filename="{filename}"'

    @property
    def content(self) -> bytes:
        """The whole file at once, for callers that want it so (tests, small files). Reading it
        builds the file in memory, which streaming avoids: servers send `streaming_content`
        piece by piece. Whoever reads it first leaves the same bytes to be sent."""
        body = self.getvalue()
        self.streaming_content = [body]
        return body
