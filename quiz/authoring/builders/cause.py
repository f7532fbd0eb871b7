"""Cause and effect from the article's own causal links: "X because Y", "Because Y, X",
"Y, so X", "Y. As a result, X". The stem asks why X happened in other words (subject–auxiliary
inversion, syntax.question); the key is Y; wrong options are other things the article says,
other causes first, so each one is true of some part of the text but does not answer "why"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import syntax
from ..document import Document
from ..models import Candidate
from ..statements import Statement, Statements, as_option
from ..text import Sentence, has_demonstrative, starts_unresolved, word_count
from .common import candidate, choice_set

_BECAUSE = re.compile(r"^(?P<effect>[^\"“”]{12,}?),? because (?!of\b)(?P<cause>[^\"“”]{12,})$")
_BECAUSE_FIRST = re.compile(r"^Because (?!of\b)(?P<cause>[^,\"“”]{12,}), (?P<effect>[^\"“”]{12,})$")
_SO = re.compile(
    r"^(?P<cause>[^\"“”]{12,}?), so (?!that\b|much\b|many\b|far\b)(?P<effect>[^\"“”]{12,})$"
)
_RESULT_START = re.compile(
    r"^(?:As a result|Because of (?:this|that)|For (?:this|that) reason|Consequently|"
    r"Therefore|That is why|That's why|This is why|Thus),?\s+(?P<effect>.{12,})$"
)
# A time the stem cannot name out of its sentence: "Why must the bill pass by then?"
_THEN = re.compile(r"\b(?:by|until|since|before|after) then\b|\bat (?:that|the) (?:time|point)\b")
_LEAD = re.compile(r"^(?:And|But|So|Yet|However|Still|Now|Today),?\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    sentence: Sentence  # the evidence: where the link is stated
    effect: str
    cause: str
    cause_sentences: frozenset[int]  # sentences that state the cause (kept out of wrong options)


def links(doc: Document) -> list[Link]:
    out: list[Link] = []
    previous: Sentence | None = None
    for s in doc.sentences:
        text = _LEAD.sub("", s.text.strip()).rstrip(".!")
        found = None
        for pattern in (_BECAUSE_FIRST, _BECAUSE, _SO):
            m = pattern.match(text)
            if m:
                found = Link(s, m.group("effect"), m.group("cause"), frozenset({s.index}))
                break
        if found is None:
            m = _RESULT_START.match(text)
            if m and previous is not None and previous.paragraph == s.paragraph:
                cause = previous.text.rstrip(".!")
                found = Link(s, m.group("effect"), cause, frozenset({s.index, previous.index}))
        if found is not None:
            out.append(found)
        previous = s
    return out


def build(doc: Document) -> list[Candidate]:
    statements = Statements(doc)
    found = links(doc)
    causes = {}
    for link in found:
        option = as_option(link.cause)
        if option:
            causes[link.sentence.index] = option
    out: list[Candidate] = []
    for link in found:
        key = causes.get(link.sentence.index)
        effect = syntax.parse_clause(link.effect)
        if key is None or effect is None:
            continue
        prompt = syntax.question(effect, "Why")
        if prompt is None or word_count(prompt) > 24:
            continue
        if starts_unresolved(prompt[4:]) or has_demonstrative(prompt) or _THEN.search(prompt):
            continue  # "Why did the plan fail?" is fine; "Why did this plan fail?" is not
        preferred = [
            Statement(other.sentence, text)
            for other in found
            if other is not link and (text := causes.get(other.sentence.index))
        ]
        wrong = statements.wrong_options(
            key,
            link.effect,
            link.sentence,
            doc.seed + prompt,
            preferred=preferred,
            # Neighbouring sentences often explain the same event: they could also be right.
            exclude_sentences={i + d for i in link.cause_sentences for d in (-1, 0, 1)},
        )
        if len(wrong) < 3:
            continue
        distractors = [(st.text, why) for st, why in wrong]
        # A long "rest" copied after the verb keeps the stem close to the text: rank it lower.
        copied = word_count(prompt) - 4
        out.append(
            candidate(
                doc,
                link.sentence,
                type="multiple_choice",
                prompt=prompt,
                explanation=f'{doc.label(link.sentence.paragraph)} gives the reason: "{key}"',
                skill="inference",
                difficulty=2,
                score=3.4 - 0.05 * max(0, copied - 10),
                choices=choice_set(prompt + doc.seed, key, distractors),
                fact=f"cause:{link.sentence.index}",
            )
        )
        out[-1].kind = "cause"
    return out
