"""Just enough syntax to ask a question in other words than the text: part-of-speech tags,
a clause's subject and finite verb, and the subject–auxiliary inversion that turns
"The council closed the bridge" into "Why did the council close the bridge?".

The tagger is TextBlob's bundled Pattern tagger (a lexicon plus Brill rules, shipped inside
the wheel: no download, deterministic). It makes mistakes, so every transformation here
refuses rather than guesses: a subject must look like a noun phrase, the verb must be a verb
by the lexicon too, and anything unusual (a relative clause in the subject, a pronoun, a
question, a quote) gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllLemmas, getInflection, getLemma

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " - ", "–": " - "})
MODALS = {"will", "would", "can", "could", "should", "may", "might", "must", "shall"}
BE = {"is", "are", "was", "were", "am"}
HAVE = {"has", "have", "had"}
DO = {"do", "does", "did"}
PRONOUN_SUBJECTS = set(
    "he she it they we you this that these those there one some many both all each others i".split()
)
_SUBJECT_TAGS = re.compile(r"^(?:DT|PDT|JJ[RS]?|NNP?S?|PRP\$|CD|POS|VBN|VBG|CC|IN|HYPH|RB)$")
_NEGATIONS = {"not", "never", "n't"}
AUTHOR = "the author"


@dataclass(frozen=True)
class Word:
    text: str
    tag: str

    @property
    def lower(self) -> str:
        return self.text.lower()


@lru_cache(maxsize=8192)
def _tag(text: str) -> tuple[Word, ...]:
    from textblob.en import tag  # imported late: loading the lexicon costs ~0.3 s

    text = text.translate(_QUOTES)
    # The tokenizer mangles contractions ("n ' t"): spell them out first.
    text = re.sub(r"\b(can)'t\b", r"\1 not", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(wo)n't\b", "will not", text, flags=re.IGNORECASE)
    text = re.sub(r"n't\b", " not", text)
    words: list[Word] = []
    for w, t in tag(text):
        if w == "s" and words and words[-1].text == "'":
            words[-1] = Word("'s", "POS")  # "Senate ' s" -> "Senate 's"
            continue
        if (
            t in ("NN", "NNS", "JJ")
            and words
            and words[-1].tag == "PRP"
            and words[-1].text.lower() in ("i", "we", "they", "you")
            and "VERB" in getAllLemmas(w.lower())
        ):
            t = "VBP"  # "I love": the lexicon's noun reading loses after a subject pronoun
        words.append(Word(w, t))
    return tuple(words)


def tag(text: str) -> list[Word]:
    return list(_tag(text))


def is_verb(word: str) -> bool:
    return "VERB" in getAllLemmas(word.lower()) or word.lower() in BE | HAVE | DO | MODALS


def lemma(word: str) -> str:
    low = word.lower()
    if low in BE:
        return "be"
    if low in HAVE:
        return "have"
    if low in DO:
        return "do"
    found = getLemma(low, upos="VERB")
    return found[0] if found else low


def join(words: list[Word] | tuple[Word, ...]) -> str:
    """Tokens back to text: no space before punctuation, "n't" and "'s" glued on."""
    out = ""
    for w in words:
        t = w.text
        if not out:
            out = t
        elif re.match(r"^(?:[,.;:!?%)\]]|n't|'s|'|'re|'ve|'ll|'d|'m)$", t) or out.endswith(
            ("(", "[", "$")
        ):
            out += t
        else:
            out += " " + t
    out = re.sub(r'" (.*?) "', r'"\1"', out)
    return out.replace("ca n't", "can't").replace("wo n't", "won't")


@dataclass(frozen=True)
class Clause:
    subject: tuple[Word, ...]
    verb: Word  # the finite verb or auxiliary
    rest: tuple[Word, ...]  # after the finite verb, without final punctuation
    adverbs: tuple[Word, ...] = ()  # between subject and verb ("quickly")

    @property
    def subject_text(self) -> str:
        return join(self.subject)


def parse_clause(text: str, allow_pronoun: bool = False) -> Clause | None:
    """Split a simple declarative clause into subject, finite verb and the rest, or None."""
    words = [w for w in tag(text.strip()) if w.text not in ('"',)]
    while words and words[-1].tag in (".", ",", ":") or (words and words[-1].text in "!?."):
        if words[-1].text == "?":
            return None
        words.pop()
    if len(words) < 3:
        return None
    for i, w in enumerate(words):
        finite = w.tag in ("VBD", "VBZ", "VBP", "MD") or (
            w.tag == "VBN" and i > 0 and _past_form(w.lower) and words[i - 1].tag != "VBD"
        )
        if finite and is_verb(w.text):
            break
        if w.tag.startswith("VB") or w.tag in ("WP", "WDT", "WRB", ",", ":", "(", '"', "TO"):
            return None  # a verb form, a relative pronoun or a comma before the main verb
        if not _SUBJECT_TAGS.match(w.tag) and w.tag != "PRP":
            return None
    else:
        return None
    subject = words[:i]
    if not 1 <= len(subject) <= 8 or subject[0].tag in ("IN", "CC", "RB"):
        return None
    if any(s.tag == "IN" and s.lower != "of" for s in subject):
        return None  # "In 2015 the city ..." is a fronted phrase, not a subject
    # Adverbs that precede the verb stay with the verb ("quickly closed").
    adverbs: list[Word] = []
    while subject and subject[-1].tag == "RB":
        adverbs.insert(0, subject.pop())
    if not subject:
        return None
    pronoun = len(subject) == 1 and subject[0].tag == "PRP" and subject[0].lower != "i"
    if pronoun and not allow_pronoun:
        return None
    return Clause(tuple(subject), words[i], tuple(words[i + 1 :]), tuple(adverbs))


def _subject_for_question(clause: Clause, first_person: bool) -> str | None:
    subject = list(clause.subject)
    if len(subject) == 1 and subject[0].lower == "i":
        return AUTHOR if first_person else None
    if subject[0].lower in PRONOUN_SUBJECTS or any(w.tag == "PRP" for w in subject):
        return None
    if subject[0].tag == "PRP$" or subject[0].lower in ("his", "her", "its", "their", "our"):
        return None
    text = join(subject)
    first = subject[0]
    # A capital that is only there because the word opened the sentence goes.
    common = first.tag not in ("NNP", "NNPS") or (
        len(subject) > 1
        and subject[1].tag.startswith("NN")
        and bool(getAllLemmas(first.lower))
        and first.lower not in ("united", "new")
    )
    if common and not text[:2].isupper():
        text = text[:1].lower() + text[1:]
    return text


def _third_person(words: list[Word]) -> list[Word] | None:
    """The author's own words in the third person ("my job" -> "their job"), or None."""
    out = []
    for w in words:
        low = w.lower
        if low in ("my", "our"):
            out.append(Word("their", "PRP$"))
        elif low in ("me", "us"):
            out.append(Word("them", "PRP"))
        elif low in ("i", "we", "myself", "ourselves", "mine", "ours", "you", "your"):
            return None
        else:
            out.append(w)
    return out


def question(clause: Clause, wh: str = "Why", first_person: bool = True) -> str | None:
    """'Why did the council close the bridge?' from 'The council closed the bridge', or None.

    A first-person clause ("I left my job") is asked about the author ("Why did the author
    leave their job?")."""
    subject = _subject_for_question(clause, first_person)
    if subject is None:
        return None
    rest = list(clause.rest)
    author = subject == AUTHOR
    if author or any(w.lower in ("my", "me", "i") for w in rest):
        rest = _third_person(rest)
        if rest is None:
            return None
    verb = clause.verb
    low = verb.lower
    if low in BE and rest and rest[0].lower in ("that", "because", "why"):
        return None  # "The difference is that ...": a frame, not an event to explain
    adverbs = list(clause.adverbs)
    if low in MODALS:
        head, body = low, [*adverbs, *rest]
    elif low in BE or (low in HAVE and rest and _participle_follows(rest)) or low in DO:
        if author:
            low = {"am": "is", "have": "has", "do": "does", "was": "was"}.get(low, low)
        head, body = low, [*adverbs, *rest]
    else:
        if verb.tag == "VBZ" or (author and verb.tag == "VBP"):
            head = "does"
        elif verb.tag == "VBP":
            head = "do"
        else:
            head = "did"
        body = [*adverbs, Word(lemma(verb.text), "VB"), *rest]
    text = join(body)
    if not text or '"' in text or text.count("(") != text.count(")"):
        return None
    return f"{wh} {head} {subject} {text}?"


def _past_form(word: str) -> bool:
    """'closed', 'shut': a simple past by the lexicon (the tagger often says participle)."""
    return any(word in getInflection(lem, tag="VBD") for lem in getAllLemmas(word).get("VERB", ()))


def _participle_follows(rest: list[Word]) -> bool:
    for w in rest[:3]:
        if w.lower in _NEGATIONS or w.tag == "RB":
            continue
        return w.tag in ("VBN", "VBD") and is_verb(w.text)
    return False


def third_person_statement(text: str) -> str | None:
    """'I was tired of the commute.' -> 'The author was tired of the commute.' (simple cases)."""
    clause = parse_clause(text)
    if clause is None or len(clause.subject) != 1 or clause.subject[0].lower != "i":
        return text if not re.search(r"\b(?:I|me|my|we|us|our)\b", text) else None
    rest = _third_person(list(clause.rest))
    if rest is None:
        return None
    verb = clause.verb
    low = verb.lower
    if low == "am":
        verb_text = "is"
    elif low == "have":
        verb_text = "has"
    elif verb.tag == "VBP" and low not in MODALS:
        verb_text = getInflection(lemma(verb.text), tag="VBZ")[0]
    else:
        verb_text = verb.text
    return "The author " + join([Word(verb_text, verb.tag), *rest]) + "."


_OPENERS = {"if", "when", "while", "although", "though", "because", "since", "unless", "whether",
            "what", "how", "why", "who", "where", "as", "and", "but", "or", "so", "to", "for",
            "with", "without", "by", "from", "in", "on", "at", "of", "after", "before", "until",
            "once", "whereas", "like", "than", "then", "please", "let", "imagine"}  # fmt: skip


def is_clause(text: str) -> bool:
    """A statement that can stand alone as an option: it does not open with a subordinator,
    preposition or verb, and it has a finite verb after a subject."""
    words = [w for w in tag(text.strip()) if w.tag not in ('"', "(", ")")]
    if len(words) < 3 or words[0].lower in _OPENERS or words[0].tag.startswith("VB"):
        return False
    if words[0].tag in ("IN", "TO", "MD", "WRB", "WP", "CC", "UH"):
        return False
    for i, w in enumerate(words[1:], 1):
        if w.tag in ("VBD", "VBZ", "VBP", "MD") or (w.tag == "VBN" and _past_form(w.lower)):
            return is_verb(w.text) and all(x.tag not in (",", "CC") for x in words[:i])
    return False
