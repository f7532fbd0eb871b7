"""Findings of an attacker's probe: bodies in odd charsets, ids beyond 64 bits, HEAD, our own
error pages, and request size caps. Each test failed on the code the probe ran against."""

import io
import os

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse

import config.urls
from config.middleware import RequestBodyGuardMiddleware
from courses.models import Lesson
from quiz import attempts
from tests.factories import make_course, make_quiz, make_student

HUGE = 2**63  # one more than the largest 64-bit signed integer a database column holds
MB = 1_000_000


def strict_client() -> Client:
    """A client like a browser against production: CSRF enforced, exceptions become pages,
    and holding a CSRF cookie, as anyone does after opening the log-in page."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.get("/accounts/login/")
    return client


def token(client) -> str:
    return client.cookies["csrftoken"].value


def assert_our_page(response, *words):
    html = response.content.decode()
    assert "css/app.css" in html, "styled with our stylesheet"
    assert 'href="/"' in html or 'href="/"' in html.replace("'", '"'), "a way back home"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    for word in words:
        assert word in html
    assert "<script>" not in html and " style=" not in html  # strict CSP: nothing inline
    return html


# --- bodies in a charset we cannot read: 400 with our page, never a 500 ---------------------


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "x-unknown", "rot13", "utf-8-sig"])
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/join/"])
def test_form_body_in_another_charset_is_a_400(charset, url):
    client = strict_client()
    body = f"csrfmiddlewaretoken={token(client)}&username=sam&password=x".encode(
        charset if charset in ("utf-16", "latin-1") else "utf-8"
    )
    response = client.generic(
        "POST", url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )
    assert response.status_code == 400
    assert_our_page(response, "could not be handled")


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-16", "x-unknown"])
def test_multipart_body_in_another_charset_is_a_400(charset):
    client = strict_client()
    body = (
        f'--xx\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token(client)}\r\n--xx--\r\n"
    ).encode()
    response = client.generic(
        "POST",
        "/accounts/login/",
        body,
        content_type=f"multipart/form-data; boundary=xx; charset={charset}",
    )
    assert response.status_code == 400
    assert_our_page(response, "could not be handled")


@pytest.mark.django_db
def test_odd_charset_to_an_address_that_does_not_exist_is_a_404():
    """No view, so nothing checks the charset: the 404 page must not parse the body either."""
    client = strict_client()
    body = f"csrfmiddlewaretoken={token(client)}&a=b".encode("utf-16")
    response = client.generic(
        "POST", "/nowhere/", body, content_type="application/x-www-form-urlencoded; charset=utf-16"
    )
    assert response.status_code == 404
    assert_our_page(response, "Page not found")


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8"])
def test_utf8_forms_still_work(charset, student):
    client = Client(raise_request_exception=False)
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=sam&password=a-long-pass-phrase",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 302  # signed in


@pytest.mark.django_db
def test_invalid_utf8_in_a_form_body_is_a_400():
    client = strict_client()
    response = client.generic(
        "POST",
        "/accounts/login/",
        f"csrfmiddlewaretoken={token(client)}&username=".encode() + b"\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


# --- ids beyond 64 bits: the URL does not match -----------------------------------------------


@pytest.mark.django_db
def test_huge_ids_are_404_not_500(client, student, teacher):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    client = Client(raise_request_exception=False)
    client.force_login(student)
    for url in (
        f"/attempts/{HUGE}/1/",
        f"/attempts/{attempt.pk}/{HUGE}/",
        f"/attempts/{HUGE * 10**6}/summary/",
        f"/attempts/{HUGE}/results/",
        f"/attempts/{'9' * 19}/1/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"choice": "1"}).status_code == 404, url
    assert client.get(f"/attempts/{attempt.pk}/1/").status_code == 200  # still matches
    client.force_login(teacher)
    for url in (
        f"/preview/lessons/{HUGE}/",
        f"/preview/lessons/{lesson.pk}/drafts/{HUGE}/",
        f"/admin/courses/lesson/{HUGE}/export.gift",
        f"/admin/courses/lesson/{HUGE}/import-questions/",
        f"/admin/quiz/question/report/{HUGE}/",
        f"/admin/quiz/question/report/{HUGE}/grades.csv",
        f"/admin/classrooms/classroom/{HUGE}/roster/",
        f"/admin/classrooms/classroom/1/students/{HUGE}/",
    ):
        if not url.startswith("/admin/"):
            assert client.get(url).status_code == 404, url
            continue
        # The admin's catch-all <path:object_id>/ takes what our URLs refuse and says "no such
        # lesson" on the admin's index: never the export, never a 500.
        assert client.get(url).status_code in (301, 302), url
        chain = client.get(url, follow=True)
        assert chain.status_code == 200 and chain.request["PATH_INFO"] == "/admin/", url
    # Django admin's own object pages take <path:object_id>: "no such object", never a 500.
    for url in (f"/admin/quiz/question/{HUGE}/change/", f"/admin/courses/lesson/{HUGE}/change/"):
        assert client.get(url).status_code in (302, 404), url


def test_the_id_converter_still_reverses_and_bounds():
    from config.converters import IdConverter

    assert reverse("quiz:question", args=[12, 3]) == "/attempts/12/3/"
    assert IdConverter().to_python("9" * 18) == 10**18 - 1
    assert not any("<int:" in str(p.pattern) for p in config.urls.urlpatterns)


# --- HEAD wherever GET is allowed ---------------------------------------------------------


@pytest.mark.django_db
def test_head_is_allowed_on_public_get_pages(client, sample_lesson):
    urls = [
        "/",
        sample_lesson.course.get_absolute_url(),
        sample_lesson.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]
    for url in urls:
        head, get = client.head(url), client.get(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b""
    for url in ("/join/", f"/courses/{sample_lesson.course.slug}/{sample_lesson.slug}/quiz/"):
        assert client.head(url).status_code == 302  # to log in, like GET


@pytest.mark.django_db
def test_head_for_a_learner(client, student, sample_lesson):
    client.force_login(student)
    for url in (
        "/me/",
        "/join/",
        f"/courses/{sample_lesson.course.slug}/{sample_lesson.slug}/quiz/",
    ):
        assert client.head(url).status_code == 200, url


@pytest.mark.django_db
def test_head_on_a_question_shows_it_and_records_no_answer(client, student):
    from quiz import attempts
    from quiz.models import Response
    from tests.factories import make_quiz

    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    client.force_login(student)
    assert client.head(f"/attempts/{attempt.pk}/1/").status_code == 200
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_other_methods_are_still_405(client, sample_lesson):
    for url in ("/", sample_lesson.get_absolute_url()):
        assert client.post(url).status_code == 405
        assert client.put(url).status_code == 405
        assert client.delete(url).status_code == 405
    assert client.put("/accounts/signup/").status_code == 405


# --- our own error pages ------------------------------------------------------------------


@pytest.mark.django_db
def test_404_page_is_ours_without_the_exception_text(client, student):
    client.force_login(student)
    response = client.get("/attempts/424242/1/")
    assert response.status_code == 404
    html = assert_our_page(response, "Page not found")
    assert "matches the given query" not in html and "AttemptItem" not in html
    assert "My learning" in html  # rendered for the learner: the usual navigation
    assert_our_page(client.get("/courses/nope/"), "Page not found")


@pytest.mark.django_db
def test_403_page_is_ours_without_the_exception_text(client):
    staff = User.objects.create_user("helper", password="a-long-pass-phrase", is_staff=True)
    client.force_login(staff)  # staff, but no permission on lessons
    response = client.get("/admin/courses/lesson/")
    assert response.status_code == 403
    html = assert_our_page(response, "You can't do that here")
    assert "PermissionDenied" not in html


def test_403_handler_never_shows_the_exception():
    from django.core.exceptions import PermissionDenied

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = config.urls.permission_denied(request, PermissionDenied("internal: row 42"))
    assert response.status_code == 403 and b"internal: row 42" not in response.content


def boom(request):
    raise RuntimeError("secret internals: SELECT * FROM auth_user")


urlpatterns = [path("boom/", boom), *config.urls.urlpatterns]
handler400 = config.urls.handler400
handler403 = config.urls.handler403
handler404 = config.urls.handler404
handler500 = config.urls.handler500


@pytest.mark.urls(__name__)
def test_500_page_renders_without_the_database_or_a_request():
    """No `db` fixture: pytest-django refuses any database access, as a down database would."""
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = assert_our_page(response, "Something went wrong on our side")
    assert "secret internals" not in html and "RuntimeError" not in html
    # Django renders 500.html with an empty context: it must need nothing more.
    from django.template.loader import render_to_string

    assert "Something went wrong" in render_to_string("500.html")


def test_400_and_413_pages_render_with_an_empty_context():
    from django.template.loader import render_to_string

    assert "could not be handled" in render_to_string("400.html")
    assert "too large" in render_to_string("413.html", {"megabytes": "3"})


# --- request size caps --------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes made on demand; counts what the server reads of it."""

    def __init__(self, size: int, head: bytes = b""):
        self.size, self.head, self.position = size, head, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.position)
        chunk = (self.head[self.position : self.position + n]).ljust(n, b"x")
        buffer[:n] = chunk
        self.position += n
        return n


MULTIPART_HEAD = (
    b'--xx\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
)


def post_big(client, url, size, content_type="multipart/form-data; boundary=xx"):
    stream = CountingStream(size, MULTIPART_HEAD)
    response = client.generic(
        "POST",
        url,
        content_type=content_type,
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": stream},
    )
    return response, stream


@pytest.fixture
def stored_files(monkeypatch, settings, tmp_path):
    """Every file part Django's upload handlers start storing (in memory or on disk), and an
    upload directory of our own to check nothing was left there."""
    from django.core.files import uploadhandler

    started = []
    for handler in (
        uploadhandler.MemoryFileUploadHandler,
        uploadhandler.TemporaryFileUploadHandler,
    ):
        original = handler.new_file

        def new_file(self, *args, _original=original, **kwargs):
            started.append(args[1] if len(args) > 1 else kwargs.get("file_name"))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(handler, "new_file", new_file)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return started, tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/admin/login/"])
def test_anonymous_50_mb_upload_is_refused_unread(url, stored_files):
    started, upload_dir = stored_files
    response, stream = post_big(strict_client(), url, 50 * MB)
    assert response.status_code == 413
    assert stream.position == 0, "answered before reading the body"
    assert not started and not any(upload_dir.iterdir()), "nothing stored"
    assert_our_page(response, "too large")


@pytest.mark.django_db
def test_a_learner_cannot_send_a_large_body(student):
    client = strict_client()
    client.force_login(student)
    for content_type in ("multipart/form-data; boundary=xx", "application/x-www-form-urlencoded"):
        response, stream = post_big(client, "/join/", 4 * MB, content_type)
        assert response.status_code == 413 and stream.position == 0


@pytest.mark.django_db
def test_the_cap_is_configurable(settings):
    settings.MAX_REQUEST_BYTES = 10_000
    response, stream = post_big(strict_client(), "/accounts/login/", 20_000)
    assert response.status_code == 413 and stream.position == 0


def test_the_cap_comes_from_the_environment():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.MAX_REQUEST_BYTES)"
    env = {**os.environ, "DJANGO_MAX_REQUEST_MB": "5", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == str(5 * MB)


@pytest.mark.parametrize("user", [AnonymousUser(), User(username="learner")])
def test_files_from_anyone_but_staff_are_never_stored(user):
    """A small multipart body from a visitor or a learner: its fields are read, its files not."""
    request = RequestFactory().post(
        "/accounts/login/",
        {"username": "sam", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 " * 1000)},
    )
    request.user = user
    middleware = RequestBodyGuardMiddleware(lambda r: HttpResponse())
    assert middleware.process_view(request, None, (), {}) is None
    assert request.POST["username"] == "sam"
    assert not request.FILES


def big_pdf(size: int) -> bytes:
    """A real PDF with an article's text, padded to `size` bytes with an attachment."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.set_title("Honeybee dances")
    for sentence in (
        "Honeybees communicate the location of food through a movement called the waggle "
        "dance, which a forager performs when she returns to the hive.",
        "The angle of the run against vertical matches the angle between the sun and the food "
        "source, and the duration of the waggle tells the other bees how far to fly.",
    ):
        pdf.multi_cell(0, 6, sentence)
        pdf.ln(6)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.add_attachment("scan.bin", os.urandom(size))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_staff_can_import_a_5_mb_pdf_article(client, teacher):
    course = make_course()
    data = big_pdf(5 * MB)
    assert 5 * MB < len(data) < 6 * MB
    client.force_login(teacher)
    response = client.post(
        "/admin/courses/lesson/import/",
        {"course": course.pk, "file": SimpleUploadedFile("dances.pdf", data, "application/pdf")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lesson = Lesson.objects.get()
    assert "waggle" in lesson.paragraphs.first().text


@pytest.mark.django_db
def test_staff_uploads_have_a_cap_too(teacher):
    client = strict_client()
    client.force_login(teacher)
    response, stream = post_big(client, "/admin/courses/lesson/import/", 13 * MB)
    assert response.status_code == 413 and stream.position == 0


@pytest.mark.django_db
def test_a_learner_upload_to_a_teacher_page_is_not_stored(client, stored_files):
    started, upload_dir = stored_files
    client.force_login(make_student())
    response = client.post(
        "/admin/courses/lesson/import/",
        {"file": SimpleUploadedFile("a.txt", b"x" * 3_000_000)},
    )
    assert response.status_code == 413  # above the cap for everyone but staff
    assert not started and not any(upload_dir.iterdir())


@pytest.mark.django_db
def test_a_small_learner_upload_is_read_without_its_file(client, stored_files):
    """Under the cap the form's fields are read as usual; the file part is skipped unstored."""
    started, _ = stored_files
    client.force_login(make_student())
    response = client.post("/join/", {"code": "NOSUCH", "file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 400  # "no class has that code": the field was read
    assert response.context["code"] == "NOSUCH" and not started


def test_article_size_limits():
    from courses.importing import MAX_BYTES, MAX_DOCUMENT_BYTES, ArticleError, read_article

    assert MAX_DOCUMENT_BYTES == 10 * MB and MAX_BYTES == 1 * MB
    with pytest.raises(ArticleError, match="too large"):
        read_article(b"%PDF-1.7\n" + b"0" * MAX_DOCUMENT_BYTES, "big.pdf")
    with pytest.raises(ArticleError, match="too large"):
        read_article(b"word " * (MAX_BYTES // 5 + 1), "big.txt")


def csrf_refusal():
    """A form posted without its CSRF token, as after a long pause or with cookies blocked."""
    return Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "sam", "password": "x"}
    )


@pytest.mark.django_db
def test_a_refused_form_gets_our_page_in_a_learners_words():
    response = csrf_refusal()
    assert response.status_code == 403
    html = response.content.decode()
    assert "That form has expired" in html and "Back to the courses" in html
    assert "CSRF" not in html and "Content-Security-Policy" in response.headers


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_error_pages_are_valid_html(client, tmp_path):
    from tests.test_html_valid import validate

    staff = User.objects.create_user("helper", password="a-long-pass-phrase", is_staff=True)
    pages = {"404": client.get("/nowhere/").content}
    pages["500"] = Client(raise_request_exception=False).get("/boom/").content
    pages["400"] = (
        strict_client()
        .generic("POST", "/accounts/login/", b"a=b", content_type="text/plain; charset=x-unknown")
        .content
    )
    assert b"could not be handled" in pages["400"]
    pages["413"] = post_big(strict_client(), "/accounts/login/", 50 * MB)[0].content
    client.force_login(staff)
    pages["403"] = client.get("/admin/courses/lesson/").content
    pages["403_csrf"] = csrf_refusal().content
    result = validate(tmp_path, pages)
    assert result.returncode == 0, result.stdout + result.stderr
