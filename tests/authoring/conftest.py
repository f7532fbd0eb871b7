"""Fixtures for the authoring tests: the four fixture articles, parsed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quiz.authoring import ArticleText

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
NAMES = ("iran-azerbaijan-tensions", "science-explainer", "history-narrative", "news-report")


def _paragraphs(block: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", block) if p.strip()]


def load_article(name: str) -> ArticleText:
    """Sample format: 3 metadata lines, "Short version" paragraphs, "Full version" paragraphs.
    Anything else: every blank-line paragraph is body."""
    paragraphs = _paragraphs((ARTICLES / f"{name}.txt").read_text(encoding="utf-8"))
    lowered = [p.lower() for p in paragraphs]
    if "full version" not in lowered:
        return ArticleText(paragraphs=tuple(paragraphs))
    full = lowered.index("full version")
    short = lowered.index("short version") if "short version" in lowered else full
    return ArticleText(
        paragraphs=tuple(paragraphs[full + 1 :]),
        summary=tuple(paragraphs[short + 1 : full]),
    )


@pytest.fixture(scope="session")
def sample() -> ArticleText:
    return load_article("iran-azerbaijan-tensions")


@pytest.fixture(scope="session", params=NAMES)
def article(request) -> ArticleText:
    return load_article(request.param)


@pytest.fixture(scope="session")
def load():
    """The loader itself, for tests that need one particular article."""
    return load_article
