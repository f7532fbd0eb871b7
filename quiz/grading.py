"""Is this answer right? Pure functions over loaded questions (no queries of their own)."""

from dataclasses import dataclass

from .authoring.answers import typed_answer_matches
from .models import Choice, Question, QuestionType


@dataclass(frozen=True)
class Answer:
    """What a learner submitted, already validated against the question's shape."""

    choice: Choice | None = None
    text: str = ""
    order: tuple[int, ...] = ()  # choice ids in the learner's order (sequence questions)


def correct_order(question: Question) -> list[int]:
    return [c.pk for c in sorted(question.choices.all(), key=lambda c: (c.position, c.pk))]


def correct_choice(question: Question) -> Choice | None:
    return next((c for c in question.choices.all() if c.is_correct), None)


def is_correct(question: Question, answer: Answer) -> bool:
    if question.type == QuestionType.FILL_BLANK:
        accepted = [a.text for a in question.accepted_answers.all()]
        return typed_answer_matches(answer.text, accepted)
    if question.type == QuestionType.SEQUENCE:
        return list(answer.order) == correct_order(question)
    return answer.choice is not None and answer.choice.is_correct


def key_text(question: Question) -> str:
    """The right answer in words, for feedback and results."""
    if question.type == QuestionType.FILL_BLANK:
        first = next(iter(question.accepted_answers.all()), None)
        return first.text if first else ""
    if question.type == QuestionType.SEQUENCE:
        by_id = {c.pk: c.text for c in question.choices.all()}
        return " → ".join(by_id[pk] for pk in correct_order(question))
    choice = correct_choice(question)
    return choice.text if choice else ""
