"""Turn a plain-text file into ArticleText: either a plain article (blank-line paragraphs) or
the column format with metadata lines, a "Short version" and a "Full version" section."""

from __future__ import annotations

import re

from .models import ArticleText

_SHORT = re.compile(r"^\s*short version\s*:?\s*$", re.IGNORECASE)
_FULL = re.compile(r"^\s*full version\s*:?\s*$", re.IGNORECASE)


def _paragraphs(block: str) -> list[str]:
    return [re.sub(r"\s*\n\s*", " ", p).strip() for p in re.split(r"\n\s*\n", block) if p.strip()]


def parse_article(raw: str, title: str = "") -> ArticleText:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _paragraphs(raw)
    full_at = next((i for i, p in enumerate(paragraphs) if _FULL.match(p)), None)
    if full_at is None:
        return ArticleText(paragraphs=tuple(paragraphs), title=title)
    short_at = next((i for i, p in enumerate(paragraphs) if _SHORT.match(p)), None)
    summary = paragraphs[short_at + 1 : full_at] if short_at is not None else []
    return ArticleText(
        paragraphs=tuple(paragraphs[full_at + 1 :]), summary=tuple(summary), title=title
    )
