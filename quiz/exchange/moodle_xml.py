"""Moodle XML export, and an import that reads Moodle's XML the way Moodle does.

Texts are written with format="plain_text", so Moodle shows them literally (no HTML is
interpreted); ordering questions are Moodle's ordering type, graded all or nothing; fill-in
answers are short answers with `*` escaped and the alternatives our grader accepts. Our
metadata travels as Moodle question tags (`type:who_holds_view`, `skill:viewpoint`,
`difficulty:2`, `evidence:4.120-245`, `quote:<fingerprint>`): Moodle keeps them, and on import
the evidence sentence is taken back from the lesson text when the fingerprint matches.

On import, HTML texts (html, moodle_auto_format, or no format) are turned into what Moodle
shows, by a real HTML sanitiser; a question type we cannot hold is refused on its own, by its
name and line; what an imported question loses (media, feedback, hints) is noted on it.
"""

from __future__ import annotations

import codecs
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
    read_tags,
    save_reading,
    to_moodle_pattern,
    without_variants,
)

TEXT_FORMAT = "plain_text"
_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

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
        return "ordering"
    if question.type == QuestionType.TRUE_FALSE and _plain_true_false(choices):
        return "truefalse"
    return "multichoice"


ORDERING_OPTIONS = {
    "layouttype": "VERTICAL",
    "selecttype": "ALL",
    "gradingtype": "ALL_OR_NOTHING",
    "showgrading": "SHOW",
    "numberingstyle": "none",
}


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
        answers = [accepted.text for accepted in question.accepted_answers.all()]
        for text in moodle_alternatives(answers):
            answer = _text_element(
                element,
                "answer",
                to_moodle_pattern(text),
                fraction="100",
                format="moodle_auto_format",
            )
            _text_element(answer, "feedback", "", format=TEXT_FORMAT)
    else:  # Moodle's ordering type: the items in the right order, graded as a whole
        for tag, value in ORDERING_OPTIONS.items():
            ET.SubElement(element, tag).text = value
        ET.SubElement(element, "selectcount").text = str(len(choices))
        for place, choice in enumerate(choices, start=1):
            answer = _text_element(
                element, "answer", choice.text, fraction=str(place), format=TEXT_FORMAT
            )
            if choice.rationale.strip():
                _text_element(answer, "feedback", choice.rationale, format=TEXT_FORMAT)

    tags = ET.SubElement(element, "tags")
    for value in metadata_tags(question):
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
    except (LookupError, UnicodeError, ValueError):  # "undefined" raises UnicodeError
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
    except (UnicodeError, ValueError):  # "punycode" raises a plain UnicodeError
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


# Moodle's names for the types we refuse, as a teacher knows them.
_REFUSED_TYPES = {
    "essay": "essay questions",
    "numerical": "numerical questions",
    "calculated": "calculated questions",
    "calculatedsimple": "calculated questions",
    "calculatedmulti": "calculated questions",
    "multianswer": "embedded answers (Cloze) questions",
    "cloze": "embedded answers (Cloze) questions",
    "description": "descriptions (text without a question)",
    "ddwtos": "drag and drop into text questions",
    "ddimageortext": "drag and drop onto image questions",
    "ddmarker": "drag and drop markers questions",
    "gapselect": "select missing words questions",
    "randomsamatch": "random short-answer matching questions",
    "random": "random questions",
}
_HTML_FORMATS = ("html", "moodle_auto_format")


class _Reader:
    """One <question>: its texts read as Moodle shows them, and what they lost."""

    def __init__(self, element: ET.Element):
        self.element = element
        self.media: set[str] = set()
        self.question_format = self.format_of(element.find("questiontext"), "moodle_auto_format")

    @staticmethod
    def format_of(element: ET.Element | None, default: str) -> str:
        return element.get("format", default) if element is not None else default

    def text(self, element: ET.Element | None, default_format: str | None = None) -> str:
        if element is None:
            return ""
        text = element.findtext("text") or ""
        fmt = self.format_of(element, default_format or self.question_format)
        if element.find("file") is not None:
            self.media.add("an attached file")
        if fmt in _HTML_FORMATS:
            self.media |= media_in(text)
            return html_to_text(text, newlines_break=fmt == "moodle_auto_format")
        return text.strip()

    def has_text(self, *paths: str) -> bool:
        return any((self.element.findtext(f"{path}/text") or "").strip() for path in paths)


def _fraction(answer: ET.Element) -> float | None:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return None


def _is_single(element: ET.Element) -> bool:
    """Moodle's reading of <single>: "false", "0" or empty mean several answers may be right."""
    value = (element.findtext("single") or "true").strip()
    return value not in ("false", "0", "")


def _read_choices(reader: _Reader, parsed: ParsedQuestion, kind: str, problems: list[str]):
    element = reader.element
    single = kind == "truefalse" or _is_single(element)
    penalties = False
    for i, answer in enumerate(element.findall("answer"), start=1):
        fraction = _fraction(answer)
        if fraction is None or 0 < fraction < 100 or fraction > 100:
            problems.append(f"partial credit (fraction {answer.get('fraction')}) is not supported")
            continue
        penalties = penalties or fraction < 0
        text = reader.text(answer)
        if kind == "truefalse":
            text = text.capitalize()
        parsed.choices.append(
            ParsedChoice(text, fraction == 100, reader.text(answer.find("feedback")), i)
        )
    right = sum(c.is_correct for c in parsed.choices)
    if not problems and right != 1:
        problems.append(
            "the question has no right answer"
            if right == 0
            else f"the question has {right} right answers; only one is supported"
        )
    if not single:
        parsed.note("Moodle shows this question with tick boxes; here learners pick one answer")
    if penalties:
        parsed.note("Moodle took marks off for some wrong answers; here a wrong answer scores 0")


def _read_short_answer(reader: _Reader, parsed: ParsedQuestion, problems: list[str]):
    feedback_lost = False
    for answer in reader.element.findall("answer"):
        pattern = (answer.findtext("text") or "").strip()  # matched raw, never as HTML
        fraction = _fraction(answer)
        has_feedback = bool((answer.findtext("feedback/text") or "").strip())
        if fraction == 0:
            parsed.note(
                f"Moodle's 0% entry “{pattern[:40]}” was left out (any answer not listed is "
                "wrong here)" + (", with its feedback" if has_feedback else "")
            )
            continue
        if fraction != 100:
            problems.append(
                f"partial credit (fraction {answer.get('fraction')} for “{pattern[:40]}”) is "
                "not supported"
            )
            continue
        literal = from_moodle_pattern(pattern)
        if literal is None:
            problems.append(f"“{pattern[:40]}” uses Moodle's * wildcard, which is not graded here")
            continue
        feedback_lost = feedback_lost or has_feedback
        if literal:
            parsed.answers.append(literal)
    parsed.answers = without_variants(parsed.answers)
    if feedback_lost:
        parsed.note("the feedback on accepted answers was left out")
    if (reader.element.findtext("usecase") or "0").strip() not in ("0", ""):
        parsed.note("Moodle matched capitals exactly; here capitals are ignored")
    if not parsed.answers and not problems:
        problems.append("the question has no accepted answer")


def _read_matching(reader: _Reader, parsed: ParsedQuestion, problems: list[str]) -> bool:
    """Matching whose answers are the places 1, 2, 3 …: an ordering question here."""
    items = []
    for sub in reader.element.findall("subquestion"):
        place = (sub.findtext("answer/text") or "").strip()
        if not place.isdigit():
            return False
        items.append((int(place), reader.text(sub)))
    if sorted(p for p, _ in items) != list(range(1, len(items) + 1)) or len(items) < 2:
        problems.append("the places must be the numbers 1 to N, each used once")
    parsed.choices = [ParsedChoice(text, False, "", p) for p, text in sorted(items)]
    parsed.note(
        "Moodle grades this matching question item by item; here it is one ordering "
        "question, right when the whole order is"
    )
    return True


def _read_ordering(reader: _Reader, parsed: ParsedQuestion, problems: list[str]) -> None:
    """Moodle's ordering type: the answers in document order are the right order."""
    element = reader.element
    for place, answer in enumerate(element.findall("answer"), start=1):
        parsed.choices.append(
            ParsedChoice(reader.text(answer), False, reader.text(answer.find("feedback")), place)
        )
    if len(parsed.choices) < 2:
        problems.append("an ordering question needs at least two items")
        return
    legacy = element.find("selecttype") is None  # before Moodle 3.x: "logical", "studentsee"
    select = (element.findtext("logical" if legacy else "selecttype") or "RANDOM").strip()
    count = (element.findtext("studentsee" if legacy else "selectcount") or "6").strip()
    total = len(parsed.choices)
    if select.upper() not in ("ALL", "EXACT") and count.isdigit() and 2 <= int(count) < total:
        parsed.note(
            f"Moodle showed {count} of the {total} items at a time; here learners put all "
            f"{total} in order"
        )
    if (element.findtext("gradingtype") or "RELATIVE").strip().upper() != "ALL_OR_NOTHING":
        parsed.note(
            "Moodle gave part marks for a partly right order; here only the whole order scores"
        )


def _parse_question(element: ET.Element, line: int) -> tuple[ParsedQuestion | None, list[str]]:
    kind = element.get("type", "")
    if kind == "category":
        return None, []
    if kind in _REFUSED_TYPES or kind not in (
        "multichoice",
        "truefalse",
        "shortanswer",
        "matching",
        "match",
        "ordering",
    ):
        what = _REFUSED_TYPES.get(kind, f"Moodle “{kind}” questions")
        return None, [f"{what} are not supported here"]
    reader = _Reader(element)
    parsed = ParsedQuestion(
        line=line,
        type="",
        prompt=reader.text(element.find("questiontext")),
        explanation=reader.text(element.find("generalfeedback")),
    )
    read_tags(parsed, [tag.findtext("text") or "" for tag in element.iterfind("tags/tag")])
    problems: list[str] = []
    if kind in ("multichoice", "truefalse"):
        _read_choices(reader, parsed, kind, problems)
        if kind == "truefalse":
            parsed.type = QuestionType.TRUE_FALSE
        else:
            wanted = parsed.wanted_type
            parsed.type = wanted if wanted in CHOICE_TYPES else QuestionType.MULTIPLE_CHOICE
    elif kind == "shortanswer":
        parsed.type = QuestionType.FILL_BLANK
        _read_short_answer(reader, parsed, problems)
    elif kind == "ordering":
        parsed.type = QuestionType.SEQUENCE
        _read_ordering(reader, parsed, problems)
    else:
        parsed.type = QuestionType.SEQUENCE
        if not _read_matching(reader, parsed, problems):
            return None, [
                "matching questions are not supported here (only the kind that puts items in "
                "order: item → 1, 2, 3 …)"
            ]
    if element.find("image") is not None or element.find("image_base64") is not None:
        reader.media.add("an image")
    if reader.media:
        parsed.note(media_note(reader.media))
    if element.find("hint") is not None and reader.has_text("hint"):
        parsed.note("the hints were left out")
    if reader.has_text("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        parsed.note("the messages for right, partly right and wrong answers were left out")
    return parsed, problems + check_lengths(parsed)


def _name_of(element: ET.Element) -> str:
    return " ".join((element.findtext("name/text") or "").split())[:80]


def parse_moodle_xml(text: str | bytes) -> Reading:
    """Read a Moodle XML file without touching the database: what would be imported, what
    refused, or why the file cannot be read at all."""
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
        return Reading(errors=[GiftError(1, str(refused))])
    except (expat.ExpatError, ET.ParseError) as error:
        line = getattr(error, "lineno", None) or (getattr(error, "position", (1, 0)) or (1,))[0]
        return Reading(errors=[GiftError(line, f"the file is not valid XML ({error})")])
    except ValueError as error:  # e.g. "multi-byte encodings are not supported"
        return Reading(errors=[GiftError(1, f"the file cannot be read as XML ({error})")])
    if root.tag != "quiz":
        return Reading(errors=[GiftError(1, "this is not a Moodle XML question file (no <quiz>)")])
    reading = Reading()
    for element, line in zip(root.iter("question"), lines, strict=False):
        parsed, problems = _parse_question(element, line)
        name = _name_of(element)
        if problems:
            reading.refuse([GiftError(line, problem) for problem in problems], name)
        elif parsed is not None:
            reading.add(parsed, name)
    return reading.finish()


def import_moodle_xml(
    text: str | bytes, lesson: Lesson, *, status: str = Status.DRAFT
) -> ImportResult:
    """Create the file's importable questions for `lesson` (one transaction); the others are
    listed in `refused`, each with its line, name and reason."""
    return save_reading(parse_moodle_xml(text), lesson, status=status, origin=MOODLE_XML_ORIGIN)
