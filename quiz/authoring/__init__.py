"""Offline reading-comprehension question generator (pure Python, deterministic)."""

from .generator import candidates, default_count, generate
from .models import (
    GENERATOR_NAME,
    GENERATOR_VERSION,
    KINDS,
    QUESTION_TYPES,
    SKILLS,
    ArticleText,
    Candidate,
    ChoiceDraft,
    UnsupportedLanguage,
)
from .parsing import parse_article

__all__ = [
    "GENERATOR_NAME",
    "GENERATOR_VERSION",
    "KINDS",
    "QUESTION_TYPES",
    "SKILLS",
    "ArticleText",
    "Candidate",
    "ChoiceDraft",
    "UnsupportedLanguage",
    "candidates",
    "default_count",
    "generate",
    "parse_article",
]
