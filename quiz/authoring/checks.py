"""Grounding and form checks for a single question. They read only the ArticleText and the
Candidate, so drafts from any generator (rule-based or otherwise) can be checked the same way."""

from __future__ import annotations

import re

from lemminflect import getAllLemmas

from . import gazetteer
from .answers import normalize, same_answer, typed_form
from .document import content_lemmas
from .lexicon import senses
from .models import BLANK, CHOICE_TYPES, QUESTION_TYPES, SKILLS, ArticleText, Candidate
from .text import contains_phrase, has_demonstrative, starts_unresolved

_QUOTED = re.compile(r'"([^"]+)"')


def names_for(answer: str) -> list[str]:
    """The answer plus every form of its country (capital, demonym, alias): the grounding and
    give-away checks count a mention of any of them. Too broad for accepted answers."""
    return [answer, *gazetteer.aliases_of(answer)]


def accepted_alternatives(answer: str) -> list[str]:
    """A fill-in answer plus the other names of exactly the same thing ("US" for "United
    States"), never its capital, demonym or a metonym city: grading accepts only these."""
    bare = re.sub(r"^(?:the|an|a)\s+", "", answer.strip(), flags=re.IGNORECASE)
    # Only a name expands: the pronoun "us" is not the country.
    names = gazetteer.names_of(answer) if bare[:1].isupper() else ()
    unique: dict[str, str] = {}
    for name in (answer, *names):
        unique.setdefault(typed_form(name), name)  # "US" and "U.S." grade alike: keep one
    return list(unique.values())


def fill_in_answers(accepted: list[str]) -> list[str]:
    """A fill-in question's accepted answers as stored: the key's other names added, and any
    alternative the gazetteer knows as another thing (a capital, a demonym) dropped."""
    if not accepted:
        return []
    names = accepted_alternatives(accepted[0])
    same = {typed_form(name) for name in names}
    kept = [a for a in accepted[1:] if typed_form(a) in same or not gazetteer.lookup(a.strip())]
    return list(dict.fromkeys([*names, *kept]))


def evidence_ok(article: ArticleText, c: Candidate) -> bool:
    if not 0 <= c.paragraph < len(article.paragraphs) or not c.evidence:
        return False
    return article.paragraphs[c.paragraph][c.start : c.end] == c.evidence


def key_grounded(c: Candidate) -> bool:
    """Is the key contained in, or entailed by, the evidence sentence?"""
    key = c.key
    if not key:
        return False
    if c.type in ("multiple_choice", "who_holds_view"):
        names = names_for(key) + [key.split()[-1]] if " " in key else names_for(key)
        return any(contains_phrase(c.evidence, n) for n in names)
    if c.type == "fill_blank":
        return c.prompt.count(BLANK) == 1 and c.prompt.replace(BLANK, key) == c.evidence
    if c.type == "vocabulary":
        m = _QUOTED.search(c.prompt)
        if not m or not contains_phrase(c.evidence, m.group(1)):
            return False
        lemmas = {lem for lems in getAllLemmas(m.group(1).lower()).values() for lem in lems}
        return any(s.definition == key for lem in lemmas if (s := senses().get(lem)))
    if c.type == "true_false":
        if key == "False":
            return True  # a false statement is by design not entailed
        return set(content_lemmas(c.prompt)) <= set(content_lemmas(c.evidence))
    if c.type == "main_idea":
        words = set(content_lemmas(key))
        return bool(words) and len(words & set(content_lemmas(c.evidence))) / len(words) >= 0.8
    return True  # sequence: items come from several sentences


def distractors_in_evidence(c: Candidate) -> list[str]:
    if c.type not in CHOICE_TYPES:
        return []
    return [d.text for d in c.distractors if contains_phrase(c.evidence, d.text)]


def duplicate_options(c: Candidate) -> bool:
    seen = [normalize(ch.text) for ch in c.choices]
    return len(seen) != len(set(seen))


def aliases_of_key(c: Candidate) -> list[str]:
    if c.type not in CHOICE_TYPES:
        return []
    return [d.text for d in c.distractors if same_answer(d.text, c.key)]


def gives_away(c: Candidate) -> bool:
    """Does the prompt contain its own answer (or an alias of it)?"""
    if c.type in ("true_false", "sequence", "main_idea"):
        return False
    answers = c.accepted_answers if c.type == "fill_blank" else [c.key]
    names = [n for a in answers for n in names_for(a)]
    if c.type == "who_holds_view" and " " in c.key and c.key[:1].isupper():
        names.append(c.key.split()[-1])  # a person's surname
    return any(contains_phrase(c.prompt, n) for n in names)


def unresolved_prompt(c: Candidate) -> bool:
    """Does the prompt (or the sentence it quotes) open with an unresolved pronoun?"""
    if starts_unresolved(c.prompt):
        return True
    if c.type in (
        "multiple_choice",
        "who_holds_view",
        "true_false",
        "fill_blank",
    ) and has_demonstrative(_QUOTED.sub("", c.prompt) if c.type == "who_holds_view" else c.prompt):
        return True
    m = _QUOTED.search(c.prompt)
    return bool(m and c.type in ("multiple_choice",) and starts_unresolved(m.group(1)))


def bad_blank(c: Candidate) -> bool:
    if BLANK not in c.prompt:
        return c.type == "fill_blank"
    if c.prompt.count(BLANK) != 1:
        return True
    return re.search(r"\b(?:a|an)\s+" + re.escape(BLANK), c.prompt, re.IGNORECASE) is not None


def structure_problems(c: Candidate) -> list[str]:
    out = []
    if c.type not in QUESTION_TYPES:
        out.append(f"unknown type {c.type}")
    if c.skill not in SKILLS:
        out.append(f"unknown skill {c.skill}")
    if c.difficulty not in (1, 2, 3):
        out.append("difficulty outside 1-3")
    n_correct = sum(ch.correct for ch in c.choices)
    if c.type in ("multiple_choice", "vocabulary", "main_idea"):
        if len(c.choices) != 4 or n_correct != 1:
            out.append("needs 4 choices with one key")
    elif c.type == "who_holds_view":
        if not 3 <= len(c.choices) <= 4 or n_correct != 1:
            out.append("needs 3-4 choices with one key")
    elif c.type == "true_false":
        if [ch.text for ch in c.choices] != ["True", "False"] or n_correct != 1:
            out.append("needs True/False choices with one key")
    elif c.type == "fill_blank" and (c.choices or not c.accepted_answers):
        out.append("needs accepted answers and no choices")
    elif c.type == "sequence" and (not 3 <= len(c.choices) <= 5 or n_correct != len(c.choices)):
        out.append("needs 3-5 items, all correct")
    if c.type in CHOICE_TYPES and any(not d.rationale for d in c.distractors):
        out.append("distractor without rationale")
    return out


def problems(article: ArticleText, c: Candidate) -> list[str]:
    """Every reason to reject the candidate (empty list = keep)."""
    out = structure_problems(c)
    if not evidence_ok(article, c):
        out.append("evidence not found verbatim")
    if c.type != "sequence" and not key_grounded(c):
        out.append("key not grounded in evidence")
    if distractors_in_evidence(c):
        out.append("distractor appears in evidence")
    if duplicate_options(c):
        out.append("duplicate options")
    if aliases_of_key(c):
        out.append("option is an alias of the key")
    if gives_away(c):
        out.append("prompt gives away the answer")
    if unresolved_prompt(c):
        out.append("prompt starts with an unresolved reference")
    if bad_blank(c):
        out.append("ungrammatical blank")
    return out


# -- what a teacher would reject, as far as a program can tell (RUBRIC.md) -------------------
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
COPIED_RUN = 10  # a stem sharing this many words in a row with the text tests Ctrl+F, not reading


def words_of(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def longest_shared_run(stem: str, article: ArticleText) -> int:
    """The longest run of consecutive words the stem shares with the article (blanks and
    quoted options excluded)."""
    words = words_of(stem.replace(BLANK, " | "))
    body = " " + " ".join(words_of(" \n ".join(article.paragraphs))) + " "
    best = 0
    for i in range(len(words)):
        j = i + best + 1
        while j <= len(words) and f" {' '.join(words[i:j])} " in body:
            best = j - i
            j += 1
    return best


_GRAMMAR = re.compile(
    r"\b(\w+) \1\b|\ban (?=[bcdfgjklmnpqrstvwxz][a-z])|\ba (?=[aeio][a-z])|\d \d{1,3}\b",
    re.IGNORECASE,
)


def grammar_problem(text: str) -> bool:
    """Mechanical slips a reader stops at: "that that", "a apple", "450 0"."""
    m = _GRAMMAR.search(text)
    # "had had" is grammatical; any other doubled word is a slip.
    return m is not None and not (m.group(1) and m.group(1).lower() == "had")


def rubric_problems(article: ArticleText, c: Candidate, main_subjects: set[str]) -> list[str]:
    """Reasons a teacher would reject `c` that a program can see (an empty list is no promise
    of quality: the judging rounds in docs/quality/ measure that)."""
    out = []
    if c.type != "sequence" and longest_shared_run(c.prompt, article) >= COPIED_RUN:
        out.append("stem copies the text")
    if c.type == "true_false":
        out.append("true/false statements copy the text")
    if grammar_problem(c.prompt) or any(grammar_problem(ch.text) for ch in c.choices):
        out.append("ungrammatical")
    if c.type != "sequence" and normalize(c.key) in main_subjects:
        out.append("the key is the article's main subject (guessable)")
    return out
