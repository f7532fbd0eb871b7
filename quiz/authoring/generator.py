"""The offline, deterministic generator: analyse, over-generate, check, rank, select."""

from __future__ import annotations

from rapidfuzz import fuzz

from .builders import BUILDERS
from .checks import problems
from .document import Document
from .models import ArticleText, Candidate
from .ranking import NEAR_DUPLICATE, rank, select
from .text import word_count

WORDS_PER_QUESTION = 100
MIN_COUNT, MAX_COUNT = 4, 30


def default_count(article: ArticleText) -> int:
    words = sum(word_count(p) for p in (*article.summary, *article.paragraphs))
    return max(MIN_COUNT, min(MAX_COUNT, round(words / WORDS_PER_QUESTION)))


def candidates(article: ArticleText) -> list[Candidate]:
    """The over-generated pool, with every candidate that fails a check removed, ranked."""
    if not any(p.strip() for p in article.paragraphs):
        return []
    doc = Document(article)
    pool: list[Candidate] = []
    for build in BUILDERS:
        for c in build(doc):
            if problems(article, c):
                continue
            if any(
                o.type == c.type
                and o.fact != c.fact
                and fuzz.ratio(o.prompt, c.prompt) >= NEAR_DUPLICATE
                for o in pool
            ):
                continue
            pool.append(c)
    return rank(pool)


def generate(article: ArticleText, count: int | None = None) -> list[Candidate]:
    if count is None:
        count = default_count(article)
    return select(candidates(article), count)
