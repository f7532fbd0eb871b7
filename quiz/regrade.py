"""Re-grading stored answers after a teacher changes a question's key."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum

from .attempts import credit_for, refresh_progress
from .grading import Answer, is_correct
from .models import Attempt, Question, Response


@dataclass(frozen=True)
class Change:
    response: Response
    now_correct: bool


def answer_of(response: Response) -> Answer:
    return Answer(choice=response.choice, text=response.text, order=tuple(response.order or ()))


def regrade_preview(question: Question) -> list[Change]:
    """Stored answers whose mark would change under the question's current key."""
    responses = Response.objects.filter(item__question=question).select_related(
        "choice", "item__attempt__learner"
    )
    changes = []
    for response in responses:
        now = is_correct(question, answer_of(response))
        if now != response.is_correct:
            changes.append(Change(response, now))
    return changes


@transaction.atomic
def apply_regrade(question: Question) -> int:
    """Re-mark the answers, recount their attempts and refresh the learners' progress."""
    changes = regrade_preview(question)
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
            correct_count=attempt.right, marks=attempt.earned or 0
        )
    for learner_id, lesson_id in {
        (change.response.item.attempt.learner_id, change.response.item.attempt.lesson_id)
        for change in changes
    }:
        refresh_progress(learner_id, lesson_id)
    return len(changes)
