"""Starting, answering and finishing attempts, and the learner progress they drive.

Every function that writes does so in one transaction; a unique constraint makes each
retry (double click, resent request, second tab) harmless.
"""

import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from courses.models import Lesson

from .grading import Answer, is_correct
from .models import (
    MASTERY_PERCENT,
    Attempt,
    AttemptItem,
    GradingMethod,
    LessonProgress,
    ProgressStatus,
    Question,
    QuestionType,
    QuizSettings,
    Response,
)


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


def attempts_left(user, lesson: Lesson, settings: QuizSettings) -> int | None:
    if settings.max_attempts is None:
        return None
    used = Attempt.objects.filter(learner=user, lesson=lesson, is_practice=False).count()
    return max(0, settings.max_attempts - used)


def start_or_resume(user, lesson: Lesson) -> tuple[Attempt, bool]:
    """The learner's open attempt at `lesson`, or a new one; returns (attempt, created)."""
    open_attempt = Attempt.objects.filter(
        learner=user, lesson=lesson, is_practice=False, finished_at__isnull=True
    ).first()
    if open_attempt:
        return open_attempt, False
    settings = settings_for(lesson)
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
    Attempt.objects.filter(
        learner=user, lesson=attempt.lesson, is_practice=True, finished_at__isnull=True
    ).delete()  # an abandoned practice is simply replaced
    settings = settings_for(attempt.lesson)
    return _create_attempt(user, attempt.lesson, settings, questions, is_practice=True)


@transaction.atomic
def _create_attempt(user, lesson, settings, questions, *, is_practice) -> Attempt:
    last = (
        Attempt.objects.filter(learner=user, lesson=lesson)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    attempt = Attempt.objects.create(
        learner=user,
        lesson=lesson,
        number=(last or 0) + 1,
        is_practice=is_practice,
        feedback_mode=settings.feedback_mode,
        pass_mark=settings.pass_mark,
    )
    # Seeded by the attempt, so the order is fixed at creation; it is stored anyway so a
    # reload, another server or a settings change shows the same order.
    rng = random.Random(f"attempt-{attempt.pk}")
    questions.sort(key=lambda q: (q.position, q.pk))
    if not is_practice and settings.question_count and settings.question_count < len(questions):
        questions = sorted(
            rng.sample(questions, settings.question_count), key=lambda q: (q.position, q.pk)
        )
    if settings.shuffle_questions:
        rng.shuffle(questions)
    items = []
    for position, question in enumerate(questions, start=1):
        choice_ids = [
            c.pk for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
        ]
        if settings.shuffle_choices or question.type == QuestionType.SEQUENCE:
            # Sequences are always shuffled: shown in order, they would answer themselves.
            _shuffle_not_identity(rng, choice_ids, must_move=question.type == QuestionType.SEQUENCE)
        items.append(
            AttemptItem(
                attempt=attempt, question=question, position=position, choice_order=choice_ids
            )
        )
    AttemptItem.objects.bulk_create(items)
    attempt.question_total = len(items)
    attempt.save(update_fields=["question_total"])
    progress, _ = LessonProgress.objects.get_or_create(learner=user, lesson=lesson)
    if not is_practice and not progress.is_complete:
        progress.status = ProgressStatus.IN_PROGRESS
    progress.save()
    return attempt


def _shuffle_not_identity(rng: random.Random, ids: list[int], *, must_move: bool) -> None:
    original = list(ids)
    rng.shuffle(ids)
    if must_move and len(ids) > 1 and ids == original:
        ids.append(ids.pop(0))


def record_answer(item: AttemptItem, answer: Answer) -> Recorded:
    """Store the answer to `item` and update the attempt's counts, all or nothing.

    `item` comes with its question's choices/accepted answers loaded. A second answer to the
    same item is refused by the database and reported as `created=False`.
    """
    correct = is_correct(item.question, answer)
    try:
        with transaction.atomic():
            opened = Attempt.objects.filter(pk=item.attempt_id, finished_at__isnull=True).update(
                answered_count=F("answered_count") + 1,
                correct_count=F("correct_count") + int(correct),
            )
            if not opened:
                raise AttemptClosed("This attempt is finished: answers can no longer change.")
            response = Response.objects.create(
                item=item,
                choice=answer.choice,
                text=answer.text[:200],
                order=list(answer.order) or None,
                is_correct=correct,
            )
            LessonProgress.objects.filter(
                learner_id=item.attempt.learner_id, lesson_id=item.attempt.lesson_id
            ).update(last_activity=timezone.now())
    except IntegrityError:
        return Recorded(Response.objects.get(item=item), created=False)
    item.attempt.answered_count += 1
    item.attempt.correct_count += int(correct)
    return Recorded(response, created=True)


@transaction.atomic
def finish(attempt: Attempt) -> Attempt:
    """Close the attempt (idempotent) and bring the learner's progress up to date."""
    closed = Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    attempt.refresh_from_db()
    if closed and not attempt.is_practice:
        refresh_progress(attempt.learner_id, attempt.lesson_id)
    return attempt


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
        method = (
            QuizSettings.objects.filter(lesson_id=lesson_id)
            .values_list("grading_method", flat=True)
            .first()
        )
        progress.best_score = max(scores)
        progress.latest_score = scores[-1]
        progress.grade = {
            GradingMethod.LATEST: scores[-1],
            GradingMethod.FIRST: scores[0],
        }.get(method, max(scores))
        progress.status = (
            ProgressStatus.MASTERED
            if progress.best_score >= MASTERY_PERCENT
            else ProgressStatus.COMPLETED
        )
    progress.save()
    return progress
