"""What a program can measure about a question set, and nothing more.

Grounding and form checks cannot tell a good question from a bad one: a set can be perfectly
grounded and still be mostly rejected by a teacher. So this module takes the RUBRIC's proxy
measures (its table "Measures a program can take"), each next to its aim, and flags the
problems a program can detect, per question. It never says PASSED or FAILED: grades (A/B/C)
need a reader's judgement.

Plain Python, no Django: `evaluate(article, items)` for one article, `format_report` and
`format_overall` for the text, `csv_rows` / `as_json` for files to compare between runs.
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from lemminflect import getAllLemmas
from wordfreq import zipf_frequency

from . import gazetteer
from .answers import normalize, same_answer
from .entities import EntityIndex
from .lexicon import STOPWORDS
from .models import BLANK, CHOICE_TYPES, ArticleText, Candidate
from .text import sentences_of

VERBATIM_RUN = 10  # a stem sharing this many words in a row with the article is L1 (verbatim)
COPIED_SHARE = 0.8  # a True/False statement sharing this share of a sentence in one run
CLAUSE_WORDS = 4  # an option of this many words counts as a clause, not a bare name
TERMS_FOUND_MIN = 0.3  # below this share of its content words found, a key is "not the article's"
POSITION_MIN_ITEMS = 8  # fewer choice questions than this: key positions are not judged
NAMED_KINDS = ("country", "person", "org", "place", "name", "event")

CLOSING = (
    "These figures are proxies a program can take, not a verdict: they never say whether a "
    "question is good.\nGrades (A/B/C) need a reader's judgement by the RUBRIC "
    "(docs/quality/ holds the judged rounds)."
)

FLAGS = {
    "verbatim_stem": "the stem copies 10+ words in a row from the article",
    "copied_true_false": "a True/False statement that copies a sentence (or swaps one name)",
    "repeated_key": "the same key as another question of the quiz",
    "key_longest": "the key is strictly the longest option",
    "unresolved_reference": "the stem leans on a reference it does not resolve",
    "grammar": "a mechanical error in the stem or an option",
    "key_not_in_article_terms": "few of the key's content words are in the article",
    "guessable_subject": "the key can be guessed without reading",
    "evidence_not_found": "the evidence quote is not at its place in the article",
}

# -- words and runs --------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # underscores never form words: "_____" drops
_QUOTED_RE = re.compile(r'"([^"]+)"|“([^”]+)”')
_GAP = "\x00"


def words(text: str) -> list[str]:
    """Case- and punctuation-insensitive word tokens; a possessive 's is dropped."""
    out = []
    for w in _WORD_RE.findall(text):
        w = w.replace("’", "'").casefold()
        out.append(w[:-2] if w.endswith("'s") and len(w) > 2 else w)
    return out


def stem_words(c: Candidate) -> list[str]:
    """The stem's words, without the blank and without options quoted in the stem."""
    options = {normalize(ch.text) for ch in c.choices}

    def drop_option(m: re.Match) -> str:
        inner = m.group(1) or m.group(2)
        return "\n" if normalize(inner) in options else m.group(0)

    # A gap marker keeps the words on both sides of a removed piece from making a false run;
    # it never matches an article word.
    pieces = _QUOTED_RE.sub(drop_option, c.prompt.replace(BLANK, "\n")).split("\n")
    out: list[str] = []
    for piece in pieces:
        out += [*words(piece), _GAP]
    return out[:-1]


def _positions(seq: list) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, w in enumerate(seq):
        if w is not None:
            index.setdefault(w, []).append(i)
    return index


def longest_run(needle: list[str], hay: list, index: dict | None = None) -> tuple[int, int]:
    """(length, start in needle) of the longest run of consecutive words shared with `hay`.
    `hay` may hold None separators (between paragraphs) that match nothing."""
    index = _positions(hay) if index is None else index
    best, at = 0, 0
    for i, w in enumerate(needle):
        for j in index.get(w, ()):
            k = 0
            while i + k < len(needle) and j + k < len(hay) and needle[i + k] == hay[j + k]:
                k += 1
            if k > best:
                best, at = k, i
    return best, at


def _lemmas(word: str) -> set[str]:
    return {lem for lems in getAllLemmas(word).values() for lem in lems}


@dataclass(frozen=True)
class _Analysis:
    """Everything the flags read from one article, computed once."""

    words: list  # the article's words, None between paragraphs
    index: dict
    sentences: list[tuple[str, list[str]]]  # (text, words)
    vocabulary: frozenset  # words and their lemmas
    mid_caps: frozenset  # words the article capitalises somewhere other than a sentence start
    top_entity: tuple[str, tuple[str, ...], int] | None  # (display, surface forms, mentions)


@lru_cache(maxsize=32)
def _analyse(article: ArticleText) -> _Analysis:
    flat: list = []
    for paragraph in (*article.summary, *article.paragraphs):
        flat.extend(words(paragraph))
        flat.append(None)
    vocab = {w for w in flat if w}
    vocab |= {lem for w in list(vocab) for lem in _lemmas(w)}
    sentences = sentences_of(article.paragraphs)
    named = [
        e for e in EntityIndex(sentences).entities.values() if e.kind in NAMED_KINDS and e.mentions
    ]
    named.sort(key=lambda e: -len(e.mentions))
    top = None
    # Only a clear winner (2+ mentions, more than the runner-up) is "the article's subject".
    counts = [len(e.mentions) for e in named[:2]] + [0]
    if counts[0] >= 2 and counts[0] > counts[1]:
        e = named[0]
        top = (e.display, tuple({m.text for m in e.mentions}), len(e.mentions))
    mid_caps = {
        m.group()
        for s in sentences
        for m in _WORD_RE.finditer(s.text)
        if m.group()[:1].isupper() and not _sentence_start(s.text, m.start())
    }
    return _Analysis(
        flat,
        _positions(flat),
        [(s.text, words(s.text)) for s in sentences],
        frozenset(vocab),
        frozenset(mid_caps),
        top,
    )


def shared_run(article: ArticleText, c: Candidate) -> tuple[int, str]:
    """Longest run of words the stem shares with the article, and those words."""
    a = _analyse(article)
    stem = stem_words(c)
    n, at = longest_run(stem, a.words, a.index)
    return n, " ".join(stem[at : at + n])


# -- flags: each returns a short reason, or "" when the question is clean ----------------------


def verbatim_stem(article: ArticleText, c: Candidate) -> str:
    n, run = shared_run(article, c)
    if n < VERBATIM_RUN:
        return ""
    shown = " ".join(run.split()[:8])
    return f'shares {n} words in a row with the article ("{shown} …")'


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or token[:1].isdigit()


def copied_true_false(article: ArticleText, c: Candidate) -> str:
    if c.type != "true_false":
        return ""
    statement = words(c.prompt)
    raw = _WORD_RE.findall(c.prompt)
    if not statement:
        return ""
    for text, sentence in _analyse(article).sentences:
        n, _ = longest_run(statement, sentence)
        if n >= COPIED_SHARE * len(statement):
            return f"copies {n} of its {len(statement)} words in one run from a sentence"
        swapped = _one_name_swapped(statement, raw, sentence, _WORD_RE.findall(text))
        if swapped:
            return f"copies a sentence with {swapped}"
    return ""


def _one_name_swapped(st: list[str], st_raw: list[str], se: list[str], se_raw: list[str]) -> str:
    """'"Oslo" for "Stockholm"' when the statement is (a contiguous part of) the sentence with
    one capitalised word or name (or a number) replaced; "" otherwise."""
    ops = difflib.SequenceMatcher(None, st, se, autojunk=False).get_opcodes()
    changes = [op for op in ops if op[0] != "equal"]
    replaced = [op for op in changes if op[0] == "replace"]
    same = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if len(replaced) != 1 or same < 5:
        return ""
    # Any other change may only trim the sentence at either end (a statement cut to a clause).
    for tag, i1, _, _, _ in changes:
        if tag != "replace" and not (tag == "delete" and i1 in (0, len(st))):
            return ""
    _, i1, i2, j1, j2 = replaced[0]
    if i2 - i1 > 3 or j2 - j1 > 3:
        return ""
    if not all(map(_capitalised, st_raw[i1:i2] + se_raw[j1:j2])):
        return ""
    return f'"{" ".join(st_raw[i1:i2])}" swapped for "{" ".join(se_raw[j1:j2])}"'


def _has_key(c: Candidate) -> bool:
    # True/False keys repeat by nature; a sequence's "key" is its whole order.
    return c.type not in ("true_false", "sequence") and bool(c.key.strip())


def repeated_keys(items: list[Candidate]) -> dict[int, str]:
    """Index -> reason, for every question whose key is also another question's key."""
    out: dict[int, str] = {}
    for i, c in enumerate(items):
        if not _has_key(c):
            continue
        others = [
            j + 1
            for j, o in enumerate(items)
            if j != i and _has_key(o) and same_answer(c.key, o.key)
        ]
        if others:
            out[i] = f'key "{c.key}" is also the key of Q{", Q".join(map(str, others))}'
    return out


def key_longest(c: Candidate) -> str:
    if c.type not in CHOICE_TYPES or len(c.choices) < 2 or not c.distractors:
        return ""
    longest_other = max(len(d.text) for d in c.distractors)
    if len(c.key) <= longest_other:
        return ""
    return f"key is the longest option ({len(c.key)} characters, next {longest_other})"


# A heuristic, with known limits: it sees the words, not their meaning. It misses references
# it has no pattern for ("the man", "the country" when several were named, "that + noun" after
# a verb); it flags "the decision" even when the article has a single decision, and "this/that
# + noun" whose antecedent sits earlier in the same quoted sentence. "that + noun" is only looked
# for at the start or after a preposition, since "said that prices" is a conjunction.
_PRONOUNS = frozenset("he she it they him her his its their them".split())
_DEMONSTRATIVES = frozenset("this that these those such".split())
_SELF_NOUNS = frozenset(
    """article text passage paragraph paragraphs sentence sentences statement statements
    question questions quiz option options answer answers word words phrase list author writer
    summary events items order steps""".split()
)
# Nouns for "something that happened" that a stem cannot leave unnamed. Nouns an article
# usually has one of ("the plan", "the scheme") are left out: the reader knows which.
_VAGUE_NOUNS = frozenset(
    """incident move decision event episode attack step measure announcement remark remarks
    comment comments development situation affair accident""".split()
)
# Words after "the <vague noun>" that go on to say which one it is.
_QUALIFIERS = frozenset(
    """of to for between with on over against in at by that which who where when called known
    named signed made announced proposed reached described mentioned""".split()
)
_PREPOSITIONS = frozenset("of in to for by after before with from about on at over".split())
_WH_AUX_PRONOUN = re.compile(
    r"\b(?:why|how|what|when|where|who|which)\s+(?:did|does|do|was|were|is|are|has|have|had|"
    r"will|would|could|can|should)\s+(he|she|it|they)\b",
    re.IGNORECASE,
)


def unresolved_reference(c: Candidate) -> str:
    stem = c.prompt
    raw = _WORD_RE.findall(stem)
    lows = [w.lower().replace("’", "'") for w in raw]
    # The stem and every sentence it quotes must open on their own.
    openings = [lows[:2]] + [
        [w.lower() for w in _WORD_RE.findall(m.group(1) or m.group(2))][:2]
        for m in _QUOTED_RE.finditer(stem)
    ]
    for head in openings:
        if head and head[0] in _PRONOUNS:
            return f'starts with "{head[0]}" without saying who or what'
        if len(head) == 2 and head[0] in _DEMONSTRATIVES and head[1] not in _SELF_NOUNS | STOPWORDS:
            return f'starts with "{" ".join(head)}" without saying which'
    for i in range(len(lows) - 1):
        w, nxt = lows[i], lows[i + 1]
        demonstrative = w in ("this", "these", "those") or (
            w == "that" and i > 0 and lows[i - 1] in _PREPOSITIONS
        )
        if demonstrative and nxt not in _SELF_NOUNS and nxt not in STOPWORDS and nxt.isalpha():
            return f'leans on "{w} {nxt}" without saying which'
        if w == "the" and nxt in _VAGUE_NOUNS:
            after = raw[i + 2] if i + 2 < len(raw) else ""
            if not (after.lower() in _QUALIFIERS or after[:1].isupper()):
                return f'leans on "the {nxt}" without saying which'
    m = _WH_AUX_PRONOUN.search(stem)
    if m:
        before = _WORD_RE.findall(stem[: m.start(1)])
        if not any(w[:1].isupper() for w in before[1:]):  # no name for the pronoun to refer to
            return f'asks about "{m.group(1)}" without a name'
    return ""


# Countries that take "the" as a single capitalised word, and names that are also rivers.
_THE_COUNTRIES = frozenset(
    "Netherlands Philippines Gambia Bahamas Congo Maldives Seychelles Comoros Sudan Jordan".split()
)
_FUNCTION_WORDS = STOPWORDS - {"s"}
_ARTICLE_RE = re.compile(r"(?<![\w'’-])(a|an|A|An)\s+[\"“‘']?([A-Za-z0-9][\w'’-]*)")
_THE_RE = re.compile(r"\b[Tt]he\s+([A-Z][a-z][\w'’-]*)")
_REPEAT_RE = re.compile(r"\b([^\W\d_]+)\s+\1\b", re.IGNORECASE)
_NUMBER_SPACE_RE = re.compile(r"(?<![\d,.])(\d+) (\d+)(?![\d,.])")
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
_AMBIGUOUS_H = ("histor", "hotel", "habit", "hered", "herb", "heroic")
_YOU_SOUND = ("eu", "uni", "use", "usu", "uti", "ura", "ure", "uro", "ubiq", "ukr", "once", "one-")


def vowel_sound(word: str) -> bool | None:
    """Does the word start with a vowel sound? None when the spelling cannot tell."""
    low = word.lower()
    if low[:1].isdigit():
        if low.startswith(("11", "18")):
            return None  # eleven/eighteen, or one hundred and ten
        return low.startswith("8")
    if len(word) == 1:
        return None
    if word.isupper() and len(word) <= 3:  # an acronym read letter by letter: "an MP", "a UN"
        return word[0] in "AEFHILMNORSX"
    if word.isupper():
        return None  # read as a word ("a NATO summit") or by letters: cannot tell
    if low.startswith(_SILENT_H):
        return True
    if low.startswith(_AMBIGUOUS_H):
        return None  # "an historic" is accepted British usage
    if low == "one" or (
        low.startswith(_YOU_SOUND) and not low.startswith(("unin", "unim", "unid"))
    ):
        return False
    return low[0] in "aeiou"


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in '.!?:"“('


def grammar_problems(text: str, stem: bool = False) -> list[str]:
    """Mechanical errors a program can see; `stem` adds the checks for a whole sentence."""
    out = []
    for m in _REPEAT_RE.finditer(text):
        if m.group(1).lower() != "had":  # "had had" is correct
            out.append(f'repeated word "{m.group(0)}"')
    for m in _ARTICLE_RE.finditer(text):
        art, word = m.group(1), m.group(2)
        if art[0].isupper() and not _sentence_start(text, m.start()):
            continue  # a label such as "option A", not an article
        vowel = vowel_sound(word)
        if vowel is not None and (art.lower() == "an") != vowel:
            out.append(f'"{art} {word}"')
    for m in _THE_RE.finditer(text):
        name = re.sub(r"['’]s$", "", m.group(1))
        nxt = re.match(r"\s+(\w+)", text[m.end(1) :])
        # "the Iran deal", "the Jordan Valley": the name qualifies the noun that follows
        # (but "the Brazil's team" is still wrong).
        qualifies = nxt and (nxt.group(1)[:1].isupper() or nxt.group(1) not in _FUNCTION_WORDS)
        if qualifies and name == m.group(1):
            continue
        hit = gazetteer.lookup(name)
        if (
            hit
            and hit[1] in ("country", "alias")
            and not name.isupper()  # "the US", "the UK" are right
            and not {name, hit[0].name} & _THE_COUNTRIES
        ):
            out.append(f'"{m.group(0)}" (no "the" before this country)')
    if stem and not text.lstrip().startswith(BLANK):
        body = re.sub(r'^[\s"“‘\'(\[]+', "", text)
        if body[:1].isalpha() and body[:1].islower():
            out.append("starts with a lowercase letter")
    pairs = (("“", "”"), ("(", ")"), ("[", "]"))
    if text.count('"') % 2 or any(text.count(a) != text.count(b) for a, b in pairs):
        out.append("unbalanced quotes or brackets")
    for m in _NUMBER_SPACE_RE.finditer(text):
        a, b = m.groups()
        if not (len(a) <= 3 and len(b) == 3):  # "450 000" is a thousands separator
            out.append(f'number with a space "{m.group(0)}"')
    return out


COMMON_ZIPF = 4.0  # wordfreq frequency above which a word is an ordinary English word


def kept_capitals(stem: str, article: ArticleText) -> list[str]:
    """Ordinary words capitalised mid-stem because they opened the source sentence ("Why did
    Foreign correspondents..."): the article never capitalises them elsewhere."""
    a = _analyse(article)
    out = []
    for m in re.finditer(r"\b[A-Z][a-z]+\b(?!\s+[A-Z])", stem):  # not "Mayor Okoye": a name
        w = m.group()
        if _sentence_start(stem, m.start()) or w in a.mid_caps or w.lower() not in a.vocabulary:
            continue
        if zipf_frequency(w.lower(), "en") >= COMMON_ZIPF and not gazetteer.is_known(w):
            out.append(f'"{w}" capitalised mid-sentence')
    return out


def grammar(c: Candidate, article: ArticleText | None = None) -> str:
    found = grammar_problems(c.prompt, stem=True)
    if article is not None:
        found += kept_capitals(c.prompt, article)
    if c.type != "true_false":
        for ch in c.choices:
            found += grammar_problems(ch.text)
    return "; ".join(dict.fromkeys(found))


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 2 or w.isdigit())]


def key_not_in_article_terms(article: ArticleText, c: Candidate) -> str:
    # Vocabulary keys are definitions: they are meant to use other words than the article.
    if c.type not in CHOICE_TYPES or c.type == "vocabulary":
        return ""
    terms = _content_words(c.key)
    if not terms:
        return ""
    vocab = _analyse(article).vocabulary

    def found(w: str) -> bool:
        if w in vocab or _lemmas(w) & vocab:
            return True
        return any(set(words(alias)) <= vocab for alias in gazetteer.aliases_of(w))

    share = sum(map(found, terms)) / len(terms)
    if share >= TERMS_FOUND_MIN:
        return ""
    return f"only {share:.0%} of the key's content words appear in the article"


def _name_like(text: str) -> bool:
    """ "Elena Ruiz", "Bank of England": every content word capitalised, and short."""
    raw = [w for w in _WORD_RE.findall(text) if w.lower() not in STOPWORDS]
    return bool(raw) and len(raw) <= 5 and all(w[:1].isupper() for w in raw)


def guessable_subject(article: ArticleText, c: Candidate) -> str:
    if not _has_key(c):
        return ""
    top = _analyse(article).top_entity
    if top:
        display, forms, mentions = top
        key = normalize(c.key)
        if same_answer(c.key, display) or key in {normalize(f) for f in forms}:
            return f'key "{c.key}" is the article\'s most-mentioned name ({mentions} mentions)'
    if (
        c.type in CHOICE_TYPES
        and len(c.distractors) >= 2
        and _name_like(c.key)
        and not any(_name_like(d.text) for d in c.distractors)
    ):
        return "the key is the only option that is a capitalised name"
    return ""


def evidence_not_found(article: ArticleText, c: Candidate) -> str:
    found = 0 <= c.paragraph < len(article.paragraphs) and c.evidence
    if found and article.paragraphs[c.paragraph][c.start : c.end] == c.evidence:
        return ""
    return "the evidence quote is not at its offsets (the text changed, or it was edited)"


# -- per question, per article, overall --------------------------------------------------------

_REASONING_RE = re.compile(
    r"^\W*(?:according to [^,]{1,60},\s*)?(?:why\b|how\b|what led\b|what happened as a result\b|"
    r"what (?:does|did|do) (?:\S+\s+){1,6}?(?:think|believe|say|argue|claim)\b)",
    re.IGNORECASE,
)


def asks_reasoning(stem: str) -> bool:
    """Does the stem begin with Why / How / What led / What happened as a result /
    What does|did X think|believe|say|argue|claim (an optional "According to X," first)?"""
    return _REASONING_RE.match(stem) is not None


def key_position(c: Candidate) -> int | None:
    if c.type not in CHOICE_TYPES:
        return None
    return next((i for i, ch in enumerate(c.choices) if ch.correct), None)


@dataclass
class QuestionReport:
    n: int
    candidate: Candidate
    longest_run: int
    flags: dict[str, str]  # code -> reason

    @property
    def codes(self) -> list[str]:
        return list(self.flags)

    @property
    def verbatim(self) -> bool:
        return self.longest_run >= VERBATIM_RUN


@dataclass
class ArticleReport:
    name: str
    paragraphs: int = 0
    questions: list[QuestionReport] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)
    refused: str = ""  # why no questions could be made (e.g. not English)


@dataclass
class Measure:
    name: str
    value: float | None
    shown: str
    aim: str
    met: bool | None  # None: nothing to judge (no items, too few)
    unjudged: str = "n/a"  # shown instead of met/not met when met is None


def question_flags(article: ArticleText, c: Candidate) -> dict[str, str]:
    """Every per-question flag except repeated_key (which needs the whole quiz)."""
    found = {
        "verbatim_stem": verbatim_stem(article, c),
        "copied_true_false": copied_true_false(article, c),
        "key_longest": key_longest(c),
        "unresolved_reference": unresolved_reference(c),
        "grammar": grammar(c, article),
        "key_not_in_article_terms": key_not_in_article_terms(article, c),
        "guessable_subject": guessable_subject(article, c),
        "evidence_not_found": evidence_not_found(article, c),
    }
    return {code: why for code, why in found.items() if why}


def evaluate(article: ArticleText, items: list[Candidate], name: str = "") -> ArticleReport:
    report = ArticleReport(name or article.title or "article", len(article.paragraphs))
    repeated = repeated_keys(items)
    for i, c in enumerate(items):
        flags = question_flags(article, c)
        if i in repeated:
            flags["repeated_key"] = repeated[i]
        flags = {code: flags[code] for code in FLAGS if code in flags}  # a stable order
        report.questions.append(QuestionReport(i + 1, c, shared_run(article, c)[0], flags))
        if 0 <= c.paragraph < len(article.paragraphs):
            report.covered.add(c.paragraph)
    return report


def refused(name: str, reason: str) -> ArticleReport:
    return ArticleReport(name, refused=reason)


def _share(part: int, whole: int) -> tuple[float | None, str]:
    if not whole:
        return None, "n/a (none)"
    return part / whole, f"{part / whole:.0%} ({part}/{whole})"


def measures(questions: list[QuestionReport]) -> list[Measure]:
    """The RUBRIC's measures over a list of questions (one article's, or all of them)."""
    items = [q.candidate for q in questions]
    choice = [c for c in items if c.type in CHOICE_TYPES]
    options = [ch for c in choice for ch in c.choices]
    out = []

    runs = [q.longest_run for q in questions]
    median = statistics.median(runs) if runs else None
    out.append(
        Measure(
            "median longest run a stem shares with the article",
            median,
            f"{median:g} words" if median is not None else "n/a (none)",
            "≤ 6 words",
            None if median is None else median <= 6,
        )
    )

    def share_measure(name: str, part: int, whole: int, aim: str, ok) -> Measure:
        value, shown = _share(part, whole)
        return Measure(name, value, shown, aim, None if value is None else ok(value))

    out.append(
        share_measure(
            "stems sharing a run of 10+ words",
            sum(q.verbatim for q in questions),
            len(questions),
            "≤ 15%",
            lambda v: v <= 0.15,
        )
    )
    # A proxy for "a clause": four words or more (a bare name or a year never gets there).
    out.append(
        share_measure(
            "options (choice questions) of 4+ words",
            sum(len(words(ch.text)) >= CLAUSE_WORDS for ch in options),
            len(options),
            "≥ 40%",
            lambda v: v >= 0.40,
        )
    )
    out.append(
        share_measure(
            "stems beginning Why / How / What led / What does X think",
            sum(asks_reasoning(c.prompt) for c in items),
            len(items),
            "≥ 20%",
            lambda v: v >= 0.20,
        )
    )
    repeats = sum("repeated_key" in q.flags for q in questions)
    out.append(
        Measure("questions whose key repeats another's", repeats, str(repeats), "0", repeats == 0)
    )
    out.append(
        share_measure(
            "key is the longest option",
            sum(bool(key_longest(c)) for c in choice),
            len(choice),
            "≤ 30%",
            lambda v: v <= 0.30,
        )
    )
    positions = Counter(p for c in choice if (p := key_position(c)) is not None)
    width = max(positions, default=3) + 1
    counts = " ".join(f"{chr(65 + i)} {positions.get(i, 0)}" for i in range(max(width, 4)))
    judged = sum(positions.values()) >= POSITION_MIN_ITEMS
    top_share = max(positions.values()) / sum(positions.values()) if positions else None
    out.append(
        Measure(
            "key position (choice questions)",
            top_share,
            counts,
            "none > 40%",
            (top_share <= 0.40) if judged else None,
            f"too few to judge (< {POSITION_MIN_ITEMS})",
        )
    )
    return out


def _mix(values: list[str]) -> str:
    counts = Counter(v or "(none)" for v in values)
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _met(m: Measure) -> str:
    return {True: "met", False: "not met", None: m.unjudged}[m.met]


def _figures(questions: list[QuestionReport]) -> list[str]:
    items = [q.candidate for q in questions]
    verbatim = sum(q.verbatim for q in questions)
    lines = [
        f"  types: {_mix([c.type for c in items])}",
        f"  kinds: {_mix([getattr(c, 'kind', '') for c in items])}",
        f"  level (estimate): {verbatim} verbatim L1 by the 10-word rule, "
        f"{len(items) - verbatim} not",
    ]
    for m in measures(questions):
        lines.append(f"  {m.name:<57} {m.shown:<16} aim {m.aim:<11} {_met(m)}")
    return lines


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_report(report: ArticleReport) -> str:
    """One article: its figures, each measure against its aim, then the flagged questions."""
    if report.refused:
        return f"== {report.name}: refused: {report.refused}"
    qs = report.questions
    lines = [
        f"== {report.name}: {len(qs)} questions, "
        f"{len(report.covered)}/{report.paragraphs} paragraphs covered"
    ]
    if not qs:
        return lines[0]
    lines += _figures(qs)
    flagged = [q for q in qs if q.flags]
    lines.append(f"  flags: {len(flagged)} of {len(qs)} questions flagged")
    for q in flagged:
        lines.append(f"    Q{q.n} [{q.candidate.type}] {_short(q.candidate.prompt)}")
        for code, why in q.flags.items():
            lines.append(f"       {code}: {why}")
    return "\n".join(lines)


def format_overall(reports: list[ArticleReport]) -> str:
    """All articles pooled, the flags counted, and the closing reminder."""
    done = [r for r in reports if not r.refused]
    qs = [q for r in done for q in r.questions]
    covered = sum(len(r.covered) for r in done)
    paragraphs = sum(r.paragraphs for r in done)
    lines = [
        f"== Overall: {len(reports)} articles ({len(reports) - len(done)} refused), "
        f"{len(qs)} questions, {covered}/{paragraphs} paragraphs covered",
    ]
    lines.append("  questions per article:")
    for r in done:
        lines.append(
            f"    {r.name:<40} {len(r.questions):>3}  ({len(r.covered)}/{r.paragraphs} paragraphs)"
        )
    if qs:
        lines += _figures(qs)
        counted = Counter(code for q in qs for code in q.flags)
        lines.append(f"  questions flagged: {sum(bool(q.flags) for q in qs)} of {len(qs)}")
        for code in FLAGS:
            lines.append(f"    {code:<26} {counted.get(code, 0):>3}  {FLAGS[code]}")
    lines.append(CLOSING)
    return "\n".join(lines)


# -- files to compare between runs -------------------------------------------------------------

CSV_FIELDS = [
    "article",
    "n",
    "type",
    "kind",
    "skill",
    "paragraph",
    "prompt",
    "key",
    "options",
    "longest_run",
    "verbatim_l1",
    "asks_reasoning",
    "clause_options",
    "key_position",
    *FLAGS,
    "flag_notes",
]


def question_row(article: str, q: QuestionReport) -> dict:
    c = q.candidate
    position = key_position(c)
    row = {
        "article": article,
        "n": q.n,
        "type": c.type,
        "kind": getattr(c, "kind", ""),
        "skill": c.skill,
        "paragraph": c.paragraph + 1,
        "prompt": c.prompt,
        "key": c.key,
        "options": " | ".join(ch.text for ch in c.choices),
        "longest_run": q.longest_run,
        "verbatim_l1": int(q.verbatim),
        "asks_reasoning": int(asks_reasoning(c.prompt)),
        "clause_options": sum(len(words(ch.text)) >= CLAUSE_WORDS for ch in c.choices)
        if c.type in CHOICE_TYPES
        else "",
        "key_position": chr(65 + position) if position is not None else "",
        "flag_notes": "; ".join(f"{code}: {why}" for code, why in q.flags.items()),
    }
    row.update({code: int(code in q.flags) for code in FLAGS})
    return row


def csv_rows(reports: list[ArticleReport]) -> list[dict]:
    return [question_row(r.name, q) for r in reports for q in r.questions]


def _measures_json(questions: list[QuestionReport]) -> list[dict]:
    return [
        {"measure": m.name, "value": m.value, "shown": m.shown, "aim": m.aim, "met": m.met}
        for m in measures(questions)
    ]


def as_json(reports: list[ArticleReport]) -> dict:
    done = [r for r in reports if not r.refused]
    qs = [q for r in done for q in r.questions]
    return {
        "articles": [
            {
                "article": r.name,
                "refused": r.refused,
                "paragraphs": r.paragraphs,
                "paragraphs_covered": len(r.covered),
                "questions": [question_row(r.name, q) for q in r.questions],
                "measures": _measures_json(r.questions),
            }
            for r in reports
        ],
        "overall": {
            "articles": len(reports),
            "refused": len(reports) - len(done),
            "questions": len(qs),
            "paragraphs": sum(r.paragraphs for r in done),
            "paragraphs_covered": sum(len(r.covered) for r in done),
            "measures": _measures_json(qs),
            "flags": dict(Counter(code for q in qs for code in q.flags)),
        },
        "note": CLOSING,
    }
