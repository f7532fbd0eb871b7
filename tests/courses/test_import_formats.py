"""Articles as .docx, PDF (text layer) and saved web pages, built for real by each test."""

import contextlib
import http.server
import io
import threading
import time

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from courses.importing import (
    ArticleError,
    UnreadableDocument,
    clean_title,
    fetch_article,
    pdf_paragraphs,
    read_article,
    title_from_filename,
)
from courses.models import Lesson, Paragraph
from tests.factories import SAMPLE, make_course

PARAGRAPHS = [
    "Honeybees communicate the location of food through a movement called the waggle dance. "
    "A forager returning to the hive runs in a straight line while shaking her body.",
    "The angle of the run against vertical matches the angle between the sun and the food "
    "source. The duration of the waggle tells other bees how far to fly.",
    "In 1973 Karl von Frisch shared the Nobel Prize for decoding this language, which he had "
    "studied for decades in his garden and his laboratory.",
]


def make_docx(paragraphs=PARAGRAPHS, *, heading="", core_title="", subheading="") -> bytes:
    document = docx.Document()
    document.core_properties.title = core_title
    if heading:
        document.add_heading(heading, level=0)  # the "Title" style
    for i, text in enumerate(paragraphs):
        if subheading and i == 1:
            document.add_heading(subheading, level=2)
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(paragraphs=PARAGRAPHS, *, title="", text=True, pages=1) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    for page in range(1, pages + 1):
        pdf.add_page()
        if text:
            for paragraph in paragraphs:
                pdf.multi_cell(0, 6, paragraph)
                pdf.ln(6)
            pdf.set_y(-15)
            pdf.cell(0, 10, str(page), align="C")  # a page number in the footer
        else:
            pdf.rect(20, 20, 150, 200, style="F")  # a "scan": a picture, no text layer
    return bytes(pdf.output())


def encrypt(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def web_page(body: str, title: str = "How bees talk | Science Weekly") -> bytes:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
{body}
<footer><p>Copyright 2025 Science Weekly. Cookies help us deliver our services.</p></footer>
</body></html>""".encode()


ARTICLE_PAGE = web_page(
    "<main><article><h1>How bees talk</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article></main><aside><h2>Most read</h2><p>Ten recipes for autumn</p></aside>"
)


class TestDocx:
    def test_title_paragraph_and_paragraphs_in_order(self):
        parsed = read_article(make_docx(heading="How bees talk"), "notes.docx")
        assert parsed.title == "How bees talk"
        assert parsed.paragraphs == PARAGRAPHS  # the title line is not a paragraph

    def test_core_properties_title_wins(self):
        parsed = read_article(
            make_docx(heading="Bees", core_title="The waggle dance"), "notes.docx"
        )
        assert parsed.title == "The waggle dance"

    def test_sub_headings_stay_in_order(self):
        parsed = read_article(make_docx(heading="Bees", subheading="Distance"), "b.docx")
        assert parsed.paragraphs == [PARAGRAPHS[0], "Distance", *PARAGRAPHS[1:]]

    def test_file_name_then_opening_sentence(self):
        assert read_article(make_docx(), "iran-azerbaijan_tensions.docx").title == (
            "Iran azerbaijan tensions"
        )
        # A name that names nothing: the title comes from the opening sentence, as for .txt.
        assert read_article(make_docx(), "Document1.docx").title == (
            "Honeybees communicate the location of food…"
        )

    def test_column_layout_markers_work_as_in_text_files(self):
        data = make_docx(["Jane Doe", "Short version", "Brief.", "Full version", "Long text."])
        parsed = read_article(data, "column.docx")
        assert parsed.author_name == "Jane Doe"
        assert parsed.summary_paragraphs == ["Brief."] and parsed.paragraphs == ["Long text."]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"PK\x03\x04not really a zip", "This Word file can't be opened"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Word \\(.doc\\)"),
        ],
    )
    def test_broken_and_old_word_files(self, data, message):
        with pytest.raises(UnreadableDocument, match=message):
            read_article(data, "article.docx")

    def test_empty_document(self):
        with pytest.raises(UnreadableDocument, match="no text"):
            read_article(make_docx([]), "empty.docx")


class TestPdf:
    def test_text_paragraphs_and_metadata_title(self):
        parsed = read_article(make_pdf(title="How bees talk"), "scan_0001.pdf")
        assert parsed.title == "How bees talk"
        assert parsed.paragraphs == PARAGRAPHS  # lines joined, the page number dropped

    def test_paragraph_goes_on_across_pages_and_page_numbers_go(self):
        parsed = read_article(make_pdf(pages=2), "bee_dance.pdf")
        assert parsed.paragraphs == PARAGRAPHS * 2
        assert parsed.title == "Bee dance"
        assert pdf_paragraphs(["The hive is", "12", "warm in winter."]) == [
            "The hive is warm in winter."
        ]

    def test_scanned_pdf_is_refused_in_one_line(self):
        with pytest.raises(UnreadableDocument) as error:
            read_article(make_pdf(text=False), "scan.pdf")
        message = str(error.value)
        assert message.startswith("This PDF has no text to read (it may be a scan): ")
        assert "\n" not in message

    def test_password_protected_pdf_is_refused(self):
        with pytest.raises(UnreadableDocument, match="protected by a password"):
            read_article(encrypt(make_pdf(), "secret"), "locked.pdf")

    def test_pdf_only_restricted_by_its_owner_opens(self):
        parsed = read_article(encrypt(make_pdf(title="Bees"), ""), "restricted.pdf")
        assert parsed.paragraphs == PARAGRAPHS

    @pytest.mark.parametrize("data", [b"%PDF-1.7\nnonsense", make_pdf()[:400]])
    def test_broken_pdf_is_refused(self, data):
        with pytest.raises(UnreadableDocument, match="This PDF can't be opened"):
            read_article(data, "broken.pdf")

    def test_size_limit_is_the_same_as_for_text(self):
        with pytest.raises(ArticleError, match="too large"):
            read_article(b"%PDF-1.7\n" + b"0" * 10_000_001, "big.pdf")


class TestHtml:
    def test_main_article_text_and_page_title(self):
        parsed = read_article(ARTICLE_PAGE, "bees.html")
        assert parsed.title == "How bees talk"
        assert parsed.paragraphs == PARAGRAPHS  # no menu, footer, side box or repeated headline

    def test_detected_without_the_html_suffix(self):
        assert read_article(ARTICLE_PAGE, "saved-page").paragraphs == PARAGRAPHS

    def test_page_without_an_article_is_refused(self):
        page = web_page("<main><ul><li><a href='/a'>Sport</a></li><li>Weather</li></ul></main>")
        with pytest.raises(UnreadableDocument, match="This web page has no article text"):
            read_article(page, "home.html")


class TestTitles:
    @pytest.mark.parametrize(
        ("title", "expected"),
        [
            ("Microsoft Word - bee notes.docx", "bee notes"),
            ("untitled", ""),
            ("Document1", ""),
            ("  ", ""),
            ("12345", ""),
            ("How bees talk", "How bees talk"),
        ],
    )
    def test_clean_title(self, title, expected):
        assert clean_title(title) == expected

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("iran-azerbaijan_tensions.docx", "Iran azerbaijan tensions"),
            ("/tmp/how.bees.talk.pdf", "How bees talk"),
            ("scan_0001.pdf", ""),
            ("", ""),
        ],
    )
    def test_title_from_filename(self, name, expected):
        assert title_from_filename(name) == expected

    def test_plain_text_files_keep_the_title_from_the_lede(self):
        assert read_article(SAMPLE.read_bytes(), SAMPLE.name).title == (
            "Tension between Iran and Azerbaijan"
        )


@pytest.mark.django_db
class TestImporting:
    def test_command_imports_a_docx_as_a_draft(self, tmp_path, capsys):
        course = make_course()
        path = tmp_path / "iran-azerbaijan_tensions.docx"
        path.write_bytes(make_docx())
        call_command("import_article", str(path), course=course.slug)
        lesson = Lesson.objects.get()
        assert lesson.title == "Iran azerbaijan tensions" and not lesson.published
        assert [p.text for p in lesson.paragraphs.order_by("position")] == PARAGRAPHS
        assert "draft" in capsys.readouterr().out

    def test_command_refuses_a_scan_in_one_line_and_writes_nothing(self, tmp_path):
        course = make_course()
        call_command("import_article", str(SAMPLE), course=course.slug)
        path = tmp_path / "scan.pdf"
        path.write_bytes(make_pdf(text=False))
        with pytest.raises(CommandError) as error:
            call_command("import_article", str(path), course=course.slug)
        assert str(error.value).startswith(f"{path}: This PDF has no text to read")
        assert "\n" not in str(error.value)
        assert Lesson.objects.count() == 1 and Paragraph.objects.count() == 13

    def test_admin_upload_of_a_pdf_makes_a_draft(self, client, teacher):
        client.force_login(teacher)
        course = make_course()
        upload = SimpleUploadedFile("bees.pdf", make_pdf(title="How bees talk"))
        response = client.post(
            "/admin/courses/lesson/import/", {"course": course.pk, "file": upload}
        )
        lesson = Lesson.objects.get()
        assert response.status_code == 302
        assert lesson.title == "How bees talk" and not lesson.published
        assert lesson.paragraphs.count() == 3
        page = client.get(response["Location"]).content.decode()
        assert "It is a draft" in page and "no published questions" not in page

    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("scan.pdf", make_pdf(text=False), "This PDF has no text to read (it may be a scan): "),
            ("locked.pdf", encrypt(make_pdf(), "secret"), "This PDF is protected by a password"),
            ("home.html", web_page("<p>Menu</p>"), "This web page has no article text to read"),
        ],
    )
    def test_admin_refuses_unreadable_files_in_one_line(self, client, teacher, name, data, message):
        client.force_login(teacher)
        course = make_course()
        upload = SimpleUploadedFile(name, data)
        response = client.post(
            "/admin/courses/lesson/import/", {"course": course.pk, "file": upload}
        )
        assert response.status_code == 200
        errors = response.context["form"].errors["file"]
        assert len(errors) == 1 and errors[0].startswith(message)
        assert message in response.content.decode().replace("&#x27;", "'")
        assert not Lesson.objects.exists()


class _Site(http.server.BaseHTTPRequestHandler):
    """A tiny local site: an article page, a PDF, a page too large, a slow page and a 404."""

    def do_GET(self):
        if self.path == "/slow":
            time.sleep(2)
        pages = {
            "/news/bees": ("text/html; charset=utf-8", ARTICLE_PAGE),
            "/files/report": ("application/pdf", make_pdf(title="How bees talk")),
            "/big": ("text/html", b"<p>" + b"x" * 1_100_000),
            "/files/huge": ("application/pdf", b"%PDF-1.7\n" + b"0" * 10_100_000),
            "/big-unannounced": ("text/html", b"<p>" + b"x" * 1_100_000),
            "/slow": ("text/html", ARTICLE_PAGE),
        }
        if self.path not in pages:
            self.send_error(404, "Not Found")
            return
        content_type, body = pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if self.path != "/big-unannounced":  # that one's size is only known by reading it
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The importer may stop reading (too large, too slow), as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def _local_site_allowed(settings):
    # The test server runs on 127.0.0.1, which the app otherwise refuses to fetch.
    settings.ARTICLE_FETCH_ALLOWED_HOSTS = {"127.0.0.1"}


class TestWebAddress:
    @pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.5", "192.168.1.1", "169.254.169.254"])
    def test_addresses_inside_the_network_are_refused(self, settings, host):
        settings.ARTICLE_FETCH_ALLOWED_HOSTS = set()
        with pytest.raises(UnreadableDocument, match="inside the school's network"):
            fetch_article(f"http://{host}/page")

    def test_names_that_resolve_inside_are_refused_too(self, settings):
        from courses.importing import public_host

        settings.ARTICLE_FETCH_ALLOWED_HOSTS = set()
        with pytest.raises(UnreadableDocument, match="inside the school's network"):
            public_host("localhost")

    def test_article_page_is_downloaded_and_extracted(self, site):
        data, name = fetch_article(f"{site}/news/bees")
        assert name == "bees.html"
        parsed = read_article(data, name)
        assert parsed.title == "How bees talk" and parsed.paragraphs == PARAGRAPHS

    def test_pdf_on_the_web(self, site):
        data, name = fetch_article(f"{site}/files/report")
        assert name == "report.pdf" and read_article(data, name).paragraphs == PARAGRAPHS

    def test_a_pdf_may_be_as_large_as_an_uploaded_one_a_page_as_a_text_file(self, site):
        with pytest.raises(ArticleError, match="the limit is 1,000,000 bytes"):
            fetch_article(f"{site}/big")
        with pytest.raises(ArticleError, match="the limit is 10,000,000 bytes"):
            fetch_article(f"{site}/files/huge")

    @pytest.mark.parametrize(
        ("path", "error", "message"),
        [
            ("/missing", UnreadableDocument, "the site answered 404"),
            ("/big", ArticleError, "too large"),
            ("/big-unannounced", ArticleError, "too large"),
            ("/slow", UnreadableDocument, "did not answer in time"),
        ],
    )
    def test_refusals(self, site, path, error, message):
        with pytest.raises(error, match=message):
            fetch_article(f"{site}{path}", timeout=0.5)

    def test_only_web_addresses(self):
        with pytest.raises(UnreadableDocument, match="https://"):
            fetch_article("file:///etc/passwd")

    @pytest.mark.django_db
    def test_admin_imports_from_a_web_address_as_a_draft(self, client, teacher, site):
        client.force_login(teacher)
        course = make_course()
        url = f"{site}/news/bees"
        response = client.post("/admin/courses/lesson/import/", {"course": course.pk, "url": url})
        assert response.status_code == 302
        lesson = Lesson.objects.get()
        assert (lesson.title, lesson.source_name, lesson.published) == ("How bees talk", url, False)
        assert lesson.paragraphs.count() == 3
        both = {"course": course.pk, "url": url, "text": "Some text."}
        response = client.post("/admin/courses/lesson/import/", both)
        assert "only one of them" in response.content.decode()
        missing = {"course": course.pk, "url": f"{site}/missing"}
        response = client.post("/admin/courses/lesson/import/", missing)
        assert response.context["form"].errors["url"][0].startswith("This web address can't")
        assert Lesson.objects.count() == 1
