"""Turn a plain-text article into a lesson.

`parse_article` is pure (text in, `ParsedArticle` out) so it can be tested without a database;
`import_article` writes one lesson and its paragraphs in a single transaction.

Two layouts are understood:
* a column with a header (author line, credentials line, "Column: …"), then a "Short version"
  marker line with the summary and a "Full version" marker line with the body;
* any plain article: paragraphs separated by blank lines, all of it body.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from .models import Course, Lesson, Paragraph, split_paragraphs

MAX_BYTES = 1_000_000  # ~150k words: far beyond any article, small enough to refuse a dump
MAX_TITLE = 120
SHORT_MARKER = re.compile(r"^\s*short\s+version\s*:?\s*$", re.IGNORECASE)
FULL_MARKER = re.compile(r"^\s*full\s+version\s*:?\s*$", re.IGNORECASE)
COLUMN_LINE = re.compile(r"^\s*column\s*:\s*(?P<column>.+?)\s*$", re.IGNORECASE)
# The first verb of a lede usually ends its subject: "The tension between X and Y | has gone…".
SUBJECT_END = re.compile(
    r"\s(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|"
    r"remains?|became|becomes?|seems?|appears?|continues?|reflects?|shows?)\b",
    re.IGNORECASE,
)
DANGLING = frozenset(
    "a an the of to in on at by for from with through and or but as than that which who is are "
    "was were be its their his her our your my this these those no not could would can will".split()
)


class ArticleError(ValueError):
    """The text cannot become a lesson; the message names the problem in one line."""


@dataclass(frozen=True)
class ParsedArticle:
    paragraphs: list[str]
    summary_paragraphs: list[str] = field(default_factory=list)
    author_name: str = ""
    author_credentials: str = ""
    column: str = ""
    title: str = ""

    @property
    def summary(self) -> str:
        return "\n\n".join(self.summary_paragraphs)


def decode_article(data: bytes) -> str:
    """Bytes of an uploaded or read file -> text, refusing what is not a UTF-8 text article."""
    if not data.strip():
        raise ArticleError("the file is empty")
    if len(data) > MAX_BYTES:
        raise ArticleError(
            f"the file is too large ({len(data):,} bytes; the limit is {MAX_BYTES:,} bytes)"
        )
    if b"\x00" in data:
        raise ArticleError("the file looks binary, not plain text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(
            f"the file is not UTF-8 text (invalid byte at position {error.start})"
        ) from None
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(2, len(text) // 1000):
        raise ArticleError("the file looks binary, not plain text")
    return text


def parse_article(text: str) -> ParsedArticle:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    short_at = next((i for i, line in enumerate(lines) if SHORT_MARKER.match(line)), None)
    full_at = next((i for i, line in enumerate(lines) if FULL_MARKER.match(line)), None)

    if short_at is None and full_at is None:
        paragraphs = split_paragraphs(text)
        if not paragraphs:
            raise ArticleError("the article has no text")
        return ParsedArticle(paragraphs=paragraphs, title=derive_title(paragraphs))

    markers = [i for i in (short_at, full_at) if i is not None]
    header = split_paragraphs("\n".join(lines[: min(markers)]))
    summary: list[str] = []
    if short_at is not None:
        end = full_at if full_at is not None and full_at > short_at else len(lines)
        summary = split_paragraphs("\n".join(lines[short_at + 1 : end]))
        if not summary:
            raise ArticleError("the 'Short version' marker has no text after it")
    if full_at is not None:
        end = short_at if short_at is not None and short_at > full_at else len(lines)
        body = split_paragraphs("\n".join(lines[full_at + 1 : end]))
        if not body:
            raise ArticleError("the 'Full version' marker has no text after it")
    else:
        # Only a short version: it is all the text there is, so it is the body.
        body, summary = summary, []

    column = ""
    people: list[str] = []
    for line in header:
        match = COLUMN_LINE.match(line)
        if match:
            column = match["column"]
        else:
            people.append(line)
    return ParsedArticle(
        paragraphs=body,
        summary_paragraphs=summary,
        author_name=people[0] if people else "",
        author_credentials=people[1] if len(people) > 1 else "",
        column=column,
        title=derive_title(summary or body),
    )


def derive_title(paragraphs: list[str]) -> str:
    """A default title from the lede's subject ("Tension between X and Y"), else its first words."""
    first = paragraphs[0] if paragraphs else ""
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    match = SUBJECT_END.search(sentence)
    if match:
        subject = re.sub(
            r"^(?:the|a|an)\s+", "", sentence[: match.start()].strip(" ,;:—-"), flags=re.I
        )
        # "Before the telegraph, news…" is an opening phrase, not a subject: use the first words.
        if 2 <= len(subject.split()) <= 10 and "," not in subject:
            return (subject[0].upper() + subject[1:])[:MAX_TITLE]
    words = sentence.rstrip(".!?").split()
    cut = words[:8]
    # Never end a shortened title on a little word ("…of food through a…").
    while len(cut) > 3 and len(words) > 8 and cut[-1].lower() in DANGLING:
        cut.pop()
    title = " ".join(cut) + ("…" if len(words) > 8 else "")
    return (title[:1].upper() + title[1:])[:MAX_TITLE] or "Untitled article"


def unique_slug(course: Course, title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title)[:70].strip("-")) or "lesson"
    taken = set(
        course.lessons.exclude(pk=exclude_pk)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def import_article(
    parsed: ParsedArticle,
    course: Course,
    *,
    title: str = "",
    source_name: str = "",
    published: bool = True,
) -> tuple[Lesson, bool]:
    """Create or update the lesson for `source_name` in `course`; returns (lesson, created).

    Re-importing the same source updates its text in place and keeps the teacher's title, slug,
    position and publishing choice unless a title is given.
    """
    lesson = None
    if source_name:
        lesson = course.lessons.select_for_update().filter(source_name=source_name).first()
    created = lesson is None
    if created:
        last = course.lessons.order_by("-position").values_list("position", flat=True).first()
        lesson = Lesson(course=course, position=(last or 0) + 1, published=published)
    if title or created:
        lesson.title = (title or parsed.title)[:MAX_TITLE]
        lesson.slug = unique_slug(course, lesson.title, exclude_pk=lesson.pk)
    lesson.author_name = parsed.author_name[:200]
    lesson.author_credentials = parsed.author_credentials[:300]
    lesson.column = parsed.column[:200]
    lesson.summary = parsed.summary
    lesson.source_name = source_name[:255]
    lesson.refresh_text_stats(parsed.paragraphs)
    lesson.save()
    lesson.paragraphs.all().delete()
    Paragraph.objects.bulk_create(
        Paragraph(lesson=lesson, position=i, text=text)
        for i, text in enumerate(parsed.paragraphs, start=1)
    )
    return lesson, created
