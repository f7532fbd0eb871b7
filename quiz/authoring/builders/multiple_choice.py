"""Multiple choice on a named entity: a wh-question when the entity is the sentence subject
("Which country has accused ...?"), only where the article names others of its kind."""

from __future__ import annotations

import re

from lemminflect import getAllLemmas

from ..distractors import entity_distractors
from ..document import Document
from ..lexicon import STANCE_ADJECTIVES, STANCE_VERBS, THAT_VERBS
from ..models import Candidate
from ..text import (
    contains_phrase,
    first_clause,
    starts_unresolved,
    strip_marker,
    word_count,
)
from .common import candidate, choice_set, length_penalty, says

KINDS = ("country", "person", "org", "year", "number", "event", "place")
WH = {"country": "Which country", "person": "Who", "org": "Which organisation"}
_PARENTHETICAL = re.compile(
    r"^,\s*(?:for (?:its|his|her|their) part|meanwhile|however|too|in turn|in response),\s*"
)


def _verb_follows(rest: str) -> bool:
    """A plain predicate follows the subject (reported views are left to who_holds_view)."""
    words = re.findall(r"[a-z]+", rest.lower())[:3]
    if not words or rest.lstrip()[:1].isupper():
        return False
    if any(w in THAT_VERBS or w in STANCE_VERBS or w in STANCE_ADJECTIVES for w in words):
        return False
    lemmas = getAllLemmas(words[0])
    return "VERB" in lemmas or "AUX" in lemmas


def build(doc: Document) -> list[Candidate]:
    out: list[Candidate] = []
    for s in doc.sentences:
        if s.text.endswith("?") or s.words > 45:
            continue
        stripped = strip_marker(s.text)
        if starts_unresolved(stripped):
            continue
        shift = len(s.text) - len(stripped)
        for mention, entity in doc.entities.in_sentence(s.index, KINDS):
            if mention.start < shift:
                continue
            around = s.text[max(0, mention.start - 1) : mention.end + 1]
            if "-" in around.strip(" ,.;:") and entity.kind == "country":
                continue  # part of a compound like "Baku-Ankara"
            a, b = mention.start - shift, mention.end - shift
            rest = _PARENTHETICAL.sub(" ", stripped[b:])
            if a == 0 and entity.kind in WH and mention.form != "demonym" and _verb_follows(rest):
                body = rest.strip().rstrip(".!")
                if word_count(body) > 22:
                    body = first_clause(body, 6)
                prompt = f"{WH[entity.kind]} {body}?"
                key, form, wh = entity.display, "country", True
            else:
                continue  # a sentence with a blank in it tests matching, not reading
            if len(doc.entities.of_kind(entity.kind)) < 3:
                continue  # the only person (or country) named: guessable without reading
            distractors = entity_distractors(doc, entity, s, prompt, form=form)
            if len(distractors) < 3:
                continue
            note = ""
            if wh and mention.text != entity.display:
                note = f" ({mention.text} stands for {entity.display} here.)"
            score = (2.5 if wh else 2.0) + (0.3 if entity.kind in WH else 0.0)
            # Options the article never mentions are easier to rule out.
            score -= 0.2 * sum(
                not any(contains_phrase(p, text) for p in doc.paragraphs) for text, _ in distractors
            )
            out.append(
                candidate(
                    doc,
                    s,
                    type="multiple_choice",
                    prompt=prompt,
                    explanation=says(doc, s) + note,
                    skill="literal",
                    difficulty=1 if wh else 2,
                    score=score + length_penalty(prompt),
                    choices=choice_set(prompt, key, distractors),
                )  # fmt: skip
            )
    return out
