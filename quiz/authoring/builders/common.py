"""Helpers shared by the question builders."""

from __future__ import annotations

from ..distractors import order_choices
from ..document import Document
from ..models import Candidate, ChoiceDraft
from ..text import Sentence


def candidate(
    doc: Document,
    sentence: Sentence,
    *,
    type: str,
    prompt: str,
    explanation: str,
    skill: str,
    difficulty: int,
    score: float,
    choices: list[ChoiceDraft] | None = None,
    accepted: list[str] | None = None,
    fact: str | None = None,
) -> Candidate:
    return Candidate(
        type=type,
        prompt=prompt,
        explanation=explanation,
        skill=skill,
        difficulty=difficulty,
        paragraph=sentence.paragraph,
        start=sentence.start,
        end=sentence.end,
        evidence=sentence.text,
        choices=choices or [],
        accepted_answers=accepted or [],
        score=round(score, 4),
        fact=fact or f"s{sentence.index}",
    )


def choice_set(prompt: str, key: str, distractors: list[tuple[str, str]]) -> list[ChoiceDraft]:
    return order_choices(
        prompt,
        ChoiceDraft(key, True, ""),
        [ChoiceDraft(text, False, why) for text, why in distractors],
    )


def says(doc: Document, sentence: Sentence) -> str:
    return f'{doc.label(sentence.paragraph)} says: "{sentence.text}"'


def length_penalty(prompt: str, limit: int = 40) -> float:
    words = len(prompt.split())
    return -0.04 * (words - limit) if words > limit else 0.0
