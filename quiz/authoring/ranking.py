"""Select a balanced default set from the ranked pool: spread over paragraphs, one question per
fact, a mix of types and difficulties, no near-duplicate prompts, keys not tell-tale."""

from __future__ import annotations

import math

from rapidfuzz import fuzz

from .distractors import move_key
from .document import stable_hash
from .models import CHOICE_TYPES, Candidate

NEAR_DUPLICATE = 85  # rapidfuzz ratio on prompts
KEY_LONGEST_MAX = 0.4
TYPE_ORDER = (
    "main_idea",
    "who_holds_view",
    "sequence",
    "multiple_choice",
    "true_false",
    "vocabulary",
    "fill_blank",
)


def rank(pool: list[Candidate]) -> list[Candidate]:
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
    return spread_keys(rank(chosen))


def _sentence_core(text: str) -> str:
    return text.strip().rstrip(".!?").strip()


def leaks(c: Candidate, chosen: list[Candidate]) -> bool:
    """A main-idea option quotes another question's evidence sentence: it would give it away."""
    for idea, other in [(c, o) for o in chosen] + [(o, c) for o in chosen]:
        if idea.type == "main_idea" and any(
            _sentence_core(ch.text) in other.evidence for ch in idea.choices
        ):
            return True
    return False


def _select(ranked: list[Candidate], count: int) -> list[Candidate]:
    per_type_cap = max(2, math.ceil(count * 0.3))
    chosen: list[Candidate] = []
    facts: set[str] = set()
    covered: dict[int, int] = {}
    by_type: dict[str, int] = {}
    tf_truth: dict[str, int] = {}

    def allowed(c: Candidate) -> bool:
        if c.fact in facts or by_type.get(c.type, 0) >= per_type_cap or near_duplicate(c, chosen):
            return False
        if leaks(c, chosen):
            return False
        if key_is_longest(c):
            longest = sum(key_is_longest(o) for o in chosen) + 1
            choice_items = sum(o.type in CHOICE_TYPES for o in chosen) + 1
            # Judge against the share of choice questions a full set will have, so that the
            # first few picks are not all refused; small sets then allow none.
            if longest / max(choice_items, math.ceil(count / 2)) > KEY_LONGEST_MAX:
                return False
        if c.type == "true_false":  # keep true and false statements balanced
            truth = c.key
            if tf_truth.get(truth, 0) > tf_truth.get("False" if truth == "True" else "True", 0):
                return False
        return True

    def take(c: Candidate) -> None:
        chosen.append(c)
        facts.add(c.fact)
        covered[c.paragraph] = covered.get(c.paragraph, 0) + 1
        by_type[c.type] = by_type.get(c.type, 0) + 1
        if c.type == "true_false":
            tf_truth[c.key] = tf_truth.get(c.key, 0) + 1

    # Phase 1: the best question of each type, preferring paragraphs not yet used.
    for qtype in TYPE_ORDER:
        if len(chosen) >= count:
            break
        options = [c for c in ranked if c.type == qtype and allowed(c)]
        if options:
            take(min(options, key=lambda c: (c.paragraph in covered, -c.score)))
    # Phase 2: fill up, rewarding new paragraphs and rarely used types.
    while len(chosen) < count:
        best, best_value = None, -math.inf
        for c in ranked:
            if not allowed(c):
                continue
            value = (
                c.score
                + (1.5 if c.paragraph not in covered else -0.6 * covered[c.paragraph])
                - 0.5 * by_type.get(c.type, 0)
            )
            if value > best_value:
                best, best_value = c, value
        if best is None:
            break
        take(best)
    return chosen


def spread_keys(items: list[Candidate]) -> list[Candidate]:
    """Rotate key positions over the choice questions so no position dominates."""
    offset = stable_hash("".join(c.prompt for c in items)) % 4
    k = 0
    for c in items:
        if c.type in CHOICE_TYPES and c.choices:
            c.choices = move_key(c.choices, (offset + k) % len(c.choices))
            k += 1
    return items
