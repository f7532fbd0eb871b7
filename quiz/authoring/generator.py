"""The offline, deterministic generator: analyse, over-generate, check, rank, select."""

from __future__ import annotations

import math

from rapidfuzz import fuzz

from .builders import BUILDERS
from .checks import problems
from .document import Document
from .models import ArticleText, Candidate
from .ranking import NEAR_DUPLICATE, rank, select
from .text import word_count

WORDS_PER_QUESTION = 100
MIN_COUNT, MAX_COUNT = 4, 30


COVERAGE_TARGET = 0.7  # share of paragraphs with a question (the evaluation bar)


def default_count(article: ArticleText) -> int:
    words = sum(word_count(p) for p in (*article.summary, *article.paragraphs))
    # About one question per 100 words, but enough to reach 70% of the paragraphs of a short
    # article with many short paragraphs (the selection spreads evidence across them).
    by_length = round(words / WORDS_PER_QUESTION)
    by_coverage = math.ceil(COVERAGE_TARGET * len(article.paragraphs))
    return max(MIN_COUNT, min(MAX_COUNT, max(by_length, by_coverage)))


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
