"""The question map's entries, ready to print.

Each entry's link, classes and words are worked out here rather than in the template: the
map is on every question page and in every answer's response, and a dozen entries of
nested {% if %}s and {% url %}s cost more to render than the rest of the card.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

_MARKER = 987654321  # a position no attempt has, replaced by each entry's own


def question_urls(attempt_id: int):
    """`url(n)`: the address of question n of this attempt, from one reverse()."""
    pattern = reverse("quiz:question", args=[attempt_id, _MARKER])
    head, _, tail = pattern.rpartition(str(_MARKER))
    return lambda position: f"{head}{position}{tail}"


@dataclass(frozen=True, slots=True)
class Entry:
    position: int
    href: str
    css: str
    mark: str  # the symbol, hidden from screen readers
    state: str  # what the symbol says, in words
    current: bool


def entry(
    url, position: int, answered: bool, correct: bool | None, *, current: bool, correctness: bool
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
    return Entry(position, url(position), css, mark, state, current)


def entries(attempt_id: int, rows, current: int, correctness: bool) -> list[Entry]:
    """`rows`: (position, answered, correct) for the items to show."""
    url = question_urls(attempt_id)
    return [
        entry(
            url,
            position,
            answered,
            correct,
            current=position == current,
            correctness=correctness,
        )
        for position, answered, correct in rows
    ]
