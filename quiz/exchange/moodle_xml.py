"""Moodle XML export, and an import that reads back what the export writes (and Moodle's own).

Texts are written with format="plain_text", so Moodle shows them literally (no HTML is
interpreted). Our metadata travels as Moodle question tags (`type:who_holds_view`,
`skill:viewpoint`, `difficulty:2`, `evidence:4.120-245`, `quote:<fingerprint>`): Moodle keeps
them, and on import the evidence sentence is taken back from the lesson text when the
fingerprint matches.
"""

from __future__ import annotations

import codecs
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from xml.parsers import expat

from django.db.models import QuerySet

from courses.models import Lesson
from quiz.models import Question, QuestionType, Status

from .common import (
    CHOICE_TYPES,
    MOODLE_XML_ORIGIN,
    Evidence,
    GiftError,
    ImportResult,
    ParsedChoice,
    ParsedQuestion,
    check_lengths,
    format_evidence,
    parse_evidence,
    quote_fingerprint,
    save_questions,
)

TEXT_FORMAT = "plain_text"
_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG_RE = re.compile(r"<[^>]*>")

# --- export -----------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    return _INVALID_XML_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _text_element(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "text").text = _clean_text(text)
    return element


def _plain_true_false(choices) -> bool:
    return (
        len(choices) == 2
        and [c.text.strip() for c in choices] == ["True", "False"]
        and sum(c.is_correct for c in choices) == 1
    )


def _moodle_type(question: Question, choices) -> str:
    if question.type == QuestionType.FILL_BLANK:
        return "shortanswer"
    if question.type == QuestionType.SEQUENCE:
        return "matching"
    if question.type == QuestionType.TRUE_FALSE and _plain_true_false(choices):
        return "truefalse"
    return "multichoice"


def _question_element(quiz: ET.Element, index: int, question: Question) -> None:
    choices = list(question.choices.all())
    kind = _moodle_type(question, choices)
    element = ET.SubElement(quiz, "question", type=kind)
    short = " ".join(question.prompt.split())
    _text_element(element, "name", f"Q{index} {short[:59] + '…' if len(short) > 60 else short}")
    _text_element(element, "questiontext", question.prompt, format=TEXT_FORMAT)
    _text_element(element, "generalfeedback", question.explanation, format=TEXT_FORMAT)
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = "1" if kind == "truefalse" else "0.3333333"
    ET.SubElement(element, "hidden").text = "0"

    if kind == "multichoice":
        ET.SubElement(element, "single").text = "true"
        # Keep our order when it carries meaning (a True/False pair written as choices).
        shuffle = question.type != QuestionType.TRUE_FALSE
        ET.SubElement(element, "shuffleanswers").text = "true" if shuffle else "false"
        ET.SubElement(element, "answernumbering").text = "abc"
        for choice in choices:
            answer = _text_element(
                element,
                "answer",
                choice.text,
                fraction="100" if choice.is_correct else "0",
                format=TEXT_FORMAT,
            )
            _text_element(answer, "feedback", choice.rationale, format=TEXT_FORMAT)
    elif kind == "truefalse":
        for choice in choices:
            answer = _text_element(
                element,
                "answer",
                choice.text.strip().lower(),
                fraction="100" if choice.is_correct else "0",
                format="moodle_auto_format",
            )
            _text_element(answer, "feedback", choice.rationale, format=TEXT_FORMAT)
    elif kind == "shortanswer":
        ET.SubElement(element, "usecase").text = "0"
        for accepted in question.accepted_answers.all():
            answer = _text_element(
                element, "answer", accepted.text, fraction="100", format="moodle_auto_format"
            )
            _text_element(answer, "feedback", "", format=TEXT_FORMAT)
    else:  # matching: each item → its place in the order
        ET.SubElement(element, "shuffleanswers").text = "true"
        for place, choice in enumerate(choices, start=1):
            sub = _text_element(element, "subquestion", choice.text, format=TEXT_FORMAT)
            _text_element(sub, "answer", str(place))

    tags = ET.SubElement(element, "tags")
    values = [
        f"type:{question.type}",
        f"skill:{question.skill}",
        f"difficulty:{question.difficulty}",
        f"evidence:{format_evidence(question)}",
    ]
    if question.evidence_quote:
        values.append(f"quote:{quote_fingerprint(question.evidence_quote)}")
    for value in values:
        _text_element(tags, "tag", value)


def export_moodle_xml(questions: Iterable[Question]) -> str:
    """The questions as a Moodle XML document (a str; encode as UTF-8 to save it)."""
    if isinstance(questions, QuerySet):
        questions = questions.prefetch_related("choices", "accepted_answers")
    quiz = ET.Element("quiz")
    for index, question in enumerate(questions, start=1):
        _question_element(quiz, index, question)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


# --- import -----------------------------------------------------------------------------------


class _Refused(Exception):
    pass


# The encoding an XML declaration names: <?xml version="1.0" encoding="ISO-8859-1"?>
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"'<>]{1,40})["']""")
UNKNOWN_ENCODING = (
    "The file says it is in the “{}” encoding, which is not one we can read: save it as UTF-8 "
    "and import it again."
)
WRONG_ENCODING = (
    "The file says it is in the “{}” encoding, but it is not: save it as UTF-8 and import it again."
)


def _declared_encoding(head: str) -> str | None:
    match = _DECLARED_ENCODING.match(head)
    return match.group(1).strip() if match else None


def _known_text_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
        "".encode(name)  # "rot13", "base64"…: codecs, but not text encodings
    except LookupError:
        return False
    return True


def _decode(data: bytes) -> str:
    """The file's bytes as text, in the encoding its XML declaration names (UTF-8 if none)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _declared_encoding(data[:200].decode("ascii", errors="replace")) or "utf-8"
    if not _known_text_encoding(encoding):
        raise _Refused(UNKNOWN_ENCODING.format(encoding))
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _Refused(WRONG_ENCODING.format(encoding)) from None


def _question_lines(text: str) -> list[int]:
    """Line of each <question> start tag, in order; refuses DTDs and entity declarations."""
    lines: list[int] = []
    parser = expat.ParserCreate()

    def start(name, _attrs):
        if name == "question":
            lines.append(parser.CurrentLineNumber)

    def refuse(*_args):
        raise _Refused("the file declares a DOCTYPE or entities, which are not allowed")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.Parse(text, True)  # text, not bytes: expat ignores the declared encoding
    return lines


def _read_text(element: ET.Element | None, default_format: str = "moodle_auto_format") -> str:
    if element is None:
        return ""
    text = element.findtext("text") or ""
    if element.get("format", default_format) == "html":
        text = html.unescape(_TAG_RE.sub("", re.sub(r"<br\s*/?>", "\n", text)))
    return text.strip()


def _fraction(answer: ET.Element) -> float | None:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return None


def _parse_question(element: ET.Element, line: int) -> tuple[ParsedQuestion | None, list[str]]:
    kind = element.get("type", "")
    if kind == "category":
        return None, []
    tags = {}
    for tag in element.iterfind("tags/tag"):
        name, _, value = (tag.findtext("text") or "").partition(":")
        tags[name.strip()] = value.strip()
    parsed = ParsedQuestion(
        line=line,
        type="",
        prompt=_read_text(element.find("questiontext")),
        explanation=_read_text(element.find("generalfeedback")),
        skill=tags.get("skill"),
        difficulty=tags.get("difficulty"),
        has_metadata="type" in tags,
    )
    evidence = parse_evidence(tags.get("evidence", ""))
    if evidence is not None:
        parsed.evidence = Evidence(
            evidence.paragraph, evidence.start, evidence.end, None, tags.get("quote", "")
        )
    problems: list[str] = []
    answers = element.findall("answer")
    if kind in ("multichoice", "truefalse"):
        if kind == "multichoice" and (element.findtext("single") or "true").strip() != "true":
            return None, ["questions with several right answers are not supported"]
        for i, answer in enumerate(answers, start=1):
            fraction = _fraction(answer)
            if fraction not in (0, 100):
                problems.append(
                    f"partial credit (fraction {answer.get('fraction')}) is not supported"
                )
                continue
            text = _read_text(answer)
            if kind == "truefalse":
                text = text.capitalize()
            parsed.choices.append(
                ParsedChoice(text, fraction == 100, _read_text(answer.find("feedback")), i)
            )
        right = sum(c.is_correct for c in parsed.choices)
        if not problems and right != 1:
            problems.append(
                "the question has no right answer"
                if right == 0
                else f"the question has {right} right answers; only one is supported"
            )
        if kind == "truefalse":
            parsed.type = QuestionType.TRUE_FALSE
        else:
            wanted = tags.get("type")
            parsed.type = wanted if wanted in CHOICE_TYPES else QuestionType.MULTIPLE_CHOICE
    elif kind == "shortanswer":
        parsed.type = QuestionType.FILL_BLANK
        for answer in answers:
            if _fraction(answer) != 100:
                problems.append(
                    f"partial credit (fraction {answer.get('fraction')}) is not supported"
                )
                continue
            parsed.answers.append(_read_text(answer))
        if not parsed.answers and not problems:
            problems.append("the question has no accepted answer")
    elif kind == "matching":
        parsed.type = QuestionType.SEQUENCE
        items = []
        for sub in element.findall("subquestion"):
            place = (sub.findtext("answer/text") or "").strip()
            if not place.isdigit():
                return None, [
                    "only matching questions that put items in order (item → 1, 2, 3 …) "
                    "are supported"
                ]
            items.append((int(place), _read_text(sub)))
        if sorted(p for p, _ in items) != list(range(1, len(items) + 1)) or len(items) < 2:
            problems.append("the places must be the numbers 1 to N, each used once")
        parsed.choices = [ParsedChoice(text, False, "", p) for p, text in sorted(items)]
    else:
        return None, [f"Moodle “{kind}” questions are not supported here"]
    return parsed, problems + check_lengths(parsed)


def parse_moodle_xml(text: str | bytes) -> tuple[list[ParsedQuestion], list[GiftError]]:
    try:
        if isinstance(text, bytes):
            text = _decode(text)
        text = text.lstrip("\ufeff")
        # Already text: the declared encoding no longer matters, but one we could not have read
        # means the file is not what it claims to be.
        declared = _declared_encoding(text[:200])
        if declared and not _known_text_encoding(declared):
            raise _Refused(UNKNOWN_ENCODING.format(declared))
        lines = _question_lines(text)
        root = ET.fromstring(text)
    except _Refused as refused:
        return [], [GiftError(1, str(refused))]
    except (expat.ExpatError, ET.ParseError) as error:
        line = getattr(error, "lineno", None) or (getattr(error, "position", (1, 0)) or (1,))[0]
        return [], [GiftError(line, f"the file is not valid XML ({error})")]
    if root.tag != "quiz":
        return [], [GiftError(1, "this is not a Moodle XML question file (no <quiz>)")]
    questions, errors = [], []
    for element, line in zip(root.iter("question"), lines, strict=False):
        parsed, problems = _parse_question(element, line)
        errors += [GiftError(line, problem) for problem in problems]
        if parsed is not None and not problems:
            questions.append(parsed)
    if not questions and not errors:
        errors.append(GiftError(1, "the file contains no questions"))
    return questions, errors


def import_moodle_xml(
    text: str | bytes, lesson: Lesson, *, status: str = Status.DRAFT
) -> ImportResult:
    """Create the Moodle XML file's questions for `lesson`: all, or none when any has errors."""
    questions, errors = parse_moodle_xml(text)
    if errors:
        return ImportResult(created=[], errors=errors)
    created, skipped = save_questions(lesson, questions, status=status, origin=MOODLE_XML_ORIGIN)
    return ImportResult(created=created, errors=[], skipped_duplicates=skipped)
