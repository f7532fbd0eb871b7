"""Sequence: order three to five dated events. Only built when dates prove the order."""

from __future__ import annotations

import re

from ..document import Document
from ..entities import DateMention
from ..lexicon import MONTHS
from ..models import Candidate, ChoiceDraft
from ..text import (
    CLAUSE_BREAK_RE,
    Sentence,
    capitalize_first,
    starts_unresolved,
    strip_marker,
    word_count,
)
from .common import candidate

MIN_EVENTS, MAX_EVENTS = 3, 5
_MONTH = "|".join(m.capitalize() for m in MONTHS)
_DATE = (
    rf"(?:(?:early|late|mid-?)\s*)?(?:\d{{1,2}} )?(?:(?:{_MONTH})\s+(?:\d{{1,2}},?\s+)?)?\d{{4}}"
)
_LEADING = re.compile(
    rf"^(?:(?:In|On|By|During|Since|From|Until|Later in|Early in)\s+)?{_DATE},?\s+"
)
_INLINE = re.compile(
    rf",\s+(?:[a-z]+\s+){{0,2}}(?:in|on|during|by)\s+{_DATE}\s*,"  # ", completed in 1851,"
    rf"|,?\s+(?:in|on|during|by)\s+{_DATE}\b,?"
    rf"|\b{_DATE}\s+(?=[A-Za-z])"
)
_TRAILING_FUNCTION = re.compile(r"\s+(?:and|or|but|the|a|an|of|to|in|on|at|with|for|by)$", re.I)


def event_text(sentence: Sentence) -> str | None:
    """The sentence as a short event with its date removed (the date would give the order away)."""
    text = strip_marker(sentence.text)
    text = _LEADING.sub("", text, count=1)
    text = _INLINE.sub(" ", text)
    text = re.sub(r"\s+([,.;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    text = strip_marker(capitalize_first(text))
    if re.search(r"\b1\d{3}\b|\b20\d{2}\b", text) or starts_unresolved(text):
        return None
    m = CLAUSE_BREAK_RE.search(text)
    if m and word_count(text[: m.start()]) >= 5:
        text = text[: m.start()]
    m = re.search(r", and ", text)
    if m and word_count(text[: m.start()]) >= 7:
        text = text[: m.start()]
    words = text.rstrip(".").split()
    if len(words) > 16:
        cut = " ".join(words[:14])
        text = _TRAILING_FUNCTION.sub("", cut.rstrip(",;")) + " …"
    text = text.rstrip(" ,.;")
    return text if word_count(text) >= 4 else None


def _describe(date: DateMention) -> str:
    return date.text


def build(doc: Document) -> list[Candidate]:
    events: list[tuple[DateMention, Sentence, str]] = []
    for s in doc.sentences:
        dates = doc.entities.dates[s.index]
        if len(dates) != 1 or dates[0].decade:
            continue  # two dates in one sentence: which one dates the event is unclear
        text = event_text(s)
        if text:
            events.append((dates[0], s, text))
    # Keep only events whose order is provable: same year needs distinct known months.
    events.sort(key=lambda e: (e[0].sort_key, e[1].index))
    kept: list[tuple[DateMention, Sentence, str]] = []
    for event in events:
        if kept:
            prev = kept[-1][0]
            date = event[0]
            if date.year == prev.year and (
                not date.month or not prev.month or date.month == prev.month
            ):
                continue
        kept.append(event)
    if len(kept) < MIN_EVENTS:
        return []
    if len(kept) > MAX_EVENTS:  # spread the chosen events over the whole time range
        step = (len(kept) - 1) / (MAX_EVENTS - 1)
        kept = [kept[round(i * step)] for i in range(MAX_EVENTS)]
    anchor = min(kept, key=lambda e: e[1].index)[1]
    listing = "; ".join(f"{text} ({_describe(date)})" for date, _, text in kept)
    choices = [
        ChoiceDraft(text, True, f"{doc.label(s.paragraph)} dates this to {date.text}.")
        for date, s, text in kept
    ]
    return [
        candidate(
            doc,
            anchor,
            type="sequence",
            prompt="Put these events in chronological order, earliest first.",
            explanation=f"The article dates them: {listing}.",
            skill="sequence",
            difficulty=3 if len(kept) > 3 else 2,
            score=2.8,
            choices=choices,
            fact="sequence",
        )  # fmt: skip
    ]
