"""Clause-sized statements of the article, the raw material of clause options.

A good wrong option is a real misreading: something the article says, but of another event or
another person, or in another paragraph. So wrong options for "why" and "what does X think"
questions are drawn from the article's own statements, never invented; each statement is a
grammatical clause (a subject and a finite verb, by syntax.parse_clause) of option length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from . import syntax
from .document import Document, content_lemmas, stable_hash
from .text import CLAUSE_BREAK_RE, Sentence, starts_unresolved, strip_marker, word_count

MIN_WORDS, MAX_WORDS = 4, 26
_CUT = re.compile(
    r",? (?:because|although|though|while|whereas|which|who|when|after|before|since|unless|"
    r"as well as|according to)\b|, (?:and|but|so) (?=[a-z]+ )|; | - | — | – "
)
_DANGLING = re.compile(
    r"\b(?:a|an|the|of|for|to|in|on|at|with|and|or|by|from|its|their|his|her|is|are|was|were|"
    r"has|have|had|be|that|than|as)\W*$",
    re.IGNORECASE,
)
_BAD = re.compile(r"[?()\[\]*]|\b(?:this|these|those)\b|^\W|:\s*$", re.IGNORECASE)
_FRONTED = re.compile(r"^(?:[A-Z][^,]{0,30}?),\s+(?=[A-Za-z])")


_CONTRACTIONS = re.compile(r"\b(I|[Ww]e|[Tt]hey|[Yy]ou)['’](m|ve|re)\b")
_EXPANDED = {"m": "am", "ve": "have", "re": "are"}


def as_option(text: str, first_person: bool = True) -> str | None:
    """A clause tidied into an option: trimmed, capitalised, one full stop; None if unfit.
    First-person clauses are the author's ("The author was tired…"), or refused when
    `first_person` is False (a quoted speaker's "I" is not the author)."""
    text = strip_marker(text.strip()).strip(" ,;:—–-")
    # "I’m new here" -> "I am new here": the tagger and the third-person rewrite need the verb.
    text = _CONTRACTIONS.sub(lambda m: f"{m.group(1)} {_EXPANDED[m.group(2)]}", text)
    text = re.sub(r"^(?:that|and|but|so|then)\s+", "", text, flags=re.IGNORECASE)
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return None
    m = _FRONTED.match(text)
    if m and word_count(m.group()) <= 5 and syntax.is_clause(text[m.end() :]):
        text = text[m.end() :]  # "Right now, sugar is ..." -> "sugar is ..."
    if word_count(text) > MAX_WORDS:
        # The longest head that is still a whole clause: cut at a clause boundary or comma.
        cuts = sorted(
            {m.start() for m in _CUT.finditer(text)} | {m.start() for m in re.finditer(", ", text)},
            reverse=True,
        )
        heads = [text[:at].rstrip(" ,") for at in cuts]
        heads = [h for h in heads if 6 <= word_count(h) <= MAX_WORDS and not _DANGLING.search(h)]
        heads = [h for h in heads if h.count("“") == h.count("”") and h.count('"') % 2 == 0]
        if not heads:
            return None
        text = heads[0]
    if _DANGLING.search(text):
        return None  # cut before its noun
    text = text.rstrip(".!").strip()
    if not MIN_WORDS <= word_count(text) <= MAX_WORDS or _BAD.search(text):
        return None
    if re.search(r"\b(?:I|me|my|we|us|our)\b", text):
        if not first_person:
            return None
        converted = syntax.third_person_statement(text)
        if converted is None and re.search(r"\b(?:I|me|my)\b", text):
            return None
        text = (converted or text).rstrip(".")
    text = text[:1].upper() + text[1:]
    if starts_unresolved(text) and not re.match(r"It (?:is|was) \w+ (?:to|that)\b", text):
        return None  # "They sold none" needs the sentence before; "It is hard to say" does not
    if not syntax.is_clause(text):
        return None
    return text + "."


@dataclass(frozen=True)
class Statement:
    sentence: Sentence
    text: str

    @property
    def paragraph(self) -> int:
        return self.sentence.paragraph


class Statements:
    def __init__(self, doc: Document) -> None:
        self.doc = doc

    @cached_property
    def all(self) -> list[Statement]:
        out = []
        for s in self.doc.sentences:
            head = strip_marker(s.text)
            option = as_option(head) if word_count(head) <= MAX_WORDS else None
            if option is None:
                m = CLAUSE_BREAK_RE.search(head)
                if m and word_count(head[: m.start()]) >= 6:
                    option = as_option(head[: m.start()])
            if option:
                out.append(Statement(s, option))
        return out

    def wrong_options(
        self,
        key: str,
        avoid: str,
        evidence: Sentence,
        seed: str,
        preferred: list[Statement] = (),
        exclude_sentences: set[int] = frozenset(),
        n: int = 3,
    ) -> list[tuple[Statement, str]]:
        """Up to n statements to offer beside `key`: not the key in other words, not close to
        `avoid` (the stem's content, which they might also answer), of similar length, from
        other sentences; `preferred` ones first (e.g. other causes, other speakers' views)."""
        key_words = set(content_lemmas(key))
        avoid_words = set(content_lemmas(avoid))
        key_len = word_count(key)

        def fits(st: Statement) -> bool:
            if st.sentence.index == evidence.index or st.sentence.index in exclude_sentences:
                return False
            words = set(content_lemmas(st.text))
            if not words or fuzz.ratio(st.text, key) > 60:
                return False
            if len(words & key_words) / len(words | key_words) > 0.3:
                return False
            if avoid_words and len(words & avoid_words) / len(avoid_words) > 0.5:
                return False  # close to the stem: it might also be a fair answer
            return 0.5 * key_len <= word_count(st.text) <= 1.8 * key_len + 2

        chosen: list[Statement] = []
        ranked = [st for st in preferred if fits(st)] + sorted(
            (st for st in self.all if fits(st) and st not in preferred),
            key=lambda st: (
                st.paragraph != evidence.paragraph,  # a misreading of the same passage first
                abs(word_count(st.text) - key_len) // 4,
                stable_hash(seed, st.text),
            ),
        )
        for st in ranked:
            if any(
                fuzz.ratio(st.text, c.text) > 60 or st.sentence.index == c.sentence.index
                for c in chosen
            ):
                continue
            chosen.append(st)
            if len(chosen) == n:
                break
        # A key longer than every wrong option is a give-away: swap in a longer one.
        if len(chosen) == n and all(len(c.text) < len(key) for c in chosen):
            longer = [st for st in ranked if len(st.text) >= len(key) and st not in chosen]
            longer = [st for st in longer if all(st.sentence.index != c.sentence.index
                                                 for c in chosen[:-1])]  # fmt: skip
            if longer:
                chosen[-1] = longer[0]
        label = self.doc.label
        return [
            (
                st,
                f"{label(st.paragraph)} says this, but it does not answer the question."
                if st.paragraph != evidence.paragraph
                else "The same paragraph says this, but it does not answer the question.",
            )
            for st in chosen
        ]
