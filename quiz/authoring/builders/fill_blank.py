"""Typed fill-in-the-blank: a name, date, figure or rare content word blanked in its sentence."""

from __future__ import annotations

import re

from wordfreq import zipf_frequency

from .. import gazetteer
from ..document import Document, lemma_of
from ..lexicon import STOPWORDS
from ..models import BLANK, Candidate
from ..text import Sentence, contains_phrase, starts_unresolved
from .common import candidate, length_penalty, says

KINDS = ("country", "person", "org", "event", "place", "year", "number")
RARE_ZIPF = 3.3  # rarer than this (per wordfreq) counts as a key term worth typing


def _accepted(surface: str, kind: str, form: str, display: str) -> list[str]:
    answers = [surface]
    if kind == "country":
        country = gazetteer.country_of(display)
        if country is not None:
            same_role = (
                country.demonyms
                if form == "demonym"
                else ((country.name, *country.capitals, *country.aliases))
            )
            answers += list(same_role)
    elif kind == "person":
        answers += [display, display.split()[-1]]
    elif kind == "number" and "percent" in surface:
        number = surface.split()[0]
        answers += [f"{number}%", f"{number} per cent"]
    return list(dict.fromkeys(answers))


def _blank(doc: Document, s: Sentence, start: int, end: int) -> str | None:
    before, after = s.text[:start], s.text[end:]
    if re.search(r"\b(?:a|an)\s*$", before, re.IGNORECASE):
        return None  # "a _____" / "an _____" would hint at (or clash with) the answer
    if before[-1:] == "-" or after[:1] == "-":
        return None  # inside a compound word
    return before + BLANK + after


def build(doc: Document) -> list[Candidate]:
    out: list[Candidate] = []
    for s in doc.sentences:
        if s.words > 40 or s.text.endswith("?") or starts_unresolved(s.text):
            continue
        options: list[tuple[int, int, list[str], float, int]] = []
        for mention, entity in doc.entities.in_sentence(s.index, KINDS):
            if len(mention.text.split()) > 3 or len(mention.text) > 30:
                continue  # too long to expect a learner to type it
            accepted = _accepted(mention.text, entity.kind, mention.form, entity.display)
            bonus = 0.2 if entity.kind in ("person", "org", "event") else 0.0
            options.append((mention.start, mention.end, accepted, 1.8 + bonus, 2))
        for tok in s.tokens:
            low = tok.lower
            if tok.is_cap or not tok.text.isalpha() or low in STOPWORDS or len(low) < 5:
                continue
            zipf = zipf_frequency(low, "en")
            if zipf >= RARE_ZIPF:
                continue
            accepted = list(dict.fromkeys([tok.text, lemma_of(tok.text)]))
            options.append((tok.start, tok.end, accepted, 1.6 + (RARE_ZIPF - zipf) * 0.1, 3))
        for start, end, accepted, score, level in options:
            prompt = _blank(doc, s, start, end)
            if prompt is None or any(contains_phrase(prompt, a) for a in accepted):
                continue
            key = accepted[0]
            out.append(
                candidate(
                    doc,
                    s,
                    type="fill_blank",
                    prompt=prompt,
                    explanation=f'The missing word is "{key}". {says(doc, s)}',
                    skill="literal" if level == 2 else "vocabulary",
                    difficulty=level,
                    score=score + length_penalty(prompt, 35),
                    accepted=accepted,
                )  # fmt: skip
            )
    return out
