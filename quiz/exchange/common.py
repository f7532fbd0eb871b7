"""What GIFT and Moodle XML exchange share: parsed questions, errors, metadata and saving."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field

import nh3
from django.db import transaction
from django.db.models import Max

from courses.models import Lesson
from quiz.authoring.answers import typed_answer_matches
from quiz.models import (
    SINGLE_ANSWER_TYPES,
    AcceptedAnswer,
    Choice,
    Difficulty,
    Question,
    QuestionType,
    Skill,
    Status,
)

BLANK = "_____"
GIFT_ORIGIN = "gift"
MOODLE_XML_ORIGIN = "moodle_xml"
TEACHER_ORIGIN = "teacher"

CHOICE_TEXT_MAX = Choice._meta.get_field("text").max_length
RATIONALE_MAX = Choice._meta.get_field("rationale").max_length
ANSWER_MAX = AcceptedAnswer._meta.get_field("text").max_length

# The skill a hand-written question (no metadata) gets, by type.
DEFAULT_SKILL = {
    QuestionType.WHO_HOLDS_VIEW: Skill.VIEWPOINT,
    QuestionType.VOCABULARY: Skill.VOCABULARY,
    QuestionType.SEQUENCE: Skill.SEQUENCE,
    QuestionType.MAIN_IDEA: Skill.MAIN_IDEA,
}

# Our types that are written as a Moodle multiple-choice question (one right answer).
CHOICE_TYPES = frozenset(SINGLE_ANSWER_TYPES)


@dataclass(frozen=True)
class GiftError:
    """A problem in an imported file, at a 1-based line number (also used for Moodle XML).

    `name` is the question's name in the file (GIFT `::name::`, XML <name>) when it has one.
    """

    line: int
    message: str
    name: str = ""

    def __str__(self) -> str:
        where = f"Line {self.line}"
        if self.name:
            where += f" (“{self.name}”)"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: list[Question] = field(default_factory=list)
    # The file could not be read at all (not XML, unknown encoding, no questions): nothing done.
    errors: list[GiftError] = field(default_factory=list)
    # Problems that kept questions of the file out, each with its line and reason.
    refused: list[GiftError] = field(default_factory=list)
    refused_questions: int = 0
    # Questions of the file already in the lesson (same type, text and options): not added.
    skipped_duplicates: int = 0
    # What the imported questions lost or mean differently here, per question.
    notes: list[GiftError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def evidence_missing(self) -> int:
        """Imported questions whose evidence sentence is not in the lesson's text."""
        return sum(1 for question in self.created if question.evidence_missing)

    def message(self, lesson_title: str) -> str:
        """What the import did, in one line for the teacher."""
        parts = [f"Imported {len(self.created)} questions into “{lesson_title}” as drafts."]
        if self.refused_questions:
            parts.append(f"{self.refused_questions} in the file were not imported (as previewed).")
        if self.skipped_duplicates:
            parts.append(
                f"Skipped {self.skipped_duplicates} already in the lesson "
                "(same type, question and options)."
            )
        if self.evidence_missing:
            parts.append(
                f"{self.evidence_missing} have an evidence sentence that is not in the "
                "lesson's text: they are flagged “evidence not found”."
            )
        return " ".join(parts)


@dataclass
class ParsedChoice:
    text: str
    is_correct: bool = False
    rationale: str = ""
    position: int = 0


@dataclass
class Evidence:
    paragraph: int
    start: int
    end: int
    quote: str | None = None  # None: take it from the lesson text (checked by `quote_hash`)
    quote_hash: str = ""


@dataclass
class ParsedQuestion:
    """A question read from a file, not yet saved."""

    line: int
    type: str
    prompt: str
    explanation: str = ""
    choices: list[ParsedChoice] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    skill: str | None = None
    difficulty: int | None = None
    evidence: Evidence | None = None
    has_metadata: bool = False
    name: str = ""
    wanted_type: str = ""  # our type, from the file's metadata
    duplicate: bool = False  # already in the lesson: the import skips it
    # What did not come across (an image, per-answer feedback) or means differently here.
    notes: list[str] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return QuestionType(self.type).label

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass
class Reading:
    """What an import would do, before anything is saved: the preview a teacher confirms."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    refused: list[GiftError] = field(default_factory=list)
    errors: list[GiftError] = field(default_factory=list)  # the file as a whole is unreadable
    refused_questions: int = 0  # a refused question may have several problems in `refused`

    def add(self, parsed: ParsedQuestion, name: str) -> None:
        parsed.name = name
        self.questions.append(parsed)

    def refuse(self, problems: list[GiftError], name: str) -> None:
        self.refused += [GiftError(p.line, p.message, name) for p in problems]
        self.refused_questions += 1

    def finish(self) -> Reading:
        if not self.questions and not self.refused:
            self.errors.append(GiftError(1, "the file contains no questions"))
        return self

    @property
    def duplicates(self) -> int:
        return sum(question.duplicate for question in self.questions)

    @property
    def new_questions(self) -> int:
        return len(self.questions) - self.duplicates

    @property
    def notes(self) -> list[GiftError]:
        return [
            GiftError(question.line, text, question.name)
            for question in self.questions
            for text in question.notes
        ]


# --- text Moodle renders as HTML --------------------------------------------------------------

# Tags that end a line when shown; nh3 writes the tags it keeps in one canonical form, so its
# output can be split on them with plain string replacement (no regex ever reads the HTML).
_LINE_TAGS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
_MEDIA = {
    "img": "an image",
    "audio": "audio",
    "video": "a video",
    "source": "audio or video",
    "iframe": "an embedded page",
    "object": "an embedded object",
    "embed": "an embedded object",
    "a": "a link's address (its words are kept)",
}
_MEDIA_ATTRIBUTES = {tag: {"src", "href", "data", "srcset"} for tag in _MEDIA}


def html_to_text(text: str, *, newlines_break: bool) -> str:
    """What Moodle shows of an HTML text, as plain text: tags dropped (script and style with
    their content), entities decoded, paragraphs and <br> as line breaks.

    `newlines_break`: Moodle's auto-format turns line breaks in the source into <br>; in HTML
    they are only spaces.
    """
    if "<" not in text and "&" not in text:
        return text.strip()
    cleaned = nh3.clean(
        text,
        tags=_LINE_TAGS,
        attributes={},
        clean_content_tags={"script", "style"},
        strip_comments=True,
        link_rel=None,
    )
    if not newlines_break:
        cleaned = " ".join(cleaned.split())
    for tag in _LINE_TAGS:
        cleaned = cleaned.replace(f"<{tag}>", "").replace(f"</{tag}>", "\n")
    cleaned = cleaned.replace("<br>", "\n")
    lines = [" ".join(line.split()) for line in html.unescape(cleaned).split("\n")]
    return "\n".join(line for line in lines if line).strip()


def media_in(text: str) -> set[str]:
    """What of an HTML text plain text cannot keep: images, audio, video, embeds, links."""
    if "<" not in text:
        return set()
    found: set[str] = set()

    def seen(tag: str, _attribute: str, value: str) -> str:
        found.add(_MEDIA.get(tag, "a file"))
        return value

    nh3.clean(
        text,
        tags=set(_MEDIA),
        attributes=_MEDIA_ATTRIBUTES,
        attribute_filter=seen,
        clean_content_tags={"script", "style"},
        link_rel=None,
    )
    return found


def media_note(found: set[str]) -> str:
    return "left out: " + ", ".join(sorted(found)) + " (questions here are plain text)"


# --- typed answers, as Moodle's short answer reads them --------------------------------------


def to_moodle_pattern(answer: str) -> str:
    """An accepted answer as a Moodle short-answer pattern, where * is a wildcard: \\* is a
    literal asterisk."""
    return answer.replace("*", "\\*")


def from_moodle_pattern(pattern: str) -> str | None:
    """A Moodle short-answer pattern as our literal answer; None when it uses the * wildcard
    (which this app does not grade). "-*>" is how our GIFT writes "->" (see gift.py) and
    reads back as the arrow."""
    literal, i = [], 0
    while i < len(pattern):
        if pattern.startswith("\\*", i):
            literal.append("*")
            i += 2
        elif pattern.startswith("-*>", i):
            literal.append("->")
            i += 3
        elif pattern[i] == "*":
            return None
        else:
            literal.append(pattern[i])
            i += 1
    return "".join(literal)


_ARTICLES = ("the ", "a ", "an ")
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")  # a hyphen joining two words, as in "Tel-Aviv"
MAX_ALTERNATIVES = 12


def moodle_alternatives(answers: list[str]) -> list[str]:
    """The accepted answers plus the common ways of writing them that our grader takes and
    Moodle's exact match would not: without accents, without (or with) a leading "the", words
    joined by a hyphen or by a space. Capitals need nothing (Moodle ignores them too); a typo
    in a long answer, and "a"/"an" in front, are still ours alone."""
    out: dict[str, str] = {}

    def add(text: str, source: str | None = None) -> None:
        text = " ".join(text.split())
        if not text or text.casefold() in out or len(out) >= MAX_ALTERNATIVES:
            return
        if source is None or typed_answer_matches(text, [source]):  # only what we accept
            out[text.casefold()] = text

    for answer in answers:
        add(answer)
    for answer in answers:
        bare = "".join(
            ch for ch in unicodedata.normalize("NFKD", answer) if not unicodedata.combining(ch)
        )
        for form in dict.fromkeys((answer, bare)):
            add(form, answer)
            lowered = form.casefold()
            article = next((a for a in _ARTICLES if lowered.startswith(a)), None)
            add(form[len(article) :] if article else "the " + form, answer)
            words = form.split()
            if _HYPHEN.search(form):
                add(_HYPHEN.sub(" ", form), answer)
            elif len(words) == 2 and all(w.isalpha() for w in words) and not article:
                add("-".join(words), answer)
    return list(out.values())


def without_variants(answers: list[str]) -> list[str]:
    """Accepted answers minus those our grader already accepts given the ones before them
    (the variants an export adds for Moodle come back as the one answer they were)."""
    kept: list[str] = []
    for answer in answers:
        if not kept or not typed_answer_matches(answer, kept):
            kept.append(answer)
    return kept


# --- metadata ---------------------------------------------------------------------------------


def format_evidence(question: Question) -> str:
    return f"{question.evidence_paragraph}.{question.evidence_start}-{question.evidence_end}"


def parse_evidence(value: str) -> Evidence | None:
    """`4.120-245` → Evidence(4, 120, 245); None when malformed."""
    paragraph, dot, span = value.strip().partition(".")
    start, dash, end = span.partition("-")
    if not (dot and dash and paragraph.isdigit() and start.isdigit() and end.isdigit()):
        return None
    return Evidence(int(paragraph), int(start), int(end))


def quote_fingerprint(quote: str) -> str:
    return hashlib.sha256(quote.encode()).hexdigest()[:12]


def metadata_tags(question: Question) -> list[str]:
    """Our metadata as Moodle question tags (Moodle keeps them through its own export)."""
    values = [
        f"type:{question.type}",
        f"skill:{question.skill}",
        f"difficulty:{question.difficulty}",
        f"evidence:{format_evidence(question)}",
    ]
    if question.evidence_quote:
        values.append(f"quote:{quote_fingerprint(question.evidence_quote)}")
    return values


def read_tags(parsed: ParsedQuestion, tags: list[str]) -> None:
    """Take our metadata back from Moodle tags (`type:…`, `evidence:…`, `quote:…`)."""
    values = {}
    for tag in tags:
        name, colon, value = tag.partition(":")
        if colon:
            values.setdefault(name.strip().lower(), value.strip())
    parsed.skill = parsed.skill or values.get("skill")
    parsed.difficulty = parsed.difficulty or values.get("difficulty")
    parsed.has_metadata = parsed.has_metadata or "type" in values
    parsed.wanted_type = parsed.wanted_type or values.get("type", "")
    if parsed.evidence is None:
        evidence = parse_evidence(values.get("evidence", ""))
        if evidence is not None:
            parsed.evidence = Evidence(
                evidence.paragraph, evidence.start, evidence.end, None, values.get("quote", "")
            )


def clean_skill(value: str | None, question_type: str) -> str:
    if value in Skill.values:
        return value
    return DEFAULT_SKILL.get(question_type, Skill.LITERAL)


def clean_difficulty(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return Difficulty.MEDIUM
    return number if number in Difficulty.values else Difficulty.MEDIUM


def resolve_evidence(evidence: Evidence | None, paragraphs: dict[int, str]) -> tuple:
    """(paragraph, start, end, quote) when the evidence checks out in this lesson's text.

    The quote must be found at the stated place; when the text moved (an edited lesson), the
    quote is looked for in the stated paragraph, then in every paragraph. Otherwise the
    evidence is left empty for the teacher to fix: (1, 0, 0, "").
    """
    empty = (1, 0, 0, "")
    if evidence is None:
        return empty
    text = paragraphs.get(evidence.paragraph)
    if evidence.quote is None:  # Moodle XML: offsets plus a fingerprint of the quote
        if text is None or not 0 <= evidence.start <= evidence.end <= len(text):
            return empty
        quote = text[evidence.start : evidence.end]
        if not quote or quote_fingerprint(quote) != evidence.quote_hash:
            return empty
        return (evidence.paragraph, evidence.start, evidence.end, quote)
    quote = evidence.quote
    if not quote:
        return empty
    if text is not None and text[evidence.start : evidence.end] == quote:
        return (evidence.paragraph, evidence.start, evidence.end, quote)
    ordered = ([evidence.paragraph] if text is not None else []) + sorted(paragraphs)
    for position in ordered:
        found = paragraphs[position].find(quote)
        if found >= 0:
            return (position, found, found + len(quote), quote)
    return empty


# --- checks shared by both formats --------------------------------------------------------------


def check_lengths(parsed: ParsedQuestion) -> list[str]:
    problems = []
    for choice in parsed.choices:
        if len(choice.text) > CHOICE_TEXT_MAX:
            problems.append(
                f"the answer “{choice.text[:40]}…” is too long "
                f"({len(choice.text)} characters, at most {CHOICE_TEXT_MAX})"
            )
        if len(choice.rationale) > RATIONALE_MAX:
            problems.append(
                f"the feedback of “{choice.text[:40]}” is too long "
                f"({len(choice.rationale)} characters, at most {RATIONALE_MAX})"
            )
    for answer in parsed.answers:
        if len(answer) > ANSWER_MAX:
            problems.append(
                f"the accepted answer “{answer[:40]}…” is too long "
                f"({len(answer)} characters, at most {ANSWER_MAX})"
            )
    if not parsed.prompt.strip():
        problems.append("the question has no text")
    return problems


# --- saving -----------------------------------------------------------------------------------


def _signature(type_: str, prompt: str, choices, answers) -> tuple:
    """What makes two questions the same: type, text and options (in any order)."""

    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    return (
        type_,
        norm(prompt),
        tuple(sorted(norm(text) for text in choices)),
        tuple(sorted({norm(text) for text in answers})),
    )


def lesson_signatures(lesson: Lesson) -> set[tuple]:
    return {
        _signature(
            question.type,
            question.prompt,
            [choice.text for choice in question.choices.all()],
            [answer.text for answer in question.accepted_answers.all()],
        )
        for question in lesson.questions.with_options()
    }


def mark_duplicates(reading: Reading, lesson: Lesson) -> None:
    """Flag the file's questions the lesson already holds (the import will skip them), so the
    preview can say so."""
    seen = lesson_signatures(lesson)
    for item in reading.questions:
        signature = _signature(
            item.type, item.prompt, [choice.text for choice in item.choices], item.answers
        )
        item.duplicate = signature in seen
        seen.add(signature)


def save_questions(
    lesson: Lesson, parsed: list[ParsedQuestion], *, status: str, origin: str
) -> tuple[list[Question], int]:
    """Create the questions (with choices and answers) at the end of the lesson's quiz.

    Only ever adds: nothing already in the lesson is changed or deleted. A question already
    in the lesson (same type, text and options) is skipped; one whose stated evidence sentence
    is not in the lesson's text is stored as a draft flagged `evidence_missing`.
    Returns (created questions, number skipped as duplicates).
    """
    if status not in Status.values:
        raise ValueError(f"Unknown status {status!r}; expected one of {Status.values}.")
    paragraphs = dict(lesson.paragraphs.values_list("position", "text"))
    created = []
    skipped = 0
    with transaction.atomic():
        seen = lesson_signatures(lesson)
        position = lesson.questions.aggregate(top=Max("position"))["top"] or 0
        for item in parsed:
            signature = _signature(
                item.type, item.prompt, [choice.text for choice in item.choices], item.answers
            )
            if signature in seen:
                skipped += 1
                continue
            seen.add(signature)
            position += 1
            paragraph, start, end, quote = resolve_evidence(item.evidence, paragraphs)
            # Evidence the file states but this lesson's text does not hold (a question
            # written without any evidence keeps it empty, unflagged, as before).
            missing = item.evidence is not None and not quote
            question = Question.objects.create(
                lesson=lesson,
                type=item.type,
                prompt=item.prompt,
                explanation=item.explanation,
                evidence_paragraph=paragraph,
                evidence_start=start,
                evidence_end=end,
                evidence_quote=quote,
                source_hash=lesson.text_hash,
                skill=clean_skill(item.skill, item.type),
                difficulty=clean_difficulty(item.difficulty),
                # A question no sentence of this lesson proves waits for the teacher.
                status=Status.DRAFT if missing else status,
                evidence_missing=missing,
                origin=origin if item.has_metadata else TEACHER_ORIGIN,
                # Imported questions are the teacher's content: regeneration must never
                # replace them as if they were untouched generated drafts.
                teacher_edited=True,
                position=position,
            )
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    text=choice.text,
                    is_correct=choice.is_correct,
                    rationale=choice.rationale,
                    position=choice.position or i,
                )
                for i, choice in enumerate(item.choices, start=1)
            )
            AcceptedAnswer.objects.bulk_create(
                AcceptedAnswer(question=question, text=text)
                for text in dict.fromkeys(item.answers)  # unique, in order
            )
            created.append(question)
    return created, skipped


def save_reading(reading: Reading, lesson: Lesson, *, status: str, origin: str) -> ImportResult:
    """Save what a file reading found importable (one transaction); nothing when the file
    as a whole could not be read."""
    if reading.errors:
        return ImportResult(errors=reading.errors)
    created, skipped = save_questions(lesson, reading.questions, status=status, origin=origin)
    return ImportResult(
        created=created,
        refused=sorted(reading.refused, key=lambda e: e.line),
        refused_questions=reading.refused_questions,
        skipped_duplicates=skipped,
        notes=reading.notes,
    )
