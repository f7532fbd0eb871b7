"""True/false: a faithful clause (true) or the same clause with one swapped entity (false).
A false statement is dropped if any other sentence of the article supports it."""

from __future__ import annotations

import re

from ..distractors import entity_distractors
from ..document import Document, content_lemmas
from ..entities import Entity
from ..models import Candidate, ChoiceDraft
from ..text import (
    Sentence,
    as_statement,
    contains_phrase,
    first_clause,
    fix_article,
    starts_unresolved,
    strip_marker,
    word_count,
)
from .common import candidate, says

SWAPPABLE = ("country", "person", "org", "year", "number")
# Bounds under which a changed figure or year may remain true.
_BOUND = re.compile(
    r"\b(?:(?:less|more|fewer|greater|higher|lower|earlier|later) than|under|over|at least|"
    r"at most|up to|above|below|before|after|since|until|by|within)\s+(?:about\s+|some\s+)?$",
    re.IGNORECASE,
)
_SUPPORT_OVERLAP = 0.5


def statement_for(sentence: Sentence) -> str | None:
    text = strip_marker(sentence.text)
    if text.endswith("?") or starts_unresolved(text) or "“" in text[:2] or '"' in text[:2]:
        return None
    if text.lower().startswith(("if ", "when ", "what ", "whether ")):
        return None
    statement = as_statement(first_clause(text, 8))
    return statement if 7 <= word_count(statement) <= 35 else None


def supported_elsewhere(doc: Document, statement: str, swapped_in: str, skip: int) -> bool:
    """Would another sentence naming the swapped-in entity make the false statement true?"""
    words = set(content_lemmas(statement)) - set(content_lemmas(swapped_in))
    if not words:
        return True
    for index, text in doc.all_statements():
        if index == skip or not contains_phrase(text, swapped_in):
            continue
        if len(words & set(content_lemmas(text))) / len(words) >= _SUPPORT_OVERLAP:
            return True
    return False


def _aliases_present(doc: Document, entity: Entity, text: str) -> int:
    return sum(1 for form in doc.surface_forms(entity) if contains_phrase(text, form))


def build(doc: Document) -> list[Candidate]:
    out: list[Candidate] = []
    for s in doc.sentences:
        statement = statement_for(s)
        if statement is None:
            continue
        label = doc.label(s.paragraph)
        out.append(_item(doc, s, statement, True, f"True. {says(doc, s)}", 1.9, 1))
        for mention, entity in doc.entities.in_sentence(s.index, SWAPPABLE):
            at = statement.find(mention.text)
            if at < 0 or _aliases_present(doc, entity, statement) != 1:
                continue  # swapping one of two mentions would leave the other as a clue
            edges = statement[max(0, at - 1) : at + len(mention.text) + 1]
            if statement.count(mention.text) != 1 or "-" in edges:
                continue
            if entity.kind in ("number", "year") and _BOUND.search(statement[:at]):
                continue  # "less than 1 percent" stays true as "less than 90 percent"
            for new, _ in entity_distractors(doc, entity, s, statement, form=mention.form, n=4):
                false = fix_article(statement[:at], new) + new + statement[at + len(mention.text) :]
                if supported_elsewhere(doc, false, new, s.index):
                    continue
                why = f'False. {label} says {mention.text}, not {new}: "{s.text}"'
                out.append(_item(doc, s, false, False, why, 2.1, 2))
                break
            else:
                continue
            break  # one false version per sentence is enough
    return out


def _item(
    doc: Document, s: Sentence, statement: str, true: bool, why: str, score: float, level: int
) -> Candidate:
    choices = [
        ChoiceDraft(
            "True", true, "" if true else "One detail of this statement differs from the text."
        ),
        ChoiceDraft("False", not true, "The text says exactly this." if true else ""),
    ]
    return candidate(
        doc, s,
        type="true_false",
        prompt=statement,
        explanation=why,
        skill="literal",
        difficulty=level,
        score=score,
        choices=choices,
    )  # fmt: skip
