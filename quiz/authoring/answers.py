"""Answer normalisation and matching (pure).

Two standards on purpose. `same_answer` is lenient (plurals, possessives, any form of one
country) because the generator uses it to keep two options from meaning the same thing.
`typed_answer_matches` grades learners and, like Moodle's short answer, accepts only the
alternatives the question lists, up to case, accents, punctuation, a leading article and one
typo in a long answer.
"""

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
    """The generator's comparison form (possessives dropped); grading uses `typed_form`."""
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
    """Equal after normalisation, singular/plural, or aliases of one country (lenient: for
    the generator and the LLM checks, never for grading a learner)."""
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return False
    return na == nb or _lemmas(na) == _lemmas(nb) or _is_alias(na, nb)


def _is_known_word(word: str) -> bool:
    return gazetteer.is_known(word) or zipf_frequency(word, "en") >= _KNOWN_WORD_ZIPF


# -- grading a learner's typed answer ----------------------------------------------------------
TYPO_MIN_LETTERS = 8  # one typo is forgiven only in answers this long: short ones are all signal
_INITIALISM = re.compile(r"\b(?:[^\W\d_]\.){2,}")  # "U.S.A." -> "USA", not "U S A"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "1,000" -> "1000"
_BEFORE_PERCENT = re.compile(r"\s+%")


@lru_cache(maxsize=65536)
def typed_form(text: str) -> str:
    """What grading compares: no case, accents, punctuation or leading article. Possessives
    are kept ("Tehran's" -> "tehran s"), so they are another answer, not a typo."""
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _INITIALISM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _BEFORE_PERCENT.sub("%", _THOUSANDS.sub("", text))
    # "%" is meaning (50% is not 50); every other punctuation mark separates words.
    text = "".join(" " if ch != "%" and unicodedata.category(ch)[0] == "P" else ch for ch in text)
    return _LEADING_ARTICLE.sub("", " ".join(text.split()), count=1)


def _one_typo(given: str, key: str) -> bool:
    """Is `given` the long answer `key` with one slip, rather than another answer?"""
    if sum(ch.isalpha() for ch in key) < TYPO_MIN_LETTERS:
        return False
    if any(ch.isdigit() for ch in given + key):
        return False  # 2020 vs 2021 is a different answer, never a typo
    if Levenshtein.distance(given, key, score_cutoff=1) != 1:
        return False
    if gazetteer.is_known(given):
        return False  # a real place name ("Azerbaijani" for "Azerbaijan") is its own answer
    if given.replace(" ", "") == key.replace(" ", ""):
        return True  # "book keeper" for "bookkeeper": the same word split
    g_words, k_words = given.split(), key.split()
    if len(g_words) == len(k_words):
        # The changed word must not be another real word ("reservation" for "preservation").
        return not any(
            gw != kw and _is_known_word(gw) for gw, kw in zip(g_words, k_words, strict=True)
        )
    return not _is_known_word(given)


def typed_answer_matches(given: str, accepted: list[str]) -> bool:
    """Learner grading: `given` is one of the `accepted` alternatives (in `typed_form`), or
    one typo away from a long one. No plurals, possessives or gazetteer aliases."""
    g = typed_form(given)
    if not g:
        return False
    keys = [k for k in map(typed_form, accepted) if k]
    return g in keys or any(_one_typo(g, k) for k in keys)
