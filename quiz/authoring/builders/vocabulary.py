"""Vocabulary in context: a less common academic word from the article, with its meaning taken
from a small general table (no invented definitions); distractors are other table meanings."""

from __future__ import annotations

import re

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


_AGENT = re.compile(
    r"^(?:a |an )?(?:person|people|someone|country|countries|group|groups|"
    r"member|members|partner|partners|supporter|supporters)\b"
)


def frame(sense: Sense) -> str:
    """What a meaning needs around it, so that a wrong meaning can stand where the word stands
    (judged round 3: "increase rapidly in number" cannot replace "hindered" before an object,
    nor an abstract noun "allies" in "the US and our ___"). Nouns: "agent" for people and
    bodies, else "thing". Verbs: "t" when the meaning plainly takes an object ("encourage the
    growth of"), "i" when it plainly does not ("rise and fall irregularly"), else "" (either)."""
    text = sense.definition
    if sense.pos == "n":
        return "agent" if _AGENT.match(text) else "thing"
    if sense.pos != "v":
        return ""
    if re.search(r"\b(?:of|for|to|on|with|about|into|from)$|\bsomething\b|\bsomeone\b", text):
        return "t"
    words = syntax.tag(text)
    head = next((i for i, w in enumerate(words) if w.tag.startswith("VB")), 0)
    after = words[head + 1] if head + 1 < len(words) else None
    if after is not None and after.tag.startswith(("RB", "CC")):
        return "i"
    if after is not None and after.tag.startswith(("DT", "NN", "JJ", "PRP")):
        return "t"
    return ""


def used_frame(sentence: Sentence, tokens: list[Token], i: int, sense: Sense) -> str:
    """The frame the word has in its sentence: a verb followed by its object is "t"."""
    if sense.pos != "v":
        return frame(sense)
    word = tokens[i].lower
    tagged = syntax.tag(sentence.text)
    nth = sum(t.lower == word for t in tokens[:i])
    at = [k for k, w in enumerate(tagged) if w.lower == word]
    if nth >= len(at) or at[nth] + 1 >= len(tagged):
        return ""
    following = tagged[at[nth] + 1].tag
    return "t" if following.startswith(("DT", "NN", "JJ", "PRP", "CD")) else "i"


def fits_frame(sense: Sense, needed: str) -> bool:
    own = frame(sense)
    return not needed or not own or own == needed


def snippet(sentence: Sentence, token: Token, radius: int = 4) -> str:
    words = sentence.text.split()
    at = len(sentence.text[: token.start].split())
    lo, hi = max(0, at - radius), min(len(words), at + radius + 1)
    # The snippet sits inside the stem's quotation marks: the source's own would dangle.
    text = re.sub(r'["“”]', "", " ".join(words[lo:hi]))
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
            needed = used_frame(s, tokens, i, sense)
            others = [
                o
                for o in table.values()
                if o.pos == sense.pos
                and o.group != sense.group
                and o.lemma not in present
                and fits_frame(o, needed)
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
