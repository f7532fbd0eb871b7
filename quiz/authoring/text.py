"""Sentences with exact character spans, tokens, and small text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from .lexicon import DISCOURSE_MARKERS, UNRESOLVED_STARTS

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
WORD_RE = re.compile(r"\S+")
_MARKER_RE = re.compile(
    r"^(?:"
    + "|".join(re.escape(m) for m in sorted(DISCOURSE_MARKERS, key=len, reverse=True))
    + r")\b,?\s+",
    re.IGNORECASE,
)
# Where a long sentence can be cut without leaving a dangling phrase.
CLAUSE_BREAK_RE = re.compile(r"\s*(?:—|–| - |;|:|, (?:which|while|whereas|although|though|but|"
                             r"whether|an allegation|as|with|from|either)\b)")  # fmt: skip


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # offsets within the sentence text
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True)
class Sentence:
    index: int  # position in the whole article (paragraph order)
    paragraph: int
    start: int  # offsets within the paragraph string
    end: int
    text: str

    @property
    def tokens(self) -> list[Token]:
        return tokenize(self.text)

    @property
    def words(self) -> int:
        return len(WORD_RE.findall(self.text))


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of a paragraph, so paragraph[start:end] is exact."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(paragraph):
        piece = piece.strip()
        if not piece:
            continue
        at = paragraph.find(piece, cursor)
        if at < 0:  # pysbd altered the text: fall back to the rest of the paragraph
            rest = paragraph[cursor:].strip()
            if rest:
                at = paragraph.find(rest, cursor)
                spans.append((at, at + len(rest)))
            break
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    return spans


def sentences_of(paragraphs: tuple[str, ...] | list[str]) -> list[Sentence]:
    out: list[Sentence] = []
    for p, paragraph in enumerate(paragraphs):
        for start, end in split_sentences(paragraph):
            out.append(Sentence(len(out), p, start, end, paragraph[start:end]))
    return out


@lru_cache(maxsize=4096)
def _tokenize(text: str) -> tuple[Token, ...]:
    tokens = []
    for m in TOKEN_RE.finditer(text):
        word, start = m.group(), m.start()
        # Split off possessive 's so "Iran’s" yields the name "Iran".
        low = word.lower()
        if low.endswith(("'s", "’s")) and len(word) > 2:
            word = word[:-2]
        tokens.append(Token(word, start, start + len(word)))
    return tuple(tokens)


def tokenize(text: str) -> list[Token]:
    return list(_tokenize(text))


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text))


_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{2,40}(?:\([^)]{1,30}\))?\s*[—–-]+\s+")


def strip_marker(text: str) -> str:
    """Drop a leading dateline ("WASHINGTON — ") or connector ("However, ...")."""
    text = _DATELINE.sub("", text, count=1)
    stripped = _MARKER_RE.sub("", text, count=1)
    return capitalize_first(stripped) if stripped != text else text


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def first_word(text: str) -> str:
    m = re.search(r"[A-Za-z’']+", text)
    return m.group().lower().replace("’", "'") if m else ""


def starts_unresolved(text: str) -> bool:
    """True when the text opens with a pronoun/demonstrative that needs the previous sentence."""
    body = re.sub(r'^[\s"“‘\'(]+', "", text)
    return first_word(body) in UNRESOLVED_STARTS


_DEMONSTRATIVE = re.compile(
    r"\b(?:this|these|those)\s+(?!article|paragraph|sentence|statement|view|question|events?\b)"
    r"[a-z]+",
    re.IGNORECASE,
)


def has_demonstrative(text: str) -> bool:
    """'these alliances', 'this move': a reference the reader cannot resolve out of context."""
    return _DEMONSTRATIVE.search(text) is not None


def first_clause(text: str, min_words: int = 8) -> str:
    """The sentence up to its first clause break, if that leaves at least `min_words` words."""
    for m in CLAUSE_BREAK_RE.finditer(text):
        head = text[: m.start()].rstrip(" ,")
        if word_count(head) >= min_words:
            return head
    return text


def as_statement(text: str) -> str:
    text = text.strip().rstrip(" ,;:—–")
    if not text.endswith((".", "!", "?")):
        text += "."
    return text


@lru_cache(maxsize=65536)
def contains_phrase(haystack: str, needle: str) -> bool:
    """Word-boundary, case-insensitive containment (after answer normalisation)."""
    from .answers import normalize

    h, n = normalize(haystack), normalize(needle)
    if not n or n not in h:
        return False
    return f" {n} " in f" {h} "


def fix_article(prefix: str, word: str) -> str:
    """Make a trailing "a"/"an" in `prefix` agree with the word that follows it."""
    m = re.search(r"\b(a|an|A|An)\s+$", prefix)
    if not m:
        return prefix
    vowel = word[:1].lower() in "aeio" or (
        word[:1].lower() == "u" and not word.lower().startswith(("uni", "use", "usu"))
    )
    article = "an" if vowel else "a"
    if m.group(1)[0].isupper():
        article = article.capitalize()
    return prefix[: m.start(1)] + article + prefix[m.end(1) :]
