"""The point of a paragraph: of the statements a paragraph makes, the one that shares most
with the rest of that paragraph; the wrong options are the points of other paragraphs, so
each is true of the article but not of the paragraph asked about."""

from __future__ import annotations

import re

from ..document import Document, content_lemmas, stable_hash
from ..models import Candidate
from ..statements import Statement, Statements
from .common import candidate, choice_set

MIN_SENTENCES = 3  # a paragraph of one or two sentences has no point apart from its sentence
# A reported remark ("X said ...") is evidence the paragraph cites, not the point it makes.
_REPORTED = re.compile(r"\b(?:said|says|told|tells|added|according to)\b")


def points(doc: Document) -> dict[int, tuple[Statement, float]]:
    """paragraph -> (its most central statement, how central: shared lemmas per word)."""
    lemmas = {s.index: set(content_lemmas(s.text)) for s in doc.sentences}
    best: dict[int, tuple[Statement, float]] = {}
    for st in Statements(doc).all:
        p = st.paragraph
        others = [s for s in doc.sentences if s.paragraph == p and s.index != st.sentence.index]
        own = set(content_lemmas(st.text))
        if not others or not own or _REPORTED.search(st.text):
            continue
        shared = sum(len(own & lemmas[s.index]) for s in others) / (len(own) ** 0.5)
        if p not in best or shared > best[p][1]:
            best[p] = (st, shared)
    return best


def build(doc: Document) -> list[Candidate]:
    found = points(doc)
    sizes = {p: sum(s.paragraph == p for s in doc.sentences) for p in found}
    out: list[Candidate] = []
    for p, (key, shared) in found.items():
        if sizes[p] < MIN_SENTENCES or shared < 1.0:
            continue
        others = sorted(
            (q for q in found if q != p and abs(q - p) > 1),
            key=lambda q: stable_hash(doc.seed, str(p), str(q)),
        )
        key_words = set(content_lemmas(key.text))
        picked = []
        for q in others:
            st = found[q][0]
            words = set(content_lemmas(st.text))
            if len(words & key_words) / max(1, len(words | key_words)) < 0.25:
                picked.append(st)
            if len(picked) == 3:
                break
        if len(picked) < 3:
            continue
        prompt = f"Which statement best sums up {doc.label(p).lower()}?"
        distractors = [
            (st.text, f"This is the point of {doc.label(st.paragraph).lower()}, not of this one.")
            for st in picked
        ]
        out.append(
            candidate(
                doc,
                key.sentence,
                type="main_idea",
                prompt=prompt,
                explanation=f'{doc.label(p)} is mostly about this: "{key.text}"',
                skill="main_idea",
                difficulty=2,
                score=2.6 + min(0.4, shared / 10),
                choices=choice_set(prompt + doc.seed, key.text, distractors),
                fact=f"point:{p}",
            )
        )
        out[-1].kind = "paragraph_point"
    return out
