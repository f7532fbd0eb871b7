"""Re-grading stored answers after a teacher changes a question's key.

`learners` (from `quiz.scoping.visible_learners`) limits both the preview and the re-grade to
the learners a teacher may see; None means every learner.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum

from . import answer_lines
from .attempts import credit_for, refresh_progress
from .grading import Answer, is_correct
from .models import Attempt, LessonProgress, Question, Response
from .scoping import restrict


@dataclass(frozen=True)
class Change:
    response: Response
    now_correct: bool


def answer_of(response: Response) -> Answer:
    return Answer(choice=response.choice, text=response.text, order=tuple(response.order or ()))


def regrade_preview(question: Question, learners=None) -> list[Change]:
    """Stored answers whose mark would change under the question's current key."""
    responses = restrict(
        Response.objects.filter(item__question=question), learners, "item__attempt__learner"
    ).select_related("choice", "item__attempt__learner")
    changes = []
    for response in responses:
        now = is_correct(question, answer_of(response))
        if now != response.is_correct:
            changes.append(Change(response, now))
    return changes


@transaction.atomic
def apply_regrade(question: Question, learners=None) -> int:
    """Re-mark the answers, recount their attempts and refresh the learners' progress.

    A re-grade is the teacher's correction, not the learner's activity: each learner's
    "last activity" stays what it was (refresh_progress saves progress, whose field is
    auto_now, so the old values are put back with an update that skips auto_now).
    """
    changes = regrade_preview(question, learners)
    for change in changes:
        response = change.response
        Response.objects.filter(pk=response.pk).update(
            is_correct=change.now_correct,
            credit=credit_for(change.now_correct, response.tries, response.item.attempt),
        )
    attempt_ids = {change.response.item.attempt_id for change in changes}
    for attempt in Attempt.objects.filter(pk__in=attempt_ids).annotate(
        right=Count("items", filter=Q(items__response__is_correct=True)),
        earned=Sum("items__response__credit"),
    ):
        Attempt.objects.filter(pk=attempt.pk).update(
            correct_count=attempt.right,
            marks=attempt.earned or 0,
            # The report's copy of a finished attempt's answers follows the new marks.
            answer_lines=answer_lines.of_attempt() if attempt.is_finished else None,
        )
    pairs = {
        (change.response.item.attempt.learner_id, change.response.item.attempt.lesson_id)
        for change in changes
    }
    if not pairs:
        return 0
    last_activity = {
        pk: moment
        for pk, learner_id, lesson_id, moment in LessonProgress.objects.filter(
            learner_id__in={learner for learner, _ in pairs},
            lesson_id__in={lesson for _, lesson in pairs},
        ).values_list("pk", "learner_id", "lesson_id", "last_activity")
        if (learner_id, lesson_id) in pairs
    }
    for learner_id, lesson_id in pairs:
        refresh_progress(learner_id, lesson_id)
    for pk, moment in last_activity.items():
        LessonProgress.objects.filter(pk=pk).update(last_activity=moment)
    return len(changes)
