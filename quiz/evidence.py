"""Where a question's evidence sentence is in its lesson's text, and finding it again after the
text is edited.

A question points at its evidence by paragraph number and character offsets. When a teacher
edits the lesson's text those offsets can go wrong although the sentence is still there (a typo
fixed in another paragraph shifts nothing of it; a paragraph inserted above renumbers it). So
every question is looked up again: the exact sentence first (nearest to where it was), then the
closest sentence. Only a question whose own sentence really changed is flagged for the teacher;
a typo fixed inside the sentence is followed quietly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz

from .authoring.text import TOKEN_RE, split_sentences

CLOSE_MATCH = 80  # rapidfuzz ratio (0–100) from which a sentence is the edited evidence
TYPO_SIMILARITY = 75  # a word changed by at least this ratio is a typo fixed, not a new word


@dataclass(frozen=True)
class Span:
    paragraph: int
    start: int
    end: int
    text: str
    exact: bool = True

    @property
    def value(self) -> str:
        """The form value naming this sentence (see `parse_value`)."""
        return f"{self.paragraph}:{self.start}-{self.end}"


@lru_cache(maxsize=4096)
def _sentences(paragraph: str) -> tuple[tuple[int, int], ...]:
    return tuple(split_sentences(paragraph))


def sentences(paragraphs: Mapping[int, str]) -> list[Span]:
    """Every sentence of the text, in reading order."""
    return [
        Span(number, start, end, paragraphs[number][start:end])
        for number in sorted(paragraphs)
        for start, end in _sentences(paragraphs[number])
    ]


def parse_value(value: str) -> tuple[int, int, int] | None:
    """`"3:120-185"` → (3, 120, 185); None for anything else."""
    number, _, span = value.partition(":")
    start, _, end = span.partition("-")
    if not (number.isdigit() and start.isdigit() and end.isdigit()):
        return None
    return int(number), int(start), int(end)


def at(paragraphs: Mapping[int, str], paragraph: int, start: int, end: int, quote: str) -> bool:
    """Is `quote` exactly where the offsets say?"""
    return bool(quote) and paragraphs.get(paragraph, "")[start:end] == quote


def locate(quote: str, paragraph: int, start: int, paragraphs: Mapping[int, str]) -> Span | None:
    """Find the evidence `quote` (last seen at `paragraph`/`start`) in `paragraphs`.

    The exact text nearest its old place wins; otherwise the most similar run of as many
    sentences as the quote has (ties go to the nearest paragraph), from CLOSE_MATCH on.
    """
    quote = quote.strip()
    if not quote or not paragraphs:
        return None
    nearest_first = sorted(paragraphs, key=lambda n: (abs(n - paragraph), n))
    for number in nearest_first:
        text = paragraphs[number]
        hits = _occurrences(text, quote)
        if hits:
            best = min(hits, key=lambda i: abs(i - start)) if number == paragraph else hits[0]
            return Span(number, best, best + len(quote), quote)
    size = max(1, len(_sentences(quote)))
    best_span, best_score = None, CLOSE_MATCH - 1e-9
    for number in nearest_first:
        text = paragraphs[number]
        spans = _sentences(text)
        for i in range(len(spans) - size + 1):
            s, e = spans[i][0], spans[i + size - 1][1]
            score = fuzz.ratio(quote, text[s:e])
            if score > best_score:
                best_span, best_score = Span(number, s, e, text[s:e], exact=False), score
    return best_span


def _occurrences(text: str, quote: str) -> list[int]:
    hits, i = [], text.find(quote)
    while i >= 0:
        hits.append(i)
        i = text.find(quote, i + 1)
    return hits


def _words(text: str) -> list[str]:
    return [token.casefold() for token in TOKEN_RE.findall(text)]


def is_minor_edit(old: str, new: str) -> bool:
    """True when `new` says what `old` said: only case, spacing or punctuation differ, or a few
    words were respelt (a typo fixed). A number changed, a word added or removed ("not"), or a
    word replaced by another is a real change the teacher must check."""
    a, b = _words(old), _words(new)
    if a == b:
        return True
    respelt = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace" or i2 - i1 != j2 - j1:
            return False
        for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
            if any(ch.isdigit() for ch in x + y) or fuzz.ratio(x, y) < TYPO_SIMILARITY:
                return False
            respelt += 1
    return respelt <= max(1, len(a) // 10)


# --- Following the lesson's text edits (Django glue) ---------------------------------------------

FOLLOWED_FIELDS = [
    "evidence_paragraph",
    "evidence_start",
    "evidence_end",
    "evidence_quote",
    "evidence_check",
    "evidence_was",
    "evidence_missing",
    "source_hash",
]


def follow(question, paragraphs: Mapping[int, str], text_hash: str) -> None:
    """Point `question` (unsaved) at its evidence in the edited text, flagging it only when its
    own sentence changed or went. A flag stays until a teacher checks the question."""
    from .models import EvidenceCheck

    old = question.evidence_quote
    found = locate(old, question.evidence_paragraph, question.evidence_start, paragraphs)
    if found is None:
        if not question.evidence_missing:  # an import's flag already says it
            question.evidence_check = EvidenceCheck.NOT_FOUND
            question.evidence_was = question.evidence_was or old
        return  # the offsets keep naming the old text: source_hash stays with it
    question.evidence_paragraph, question.evidence_start = found.paragraph, found.start
    question.evidence_end, question.evidence_quote = found.end, found.text
    question.source_hash = text_hash
    question.evidence_missing = False
    if found.exact or is_minor_edit(old, found.text):
        if question.evidence_check == EvidenceCheck.NOT_FOUND and (
            found.text == question.evidence_was or found.exact
        ):
            question.evidence_check, question.evidence_was = "", ""  # it is back as it was
        return
    question.evidence_check = EvidenceCheck.CHANGED
    question.evidence_was = question.evidence_was or old


def follow_text_edit(lesson) -> int:
    """After `lesson`'s text was saved: find every question's evidence again (one query for the
    paragraphs, one for the questions, one bulk update). Returns how many are flagged."""
    from .models import Question

    paragraphs = dict(lesson.paragraphs.values_list("position", "text"))
    questions = list(Question.objects.filter(lesson=lesson).exclude(source_hash=lesson.text_hash))
    for question in questions:
        follow(question, paragraphs, lesson.text_hash)
    Question.objects.bulk_update(questions, FOLLOWED_FIELDS, batch_size=200)
    return sum(1 for q in questions if q.evidence_check)


def on_lesson_text_changed(sender, lesson, **kwargs) -> None:
    follow_text_edit(lesson)
