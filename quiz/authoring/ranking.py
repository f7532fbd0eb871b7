"""Select a balanced default set from the ranked pool: spread over paragraphs, one question per
fact, a mix of types and difficulties, no near-duplicate prompts, keys not tell-tale."""

from __future__ import annotations

import math
from collections.abc import Mapping

from rapidfuzz import fuzz

from .answers import normalize
from .document import content_lemmas
from .models import CHOICE_TYPES, Candidate
from .text import word_count

NEAR_DUPLICATE = 85  # rapidfuzz ratio on prompts
KEY_LONGEST_MAX = 0.3


PENALTY_WEIGHT = 2.0  # score lost by a kind that teachers reject every time
SCORE_FLOOR = 1.5  # below this a candidate is not offered by default (every builder starts above)


def rank(pool: list[Candidate], penalties: Mapping[str, float] | None = None) -> list[Candidate]:
    if penalties:
        for c in pool:
            c.score = round(c.score - PENALTY_WEIGHT * penalties.get(c.kind, 0.0), 4)
    return sorted(pool, key=lambda c: (-c.score, c.paragraph, c.start, c.type, c.prompt))


def key_is_longest(c: Candidate) -> bool:
    if c.type not in CHOICE_TYPES or len(c.choices) < 2:
        return False
    key = len(c.key)
    return all(key > len(d.text) for d in c.distractors)


def near_duplicate(c: Candidate, chosen: list[Candidate]) -> bool:
    return any(fuzz.ratio(c.prompt, o.prompt) >= NEAR_DUPLICATE for o in chosen)


def select(pool: list[Candidate], count: int) -> list[Candidate]:
    chosen = _select(rank(pool), count)
    choice_items = [c for c in chosen if c.type in CHOICE_TYPES]
    if (
        choice_items
        and sum(map(key_is_longest, choice_items)) / len(choice_items) > KEY_LONGEST_MAX
    ):
        # Too many tell-tale keys in a small set: choose again without them.
        chosen = _select([c for c in rank(pool) if not key_is_longest(c)], count)
    return sorted(chosen, key=lambda c: (c.paragraph, c.start))  # in reading order


def _sentence_core(text: str) -> str:
    return text.strip().rstrip(".!?").strip()


def _gives_away(option: str, key: str) -> bool:
    """An option that says what another question's key says (most of its content words)."""
    key_words = set(content_lemmas(key))
    if len(key_words) < 2:
        return normalize(option) == normalize(key)
    return len(key_words & set(content_lemmas(option))) / len(key_words) >= 0.75


def leaks(c: Candidate, chosen: list[Candidate]) -> bool:
    """One question would give away another: a main-idea option quotes the other's evidence,
    or one question offers the other's key (or its gist) as an option."""
    for idea, other in [(c, o) for o in chosen] + [(o, c) for o in chosen]:
        if idea.type == "main_idea" and any(
            _sentence_core(ch.text) in other.evidence for ch in idea.choices
        ):
            return True
        if (
            other.type in CHOICE_TYPES
            and word_count(other.key) >= 4
            and any(not ch.correct and _gives_away(ch.text, other.key) for ch in idea.choices)
        ):
            return True
    return False


# At most this many questions of a kind in one quiz: variety, and no kind's weakness dominates.
KIND_CAP = {"vocabulary": 3, "paragraph_point": 2, "main_idea": 1, "detail": 2, "who_said": 1,
            "sequence": 1, "speaker_view": 3, "cause": 3, "detail_purpose": 2,
            "entity_fact": 3}  # fmt: skip


def _select(ranked: list[Candidate], count: int) -> list[Candidate]:
    chosen: list[Candidate] = []
    facts: set[str] = set()
    keys: set[str] = set()
    evidence: set[tuple[int, int]] = set()
    covered: dict[int, int] = {}
    by_kind: dict[str, int] = {}

    def allowed(c: Candidate) -> bool:
        if c.score < SCORE_FLOOR:
            return False
        if c.fact in facts or (c.paragraph, c.start) in evidence or near_duplicate(c, chosen):
            return False
        if c.type != "sequence" and normalize(c.key) in keys:
            return False  # never the same answer twice in one quiz
        if by_kind.get(c.kind, 0) >= KIND_CAP.get(c.kind, 2):
            return False
        if leaks(c, chosen):
            return False
        if key_is_longest(c):
            longest = sum(key_is_longest(o) for o in chosen) + 1
            choice_items = sum(o.type in CHOICE_TYPES for o in chosen) + 1
            if longest / max(choice_items, math.ceil(count / 2)) > KEY_LONGEST_MAX:
                return False
        return True

    while len(chosen) < count:
        best, best_value = None, -math.inf
        for c in ranked:
            if not allowed(c):
                continue
            value = (
                c.score
                + (0.8 if c.paragraph not in covered else -0.4 * covered[c.paragraph])
                - 0.6 * by_kind.get(c.kind, 0)
            )
            if value > best_value:
                best, best_value = c, value
        if best is None:
            break  # fewer, better: never pad the quiz with what did not pass
        chosen.append(best)
        facts.add(best.fact)
        keys.add(normalize(best.key))
        evidence.add((best.paragraph, best.start))
        covered[best.paragraph] = covered.get(best.paragraph, 0) + 1
        by_kind[best.kind] = by_kind.get(best.kind, 0) + 1
    return chosen
