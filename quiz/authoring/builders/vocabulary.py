"""Vocabulary in context: a less common academic word from the article, with its meaning taken
from a small general table (no invented definitions); distractors are other table meanings."""

from __future__ import annotations

from lemminflect import getAllLemmas
from wordfreq import zipf_frequency

from .. import syntax
from ..document import Document, stable_hash
from ..lexicon import Sense, senses
from ..models import Candidate
from ..text import Sentence, Token
from .common import candidate, choice_set

MAX_ZIPF = 4.6  # skip words most readers already know
_UPOS = {"v": "VERB", "n": "NOUN", "adj": "ADJ"}


def sense_for(token: Token, previous: str) -> Sense | None:
    lemmas = getAllLemmas(token.lower)
    table = senses()
    for pos, upos in _UPOS.items():
        for lemma in lemmas.get(upos, ()):
            sense = table.get(lemma)
            if sense is None or sense.pos != pos:
                continue
            if pos == "v" and previous in ("a", "an", "the"):
                continue  # "the alleged presence": an adjective use the verb meaning misfits
            return sense
    return None


_TAGS = {"v": "VB", "n": "NN", "adj": "JJ"}


def used_as(sentence: Sentence, tokens: list[Token], i: int, pos: str) -> bool:
    """The word is used in the sentence as the part of speech of the meaning offered: "the
    advocates" is a noun, and a verb's meaning would not fit (judged round 2)."""
    word = tokens[i].lower
    nth = sum(t.lower == word for t in tokens[:i])
    tagged = [w for w in syntax.tag(sentence.text) if w.lower == word]
    if nth >= len(tagged):
        return True  # the tagger split the word differently: no evidence against
    return tagged[nth].tag.startswith(_TAGS[pos])


def snippet(sentence: Sentence, token: Token, radius: int = 4) -> str:
    words = sentence.text.split()
    at = len(sentence.text[: token.start].split())
    lo, hi = max(0, at - radius), min(len(words), at + radius + 1)
    text = " ".join(words[lo:hi])
    return ("…" if lo else "") + text + ("…" if hi < len(words) else "")


def build(doc: Document) -> list[Candidate]:
    out: list[Candidate] = []
    table = senses()
    seen: set[str] = set()
    for s in doc.sentences:
        tokens = s.tokens
        for i, tok in enumerate(tokens):
            if tok.is_cap or not tok.text.isalpha():
                continue
            sense = sense_for(tok, tokens[i - 1].lower if i else "")
            zipf = zipf_frequency(tok.lower, "en")
            if sense is None or zipf > MAX_ZIPF or sense.lemma in seen:
                continue
            if not used_as(s, tokens, i, sense.pos):
                continue
            seen.add(sense.lemma)
            present = {
                lem for t in tokens for lems in getAllLemmas(t.lower).values() for lem in lems
            }
            others = [
                o
                for o in table.values()
                if o.pos == sense.pos and o.group != sense.group and o.lemma not in present
            ]
            # Similar lengths first so the key is not the odd one out; hash breaks ties.
            others.sort(
                key=lambda o: (
                    abs(len(o.definition) - len(sense.definition)) // 6,
                    stable_hash(doc.seed, sense.lemma, o.lemma),
                )
            )
            picked: list[Sense] = []
            for o in others:
                if all(o.group != p.group for p in picked):
                    picked.append(o)
                if len(picked) == 3:
                    break
            if len(picked) < 3:
                continue
            prompt = (
                f'In {doc.label(s.paragraph).lower()}, what does "{tok.text}" mean in '
                f'"{snippet(s, tok)}"?'
            )
            distractors = [
                (o.definition, f'"{o.definition}" is what "{o.lemma}" means, not "{sense.lemma}".')
                for o in picked
            ]
            out.append(
                candidate(
                    doc,
                    s,
                    type="vocabulary",
                    prompt=prompt,
                    explanation=(
                        f'"{sense.lemma}" means "{sense.definition}". '
                        f'{doc.label(s.paragraph)} uses it: "{s.text}"'
                    ),
                    skill="vocabulary",
                    difficulty=3 if zipf < 3.5 else 2,
                    score=1.9 + (MAX_ZIPF - zipf) * 0.15,
                    choices=choice_set(prompt, sense.definition, distractors),
                )  # fmt: skip
            )
    return out
