"""Same-kind distractors (article first, general tables as fallback) and option ordering."""

from __future__ import annotations

from . import gazetteer
from .answers import same_answer
from .document import Document, stable_hash
from .entities import Entity
from .models import ChoiceDraft
from .text import Sentence, contains_phrase


def _named_in(doc: Document, entity: Entity, text: str) -> bool:
    return any(contains_phrase(text, form) for form in doc.surface_forms(entity))


def form_of(entity: Entity, form: str) -> str:
    """The entity in a given grammatical form: a capital for a capital, a demonym for a demonym.
    A form the article itself uses ("Tel Aviv") wins over the table's first entry."""
    if entity.kind != "country" or form in ("country", "alias"):
        return entity.display
    for mention in entity.mentions:
        if mention.form == form:
            return mention.text
    country = gazetteer.country_of(entity.display)
    if country is None:
        return entity.display
    names = country.capitals if form == "capital" else country.demonyms
    return names[0] if names else ""


def entity_distractors(
    doc: Document,
    key: Entity,
    sentence: Sentence,
    prompt: str,
    form: str = "country",
    n: int = 3,
) -> list[tuple[str, str]]:
    """Like _candidates, but avoid a set where every distractor is shorter than the key
    (a key that is always the longest option is a give-away)."""
    options = _candidates(doc, key, sentence, prompt, form, n + 12)
    picked = options[:n]
    key_len = len(form_of(key, form))
    if len(picked) == n and all(len(t) < key_len for t, _ in picked):
        longer = [o for o in options[n:] if len(o[0]) >= key_len]
        if longer:
            picked[-1] = longer[0]
    return picked


def _candidates(
    doc: Document,
    key: Entity,
    sentence: Sentence,
    prompt: str,
    form: str = "country",
    n: int = 3,
) -> list[tuple[str, str]]:
    """Up to n (text, rationale) pairs of the key's kind, none named in the evidence or prompt."""
    label = doc.label(sentence.paragraph)
    key_text = form_of(key, form)
    picked: list[tuple[str, str]] = []

    def usable(text: str) -> bool:
        return (
            bool(text)
            and not same_answer(text, key_text)
            and not any(same_answer(text, p) for p, _ in picked)
            and not contains_phrase(sentence.text, text)
            and not contains_phrase(prompt, text)
        )

    pool = [
        e
        for e in doc.entities.entities.values()
        if e.kind == key.kind and e.key != key.key and (key.kind != "number" or e.unit == key.unit)
    ]
    # Most-mentioned first: those are the names a reader has actually met in the article.
    pool.sort(key=lambda e: (-len(e.mentions), e.mentions[0].sentence))
    for entity in pool:
        if entity.kind == "country" and _region(entity) == "x" and _region(key) != "x":
            continue
        if _named_in(doc, entity, sentence.text) or _named_in(doc, entity, prompt):
            continue
        text = form_of(entity, form)
        if usable(text):
            why = f"{label} does not say this about {text}."
            picked.append((text, why))
        if len(picked) == n:
            return picked
    for text, why in _fallback(doc, key, form):
        if usable(text):
            picked.append((text, why))
        if len(picked) == n:
            break
    return picked


_NOUN = {"country": "place", "person": "person", "org": "organisation", "year": "year",
         "number": "figure", "event": "event", "place": "place"}  # fmt: skip


def _region(entity: Entity) -> str:
    country = gazetteer.country_of(entity.display)
    return country.region if country else ""


def _fallback(doc: Document, key: Entity, form: str) -> list[tuple[str, str]]:
    """General-knowledge alternatives when the article has too few of the key's kind."""
    if key.kind == "country":
        country = gazetteer.country_of(key.display)
        region = country.region if country else ""
        rows = [c for c in gazetteer.countries() if c.region == region and c is not country]
        rows.sort(key=lambda c: stable_hash(doc.seed, key.key, c.name))
        out = []
        for c in rows:
            text = (
                c.name
                if form in ("country", "alias")
                else ((c.capitals or ("",))[0] if form == "capital" else (c.demonyms or ("",))[0])
            )
            out.append((text, f"The article does not mention {text}."))
        return out
    if key.kind == "year" and key.value is not None:
        year = int(key.value)
        offsets = (-3, 4, -7, 9, -12, 2, -1, 6)
        return [
            (str(year + d), f"The article does not date this to {year + d}.")
            for d in offsets
            if not any(e.key == f"year:{year + d}" for e in doc.entities.of_kind("year"))
        ]
    if key.kind == "number" and key.value is not None:
        out = []
        for factor in (0.5, 2.0, 1.5, 3.0, 0.25):
            value = key.value * factor
            if key.unit == "percent" and value >= 100:
                continue
            number = f"{value:g}" if value != int(value) else str(int(value))
            text = key.display.replace(_number_part(key.display), number, 1)
            out.append((text, f"The article gives a different figure: {key.display}."))
        return out
    return []


def _number_part(display: str) -> str:
    import re

    m = re.match(r"[\d.,]+", display)
    return m.group() if m else display


def order_choices(seed: str, key: ChoiceDraft, distractors: list[ChoiceDraft]) -> list[ChoiceDraft]:
    """Deterministic, not key-first order: distractors by hash, key at a hashed position."""
    ordered = sorted(distractors, key=lambda c: stable_hash(seed, c.text))
    position = stable_hash(seed, "key") % (len(ordered) + 1)
    return ordered[:position] + [key] + ordered[position:]


def move_key(choices: list[ChoiceDraft], position: int) -> list[ChoiceDraft]:
    """Same distractor order, key moved to `position` (used to spread key positions)."""
    key = [c for c in choices if c.correct]
    rest = [c for c in choices if not c.correct]
    position = max(0, min(position, len(rest)))
    return rest[:position] + key + rest[position:]
