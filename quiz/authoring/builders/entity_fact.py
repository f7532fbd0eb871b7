"""What the article says about a person or a body: "Which of these is true of Ruiz?".

The options are things the article says people or bodies did or are; the key is said of the
one asked about, the wrong options are said of others in the article, set on the one asked
about. Each wrong option is true of another part of the text, so only a reader who kept track
of who did what tells them apart. A subject "He" or "She" counts when the sentence before names
exactly one person: the reader has to follow the reference, not find the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .. import syntax
from ..document import Document, content_lemmas, stable_hash
from ..entities import Entity
from ..models import Candidate
from ..statements import _CUT, _DANGLING, MAX_WORDS
from ..text import Sentence, strip_marker, word_count
from .common import candidate, choice_set

# "name": a capitalised name the recogniser could not type; as the subject of a deed it is
# nearly always a person or a body.
SUBJECT_KINDS = ("person", "name", "org", "country")
PEOPLE = ("person", "name")
MIN_PREDICATE, MAX_PREDICATE = 3, 16
# Reporting verbs: what someone said belongs to speaker_view; "X said" as a fact is trivial.
_SPEECH = {"say", "tell", "add", "note", "state", "explain", "ask", "write", "announce",
           "report", "reply", "comment", "respond", "describe", "call", "insist", "argue",
           "claim", "warn", "suggest", "admit", "predict", "believe", "think"}  # fmt: skip
# Words that point back into the sentence they came from: moved to someone else, they lie.
_BOUND = re.compile(
    r"\b(?:he|she|him|her|his|hers|himself|herself|they|them|their|it|its|this|these|those|"
    r"there|then|here|also|too|again|both|I|me|my|we|us|our|you|your)\b|[\"“”‘’()\[\]?:;]",
    re.IGNORECASE,
)
_TITLES = {"the", "president", "senator", "sen.", "rep.", "mr.", "mrs.", "ms.", "dr.", "prime",
           "minister", "secretary", "general", "attorney", "governor", "gov.", "mayor",
           "chief", "judge", "justice", "director", "leader", "chairman", "ceo", "former",
           "u.s.", "us"}  # fmt: skip
_PHRASE = re.compile(
    # not before "to" or "by": "would allow the body | to consider" is cut before its point
    r" (?=(?:in|on|at|for|after|before|during|over|with|amid|despite|including|since|about) )"
)
_SINGULAR_VERB = ("VBD", "VBZ", "MD", "VBN")


@dataclass(frozen=True)
class Fact:
    sentence: Sentence
    entity: Entity
    predicate: str  # finite verb and what follows, as written ("has pleaded not guilty")
    verb_tag: str
    resolved: bool  # the subject was "he"/"she", resolved from the sentence before

    @property
    def portable(self) -> bool:
        """Can be set on someone else without a pronoun or a plural verb giving it away."""
        return self.verb_tag in _SINGULAR_VERB and not _BOUND.search(self.predicate)


def _head(text: str) -> str | None:
    """The first clause of a predicate, MIN..MAX words, not cut before its noun."""
    text = text.strip().rstrip(".!")
    if word_count(text) > MAX_PREDICATE:
        cuts = sorted(
            {m.start() for m in _CUT.finditer(text)}
            | {m.start() for m in re.finditer(", ", text)}
            # Before a prepositional phrase: "will meet with a general | in New York".
            | {m.start() for m in _PHRASE.finditer(text)}
        )
        heads = [text[:at].rstrip(" ,") for at in cuts]
        heads = [h for h in heads if MIN_PREDICATE + 1 <= word_count(h) <= MAX_PREDICATE]
        text = heads[-1] if heads else ""
    else:
        m = re.search(r",? (?:who|which|according to)\b", text)
        if m:
            text = text[: m.start()]
    if not MIN_PREDICATE <= word_count(text) <= MAX_PREDICATE or _DANGLING.search(text):
        return None
    return text


def _subject_entity(doc: Document, s: Sentence, subject: str, offset: int) -> Entity | None:
    """The entity the whole subject names ("Ruiz", "The council", "President Ruiz")."""
    for mention, entity in doc.entities.in_sentence(s.index, SUBJECT_KINDS):
        if mention.start < offset or mention.end > offset + len(subject) + 1:
            continue
        before = subject[: mention.start - offset].split()
        after = subject[mention.end - offset :].split()
        # Titles and capitalised roles before the name ("House Freedom Caucus Chair Meadows").
        if not after and all(w.lower() in _TITLES or w[:1].isupper() and "'" not in w
                             and "’" not in w for w in before):  # fmt: skip
            return entity
    return None


def _previous_person(doc: Document, s: Sentence) -> Entity | None:
    """The one person named in the sentence before, in the same paragraph."""
    if s.index == 0:
        return None
    before = doc.sentences[s.index - 1]
    if before.paragraph != s.paragraph:
        return None
    people = {e.key: e for _, e in doc.entities.in_sentence(before.index, PEOPLE)}
    return next(iter(people.values())) if len(people) == 1 else None


_FRONTED = re.compile(r"^(?:[A-Z][^,;:\"“”]{2,40}?|[A-Z][a-z]+ [a-z]+ [^,]{0,30}?), (?=[A-Z])")
_APPOSITIVE = re.compile(
    r"^(?P<name>(?:[A-Z][\w.'’-]*\s){0,4}[A-Z][\w.'’-]*), [^,;:\"“”]{2,60}?, (?=[a-z])"
)


def _clause(text: str) -> tuple[syntax.Clause, int] | None:
    """The sentence's main clause, with a fronted phrase ("On Friday, ") or an appositive
    after the subject ("Ruiz, 32, ...") set aside; returns it with the subject's offset."""
    clause = syntax.parse_clause(text, allow_pronoun=True)
    if clause is not None:
        return clause, 0
    m = _FRONTED.match(text)
    if m:
        clause = syntax.parse_clause(text[m.end() :], allow_pronoun=True)
        if clause is not None:
            return clause, m.end()
    m = _APPOSITIVE.match(text)
    if m:
        clause = syntax.parse_clause(m.group("name") + " " + text[m.end() :], allow_pronoun=True)
        if clause is not None:
            return clause, 0
    return None


def facts(doc: Document) -> list[Fact]:
    out: list[Fact] = []
    for s in doc.sentences:
        text = strip_marker(s.text).strip()
        found = _clause(text)
        if found is None:
            continue
        clause, shift = found
        offset = (s.text.find(text[:20]) if text else 0) + shift
        if clause is None or syntax.lemma(clause.verb.text) in _SPEECH:
            continue
        if clause.rest and syntax.lemma(clause.rest[0].text) in _SPEECH:
            continue  # "has said", "had told"
        subject = clause.subject_text
        pronoun = subject.lower() in ("he", "she")
        entity = _previous_person(doc, s) if pronoun else _subject_entity(doc, s, subject, offset)
        if entity is None:
            continue
        predicate = _head(syntax.join([*clause.adverbs, clause.verb, *clause.rest]))
        if predicate is None or re.search(r"\b(?:I|me|my|we|us|our)\b", predicate):
            continue
        if any(f.lower() in predicate.lower() for f in doc.surface_forms(entity)):
            continue
        out.append(Fact(s, entity, predicate, clause.verb.tag, pronoun))
    return out


def name(doc: Document, entity: Entity) -> str:
    """How options and stems name the entity: a person by surname, a body as the text does."""
    if entity.kind == "person":
        return entity.display.split()[-1] if len(entity.display.split()) > 1 else entity.display
    the = re.compile(rf"\bthe {re.escape(entity.display)}\b", re.IGNORECASE)
    if any(the.search(p) for p in doc.paragraphs):
        return f"the {entity.display}"
    return entity.display


def _option(who: str, predicate: str) -> str:
    text = f"{who} {predicate}".strip()
    return text[:1].upper() + text[1:] + "."


def _same(a: Entity, b: Entity, doc: Document) -> bool:
    forms_a = {w.lower() for f in doc.surface_forms(a) for w in f.split()}
    forms_b = {w.lower() for f in doc.surface_forms(b) for w in f.split()}
    return a.key == b.key or bool(forms_a & forms_b - {"the", "of"})


def _wrong(doc: Document, key: Fact, found: list[Fact]) -> list[Fact]:
    """Three facts of others that are not also true of the key's entity, as far as the text
    shows: their sentences do not mention it, and they share little with what it did."""
    x = key.entity
    own_words = [set(content_lemmas(f.predicate)) for f in found if _same(f.entity, x, doc)]
    forms = [f.lower() for f in doc.surface_forms(x)]
    size = word_count(key.predicate)

    def fits(f: Fact) -> bool:
        if _same(f.entity, x, doc) or not f.portable:
            return False
        if any(form in f.sentence.text.lower() for form in forms):
            return False  # the sentence involves x too: it may be true of x as well
        words = set(content_lemmas(f.predicate))
        if not words or any(len(words & w) / len(words | w) > 0.25 for w in own_words):
            return False
        return 0.5 * size <= word_count(f.predicate) <= 2.2 * size + 2

    pool = sorted(
        (f for f in found if fits(f)),
        key=lambda f: (
            (f.entity.kind in PEOPLE) != (x.kind in PEOPLE),
            stable_hash(doc.seed, key.predicate, f.predicate),
        ),
    )
    picked: list[Fact] = []
    for f in pool:
        if any(
            f.sentence.index == p.sentence.index or fuzz.ratio(f.predicate, p.predicate) > 60
            for p in picked
        ):
            continue
        picked.append(f)
        if len(picked) == 3:
            break
    return picked


def build(doc: Document) -> list[Candidate]:
    found = facts(doc)
    out: list[Candidate] = []
    for key in found:
        x = key.entity
        if x.kind in PEOPLE and len(x.display.split()) < 2:
            continue  # a bare first name or an unresolved surname: not sure who it is
        if len(set(content_lemmas(key.predicate))) < 2:
            continue
        picked = _wrong(doc, key, found)
        if len(picked) < 3 or len({p.entity.key for p in picked}) < 2:
            continue
        who = name(doc, x)
        prompt = f"According to the article, which statement about {who} is true?"
        if word_count(_option(who, key.predicate)) > MAX_WORDS:
            continue
        distractors = [
            (
                _option(who, f.predicate),
                f"{doc.label(f.sentence.paragraph)} says this of {name(doc, f.entity)}, "
                f"not of {who}.",
            )
            for f in picked
        ]
        explanation = f'{doc.label(key.sentence.paragraph)} says: "{key.sentence.text.strip()}"'
        if key.resolved:
            explanation += f" (“{key.sentence.text.split()[0]}” is {x.display}.)"
        out.append(
            candidate(
                doc,
                key.sentence,
                type="multiple_choice",
                prompt=prompt,
                explanation=explanation,
                skill="literal",
                difficulty=3 if key.resolved else 2,
                score=2.9 + (0.2 if key.resolved else 0.0),
                choices=choice_set(prompt + doc.seed, _option(who, key.predicate), distractors),
                fact=f"about:{x.key}",
            )
        )
        out[-1].kind = "entity_fact"
    return out
