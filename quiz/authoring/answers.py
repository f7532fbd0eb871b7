"""Answer normalisation and typed-answer matching (pure; used by grading and by the checks)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lemminflect import getLemma
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from . import gazetteer
from .lexicon import NUMBER_WORDS

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "´": "'"})
_LEADING_ARTICLE = re.compile(r"^(?:the|an|a)\s+")
# A typed answer that is itself a common word is a *different* answer, not a typo.
_KNOWN_WORD_ZIPF = 3.0


def normalize(text: str) -> str:
    return _normalize(text or "")


@lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    text = re.sub(r"'s\b", "", text)  # possessive: "Iran's" -> "iran"
    # Dashes, quotes, brackets and symbols all become separators.
    text = "".join(" " if _is_mark(ch) else ch for ch in text)
    text = " ".join(text.split())
    return _LEADING_ARTICLE.sub("", text)


@lru_cache(maxsize=4096)
def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


@lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    if word.isdigit():
        return word
    if word in NUMBER_WORDS:
        return str(NUMBER_WORDS[word])
    lemmas = getLemma(word, upos="NOUN")
    return lemmas[0].lower() if lemmas else word


def _lemmas(text: str) -> tuple[str, ...]:
    return tuple(_lemma(w) for w in normalize(text).split())


def _is_alias(a: str, b: str) -> bool:
    return gazetteer.same_place(a, b)


def same_answer(a: str, b: str) -> bool:
    """Equal after normalisation, singular/plural, or aliases of one country."""
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return False
    return na == nb or _lemmas(na) == _lemmas(nb) or _is_alias(na, nb)


def _is_known_word(word: str) -> bool:
    return gazetteer.is_known(word) or zipf_frequency(word, "en") >= _KNOWN_WORD_ZIPF


def _typo_close(given: str, key: str) -> bool:
    if any(ch.isdigit() for ch in given + key):
        return False  # 2020 vs 2021 is a different answer, never a typo
    if gazetteer.is_known(given) and not gazetteer.same_place(given, key):
        return False  # Iran vs Iraq: two gazetteer entries are never typo-equal
    if len(key) < 4:
        return False
    limit = 2 if len(key) >= 9 else 1
    if Levenshtein.distance(given, key, score_cutoff=limit) > limit:
        return False
    g_words, k_words = given.split(), key.split()
    if len(g_words) == len(k_words):
        # Each differing word must not be another real word ("moral" for "coral").
        for gw, kw in zip(g_words, k_words, strict=True):
            if gw != kw and _lemma(gw) != _lemma(kw) and _is_known_word(gw):
                return False
    elif _is_known_word(given):
        return False
    return True


def typed_answer_matches(given: str, accepted: list[str]) -> bool:
    g = normalize(given)
    if not g:
        return False
    g_lemmas = _lemmas(g)
    for answer in accepted:
        a = normalize(answer)
        if not a:
            continue
        if g == a or g_lemmas == _lemmas(a) or _is_alias(g, a):
            return True
        if _typo_close(g, a):
            return True
    return False
