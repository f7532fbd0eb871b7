"""Who holds this view? Finds reported positions ("X maintains that ...", "According to X, ...",
'"...," X said', "From an <demonym> perspective, ...") and asks which actor holds them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lemminflect import getAllLemmas, getInflection

from .. import gazetteer
from ..answers import normalize, same_answer
from ..document import Document
from ..entities import Entity
from ..lexicon import (
    GROUP_NOUNS,
    ORG_WORDS,
    ROLE_NOUNS,
    STANCE_ADJECTIVES,
    STANCE_VERBS,
    THAT_VERBS,
    TITLES,
    UNRESOLVED_STARTS,
)
from ..models import Candidate
from ..text import CLAUSE_BREAK_RE, Sentence, contains_phrase, strip_marker, word_count
from .common import candidate, choice_set, says

ACTOR_KINDS = ("country", "person", "org", "name")
_AUX = {"has": "has", "have": "has", "had": "had", "is": "is", "are": "is", "was": "was",
        "were": "was", "will": "will", "would": "would", "also": "also", "still": "still",
        "now": "now"}  # fmt: skip
_PARENTHETICAL = re.compile(
    r"^,\s*(?:for (?:its|his|her|their) part|meanwhile|however|too|in turn|in response),\s*"
)
_CLAUSE_START = re.compile(r"(?:^|; |, (?:and|but|while) |^(?:Although|Though|While|Whereas) )")
_LONG_VIEW_CUT = re.compile(r",| (?:when|because|at a time|following|after|before|since|unless) ")
_SUBORDINATORS = ("Although", "Though", "While", "Whereas")
_SECOND_VERB = re.compile(r",? and (?=[a-z]+ed\b)|, (?=[a-z]+ing\b)")
_QUOTE_SAID = re.compile(
    r'^[“"](?P<quote>[^”"]{15,}?)[,.!?]?[”"],?\s+(?:(?P<a1>[^,.]{2,60}?)\s+'
    r"(?:said|says|told|added|argued|warned|insisted)\b|(?:said|says|added)\s+(?P<a2>[^,.]{2,60}))"
)
_ACCORDING = re.compile(r"^According to (?P<actor>[^,]{2,60}), (?P<view>.+)$")
_PERSPECTIVE = re.compile(
    r"^From (?:a|an|the) (?P<actor>[A-Z][\w’'-]+) "
    r"(?:perspective|point of view|standpoint|viewpoint), (?P<view>.+)$"
)


@dataclass(frozen=True)
class Actor:
    key: str  # entity key, or "group:<phrase>"
    display: str
    kind: str  # entity kind or "group"
    forms: tuple[str, ...]  # strings that name it (for giveaway / evidence checks)


@dataclass(frozen=True)
class View:
    sentence: Sentence
    actor: Actor
    prompt: str
    score: float
    level: int = 2
    view: str = ""  # what the actor holds, as written (without "that")
    verb: str = ""  # the reporting verb phrase ("said", "has warned", "according to")


def _entity_actor(doc: Document, entity: Entity) -> Actor:
    return Actor(entity.key, entity.display, entity.kind, tuple(doc.surface_forms(entity)))


def _group_actor(phrase: str) -> Actor:
    phrase = phrase.strip()
    bare = re.sub(r"^(?:the|The)\s+", "", phrase)
    display = phrase[:1].upper() + phrase[1:]
    return Actor(f"group:{bare.lower()}", display, "group", (bare,))


def _actor_at(doc: Document, s: Sentence, text: str, offset: int) -> tuple[Actor, int] | None:
    """An actor phrase starting at text[0] (text = s.text[offset:]); returns (actor, length)."""
    lead = re.match(r"([Tt]he|[A-Z][a-z]+)\s+", text)
    skip = lead.end() if lead and lead.group(1).lower() in TITLES | {"the"} else 0
    for mention, entity in doc.entities.in_sentence(s.index, ACTOR_KINDS):
        if mention.start not in (offset, offset + skip):
            continue
        length = mention.end - offset
        if entity.kind == "country" and mention.form == "demonym":
            # "Azerbaijani officials": a demonym is an actor only with a group noun after it.
            m = re.match(r"\s+(\w+)", text[length:])
            if not m or m.group(1).lower() not in GROUP_NOUNS | ROLE_NOUNS:
                return None
            length += m.end()
        if entity.kind == "name" and not _followed_by_stance(text[length:]):
            return None
        return _entity_actor(doc, entity), length
    # A common-noun actor: "Critics", "Environmental campaigners", "The regional authority".
    words = re.findall(r"[\w'’-]+[,]?", text[:80])[:5]
    for k, word in enumerate(words, 1):
        head = word.rstrip(",").lower()
        if any(w[:1].isupper() for w in words[1:k]):
            break
        if head in GROUP_NOUNS or head in ROLE_NOUNS or head in ORG_WORDS:
            if head in TITLES and k == 1:
                break  # a bare "Mayor" is a title, not an actor
            phrase = " ".join(w.rstrip(",") for w in words[:k])
            return _group_actor(phrase), text.find(phrase) + len(phrase)
        if word.endswith(","):
            break
    return None


def _followed_by_stance(rest: str) -> bool:
    m = re.match(r"(?:,[^,]{1,40},)?\s+(\w+)", rest)
    return bool(m and (m.group(1).lower() in THAT_VERBS | STANCE_VERBS))


def _verb_phrase(rest: str) -> tuple[str, str, str] | None:
    """Parse '[aux/adverbs] verb rest' -> (normalised verb phrase, verb kind, remainder)."""
    rest = _PARENTHETICAL.sub(" ", rest)
    # An apposition or relative clause between actor and verb: "X, who voted against, said".
    rest = re.sub(r"^,[^,]{1,60},\s*", " ", rest)
    words = re.findall(r"\S+", rest)
    phrase: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if low in _AUX:
            phrase.append(_AUX[low])
            if low in ("is", "are", "was", "were") and i + 2 < len(words):
                adj = words[i + 1].lower()
                if adj in STANCE_ADJECTIVES and words[i + 2].lower() == "that":
                    return " ".join([*phrase, adj]), "that", " ".join(words[i + 3 :])
            continue
        if low.endswith("ly") and low not in THAT_VERBS and i < 3:
            phrase.append(low)
            continue
        if low in THAT_VERBS or low in STANCE_VERBS:
            verb = low
            if not phrase and _is_plural_present(low):
                verb = getInflection(getAllLemmas(low)["VERB"][0], "VBZ")[0]
            kind = "that" if low in THAT_VERBS else "stance"
            remainder = " ".join(words[i + 1 :])
            if kind == "that" and remainder.lower().startswith("that "):
                remainder = remainder[5:]
            return " ".join([*phrase, verb]), kind, remainder
        return None
    return None


def _is_plural_present(word: str) -> bool:
    lemmas = getAllLemmas(word).get("VERB")
    return bool(lemmas) and lemmas[0] == word


def _clean_view(view: str, self_reference: bool = False) -> str | None:
    view = view.strip().rstrip(".!")
    m = CLAUSE_BREAK_RE.search(view)
    if m and word_count(view[: m.start()]) >= 4:
        view = view[: m.start()]
    view = view.rstrip(" ,")
    if word_count(view) > 18:  # long views: stop before a trailing adverbial
        cut = _LONG_VIEW_CUT.search(view, len(" ".join(view.split()[:8])))
        if cut:
            view = view[: cut.start()]
    words = view.split()
    if len(words) < 4 or len(words) > 28:
        return None
    if re.search(r"\b(?:this|these|those)\b", view, re.I):
        return None  # needs the previous sentence to be understood
    first = words[0].lower()
    # "The authority said it would ...": "it" is the speaker itself, so it reads fine after "Who".
    if first in UNRESOLVED_STARTS and not (self_reference and first in ("it", "they")):
        return None
    return view


def find_views(doc: Document) -> list[View]:
    views: list[View] = []
    for s in doc.sentences:
        text = strip_marker(s.text)
        shift = len(s.text) - len(text)
        found = _quoted(doc, s, text, shift) or _framed(doc, s, text, shift)
        if found:
            views.append(found)
            continue
        for m in _CLAUSE_START.finditer(text):
            at = m.end()
            hit = _actor_at(doc, s, text[at:], at + shift)
            if hit is None:
                continue
            actor, length = hit
            parsed = _verb_phrase(text[at + length :])
            if parsed is None:
                continue
            verb, kind, remainder = parsed
            if m.group().strip() in _SUBORDINATORS:
                remainder = remainder.split(", ")[0]  # the subordinate clause ends at its comma
            if kind == "stance":
                remainder = _SECOND_VERB.split(remainder)[0]  # "... and arrested the perpetrator"
            view = _clean_view(remainder, self_reference=kind == "that" and actor.kind != "person")
            if view is None:
                continue
            if kind == "stance" and view.split()[0].lower() in ("it", "them", "him", "her"):
                continue
            prompt = f"Who {verb} that {view}?" if kind == "that" else f"Who {verb} {view}?"
            score = 2.7 if actor.kind != "group" else 2.3
            views.append(View(s, actor, prompt, score, view=view, verb=verb))
            break
    return views


def _quoted(doc: Document, s: Sentence, text: str, shift: int) -> View | None:
    m = _QUOTE_SAID.match(text)
    if not m:
        return None
    name = m.group("a1") or m.group("a2")
    actor = _resolve_name(doc, s, name, text.find(name) + shift)
    if actor is None:
        return None
    quote = m.group("quote").strip().rstrip(",")
    if word_count(quote) > 28:
        return None
    return View(s, actor, f'Who said: "{quote}"?', 2.6, view=quote, verb="said")


def _framed(doc: Document, s: Sentence, text: str, shift: int) -> View | None:
    m = _ACCORDING.match(text) or _PERSPECTIVE.match(text)
    if not m:
        return None
    actor = _resolve_name(doc, s, m.group("actor"), m.start("actor") + shift)
    view = _clean_view(m.group("view"))
    if actor is None or view is None:
        return None
    view = view[:1].lower() + view[1:] if not _starts_with_name(doc, s, view) else view
    prompt = f"According to the article, who holds the view that {view}?"
    return View(s, actor, prompt, 2.6, level=3, view=view, verb="according to")


def _starts_with_name(doc: Document, s: Sentence, view: str) -> bool:
    first = view.split()[0]
    return any(m.text.split()[0] == first for m, _ in doc.entities.in_sentence(s.index))


def _resolve_name(doc: Document, s: Sentence, name: str, at: int) -> Actor | None:
    for mention, entity in doc.entities.in_sentence(s.index, ACTOR_KINDS):
        if mention.start >= at and mention.end <= at + len(name) + 1:
            return _entity_actor(doc, entity)
    words = name.lower().split()
    if words and (words[-1] in GROUP_NOUNS or words[-1] in ROLE_NOUNS):
        return _group_actor(name)
    return None


def _actors(doc: Document, views: list[View]) -> list[Actor]:
    """Everyone who could hold a view: speakers found above, then named people, bodies, states."""
    seen: dict[str, Actor] = {}
    for v in views:
        seen.setdefault(v.actor.key, v.actor)
    entities = [e for e in doc.entities.entities.values() if e.kind in ("person", "org", "country")]
    entities.sort(key=lambda e: (-len(e.mentions), e.mentions[0].sentence))
    for e in entities:
        country = gazetteer.country_of(e.display) if e.kind == "country" else None
        if country is not None and country.region == "x":
            continue  # a former state or a union is not a plausible holder of a current view
        seen.setdefault(e.key, _entity_actor(doc, e))
    return list(seen.values())


def build(doc: Document) -> list[Candidate]:
    views = find_views(doc)
    actors = _actors(doc, views)
    out: list[Candidate] = []
    for v in views:
        if any(contains_phrase(v.prompt, form) for form in v.actor.forms):
            continue  # the prompt would name its own answer
        distractors = []
        pool = sorted(
            (a for a in actors if a.key != v.actor.key),
            key=lambda a: (a.kind != v.actor.kind, actors.index(a)),
        )
        for other in pool:
            if any(
                contains_phrase(v.sentence.text, f) or contains_phrase(v.prompt, f)
                for f in other.forms
            ):
                continue
            if same_answer(other.display, v.actor.display) or any(
                same_answer(other.display, d) for d, _ in distractors
            ):
                continue
            if gazetteer.same_place(other.display, v.actor.display):
                continue
            why = f"The article names {other.display}, but does not attribute this view to them."
            distractors.append((other.display, why))
            if len(distractors) == 3:
                break
        if len(distractors) < 2:
            continue
        note = ""
        mentioned = next((f for f in v.actor.forms if contains_phrase(v.sentence.text, f)), "")
        if mentioned and normalize(mentioned) != normalize(v.actor.display):
            note = f" ({mentioned} refers to {v.actor.display} here.)"
        out.append(
            candidate(
                doc,
                v.sentence,
                type="who_holds_view",
                prompt=v.prompt,
                explanation=says(doc, v.sentence) + note,
                skill="viewpoint",
                difficulty=v.level,
                score=v.score,
                choices=choice_set(v.prompt, v.actor.display, distractors),
            )  # fmt: skip
        )
    return out
