"""The offline, deterministic generator: analyse, over-generate, check, rank, select."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz

from .answers import normalize
from .builders import BUILDERS
from .checks import problems, rubric_problems
from .document import Document
from .models import ArticleText, Candidate, UnsupportedLanguage
from .ranking import NEAR_DUPLICATE, rank, select
from .text import word_count

WORDS_PER_QUESTION = 60
MIN_COUNT, MAX_COUNT = 5, 15
# Types whose questions copy a sentence by construction (a blank in it, or the sentence itself
# as a statement): they test matching, not reading, so they are not generated at all.
# Kinds for the question types of the older entity-based builders.
TYPE_KINDS = {"multiple_choice": "detail", "who_holds_view": "who_said", "main_idea": "main_idea",
              "vocabulary": "vocabulary", "sequence": "sequence"}  # fmt: skip


def default_count(article: ArticleText) -> int:
    """How many questions to aim for: about one per 60 words, five to fifteen. It is a
    ceiling: the set holds only what passes the checks, so a short article may get fewer."""
    words = sum(word_count(p) for p in (*article.summary, *article.paragraphs))
    return max(MIN_COUNT, min(MAX_COUNT, round(words / WORDS_PER_QUESTION)))


_ENGLISH = frozenset(
    "the of and to a in is that it was for on are with as be at by this have from not but "
    "they his her which an were been has their we will would there what when who said".split()
)


def is_english(article: ArticleText) -> bool:
    """Common English function words make up a fifth or more of any English prose and almost
    none of French, Spanish or German."""
    words = [w.lower() for p in article.paragraphs for w in re.findall(r"[^\W\d_]+", p)]
    if len(words) < 20:
        return True  # too little to tell; the builders will find little anyway
    return sum(w in _ENGLISH for w in words) / len(words) >= 0.12


def main_subjects(doc: Document) -> set[str]:
    """Names of what the article is about (its most mentioned entity, and any close to it): a
    key that is one of them can be guessed from the title."""
    named = [
        e
        for e in doc.entities.entities.values()
        if e.kind in ("person", "org", "country", "place", "event", "name")
    ]
    if not named:
        return set()
    top = max(len(e.mentions) for e in named)
    if top < 3:
        return set()
    return {
        normalize(form)
        for e in named
        if len(e.mentions) >= 0.6 * top
        for form in doc.surface_forms(e)
    }


def candidates(
    article: ArticleText, penalties: Mapping[str, float] | None = None
) -> list[Candidate]:
    """The over-generated pool, with every candidate that fails a check removed, ranked."""
    if not any(p.strip() for p in article.paragraphs):
        return []
    if not is_english(article):
        raise UnsupportedLanguage()
    doc = Document(article)
    subjects = main_subjects(doc)
    pool: list[Candidate] = []
    for build in BUILDERS:
        for c in build(doc):
            c.kind = c.kind or TYPE_KINDS.get(c.type, "detail")
            if problems(article, c) or rubric_problems(article, c, subjects):
                continue
            if any(
                o.type == c.type
                and o.fact != c.fact
                and fuzz.ratio(o.prompt, c.prompt) >= NEAR_DUPLICATE
                for o in pool
            ):
                continue
            pool.append(c)
    return rank(pool, penalties)


def generate(
    article: ArticleText,
    count: int | None = None,
    penalties: Mapping[str, float] | None = None,
) -> list[Candidate]:
    """The default question set. `penalties` maps a question kind (models.KINDS) to the share
    of that kind's reviewed questions teachers rejected (0..1); the ranking lowers those kinds.
    Raises UnsupportedLanguage for an article that is not in English."""
    if count is None:
        count = default_count(article)
    return select(candidates(article, penalties), count)
