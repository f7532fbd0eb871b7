"""Moodle GIFT export and import.

Export writes standard GIFT that Moodle imports as is; `//` comment lines (ignored by Moodle)
carry what GIFT cannot say (our question type, skill, difficulty, evidence, the rationales of
ordering items) so that exporting then importing here loses nothing.

Import also reads GIFT written by hand (no metadata): {T}/{F} true or false, one = among ~
multiple choice, only = short answer (fill in the blank), `item -> 1` matching as ordering.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

from django.db.models import QuerySet

from courses.models import Lesson
from quiz.models import Question, QuestionType, Status

from .common import (
    BLANK,
    CHOICE_TYPES,
    GIFT_ORIGIN,
    GiftError,
    ImportResult,
    ParsedChoice,
    ParsedQuestion,
    check_lengths,
    format_evidence,
    parse_evidence,
    save_questions,
)

# --- export -----------------------------------------------------------------------------------

_SPECIAL = "~=#{}:"
_FORMAT_NAMES = ("plain", "html", "moodle", "markdown")


def escape(text: str) -> str:
    """Text safe inside GIFT: specials and backslash escaped, line breaks written as \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for char in _SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text(text: str) -> str:
    """An answer or feedback: escaped, with a [plain] marker when it could be misread.

    Moodle reads a leading `[word]` as a text format and a leading `%50%` as a weight; an
    explicit `[plain]` in front keeps such text literal (Moodle strips exactly one marker).
    """
    text = text.strip()
    if text.startswith(("[", "%")):
        return "[plain]" + escape(text)
    return escape(text)


def _name(index: int, question: Question) -> str:
    short = " ".join(question.prompt.split())
    if len(short) > 60:
        short = short[:59].rstrip() + "…"
    return f"Q{index} {short}"


def _metadata(question: Question, choices) -> list[str]:
    lines = [
        f"// type: {question.type}; skill: {question.skill}; "
        f"difficulty: {question.difficulty}; evidence: {format_evidence(question)}",
    ]
    if question.evidence_quote:
        lines.append(
            "// evidence_quote: " + json.dumps(question.evidence_quote, ensure_ascii=False)
        )
    if question.type == QuestionType.SEQUENCE:
        for place, choice in enumerate(choices, start=1):
            if choice.rationale:
                lines.append(
                    f"// rationale {place}: " + json.dumps(choice.rationale, ensure_ascii=False)
                )
    return lines


def _is_plain_true_false(choices) -> bool:
    return (
        len(choices) == 2
        and [c.text.strip() for c in choices] == ["True", "False"]
        and sum(c.is_correct for c in choices) == 1
    )


def _general_feedback(question: Question) -> str:
    return f"####{_text(question.explanation)}" if question.explanation.strip() else ""


def _question_gift(index: int, question: Question) -> str:
    choices = list(question.choices.all())
    answers = [a.text for a in question.accepted_answers.all()]
    head = f"::{escape(_name(index, question))}::"
    prompt = question.prompt.strip()
    feedback = _general_feedback(question)
    lines = _metadata(question, choices)

    if question.type == QuestionType.FILL_BLANK:
        block = "{" + " ".join(["=" + _text(a) for a in answers] + ([feedback] * bool(feedback)))
        block += "}"
        before, blank, after = prompt.partition(BLANK)
        if blank and after.strip():
            # The answers take the blank's place; Moodle puts "_____" back there.
            body = f"[plain]{escape(before)}{block}{escape(after)}"
        else:
            # No blank, or a blank at the very end (answers at the end mean "no blank").
            body = f"[plain]{escape(prompt)} {block}"
        lines.append(head + body)
    elif question.type == QuestionType.TRUE_FALSE and _is_plain_true_false(choices):
        right = next(c for c in choices if c.is_correct)
        wrong = next(c for c in choices if not c.is_correct)
        block = "T" if right.text.strip() == "True" else "F"
        if wrong.rationale.strip() or right.rationale.strip():
            block += "#" + _text(wrong.rationale)
        if right.rationale.strip():
            block += "#" + _text(right.rationale)
        lines.append(f"{head}[plain]{escape(prompt)} {{{block}{feedback}}}")
    elif question.type == QuestionType.SEQUENCE:
        lines.append(f"{head}[plain]{escape(prompt)} {{")
        for place, choice in enumerate(choices, start=1):
            lines.append(f"\t={_text(choice.text)} -> {place}")
        if feedback:
            lines.append("\t" + feedback)
        lines.append("}")
    else:  # one right answer among the choices (true/false that is not plain True/False too)
        lines.append(f"{head}[plain]{escape(prompt)} {{")
        for choice in choices:
            line = ("\t=" if choice.is_correct else "\t~") + _text(choice.text)
            if choice.rationale.strip():
                line += "#" + _text(choice.rationale)
            lines.append(line)
        if feedback:
            lines.append("\t" + feedback)
        lines.append("}")
    return "\n".join(lines)


def export_gift(questions: Iterable[Question]) -> str:
    """The questions as a GIFT file (UTF-8 text, questions separated by a blank line)."""
    if isinstance(questions, QuerySet):
        questions = questions.prefetch_related("choices", "accepted_answers")
    parts = [
        "// Exported from the reading quiz. Lines starting with // are ignored by Moodle;",
        "// they keep each question's type, skill, difficulty and evidence for re-import.",
    ]
    for index, question in enumerate(questions, start=1):
        parts.append("")
        parts.append(_question_gift(index, question))
    return "\n".join(parts) + "\n"


# --- import -----------------------------------------------------------------------------------

# Escaped characters become private-use placeholders while parsing (as Moodle does).
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003"}
_ESCAPES |= {"{": "\ue004", "}": "\ue005", "~": "\ue006", "n": "\ue007"}
_RESTORE = {placeholder: char for char, placeholder in _ESCAPES.items()} | {"\ue007": "\n"}
_PLACEHOLDERS_RE = re.compile("[\ue000-\ue007]")
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d*)?)%")
_FORMAT_RE = re.compile(r"^\[(plain|html|moodle|markdown)\]")
_TAG_RE = re.compile(r"<[^>]*>")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_KEYS = ("type", "skill", "difficulty", "evidence")


class _Invalid(Exception):
    def __init__(self, errors: list[GiftError]):
        self.errors = errors


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(char, char) for char in text)


def _clean(text: str, default_format: str = "moodle") -> tuple[str, str]:
    """(text, format): the format marker stripped, escapes restored, HTML turned to text."""
    text = text.strip()
    fmt = default_format
    match = _FORMAT_RE.match(text)
    if match:
        fmt = match.group(1)
        text = text[match.end() :]
    text = _restore(text).strip()
    if fmt == "html":
        text = html.unescape(_TAG_RE.sub("", re.sub(r"<br\s*/?>", "\n", text))).strip()
    return text, fmt


class _Block:
    """One question's lines (comments blanked out) with a way back to line numbers."""

    def __init__(self, numbered_lines: list[tuple[int, str]]):
        self.first_line = numbered_lines[0][0]
        self.comments: list[tuple[int, str]] = []
        kept = []
        for number, line in numbered_lines:
            if line.strip().startswith("//"):
                self.comments.append((number, line.strip()[2:].strip()))
                kept.append("")
            else:
                kept.append(line)
        # Line breaks survive escaping (\n is escaped as a placeholder, real ones stay).
        self.body = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], "\n".join(kept))

    def line_of(self, offset: int) -> int:
        return self.first_line + self.body.count("\n", 0, offset)

    @property
    def is_empty(self) -> bool:
        return not self.body.strip()


def _blocks(text: str) -> list[_Block]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _PLACEHOLDERS_RE.sub("", text)  # our parsing placeholders cannot come from a file
    blocks, current = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(_Block(current))
            current = []
    if current:
        blocks.append(_Block(current))
    return blocks


def _metadata_from(comments: list[tuple[int, str]]) -> dict:
    meta: dict = {"rationales": {}}
    for _number, content in comments:
        key, colon, value = content.partition(":")
        key = key.strip().lower()
        if not colon:
            continue
        if key == "evidence_quote":
            meta["evidence_quote"] = _json_text(value)
        elif re.fullmatch(r"rationale \d+", key):
            meta["rationales"][int(key.split()[1])] = _json_text(value)
        else:
            for pair in content.split(";"):
                name, colon, value = pair.partition(":")
                name = name.strip().lower()
                if colon and name in _KEYS:
                    meta[name] = value.strip()
    return meta


def _json_text(value: str) -> str:
    value = value.strip()
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def _segments(text: str, offset: int, markers: str) -> list[tuple[str, str, int]]:
    """Split answers at their markers: [(marker, text after it, offset of the marker)].

    Text before the first marker comes first with marker "" (only if not blank).
    """
    parts: list[tuple[str, str, int]] = []
    marker, start = "", 0
    for i, char in enumerate(text):
        if char in markers:
            if marker or text[start:i].strip():
                parts.append((marker, text[start:i], offset + start))
            marker, start = char, i + 1
    if marker or text[start:].strip():
        parts.append((marker, text[start:], offset + start))
    return parts


def _weight(text: str) -> tuple[float | None, str]:
    match = _WEIGHT_RE.match(text)
    if not match:
        return None, text
    return float(match.group(1)), text[match.end() :]


def _parse_block(block: _Block) -> ParsedQuestion | None:
    s = block.body
    start = len(s) - len(s.lstrip())
    question_line = block.line_of(start)
    if s.startswith("$CATEGORY:", start):
        return None
    i = start
    if s.startswith("::", i):
        end = s.find("::", i + 2)
        i = end + 2 if end >= 0 else i + 2
    opening, closing = s.find("{", i), s.find("}", i)
    if opening < 0 and closing < 0:
        raise _Invalid(
            [GiftError(question_line, "this text has no answers in { }, so it is not a question")]
        )
    if opening < 0 or 0 <= closing < opening:
        raise _Invalid(
            [GiftError(block.line_of(closing), "there is a } without an opening { before it")]
        )
    if closing < 0:
        raise _Invalid(
            [
                GiftError(
                    block.line_of(opening),
                    "the answers opened with { are never closed with } (or write \\{ for a "
                    "brace that is part of the text)",
                )
            ]
        )
    inner = s.find("{", opening + 1, closing)
    if inner >= 0:
        raise _Invalid(
            [
                GiftError(
                    block.line_of(inner),
                    "a second { appears before the answers are closed with }",
                )
            ]
        )
    after = s[closing + 1 :]
    stray = min((p for p in (after.find("{"), after.find("}")) if p >= 0), default=-1)
    if stray >= 0:
        raise _Invalid(
            [
                GiftError(
                    block.line_of(closing + 1 + stray),
                    "a second answer block starts here: separate questions with a blank line",
                )
            ]
        )

    before = s[i:opening]
    raw_prompt = before if not after.strip() else before + BLANK + after
    prompt, fmt = _clean(raw_prompt)
    answer_text = s[opening + 1 : closing]
    answer_offset = opening + 1
    explanation = ""
    general = answer_text.rfind("####")
    if general >= 0:
        explanation, _ = _clean(answer_text[general + 4 :], fmt)
        answer_text = answer_text[:general]

    meta = _metadata_from(block.comments)
    parsed = ParsedQuestion(
        line=question_line,
        type="",
        prompt=prompt,
        explanation=explanation,
        skill=meta.get("skill"),
        difficulty=meta.get("difficulty"),
        has_metadata="type" in meta,
    )
    if "evidence" in meta:
        parsed.evidence = parse_evidence(meta["evidence"])
        if parsed.evidence is not None:
            parsed.evidence.quote = meta.get("evidence_quote", "")

    stripped = answer_text.strip()
    brace_line = block.line_of(opening)
    if not stripped:
        raise _Invalid(
            [GiftError(brace_line, "essay questions (empty { }) are not supported here")]
        )
    if stripped.startswith("#"):
        raise _Invalid([GiftError(brace_line, "numerical questions ({#…}) are not supported here")])
    errors: list[GiftError] = []
    if "~" in stripped:
        _read_choices(block, parsed, answer_text, answer_offset, fmt, errors)
        wanted = meta.get("type")
        parsed.type = wanted if wanted in CHOICE_TYPES else QuestionType.MULTIPLE_CHOICE
    elif "=" in stripped and "->" in stripped and meta.get("type") != QuestionType.FILL_BLANK:
        # (GIFT cannot escape "->": our metadata tells a short answer containing it apart.)
        parsed.type = QuestionType.SEQUENCE
        _read_order(block, parsed, answer_text, answer_offset, fmt, errors, meta["rationales"])
    elif stripped.split("#")[0].strip().upper() in _TRUE_FALSE:
        parsed.type = QuestionType.TRUE_FALSE
        _read_true_false(parsed, stripped, fmt)
    else:
        parsed.type = QuestionType.FILL_BLANK
        _read_answers(block, parsed, answer_text, answer_offset, fmt, errors)
    errors += [GiftError(question_line, problem) for problem in check_lengths(parsed)]
    if errors:
        raise _Invalid(errors)
    return parsed


def _read_choices(block, parsed, text, offset, fmt, errors) -> None:
    for marker, segment, at in _segments(text, offset, "~="):
        line = block.line_of(at)
        if not marker:
            errors.append(
                GiftError(
                    line,
                    f"the answer “{_restore(segment.strip())[:40]}” has no = or ~ in front "
                    "(mark the right answer with = and the wrong ones with ~)",
                )
            )
            continue
        weight, segment = _weight(segment)
        correct = marker == "="
        if weight is not None:
            if weight == 100:
                correct = True
            elif weight == 0 and marker == "~":
                correct = False
            else:
                errors.append(
                    GiftError(
                        line,
                        f"partial credit (%{weight:g}%) is not supported: mark the one right "
                        "answer with = and the others with ~",
                    )
                )
                continue
        answer, _, feedback = segment.partition("#")
        answer, _ = _clean(answer, fmt)
        feedback, _ = _clean(feedback, fmt)
        if not answer:
            errors.append(GiftError(line, "one of the answers is empty"))
            continue
        parsed.choices.append(ParsedChoice(answer, correct, feedback))
    right = sum(c.is_correct for c in parsed.choices)
    if errors:
        return
    if right == 0:
        errors.append(GiftError(parsed.line, "the question has no right answer (mark it with =)"))
    elif right > 1:
        errors.append(
            GiftError(
                parsed.line,
                f"the question has {right} right answers; only one can be marked with = "
                "(questions with several right answers are not supported)",
            )
        )
    elif len(parsed.choices) < 2:
        errors.append(GiftError(parsed.line, "the question needs at least two answers"))
    for i, choice in enumerate(parsed.choices, start=1):
        choice.position = i


def _read_true_false(parsed, text, fmt) -> None:
    bits = text.split("#", 2)
    truth = _TRUE_FALSE[bits[0].strip().upper()]
    wrong_feedback = _clean(bits[1], fmt)[0] if len(bits) > 1 else ""
    right_feedback = _clean(bits[2], fmt)[0] if len(bits) > 2 else ""
    parsed.choices = [
        ParsedChoice("True", truth, right_feedback if truth else wrong_feedback, 1),
        ParsedChoice("False", not truth, wrong_feedback if truth else right_feedback, 2),
    ]


def _read_order(block, parsed, text, offset, fmt, errors, rationales) -> None:
    items: list[tuple[int, str, int]] = []
    for marker, segment, at in _segments(text, offset, "="):
        line = block.line_of(at)
        item, arrow, place = segment.rpartition("->")
        if not marker or not arrow:
            errors.append(
                GiftError(
                    line,
                    "each item of a matching question must be written “=item -> place”",
                )
            )
            continue
        place = _restore(place).strip()
        if not place.isdigit():
            errors.append(
                GiftError(
                    line,
                    f"“{place[:40]}” is not a place number: only matching questions that put "
                    "items in order (=item -> 1, =item -> 2 …) are supported",
                )
            )
            return
        item, _ = _clean(item, fmt)
        if not item:
            errors.append(GiftError(line, "one of the items is empty"))
            continue
        items.append((int(place), item, line))
    if errors:
        return
    places = sorted(place for place, _, _ in items)
    if len(items) < 2:
        errors.append(GiftError(parsed.line, "an ordering question needs at least two items"))
    elif places != list(range(1, len(items) + 1)):
        errors.append(
            GiftError(
                parsed.line,
                f"the places must be the numbers 1 to {len(items)}, each used once "
                f"(found {', '.join(map(str, places))})",
            )
        )
    else:
        parsed.choices = [
            ParsedChoice(item, False, rationales.get(place, ""), place)
            for place, item, _ in sorted(items)
        ]


def _read_answers(block, parsed, text, offset, fmt, errors) -> None:
    for _marker, segment, at in _segments(text, offset, "="):
        line = block.line_of(at)
        weight, segment = _weight(segment)
        if weight is not None and weight != 100:
            errors.append(
                GiftError(
                    line,
                    f"partial credit (%{weight:g}%) is not supported: every accepted answer "
                    "counts as fully right",
                )
            )
            continue
        answer, _ = _clean(segment.partition("#")[0], fmt)
        if not answer:
            errors.append(GiftError(line, "one of the accepted answers is empty"))
            continue
        parsed.answers.append(answer)
    if not parsed.answers and not errors:
        errors.append(GiftError(parsed.line, "the question has no accepted answer"))


def parse_gift(text: str) -> tuple[list[ParsedQuestion], list[GiftError]]:
    """Read GIFT text without touching the database: (questions, errors)."""
    questions: list[ParsedQuestion] = []
    errors: list[GiftError] = []
    for block in _blocks(text):
        if block.is_empty:
            continue
        try:
            parsed = _parse_block(block)
        except _Invalid as invalid:
            errors.extend(invalid.errors)
            continue
        if parsed is not None:
            questions.append(parsed)
    if not questions and not errors:
        errors.append(GiftError(1, "the file contains no questions"))
    return questions, errors


def import_gift(text: str | bytes, lesson: Lesson, *, status: str = Status.DRAFT) -> ImportResult:
    """Create the GIFT file's questions for `lesson`: all of them, or none when any has errors."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    questions, errors = parse_gift(text)
    if errors:
        return ImportResult(created=[], errors=sorted(errors, key=lambda e: e.line))
    created, skipped = save_questions(lesson, questions, status=status, origin=GIFT_ORIGIN)
    return ImportResult(created=created, errors=[], skipped_duplicates=skipped)
