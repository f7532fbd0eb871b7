"""Starting, answering and finishing attempts, and the learner progress they drive.

Every function that writes does so in one transaction; a unique constraint makes each
retry (double click, resent request, second tab) harmless.
"""

import secrets
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, signals
from django.utils import timezone

from config.prepared import cursor_for
from courses.models import Lesson

from . import answer_lines, gates
from .grading import Answer, is_correct
from .models import (
    MASTERY_PERCENT,
    PASSED_STATUSES,
    Attempt,
    AttemptItem,
    FeedbackMode,
    GradingMethod,
    LessonProgress,
    ProgressStatus,
    Question,
    QuestionType,
    QuizSettings,
    Response,
)

# Orders come from the operating system's secure source: nothing a learner sees (the attempt id
# in every URL, earlier attempts, this code) predicts where the key is.
_rng = secrets.SystemRandom()


class QuizError(Exception):
    """A request the quiz cannot honour; the message is shown to the learner as is."""


class AttemptClosed(QuizError):
    pass


@dataclass(frozen=True)
class Recorded:
    response: Response
    created: bool  # False: the item was already answered (retry, double click, other tab)


def settings_for(lesson: Lesson) -> QuizSettings:
    settings, _ = QuizSettings.objects.get_or_create(lesson=lesson)
    return settings


def note_reading(user, lesson: Lesson) -> LessonProgress:
    """A signed-in learner opened the lesson: at least "reading" (a reload changes nothing)."""
    progress, _ = LessonProgress.objects.get_or_create(learner=user, lesson=lesson)
    return progress


def note_reading_on_signal(sender, *, lesson: Lesson, user, **kwargs) -> None:
    note_reading(user, lesson)


def attempts_left(user, lesson: Lesson, settings: QuizSettings) -> int | None:
    if settings.max_attempts is None:
        return None
    used = Attempt.objects.filter(learner=user, lesson=lesson, is_practice=False).count()
    return max(0, settings.max_attempts - used)


def graded_attempts(user, lesson: Lesson) -> tuple[int, bool]:
    """(graded attempts made, one of them is open), in one query."""
    counts = Attempt.objects.filter(learner=user, lesson=lesson, is_practice=False).aggregate(
        used=Count("pk"), open=Count("pk", filter=Q(finished_at__isnull=True))
    )
    return counts["used"], bool(counts["open"])


def start_or_resume(user, lesson: Lesson) -> tuple[Attempt, bool]:
    """The learner's open attempt at `lesson`, or a new one; returns (attempt, created)."""
    open_attempt = Attempt.objects.filter(
        learner=user, lesson=lesson, is_practice=False, finished_at__isnull=True
    ).first()
    if open_attempt:
        return open_attempt, False
    settings = settings_for(lesson)
    if refused := gates.refusal(user, lesson):
        raise QuizError(refused)
    if attempts_left(user, lesson, settings) == 0:
        raise QuizError(f"You have used all {settings.max_attempts} attempts at this quiz.")
    questions = list(lesson.questions.published().prefetch_related("choices"))
    if not questions:
        raise QuizError("This lesson has no quiz yet.")
    try:
        attempt = _create_attempt(user, lesson, settings, questions, is_practice=False)
    except IntegrityError:
        # Another request (a double click, a second tab) opened one a moment ago: use it.
        return Attempt.objects.get(
            learner=user, lesson=lesson, is_practice=False, finished_at__isnull=True
        ), False
    return attempt, True


def start_practice(user, attempt: Attempt) -> Attempt:
    """A practice attempt with only the questions missed in `attempt` (never graded)."""
    if not attempt.is_finished:
        raise QuizError("Finish the quiz before practising what you missed.")
    missed_ids = list(
        attempt.items.exclude(response__is_correct=True).values_list("question_id", flat=True)
    )
    questions = list(
        Question.objects.published().filter(pk__in=missed_ids).prefetch_related("choices")
    )
    if not questions:
        raise QuizError("You answered every question correctly: nothing to practise.")
    open_practice = Attempt.objects.filter(
        learner=user, lesson=attempt.lesson, is_practice=True, finished_at__isnull=True
    ).first()
    if open_practice and open_practice.started_at >= attempt.finished_at:
        return open_practice  # a second click on "Practise what I missed" resumes it
    if open_practice:
        open_practice.delete()  # an abandoned practice of an older attempt is replaced
    settings = settings_for(attempt.lesson)
    try:
        return _create_attempt(user, attempt.lesson, settings, questions, is_practice=True)
    except IntegrityError:
        # Another request made it a moment ago (a double click): use that one.
        return Attempt.objects.get(
            learner=user, lesson=attempt.lesson, is_practice=True, finished_at__isnull=True
        )


@transaction.atomic
def _create_attempt(user, lesson, settings, questions, *, is_practice) -> Attempt:
    previous = (
        Attempt.objects.filter(learner=user, lesson=lesson)
        .order_by("-number")
        .values_list("pk", "number")
        .first()
    )
    attempt = Attempt.objects.create(
        learner=user,
        lesson=lesson,
        number=previous[1] + 1 if previous else 1,
        is_practice=is_practice,
        feedback_mode=settings.feedback_mode,
        pass_mark=settings.pass_mark,
        retry_penalty=settings.retry_penalty,
    )
    questions.sort(key=lambda q: (q.position, q.pk))
    if not is_practice and settings.question_count and settings.question_count < len(questions):
        seen = (
            set(
                AttemptItem.objects.filter(attempt_id=previous[0]).values_list(
                    "question_id", flat=True
                )
            )
            if previous
            else set()
        )
        questions = _fresh_subset(questions, settings.question_count, seen)
    if settings.shuffle_questions:
        _rng.shuffle(questions)
    items = []
    for position, question in enumerate(questions, start=1):
        choice_ids = [
            c.pk for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
        ]
        if settings.shuffle_choices or question.type == QuestionType.SEQUENCE:
            # Sequences are always shuffled: shown in order, they would answer themselves.
            _shuffle_not_identity(choice_ids, must_move=question.type == QuestionType.SEQUENCE)
        items.append(
            AttemptItem(
                attempt=attempt, question=question, position=position, choice_order=choice_ids
            )
        )
    # Stored, so a reload, another server or a settings change shows the same order.
    AttemptItem.objects.bulk_create(items)
    attempt.question_total = len(items)
    attempt.save(update_fields=["question_total"])
    progress, _ = LessonProgress.objects.get_or_create(learner=user, lesson=lesson)
    if not is_practice and progress.status not in PASSED_STATUSES:
        progress.status = ProgressStatus.IN_PROGRESS
    progress.save()
    return attempt


def _fresh_subset(questions: list[Question], count: int, seen: set[int]) -> list[Question]:
    """`count` questions, those the previous attempt did not ask first, in lesson order."""
    fresh = [q for q in questions if q.pk not in seen]
    asked = [q for q in questions if q.pk in seen]
    _rng.shuffle(fresh)
    _rng.shuffle(asked)
    return sorted((fresh + asked)[:count], key=lambda q: (q.position, q.pk))


def _shuffle_not_identity(ids: list[int], *, must_move: bool) -> None:
    original = list(ids)
    _rng.shuffle(ids)
    while must_move and len(ids) > 1 and ids == original:
        _rng.shuffle(ids)  # every order but the right one is equally likely


def record_answer(item: AttemptItem, answer: Answer) -> Recorded:
    """Store the answer to `item` and update the attempt's counts, all or nothing.

    `item` comes with its question's choices/accepted answers loaded. A second answer to the
    same item is refused by the database and reported as `created=False`.
    """
    correct = is_correct(item.question, answer)
    response = Response(
        item=item,
        choice=answer.choice,
        text=answer.text[:200],
        order=list(answer.order) or None,
        is_correct=correct,
        credit=int(correct),
    )
    try:
        if _has_save_receivers(Response):
            _record_with_orm(item, response, correct)  # the ORM sends the signals
        elif connection.vendor == "postgresql":
            _record_in_one_statement(item, response, correct)
        else:
            _record_in_plain_sql(item, response, correct)
    except IntegrityError:
        return Recorded(Response.objects.get(item=item), created=False)
    item.attempt.answered_count += 1
    item.attempt.correct_count += int(correct)
    item.attempt.marks += int(correct)
    return Recorded(response, created=True)


def _record_with_orm(item: AttemptItem, response: Response, correct: bool) -> None:
    with transaction.atomic():
        opened = Attempt.objects.filter(pk=item.attempt_id, finished_at__isnull=True).update(
            answered_count=F("answered_count") + 1,
            correct_count=F("correct_count") + int(correct),
            marks=F("marks") + int(correct),
        )
        if not opened:
            raise AttemptClosed("This attempt is finished: answers can no longer change.")
        response.save(force_insert=True)
        _touch_progress(item.attempt)


def _has_save_receivers(model) -> bool:
    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)


# The answer is written in SQL of our own rather than the ORM's: compiling the ORM's three
# statements cost about as much CPU as running them, on the app's hot path. The statements are
# the ORM path's (_record_with_orm, kept for when a save signal receiver exists), values
# prepared by the model fields themselves.


def _response_columns(response: Response) -> tuple[list, list[str], list]:
    fields = [f for f in Response._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(response, True), connection) for f in fields]
    return fields, [connection.ops.quote_name(f.column) for f in fields], values


def _stored(response: Response, pk: int) -> None:
    response.pk = pk
    response._state.adding = False
    response._state.db = connection.alias


def _now_for_db():
    field = LessonProgress._meta.get_field("last_activity")
    return field.get_db_prep_save(timezone.now(), connection)


def _record_in_plain_sql(item: AttemptItem, response: Response, correct: bool) -> None:
    """SQLite: the ORM path's transaction (BEGIN, the three statements, COMMIT), precompiled."""
    qn = connection.ops.quote_name
    fields, columns, values = _response_columns(response)
    attempt = item.attempt
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(Attempt._meta.db_table)} SET answered_count = answered_count + 1, "
            f"correct_count = correct_count + %s, marks = marks + %s "
            f"WHERE {qn(Attempt._meta.pk.column)} = %s AND finished_at IS NULL",
            [int(correct), int(correct), item.attempt_id],
        )
        if cursor.rowcount != 1:
            raise AttemptClosed("This attempt is finished: answers can no longer change.")
        cursor.execute(
            f"INSERT INTO {qn(Response._meta.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )
        _stored(response, cursor.lastrowid)
        cursor.execute(
            f"UPDATE {qn(LessonProgress._meta.db_table)} SET last_activity = %s "
            f"WHERE learner_id = %s AND lesson_id = %s",
            [_now_for_db(), attempt.learner_id, attempt.lesson_id],
        )


def _record_in_one_statement(item: AttemptItem, response: Response, correct: bool) -> None:
    """PostgreSQL: the attempt's counts, the answer and the progress's last activity in ONE
    statement, so one round trip instead of five (BEGIN, three statements, COMMIT).

    A single statement is atomic by itself: outside a transaction it needs no BEGIN/COMMIT;
    inside one (tests, a caller's atomic block) a savepoint keeps a refused insert from
    breaking the caller's transaction. Same rules as the ORM path: the attempt's row is
    updated only while it is open (a finished attempt: nothing written, AttemptClosed), the unique
    answer per item raises IntegrityError (nothing written), and the rows are locked in the
    same order (attempt, answer, progress) as finish() and the ORM path take them.
    """
    fields, columns, values = _response_columns(response)
    qn = connection.ops.quote_name
    attempt_t = qn(Attempt._meta.db_table)
    progress_t = qn(LessonProgress._meta.db_table)
    sql = (
        f"WITH opened AS (UPDATE {attempt_t} SET answered_count = answered_count + 1, "
        f"correct_count = correct_count + %s, marks = marks + %s "
        f"WHERE {qn(Attempt._meta.pk.column)} = %s AND finished_at IS NULL "
        f"RETURNING learner_id, lesson_id), "
        f"touched AS (UPDATE {progress_t} AS p SET last_activity = %s FROM opened "
        f"WHERE p.learner_id = opened.learner_id AND p.lesson_id = opened.lesson_id) "
        f"INSERT INTO {qn(Response._meta.db_table)} "
        f"({', '.join(columns)}) "
        f"SELECT {', '.join(f'%s::{f.cast_db_type(connection)}' for f in fields)} "
        f"FROM opened RETURNING id"
    )
    params = [int(correct), int(correct), item.attempt_id, _now_for_db(), *values]
    atomic = transaction.atomic() if connection.in_atomic_block else nullcontext()
    # Prepared on the server once per connection, like the page's queries (config.prepared).
    with atomic, cursor_for(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise AttemptClosed("This attempt is finished: answers can no longer change.")
    _stored(response, row[0])


def credit_for(correct: bool, tries: int, attempt: Attempt) -> float:
    """1 for a right first answer; a right second try loses the teacher's penalty."""
    if not correct:
        return 0
    return 1 if tries == 1 else round(1 - attempt.retry_penalty / 100, 4)


def record_second_try(item: AttemptItem, response: Response, answer: Answer) -> Recorded:
    """Replace a wrong first answer by a second one (interactive mode), for reduced credit.

    The first answer is kept on the response. Only one second try: a resent request finds the
    response already at two tries and changes nothing (`created=False`).
    """
    attempt = item.attempt
    if attempt.feedback_mode != FeedbackMode.INTERACTIVE:
        raise QuizError("This quiz gives one try per question.")
    correct = is_correct(item.question, answer)
    credit = credit_for(correct, 2, attempt)
    with transaction.atomic():
        opened = Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
            correct_count=F("correct_count") + int(correct), marks=F("marks") + credit
        )
        if not opened:
            raise AttemptClosed("This attempt is finished: answers can no longer change.")
        first = {"choice": response.choice_id, "text": response.text, "order": response.order}
        retried = Response.objects.filter(pk=response.pk, tries=1, is_correct=False).update(
            choice=answer.choice,
            text=answer.text[:200],
            order=list(answer.order) or None,
            is_correct=correct,
            credit=credit,
            tries=2,
            first_try=first,
        )
        if not retried:
            transaction.set_rollback(True)  # already retried: undo the count above
            return Recorded(Response.objects.get(pk=response.pk), created=False)
        _touch_progress(attempt)
    attempt.correct_count += int(correct)
    attempt.marks += credit
    return Recorded(Response.objects.select_related("choice").get(pk=response.pk), created=True)


def _touch_progress(attempt: Attempt) -> None:
    LessonProgress.objects.filter(
        learner_id=attempt.learner_id, lesson_id=attempt.lesson_id
    ).update(last_activity=timezone.now())


@transaction.atomic
def finish(attempt: Attempt) -> Attempt:
    """Close the attempt (idempotent) and bring the learner's progress up to date."""
    closed = Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
        finished_at=timezone.now(), answer_lines=answer_lines.of_attempt()
    )
    attempt.refresh_from_db()
    if closed and not attempt.is_practice:
        refresh_progress(attempt.learner_id, attempt.lesson_id)
    return attempt


def status_for(grade: int, pass_mark: int) -> str:
    """The state a finished graded attempt leaves: the grade held to the pass mark."""
    if grade < pass_mark:
        return ProgressStatus.NOT_PASSED
    return ProgressStatus.MASTERED if grade >= MASTERY_PERCENT else ProgressStatus.PASSED


def refresh_progress(learner_id: int, lesson_id: int) -> LessonProgress:
    graded = list(
        Attempt.objects.filter(
            learner_id=learner_id, lesson_id=lesson_id, is_practice=False, finished_at__isnull=False
        ).order_by("finished_at", "pk")
    )
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(
        learner_id=learner_id, lesson_id=lesson_id
    )
    progress.attempts_count = len(graded)
    if graded:
        scores = [a.score_percent for a in graded]
        method, pass_mark = (
            QuizSettings.objects.filter(lesson_id=lesson_id)
            .values_list("grading_method", "pass_mark")
            .first()
        ) or (GradingMethod.HIGHEST, graded[-1].pass_mark)
        progress.best_score = max(scores)
        progress.latest_score = scores[-1]
        progress.grade = {
            GradingMethod.LATEST: scores[-1],
            GradingMethod.FIRST: scores[0],
        }.get(method, max(scores))
        progress.pass_mark = pass_mark
        progress.status = status_for(progress.grade, progress.pass_mark)
    progress.save()
    return progress
