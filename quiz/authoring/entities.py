"""Rule-based entity spotting: countries (via the gazetteer), people, organisations, events,
other names, years, dates and numbers with units. No statistical model: fast and deterministic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lemminflect import getAllLemmas

from . import gazetteer
from .lexicon import (
    DISCOURSE_MARKERS,
    EVENT_WORDS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    ORG_WORDS,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
)
from .text import Sentence, Token

_CONNECTORS = frozenset({"of", "for", "and", "on", "de", "van", "von", "al", "bin"})
_REPORTING = frozenset("said says told added argued insisted warned explained noted".split())
_TIME_WORDS = frozenset("yesterday today tomorrow tonight last next earlier later".split())
_PLACE_PREPOSITIONS = frozenset("in at near from across to into around off".split())
UNITS = frozenset(
    """percent per cent % degrees degree celsius fahrenheit metres meters metre meter kilometres
    kilometers km miles mile feet foot inches people tonnes tons kilograms kg grams litres liters
    hectares acres dollars euros pounds species years months weeks days hours minutes seconds
    households homes jobs residents workers members votes ships men women soldiers cars
    buses trains kilowatts megawatts words pages letters messages times million billion
    thousand hundred square""".split()
)
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
DATE_PATTERNS = (
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{_MONTH_RE}),? (?P<y>\d{{4}})\b"),
    re.compile(rf"\b(?P<m>{_MONTH_RE}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?, (?P<y>\d{{4}})\b"),
    re.compile(rf"\b(?P<m>{_MONTH_RE}),? (?:of )?(?P<y>\d{{4}})\b"),
    re.compile(r"\b(?P<y>1[0-9]{3}|20[0-9]{2})(?P<s>s)?\b(?![.,]\d)"),
)


@dataclass(frozen=True)
class Mention:
    sentence: int
    start: int  # offsets within the sentence text
    end: int
    text: str
    form: str = "name"  # country forms: country/capital/demonym/alias; people: name/surname


@dataclass
class Entity:
    key: str  # canonical id, e.g. "country:Iran", "person:Elena Ruiz", "year:2020"
    kind: str  # country, person, org, event, place, name, year, number
    display: str  # how the entity is shown as an answer option
    mentions: list[Mention] = field(default_factory=list)
    unit: str = ""  # numbers: the unit word ("percent"); years: ""
    value: float | None = None


@dataclass(frozen=True)
class DateMention:
    sentence: int
    start: int
    end: int
    text: str
    year: int
    month: int = 0
    day: int = 0
    decade: bool = False

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day)


def _is_initial(sentence: str, token: Token) -> bool:
    before = sentence[: token.start].rstrip()
    return not before or before[-1] in ".!?:\"“‘'(—–"


def _run_tokens(sentence: Sentence) -> list[list[Token]]:
    """Runs of adjacent capitalised tokens, allowing lowercase connectors inside ("Bank of X")."""
    tokens = sentence.tokens
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        low = tok.lower
        gap_ok = bool(current) and sentence.text[current[-1].end : tok.start].strip() == ""
        if tok.is_cap and low not in MONTHS and low not in WEEKDAYS and tok.text != "I":
            if current and not gap_ok:
                runs.append(current)
                current = []
            current.append(tok)
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if current and gap_ok and low in _CONNECTORS and nxt is not None and nxt.is_cap:
            current.append(tok)
            continue
        if current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    # Trim connectors at the edges.
    return [r for r in (_trim(run) for run in runs) if r]


def _trim(run: list[Token]) -> list[Token]:
    while run and run[-1].lower in _CONNECTORS:
        run = run[:-1]
    while run and run[0].lower in _CONNECTORS:
        run = run[1:]
    return run


class EntityIndex:
    """All entities of an article, with their mentions per sentence."""

    def __init__(self, sentences: list[Sentence]) -> None:
        self.sentences = sentences
        self.entities: dict[str, Entity] = {}
        self.by_sentence: dict[int, list[tuple[Mention, Entity]]] = {s.index: [] for s in sentences}
        self.dates: dict[int, list[DateMention]] = {s.index: [] for s in sentences}
        self._mid_caps = self._collect_mid_caps()
        runs = {s.index: self._name_runs(s) for s in sentences}
        self._titled: set[tuple[int, int]] = set()
        # Pass 1: everything but single unknown tokens, so surnames can attach to people.
        pending: list[tuple[Sentence, list[Token]]] = []
        for s in sentences:
            for run in runs[s.index]:
                if not self._add_gazetteer(s, run) and not self._add_name(s, run, final=False):
                    pending.append((s, run))
        for s, run in pending:
            self._add_name(s, run, final=True)
        for s in sentences:
            self._add_dates_and_numbers(s)
        for mentions in self.by_sentence.values():
            mentions.sort(key=lambda pair: pair[0].start)

    # -- capitalised names -------------------------------------------------------------------
    def _collect_mid_caps(self) -> set[str]:
        seen: set[str] = set()
        for s in self.sentences:
            for tok in s.tokens:
                if tok.is_cap and not _is_initial(s.text, tok):
                    seen.add(tok.text)
        return seen

    def _name_runs(self, s: Sentence) -> list[list[Token]]:
        out = []
        for run in _run_tokens(s):
            first = run[0]
            if _is_initial(s.text, first) and not gazetteer.is_known(first.text):
                low = first.lower
                lemmas = getAllLemmas(low)
                common = (
                    low in STOPWORDS
                    or low in DISCOURSE_MARKERS
                    or low in _TIME_WORDS
                    or (bool(lemmas) and not ({"NOUN", "ADJ", "PROPN"} & set(lemmas)))
                )
                if len(run) == 1 and first.text not in self._mid_caps:
                    continue
                if common:
                    run = run[1:]
            if run:
                out.append(run)
        return out

    def _mention(self, s: Sentence, start: int, end: int, form: str) -> Mention:
        return Mention(s.index, start, end, s.text[start:end], form)

    def _attach(self, entity: Entity, mention: Mention) -> None:
        entity = self.entities.setdefault(entity.key, entity)
        entity.mentions.append(mention)
        self.by_sentence[mention.sentence].append((mention, entity))

    def _add_country(self, s: Sentence, start: int, end: int) -> bool:
        hit = gazetteer.lookup(s.text[start:end])
        if hit is None:
            return False
        country, form = hit
        entity = Entity(f"country:{country.name}", "country", country.name)
        self._attach(entity, self._mention(s, start, end, form))
        return True

    def _add_gazetteer(self, s: Sentence, run: list[Token]) -> bool:
        """Greedy longest match of gazetteer names inside the run; hyphen parts count too."""
        i, matched_any = 0, False
        limit = gazetteer.max_name_tokens()
        while i < len(run):
            for n in range(min(limit, len(run) - i), 0, -1):
                start, end = run[i].start, run[i + n - 1].end
                if self._add_country(s, start, end):
                    matched_any, i = True, i + n
                    break
            else:
                tok = run[i]
                parts = tok.text.split("-")
                if len(parts) > 1 and all(gazetteer.is_known(p) for p in parts):
                    offset = tok.start
                    for part in parts:
                        self._add_country(s, offset, offset + len(part))
                        offset += len(part) + 1
                    matched_any = True
                i += 1
        return matched_any

    def _add_name(self, s: Sentence, run: list[Token], final: bool) -> bool:
        tokens = s.tokens
        idx = tokens.index(run[0])
        prev = tokens[idx - 1].lower if idx > 0 else ""
        if run[0].lower in TITLES and len(run) > 1:
            run, prev = run[1:], run[0].lower
        lows = [t.lower for t in run]
        start, end = run[0].start, run[-1].end
        text = s.text[start:end]
        if any(w in ORG_WORDS for w in lows) or (
            len(run) == 1 and run[0].text.isupper() and 2 <= len(run[0].text) <= 6
        ):
            kind = "org"
        elif any(w in EVENT_WORDS for w in lows):
            kind = "event"
        elif prev in _PLACE_PREPOSITIONS and len(run) > 1:
            kind = "place"
        elif prev in TITLES or (2 <= len(run) <= 3 and self._looks_personal(s, run)):
            kind = "person"
        elif len(run) == 1:
            person = self._person_by_surname(run[0].text)
            if person is not None:
                self._attach(person, self._mention(s, start, end, "surname"))
                return True
            if not final:
                return False
            kind = "place" if prev in _PLACE_PREPOSITIONS else "name"
        else:
            kind = "place" if prev in _PLACE_PREPOSITIONS else "name"
        if kind != "person" and not final and len(run) == 1:
            return False
        entity = Entity(f"{kind}:{text}", kind, text)
        self._attach(entity, self._mention(s, start, end, "name"))
        return True

    def _looks_personal(self, s: Sentence, run: list[Token]) -> bool:
        if not all(t.text.isalpha() and t.text[1:].islower() for t in run):
            return False
        if self._reported(s, run):
            return True  # '"...," said Martin Hale' / 'Martin Hale said'
        if getAllLemmas(run[0].lower):  # "South Caucasus", "Great Barrier Reef": ordinary words
            return False
        surname = run[-1].text
        alone = sum(
            1
            for other in self.sentences
            for tok in other.tokens
            if tok.text == surname and not _near_cap(other, tok)
        )
        window = [t.lower for t in s.tokens if abs(t.start - run[0].start) < 40]
        return alone > 0 or any(w in _REPORTING for w in window)

    @staticmethod
    def _reported(s: Sentence, run: list[Token]) -> bool:
        before = s.text[: run[0].start].rstrip().lower()
        after = s.text[run[-1].end :].lstrip(" ,").lower()
        return (
            before.endswith(tuple(_REPORTING))
            or after.startswith(tuple(_REPORTING))
            or (
                after.startswith(("who ", "a ", "an ", "the "))
                and s.text[run[-1].end : run[-1].end + 1] == ","
                and before.endswith(("said", "says"))
            )
        )

    def _person_by_surname(self, word: str) -> Entity | None:
        for entity in self.entities.values():
            if entity.kind == "person" and entity.display.split()[-1] == word:
                return entity
        return None

    # -- dates and numbers -------------------------------------------------------------------
    def _add_dates_and_numbers(self, s: Sentence) -> None:
        taken: list[tuple[int, int]] = []
        for pattern in DATE_PATTERNS:
            for m in pattern.finditer(s.text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                groups = m.groupdict()
                year = int(groups["y"])
                if not 1000 <= year <= 2100 or self._is_quantity(s.text, m.end()):
                    continue
                month = MONTHS.index(groups["m"].lower()) + 1 if groups.get("m") else 0
                day = int(groups["d"]) if groups.get("d") else 0
                date = DateMention(
                    s.index, m.start(), m.end(), m.group(), year, month, day,
                    decade=bool(groups.get("s")),
                )  # fmt: skip
                self.dates[s.index].append(date)
                taken.append((m.start(), m.end()))
                y0 = m.start("y")
                if not date.decade:
                    entity = Entity(f"year:{year}", "year", str(year), value=float(year))
                    self._attach(entity, self._mention(s, y0, y0 + 4, "year"))
        self.dates[s.index].sort(key=lambda d: d.start)
        number_re = r"(?<![\w.,])(\d+(?:[.,]\d+)*)(%|\s+(?:per cent|[a-zA-Z]+))"
        for m in re.finditer(number_re, s.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            unit = m.group(2).strip().lower()
            if unit not in UNITS and unit != "per cent":
                continue
            unit = "percent" if unit in ("%", "per cent") else unit
            value = float(m.group(1).replace(",", ""))
            entity = Entity(
                f"number:{value:g} {unit}", "number", m.group(0), unit=unit, value=value
            )
            self._attach(entity, self._mention(s, m.start(), m.end(), "number"))

    @staticmethod
    def _is_quantity(text: str, end: int) -> bool:
        nxt = re.match(r"\s+([a-zA-Z%]+)", text[end:])
        return bool(nxt and nxt.group(1).lower() in UNITS) or text[end : end + 1] == "%"

    # -- queries -----------------------------------------------------------------------------
    def in_sentence(self, index: int, kinds: tuple[str, ...] | None = None) -> list:
        return [(m, e) for m, e in self.by_sentence[index] if kinds is None or e.kind in kinds]

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]


def _near_cap(s: Sentence, tok: Token) -> bool:
    """True when a token is part of a longer capitalised run (so not a bare surname)."""
    for other in s.tokens:
        if other is tok:
            continue
        if other.is_cap and (other.end + 1 == tok.start or tok.end + 1 == other.start):
            return True
    return False


def month_number(word: str) -> int:
    word = word.lower().rstrip(".")
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return MONTH_ABBREVIATIONS.get(word[:4], MONTH_ABBREVIATIONS.get(word[:3], 0))
