"""Moodle GIFT export and import.

Export writes GIFT that Moodle's reader takes to mean what the question means here: ordering
questions as Moodle's ordering type (`{>N ALL …}`, one item per line), fill-in answers as short
answers whose `*` is escaped and whose alternatives cover what our grader accepts. Our metadata
travels twice: as `// [tag:…]` comments, which Moodle keeps as question tags, and as plain `//`
comments (the evidence sentence, ordering rationales), which Moodle drops and we read back.

Import reads GIFT the way Moodle's reader does (question/format/gift and the ordering type's
GIFT form): the same detection order, `=` answers without a weight, `{T}`/`{TRUE}` only in
capitals, `%0%` short-answer entries as wrong answers. A question we cannot hold (essay,
numerical, matching, partial credit, a `*` wildcard) is refused on its own with its line and
reason; what an imported question loses (an image, per-answer feedback) is noted on it.
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
    Reading,
    check_lengths,
    from_moodle_pattern,
    html_to_text,
    media_in,
    media_note,
    metadata_tags,
    moodle_alternatives,
    parse_evidence,
    read_tags,
    save_reading,
    to_moodle_pattern,
    without_variants,
)

# --- export -----------------------------------------------------------------------------------

_SPECIAL = "~=#{}:"
# Moodle's ordering options, all written so that none can be read into the first item.
ORDERING_OPTIONS = "ALL VERTICAL ALL_OR_NOTHING SHOW none"


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
    lines = ["// " + " ".join(f"[tag:{tag}]" for tag in metadata_tags(question))]
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


# Moodle takes ordering items raw (no GIFT escapes) and shows them as HTML: characters its
# reader would act on are written as character references, which it shows as themselves.
_ITEM_REFERENCES = str.maketrans({"{": "&#123;", "}": "&#125;", "\\": "&#92;", "#": "&#35;"})


def _ordering_item(text: str) -> str:
    item = html.escape(" ".join(text.split()), quote=False).translate(_ITEM_REFERENCES)
    return "&#47;" + item[1:] if item.startswith("/") else item


def _gift_patterns(answers: list[str]) -> list[str]:
    """Short-answer patterns for Moodle: our alternatives, * escaped. Moodle reads "=" and
    "->" together as a matching question and GIFT cannot escape "->", so Moodle's wildcard
    stands between its two characters ("-*>", which our import reads back as "->")."""
    return [to_moodle_pattern(a).replace("->", "-*>") for a in moodle_alternatives(answers)]


def _fill_in(question: Question, head: str, prompt: str, feedback: str, lines: list[str]):
    answers = [a.text for a in question.accepted_answers.all()]
    patterns = _gift_patterns(answers)
    block = "{" + " ".join(["=" + _text(p) for p in patterns] + ([feedback] * bool(feedback)))
    block += "}"
    before, blank, after = prompt.partition(BLANK)
    if blank and after.strip():
        # The answers take the blank's place; Moodle puts "_____" back there.
        lines.append(f"{head}[plain]{escape(before)}{block}{escape(after)}")
    else:
        # No blank, or a blank at the very end (answers at the end mean "no blank").
        lines.append(f"{head}[plain]{escape(prompt)} {block}")


def _question_gift(index: int, question: Question) -> str:
    choices = list(question.choices.all())
    head = f"::{escape(_name(index, question))}::"
    prompt = question.prompt.strip()
    feedback = _general_feedback(question)
    lines = _metadata(question, choices)

    if question.type == QuestionType.FILL_BLANK:
        _fill_in(question, head, prompt, feedback, lines)
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
        # Moodle's ordering type: items one per line in the right order, graded as a whole.
        items = [_ordering_item(choice.text) for choice in choices]
        lines.append(f"{head}[plain]{escape(prompt)} {{>{len(items)} {ORDERING_OPTIONS}")
        lines.extend(items)
        lines.append(feedback + "}")
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
        "// Exported from the reading quiz. Moodle keeps the [tag:…] comments as question tags",
        "// and ignores the other // lines, which keep the evidence sentence for re-import here.",
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
# Moodle's weight: one or two digits, optional decimals ("%100%" reads as 10 and 0).
_WEIGHT_RE = re.compile(r"^%(-*)([0-9]{1,2}\.?[0-9]*)%")
_FORMAT_RE = re.compile(r"^\[(plain|html|moodle|markdown)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}  # capitals only, as Moodle
# The ordering type's header, option by option as its GIFT reader lists them.
_ORDERING_RE = re.compile(
    r"^\s*>\s*(\d+)\s*"
    r"(ALL|EXACT|RANDOM|REL|CONTIGUOUS|CONTIG)?\s*"
    r"(HORIZONTAL|HORI|H|1|VERTICAL|VERT|V|0)?\s*"
    r"(ALL_OR_NOTHING|ABSOLUTE_POSITION|ABSOLUTE|ABS|RELATIVE_NEXT_EXCLUDE_LAST|"
    r"RELATIVE_NEXT_INCLUDE_LAST|RELATIVE_ONE_PREVIOUS_AND_NEXT|RELATIVE_ALL_PREVIOUS_AND_NEXT|"
    r"RELATIVE_TO_CORRECT|RELATIVE|REL)?\s*"
    r"(SHOW|TRUE|YES|1|HIDE|FALSE|NO|0)?\s*"
    r"(none|123|abc|ABCD|iii|IIII)?"
)
_OLD_KEYS = ("type", "skill", "difficulty", "evidence")  # `// type: …; skill: …` (older exports)


MARKDOWN = "markdown"  # a text in [markdown]: noted, as Moodle formats what we show as typed


class _Invalid(Exception):
    def __init__(self, errors: list[GiftError]):
        self.errors = errors


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(char, char) for char in text)


def _clean(text: str, default_format: str = "moodle", media: set | None = None) -> tuple[str, str]:
    """(text, format): the format marker stripped, escapes restored, HTML turned to text.

    Moodle shows "moodle" (the default) and "html" texts as HTML, so their tags are not
    literal text; "plain" and "markdown" texts are kept as written.
    """
    text = text.strip()
    fmt = default_format
    match = _FORMAT_RE.match(text)
    if match:
        fmt = match.group(1)
        text = text[match.end() :]
    text = _restore(text).strip()
    if fmt in ("html", "moodle"):
        if media is not None:
            media |= media_in(text)
        text = html_to_text(text, newlines_break=fmt == "moodle")
    elif fmt == "markdown" and media is not None:
        media.add(MARKDOWN)
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
    meta: dict = {"rationales": {}, "tags": []}
    for _number, content in comments:
        meta["tags"] += [tag.replace("\\]", "]").strip() for tag in _TAG_RE.findall(content)]
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
                if colon and name in _OLD_KEYS:
                    meta[name] = value.strip()
    return meta


def _json_text(value: str) -> str:
    value = value.strip()
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def _weight(text: str) -> tuple[float | None, str]:
    match = _WEIGHT_RE.match(text)
    if not match:
        return None, text
    sign = -1 if match.group(1) else 1
    return sign * float(match.group(2)), text[match.end() :]


def _refuse(line: int, message: str) -> _Invalid:
    return _Invalid([GiftError(line, message)])


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
        raise _refuse(
            question_line,
            "this text has no answers in { }: Moodle reads it as a description, not a question",
        )
    if opening < 0 or 0 <= closing < opening:
        raise _refuse(block.line_of(closing), "there is a } without an opening { before it")
    if closing < 0:
        raise _refuse(
            block.line_of(opening),
            "the answers opened with { are never closed with } (or write \\{ for a brace that "
            "is part of the text)",
        )
    inner = s.find("{", opening + 1, closing)
    if inner >= 0:
        raise _refuse(
            block.line_of(inner), "a second { appears before the answers are closed with }"
        )
    after = s[closing + 1 :]
    stray = min((p for p in (after.find("{"), after.find("}")) if p >= 0), default=-1)
    if stray >= 0:
        raise _refuse(
            block.line_of(closing + 1 + stray),
            "a second answer block starts here: separate questions with a blank line",
        )

    before = s[i:opening]
    raw_prompt = before if not after.strip() else before + BLANK + after
    media: set[str] = set()
    prompt, fmt = _clean(raw_prompt, media=media)
    answer_text = s[opening + 1 : closing]
    answer_offset = opening + 1
    explanation = ""
    general = answer_text.rfind("####")
    if general >= 0:
        explanation, _ = _clean(answer_text[general + 4 :], fmt, media)
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
        wanted_type=meta.get("type", ""),
    )
    if "evidence" in meta:  # the `// type: …; evidence: …` line of older exports
        parsed.evidence = parse_evidence(meta["evidence"])
    read_tags(parsed, meta["tags"])
    if parsed.evidence is not None and "evidence_quote" in meta:
        parsed.evidence.quote = meta["evidence_quote"]  # the sentence itself: any lesson

    stripped = answer_text.strip()
    brace_line = block.line_of(opening)
    errors: list[GiftError] = []
    # Moodle's order of detection: the ordering type first, then its own types.
    if _ORDERING_RE.match(answer_text):
        parsed.type = QuestionType.SEQUENCE
        _read_ordering(parsed, answer_text, fmt, media, meta["rationales"])
    elif not stripped:
        raise _refuse(brace_line, "essay questions (empty { }) are not supported here")
    elif stripped.startswith("#"):
        raise _refuse(brace_line, "numerical questions ({#…}) are not supported here")
    elif "~" in stripped:
        _read_choices(block, parsed, answer_text, answer_offset, fmt, errors, media)
        wanted = parsed.wanted_type
        parsed.type = wanted if wanted in CHOICE_TYPES else QuestionType.MULTIPLE_CHOICE
    elif "=" in stripped and "->" in stripped:
        parsed.type = QuestionType.SEQUENCE
        _read_matching(block, parsed, answer_text, answer_offset, fmt, errors, media, meta)
    elif stripped.split("#")[0].strip() in _TRUE_FALSE:
        parsed.type = QuestionType.TRUE_FALSE
        _read_true_false(parsed, stripped, fmt, media)
    else:
        parsed.type = QuestionType.FILL_BLANK
        _read_answers(block, parsed, answer_text, answer_offset, fmt, errors, meta)
    if MARKDOWN in media:
        media.discard(MARKDOWN)
        parsed.note("Moodle showed its Markdown (**bold**, lists) formatted; here it is as typed")
    if media:
        parsed.note(media_note(media))
    errors += [GiftError(question_line, problem) for problem in check_lengths(parsed)]
    if errors:
        raise _Invalid(errors)
    return parsed


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


def _read_choices(block, parsed, text, offset, fmt, errors, media) -> None:
    """Moodle's multiple choice: each ~ or = starts an answer; = is right (no weight read
    after it: "=%50% of them" is text), ~ is wrong unless a %weight% follows."""
    penalties = []
    for marker, segment, at in _segments(text, offset, "~="):
        line = block.line_of(at)
        segment = segment.strip()
        if marker == "=":
            weight = 100.0
        else:  # "~", or text before the first marker, which Moodle reads as a wrong answer
            weight, segment = _weight(segment)
            weight = 0.0 if weight is None else weight
        if 0 < weight < 100 or weight > 100:
            errors.append(
                GiftError(
                    line,
                    f"partial credit (%{weight:g}%) is not supported: mark the one right "
                    "answer with = and the others with ~",
                )
            )
            continue
        answer, _, feedback = segment.partition("#")
        answer, _ = _clean(answer, fmt, media)
        feedback, _ = _clean(feedback, fmt, media)
        if not answer:
            errors.append(GiftError(line, "one of the answers is empty"))
            continue
        if weight < 0:
            penalties.append(answer)
        parsed.choices.append(ParsedChoice(answer, weight == 100, feedback))
    if errors:
        return
    right = sum(c.is_correct for c in parsed.choices)
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
    if "=" not in text:
        parsed.note(
            "Moodle shows this question with tick boxes (no answer marked =); here learners "
            "pick one answer"
        )
    if penalties:
        parsed.note("Moodle took marks off for some wrong answers; here a wrong answer scores 0")
    for i, choice in enumerate(parsed.choices, start=1):
        choice.position = i


def _read_true_false(parsed, text, fmt, media) -> None:
    bits = text.split("#", 2)
    truth = _TRUE_FALSE[bits[0].strip()]
    wrong_feedback = _clean(bits[1], fmt, media)[0] if len(bits) > 1 else ""
    right_feedback = _clean(bits[2], fmt, media)[0] if len(bits) > 2 else ""
    parsed.choices = [
        ParsedChoice("True", truth, right_feedback if truth else wrong_feedback, 1),
        ParsedChoice("False", not truth, wrong_feedback if truth else right_feedback, 2),
    ]


def _read_ordering(parsed, text, fmt, media, rationales) -> None:
    """Moodle's ordering type: `{>N options` then one item per line, in the right order."""
    header = _ORDERING_RE.match(text)
    count, select, _layout, grading, _show, _numbering = header.groups()
    items = [line.strip() for line in text[header.end() :].split("\n")]
    items = [_clean(item, "moodle", media)[0] for item in items if item]
    items = [item for item in items if item]
    if len(items) < 2:
        raise _refuse(parsed.line, "an ordering question needs at least two items")
    parsed.choices = [
        ParsedChoice(item, False, rationales.get(place, ""), place)
        for place, item in enumerate(items, start=1)
    ]
    shown = int(count)
    if (select or "RANDOM") not in ("ALL", "EXACT") and 2 <= shown < len(items):
        parsed.note(
            f"Moodle showed {shown} of the {len(items)} items at a time; here learners put all "
            f"{len(items)} in order"
        )
    if grading != "ALL_OR_NOTHING":
        parsed.note(
            "Moodle gave part marks for a partly right order; here only the whole order scores"
        )


def _read_matching(block, parsed, text, offset, fmt, errors, media, meta) -> None:
    """Moodle's matching (`=stem -> answer`): only stems matched to places 1, 2, 3 … can be
    held here, as an ordering question."""
    items: list[tuple[int, str]] = []
    for _marker, segment, at in _segments(text, offset, "="):
        line = block.line_of(at)
        stem, arrow, place = segment.partition("->")  # Moodle splits at the first arrow
        place = _restore(place).strip()
        if not arrow or not place.isdigit():
            raise _refuse(
                line,
                "matching questions are not supported here (only the kind that puts items in "
                "order: =item -> 1, =item -> 2 …)",
            )
        stem, _ = _clean(stem, fmt, media)
        if not stem:
            errors.append(GiftError(line, "one of the items is empty"))
            continue
        items.append((int(place), stem))
    if errors:
        return
    places = sorted(place for place, _ in items)
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
        rationales = meta["rationales"]
        parsed.choices = [
            ParsedChoice(item, False, rationales.get(place, ""), place)
            for place, item in sorted(items)
        ]
        parsed.note(
            "Moodle grades this matching question item by item; here it is one ordering "
            "question, right when the whole order is"
        )


def _raw(text: str) -> str:
    """A short answer as Moodle compares it: format marker dropped, escapes restored, and
    otherwise raw (the typed answer is matched against this text, not its HTML)."""
    text = text.strip()
    match = _FORMAT_RE.match(text)
    return _restore(text[match.end() :] if match else text).strip()


def _read_answers(block, parsed, text, offset, fmt, errors, meta) -> None:
    """Moodle's short answer: entries split at =, each 100% unless it states a weight."""
    entries = []
    for _marker, segment, at in _segments(text, offset, "="):
        weight, segment = _weight(segment.strip())
        answer, _, feedback = segment.partition("#")
        weight = 100.0 if weight is None else weight
        entries.append((block.line_of(at), weight, _raw(answer), feedback))
    feedback_lost = False
    for line, weight, answer, feedback in entries:
        if weight == 0:
            parsed.note(
                f"Moodle's 0% entry “{answer[:40]}” was left out (any answer not listed is "
                "wrong here)" + (", with its feedback" if feedback.strip() else "")
            )
            continue
        if weight != 100:
            errors.append(
                GiftError(
                    line,
                    f"partial credit (%{weight:g}% for “{answer[:40]}”) is not supported: every "
                    "accepted answer counts as fully right",
                )
            )
            continue
        literal = from_moodle_pattern(answer)
        if literal is None:
            errors.append(
                GiftError(
                    line,
                    f"“{answer[:40]}” uses Moodle's * wildcard, which is not graded here (write "
                    "\\* for an asterisk)",
                )
            )
            continue
        if not literal:
            errors.append(GiftError(line, "one of the accepted answers is empty"))
            continue
        feedback_lost = feedback_lost or bool(feedback.strip())
        parsed.answers.append(literal)
    if errors:
        return
    parsed.answers = without_variants(parsed.answers)
    if feedback_lost:
        parsed.note("the feedback on accepted answers was left out")
    if not parsed.answers:
        errors.append(GiftError(parsed.line, "the question has no accepted answer"))


def parse_gift(text: str) -> Reading:
    """Read GIFT text without touching the database: what would be imported, what refused."""
    reading = Reading()
    for block in _blocks(text):
        if block.is_empty:
            continue
        name = _block_name(block)
        try:
            parsed = _parse_block(block)
        except _Invalid as invalid:
            # Unnamed, it goes by the start of its text (as Moodle names such questions).
            reading.refuse(invalid.errors, name or _block_excerpt(block))
            continue
        if parsed is not None:
            reading.add(parsed, name)
    return reading.finish()


def _block_name(block: _Block) -> str:
    s = block.body.lstrip()
    if not s.startswith("::"):
        return ""
    end = s.find("::", 2)
    return " ".join(_restore(s[2:end]).split())[:80] if end > 2 else ""


def _block_excerpt(block: _Block) -> str:
    s = block.body.lstrip()
    if s.startswith("::"):
        end = s.find("::", 2)
        s = s[end + 2 :] if end > 0 else s[2:]
    text = " ".join(_restore(s.split("{")[0]).split())
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


def import_gift(text: str | bytes, lesson: Lesson, *, status: str = Status.DRAFT) -> ImportResult:
    """Create the GIFT file's importable questions for `lesson` (one transaction); the others
    are listed in `refused`, each with its line and reason."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return save_reading(parse_gift(text), lesson, status=status, origin=GIFT_ORIGIN)
