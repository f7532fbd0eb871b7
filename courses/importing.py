"""Turn an article (plain text, .docx, PDF with a text layer, or a saved web page) into a lesson.

`parse_article` is pure (text in, `ParsedArticle` out) so it can be tested without a database;
`read_article` does the same for the bytes of a file of any supported format;
`import_article` writes one lesson and its paragraphs in a single transaction.

Two layouts are understood:
* a column with a header (author line, credentials line, "Column: …"), then a "Short version"
  marker line with the summary and a "Full version" marker line with the body;
* any plain article: paragraphs separated by blank lines, all of it body.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from django.db import transaction

from .models import Course, Lesson, Paragraph, split_paragraphs, unique_slug  # noqa: F401
from .signals import lesson_text_changed

MAX_BYTES = 1_000_000  # ~150k words: far beyond any article, small enough to refuse a dump
# A Word or PDF file carries fonts and images besides its text: the file may be larger, its text
# still counts against MAX_BYTES. The request cap for staff (settings.MAX_STAFF_REQUEST_BYTES)
# leaves room for a file this size.
MAX_DOCUMENT_BYTES = 10_000_000
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


class UnreadableDocument(ArticleError):
    """A .docx, PDF or web page that holds no article we can read; the message is one whole
    sentence in a teacher's words, shown as it is."""


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
    before = "" if created else lesson.text_hash
    if created:
        last = course.lessons.order_by("-position").values_list("position", flat=True).first()
        lesson = Lesson(course=course, position=(last or 0) + 1, published=published)
    if title or created:
        # The slug follows the title in Lesson.save() until the lesson is first published.
        lesson.title = (title or parsed.title)[:MAX_TITLE]
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
    if before and lesson.text_hash != before:
        lesson_text_changed.send(sender=Lesson, lesson=lesson)
    return lesson, created


# --- Other formats: .docx, PDF (text layer), saved web pages -------------------------------------

DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
MAX_UNZIPPED = 20_000_000  # a .docx is a zip: refuse one that unpacks to far more than any article
MAX_PDF_PAGES = 300
MIN_WORDS = 25  # fewer words than this is a menu or a cookie banner, not an article
TITLE_STYLES = ("Title", "Heading 1")
PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I
)
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# Titles that name nothing: "Document1", "Microsoft Word - notes.docx", "untitled", "scan 0001".
GENERIC_TITLE = re.compile(
    r"^(?:untitled|document|doc|file|download|article|scan|image|new document|page|print|"
    r"copy|img|pdf)?[\s\d_().-]*$",
    re.IGNORECASE,
)
WORD_EXPORT_PREFIX = re.compile(r"^microsoft (?:word|powerpoint) - ", re.IGNORECASE)


def read_article(data: bytes, filename: str = "") -> ParsedArticle:
    """The bytes of an uploaded or read file (any supported format) -> a parsed article.

    The title comes from the document itself (properties, title paragraph, page title), then
    from the file name, then from the opening sentence as for plain text.
    """
    kind = detect_kind(data, filename)
    if kind == "txt":
        return parse_article(decode_article(data))
    if not data.strip():
        raise ArticleError("the file is empty")
    limit = MAX_DOCUMENT_BYTES if kind in ("docx", "pdf") else MAX_BYTES
    if len(data) > limit:
        raise ArticleError(
            f"the file is too large ({len(data):,} bytes; the limit is {limit:,} bytes)"
        )
    reader = {"docx": read_docx, "pdf": read_pdf, "html": read_html}[kind]
    doc_title, paragraphs = reader(data)
    text = "\n\n".join(paragraphs)
    if len(text.encode()) > MAX_BYTES:
        raise ArticleError(f"the article's text is too long (the limit is {MAX_BYTES:,} bytes)")
    parsed = parse_article(text)
    title = clean_title(doc_title) or title_from_filename(filename)
    return replace(parsed, title=title[:MAX_TITLE]) if title else parsed


def detect_kind(data: bytes, filename: str = "") -> str:
    """'txt', 'docx', 'pdf' or 'html', from the file's first bytes, then its name."""
    suffix = PurePath(filename).suffix.lower()
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Word (.doc) container
        raise UnreadableDocument(
            "This is an old Word (.doc) file, which can't be read: open it in Word, "
            "save it as .docx and import that."
        )
    if data.startswith(b"%PDF-") or suffix == ".pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04") or suffix == ".docx":
        return "docx"
    if suffix in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "txt"


def read_docx(data: bytes) -> tuple[str, list[str]]:
    """A Word document's title and its paragraphs, in order (tables and images left out)."""
    import docx  # python-docx: imported here so plain-text imports never pay for it
    from docx.opc.exceptions import PackageNotFoundError

    damaged = UnreadableDocument(
        "This Word file can't be opened (it is damaged or not really a .docx): "
        "save it again as .docx from Word, or paste its text."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise ArticleError("the Word file unpacks to far more than an article")
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        if isinstance(error, ArticleError):
            raise
        raise damaged from None
    except Exception:  # a malformed package can fail in many ways inside lxml or python-docx
        raise damaged from None

    title = (document.core_properties.title or "").strip()
    paragraphs: list[str] = []
    title_taken = False
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        if not title_taken and style in TITLE_STYLES and not paragraphs:
            # The document's own title line is its title, not a paragraph of the text.
            title_taken = True
            title = title or text
            continue
        paragraphs.append(text)
    if sum(len(p.split()) for p in paragraphs) == 0:
        raise UnreadableDocument("This Word file has no text to read: check it is the article.")
    return title, paragraphs


def read_pdf(data: bytes) -> tuple[str, list[str]]:
    """A PDF's title (metadata) and its text layer as paragraphs; page numbers dropped."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    damaged = UnreadableDocument(
        "This PDF can't be opened (the file is damaged or not really a PDF): "
        "save it again from the original document, or paste its text."
    )
    locked = UnreadableDocument(
        "This PDF is protected by a password: save a copy without the password, or paste its text."
    )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise locked
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ArticleError(
                f"the PDF has {len(reader.pages)} pages (the limit is {MAX_PDF_PAGES})"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        title = str(metadata.title or "") if metadata else ""
    except ArticleError:
        raise
    except (PdfReadError, NotImplementedError) as error:
        # pypdf names missing decryption support (e.g. AES without `cryptography`) this way too.
        if "decrypt" in str(error).lower() or "encrypt" in str(error).lower():
            raise locked from None
        raise damaged from None
    except Exception:  # a malformed file can fail anywhere inside the parser
        raise damaged from None
    paragraphs = pdf_paragraphs(pages)
    if sum(len(p.split()) for p in paragraphs) < 3:
        raise UnreadableDocument(
            "This PDF has no text to read (it may be a scan): export it again as a PDF from "
            "the original document, or paste its text."
        )
    return title, paragraphs


def pdf_paragraphs(pages: list[str]) -> list[str]:
    """Lines of each page's text joined into paragraphs.

    A paragraph ends at a blank line, or at a line that ends a sentence and stops short of
    the page's usual line length; a paragraph cut off by the end of a page goes on on the next.
    """
    paragraphs: list[str] = []
    current: list[str] = []

    def flush():
        if current:
            paragraphs.append(" ".join(" ".join(current).split()))
            current.clear()

    for page in pages:
        lines = [line.strip() for line in page.replace("\r\n", "\n").split("\n")]
        lines = [line for line in lines if not PAGE_NUMBER.match(line)]
        # Drop blank lines at the ends so a page break alone never ends a paragraph.
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        widths = sorted(len(line) for line in lines if line)
        usual = widths[len(widths) * 3 // 4] if widths else 0
        for line in lines:
            if not line:
                flush()
                continue
            if current and current[-1].endswith("-") and line[:1].islower():
                current[-1] = current[-1][:-1] + line  # a word hyphenated across lines
            else:
                current.append(line)
            if SENTENCE_END.search(line) and len(line) < 0.85 * usual:
                flush()
        if current and SENTENCE_END.search(current[-1]):
            flush()
    flush()
    return paragraphs


def read_html(data: bytes) -> tuple[str, list[str]]:
    """A saved web page's main article text (menus, adverts and footers left out) and title."""
    import trafilatura  # offline: it parses the page it is given and downloads nothing

    html = data.decode("utf-8", errors="replace")
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata else "") or ""
    paragraphs = [" ".join(line.split()) for line in (text or "").split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and title and paragraphs[0].casefold() == title.strip().casefold():
        paragraphs.pop(0)  # the page's own headline repeats its title
    if sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
        raise UnreadableDocument(
            "This web page has no article text to read: save the article's own page "
            "(not a home or search page), or paste its text."
        )
    return title, paragraphs


def clean_title(title: str) -> str:
    """A document's own title, or "" when it names nothing (e.g. "Document1", "untitled")."""
    title = " ".join((title or "").split())
    title = WORD_EXPORT_PREFIX.sub("", title)
    title = re.sub(r"\.(?:docx?|pdf|txt|html?)$", "", title, flags=re.IGNORECASE).strip()
    if not title or GENERIC_TITLE.match(title) or not re.search(r"[^\W\d_]{2}", title):
        return ""
    return title[:MAX_TITLE]


def title_from_filename(filename: str) -> str:
    """ "iran-azerbaijan_tensions.docx" -> "Iran azerbaijan tensions"; "" for "scan_0001.pdf"."""
    stem = PurePath(filename or "").stem
    words = " ".join(re.sub(r"[_\-.+]+", " ", stem).split())
    if not clean_title(words):
        return ""
    return (words[:1].upper() + words[1:])[:MAX_TITLE]


FETCH_TIMEOUT = 10  # seconds for the whole download of a web address
CONTENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
}


def public_host(hostname: str) -> None:
    """Refuse addresses inside the school's network (the server would fetch them for anyone
    with admin access): loopback, private, link-local and reserved ranges. Hosts listed in
    settings.ARTICLE_FETCH_ALLOWED_HOSTS (tests: a local server) are allowed."""
    import ipaddress
    import socket

    from django.conf import settings

    if hostname in getattr(settings, "ARTICLE_FETCH_ALLOWED_HOSTS", ()):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
    except (OSError, UnicodeError):
        raise UnreadableDocument(
            "This web address can't be read: its site could not be found; check the address."
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise UnreadableDocument(
                "This web address points inside the school's network, which the app does not "
                "fetch: save the page and upload it instead."
            )


def fetch_article(url: str, *, timeout: float = FETCH_TIMEOUT) -> tuple[bytes, str]:
    """Download a web address (http or https; at most MAX_BYTES, or MAX_DOCUMENT_BYTES for a
    Word or PDF file) -> (bytes, a file name).

    The file name carries the format (from the Content-Type) for `read_article`.
    """
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnreadableDocument("This web address can't be used: give one starting with https://.")
    public_host(parts.hostname)
    request = urllib.request.Request(
        url, headers={"User-Agent": "reading-lessons article import", "Accept": "*/*"}
    )

    class PublicRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            public_host(urlsplit(newurl).hostname or "")  # a redirect must not lead inside
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(PublicRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            # A Word or PDF file may be as large as an uploaded one; a page, as a text file.
            document = CONTENT_TYPES.get(content_type, "") in (".docx", ".pdf")
            limit = MAX_DOCUMENT_BYTES if document else MAX_BYTES
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ArticleError(
                    f"the page is too large ({int(length):,} bytes; the limit is {limit:,} bytes)"
                )
            data = response.read(limit + 1)
            final_path = urlsplit(response.geturl()).path
    except ArticleError:
        raise
    except urllib.error.HTTPError as error:
        raise UnreadableDocument(
            f"This web address can't be read: the site answered {error.code} "
            f"({error.reason}); check the address, or save the page and upload it."
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        raise UnreadableDocument(
            "This web address can't be read: the site did not answer in time or could not be "
            "reached; check the address, or save the page and upload it."
        ) from None
    if len(data) > limit:
        raise ArticleError(f"the page is too large (the limit is {limit:,} bytes)")
    name = PurePath(final_path).name or parts.hostname
    suffix = CONTENT_TYPES.get(content_type, "")
    if suffix and PurePath(name).suffix.lower() != suffix:
        name = f"{name}{suffix}"
    return data, name
