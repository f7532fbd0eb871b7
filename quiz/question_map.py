"""The question map's entries, ready to print.

Each entry's link, classes and words are worked out here rather than in the template: the
map is on every question page and in every answer's response, and a dozen entries of
nested {% if %}s and {% url %}s cost more to render than the rest of the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, reverse

_ATTEMPT, _POSITION = 987654321, 876543219  # values no real address holds


@lru_cache(maxsize=8)
def _question_url_parts(script_prefix: str) -> tuple[str, str, str]:
    pattern = reverse("quiz:question", args=[_ATTEMPT, _POSITION])
    head, _, rest = pattern.partition(str(_ATTEMPT))
    middle, _, tail = rest.partition(str(_POSITION))
    return head, middle, tail


def question_url(attempt_id: int, position: int) -> str:
    """reverse("quiz:question", args=[attempt_id, position]), from one reverse() per process
    (and script prefix): a question page and an answer want this address half a dozen times."""
    head, middle, tail = _question_url_parts(get_script_prefix())
    return f"{head}{attempt_id}{middle}{position}{tail}"


@dataclass(frozen=True, slots=True)
class Entry:
    position: int
    href: str
    css: str
    mark: str  # the symbol, hidden from screen readers
    state: str  # what the symbol says, in words
    current: bool


def entry(
    attempt_id: int,
    position: int,
    answered: bool,
    correct: bool | None,
    *,
    current: bool,
    correctness: bool,
) -> Entry:
    """Right and wrong show only where the review options allow it now (`correctness`)."""
    css = "qm"
    if not answered:
        mark, state = "○", "not answered"
    elif not correctness:
        css, mark, state = "qm qm--answered", "●", "answered"
    elif correct:
        css, mark, state = "qm qm--answered qm--right", "✓", "right"
    else:
        css, mark, state = "qm qm--answered qm--wrong", "✗", "wrong"
    if current:
        css += " qm--current"
    return Entry(position, question_url(attempt_id, position), css, mark, state, current)


def entries(attempt_id: int, rows, current: int, correctness: bool) -> list[Entry]:
    """`rows`: (position, answered, correct) for the items to show."""
    return [
        entry(
            attempt_id,
            position,
            answered,
            correct,
            current=position == current,
            correctness=correctness,
        )
        for position, answered, correct in rows
    ]
