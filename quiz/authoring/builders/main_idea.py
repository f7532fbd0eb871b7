"""Main idea: the summary's first sentence, or the most central sentence of the opening or the
conclusion; distractors are true but narrow details from the middle of the article."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..document import Document, content_lemmas, stable_hash
from ..models import Candidate
from ..text import (
    Sentence,
    as_statement,
    first_clause,
    has_demonstrative,
    split_sentences,
    starts_unresolved,
    strip_marker,
    word_count,
)
from .common import candidate, choice_set

_PRONOUN = re.compile(r"\b(?:it|they|them|he|she|him)\b", re.IGNORECASE)
PROMPT = "Which statement best sums up the main idea of the article?"


def thesis(doc: Document) -> tuple[Sentence, str] | None:
    """(evidence sentence, key statement)."""
    if doc.article.summary:
        first = doc.article.summary[0]
        spans = split_sentences(first)
        if spans:
            text = first[spans[0][0] : spans[0][1]]
            best = max(
                doc.sentences,
                key=lambda s: (fuzz.ratio(s.text, text), -s.index),
                default=None,
            )
            if best is not None and fuzz.ratio(best.text, text) >= 60:
                return best, _shorten(best.text, 32)
    # No summary: only a news-style lede qualifies, i.e. an opening sentence that is a general
    # claim (no dates or figures) built from the article's most repeated words. Explainers and
    # narratives rarely state their thesis in one sentence, so they get no main-idea question.
    if not doc.sentences:
        return None
    lede = doc.sentences[0]
    top = max(doc.topicality(s.index) for s in doc.sentences)
    if (
        not _usable(lede)
        or lede.words < 10
        or _context_bound(lede.text)
        or any(e.kind in ("year", "number") for _, e in doc.entities.in_sentence(lede.index))
        or doc.entities.dates[lede.index]
        or doc.topicality(lede.index) < 0.8 * top
    ):
        return None
    return lede, _shorten(lede.text, 32)


def _overlap(a: str, b: str) -> float:
    wa, wb = set(content_lemmas(a)), set(content_lemmas(b))
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def _context_bound(text: str) -> bool:
    """Leans on earlier sentences ("changed that", "these projects"): unfit as a thesis."""
    return (
        has_demonstrative(text)
        or re.search(
            r"\b(?:this|that|these|those)\s*[,.;]|"
            r"\bthat\s+(?:for|to|in|on|with)\b",
            text,
        )
        is not None
    )


def _usable(s: Sentence) -> bool:
    text = strip_marker(s.text)
    if re.search(r'["“”]', text) or re.search(r"[a-z]\.[A-Z][a-z]", text):
        return False  # a quotation, or two sentences glued by a missing space ("talks.Reports")
    return not text.endswith("?") and not starts_unresolved(text)


def _shorten(text: str, limit: int) -> str:
    text = strip_marker(text)
    # A trailing participle clause (", ending two years of debate") is a detail, not the point.
    m = re.search(r",\s+[a-z]+ing\b[^,]*[.!]?$", text)
    if m and word_count(text[: m.start()]) >= 10:
        text = text[: m.start()]
    if word_count(text) > limit:
        text = first_clause(text, 10)
    return as_statement(text)


def build(doc: Document) -> list[Candidate]:
    found = thesis(doc)
    if found is None:
        return []
    evidence, key = found
    key_words = word_count(key)
    last = doc.sentences[-1].paragraph
    ranked = sorted(doc.centrality.values())
    median = ranked[(len(ranked) * 3) // 4] if ranked else 0.0  # upper quartile, in fact
    details: list[tuple[Sentence, str]] = []
    for s in doc.sentences:
        if s.paragraph in (0, last) or s.index == evidence.index or not _usable(s):
            continue
        if _context_bound(s.text) or _PRONOUN.search(s.text):
            continue  # a detail that leans on its neighbours reads oddly on its own
        if doc.centrality[s.index] > median or _overlap(s.text, key) >= 0.5:
            continue  # too central or too close to the key: it might also be a fair summary
        text = strip_marker(s.text)
        if word_count(text) > key_words * 1.3:
            text = first_clause(text, max(8, int(key_words * 0.6)))
        text = as_statement(text)
        if max(7, key_words * 0.5) <= word_count(text) <= key_words * 1.5:
            details.append((s, text))
    # Closest in length first, one per paragraph, so no option stands out by its size.
    details.sort(key=lambda d: (abs(len(d[1]) - len(key)) // 15, stable_hash(doc.seed, d[1])))
    picked: list[tuple[Sentence, str]] = []
    for s, text in details:
        if all(s.paragraph != p.paragraph for p, _ in picked):
            picked.append((s, text))
        if len(picked) == 3:
            break
    if len(picked) < 3:
        return []
    if all(len(text) < len(key) for _, text in picked):
        longer = [d for d in details if len(d[1]) >= len(key) and d not in picked]
        if longer:
            picked[-1] = longer[0]
    distractors = [
        (text, f"True detail from {doc.label(s.paragraph).lower()}, but too narrow to sum up "
               "the whole article.")
        for s, text in picked
    ]  # fmt: skip
    return [
        candidate(
            doc,
            evidence,
            type="main_idea",
            prompt=PROMPT,
            explanation=(
                f'The article\'s central point is: "{key}" The other options are details '
                "from single paragraphs."
            ),
            skill="main_idea",
            difficulty=3,
            score=3.0,
            choices=choice_set(PROMPT + doc.seed, key, distractors),
            fact="main_idea",
        )  # fmt: skip
    ]
