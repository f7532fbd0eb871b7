import pytest
from django.test import Client

from classrooms.models import Classroom, Enrolment
from courses.models import Lesson
from quiz import attempts
from quiz.generation import generate_for_lesson
from quiz.grading import Answer
from quiz.models import Attempt, Choice, Question, QuizSettings, Response
from tests.factories import make_course, make_lesson, make_question, make_quiz, make_student

pytestmark = pytest.mark.django_db


def test_strict_csp_on_every_response(client, teacher, sample_lesson):
    urls = ["/", sample_lesson.get_absolute_url(), "/accounts/login/", "/nope/"]
    for url in urls:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    client.force_login(teacher)
    for url in [
        "/admin/",
        "/admin/quiz/question/",
        f"/admin/courses/lesson/{sample_lesson.pk}/change/",
    ]:
        assert "script-src 'self'" in client.get(url)["Content-Security-Policy"]


def test_login_is_throttled(client, student):
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
        assert response.status_code == 200  # "Please enter a correct username and password"
    assert client.post("/accounts/login/", {"username": "sam", "password": "x"}).status_code == 429
    locked = client.post("/accounts/login/", {"username": "sam", "password": "a-long-pass-phrase"})
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    # The admin log-in shares the lockout.
    admin = client.post("/admin/login/", {"username": "sam", "password": "a-long-pass-phrase"})
    assert admin.status_code == 429
    # Another learner is not affected.
    make_student("other")
    other = client.post("/accounts/login/", {"username": "other", "password": "a-long-pass-phrase"})
    assert other.status_code == 302


@pytest.fixture
def finished_attempt(student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    item = attempt.items.select_related("question", "attempt").get(position=1)
    attempts.record_answer(item, Answer(choice=item.question.choices.first()))
    attempts.finish(attempt)
    return attempt


def id_urls(attempt):
    return [
        ("get", f"/attempts/{attempt.pk}/1/"),
        ("post", f"/attempts/{attempt.pk}/1/"),
        ("get", f"/attempts/{attempt.pk}/summary/"),
        ("post", f"/attempts/{attempt.pk}/finish/"),
        ("get", f"/attempts/{attempt.pk}/results/"),
        ("post", f"/attempts/{attempt.pk}/practice/"),
    ]


def test_attempt_urls_are_404_to_other_learners(client, finished_attempt):
    client.force_login(make_student("eve"))
    for method, url in id_urls(finished_attempt):
        assert getattr(client, method)(url, {"choice": "1"}).status_code == 404, url
    assert Attempt.objects.count() == 1 and Response.objects.count() == 1


def test_attempt_urls_send_visitors_to_log_in(client, finished_attempt):
    for method, url in id_urls(finished_attempt) + [("get", "/me/")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_reports_need_a_teacher(client, finished_attempt, teacher):
    lesson = finished_attempt.lesson
    report_urls = [
        f"/admin/quiz/question/report/{lesson.pk}/",
        f"/admin/quiz/question/report/{lesson.pk}/grades.csv",
        f"/admin/quiz/question/report/{lesson.pk}/responses.csv",
        f"/admin/quiz/attempt/{finished_attempt.pk}/change/",
        "/admin/quiz/lessonprogress/",
        f"/preview/lessons/{lesson.pk}/",
    ]
    for url in report_urls:
        assert client.get(url).status_code == 302, url
    client.force_login(make_student("eve"))
    for url in report_urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    # A teacher sees the learner once the learner is in one of the teacher's classes.
    classroom = Classroom.objects.create(name="Class")
    classroom.teachers.add(teacher)
    Enrolment.objects.create(classroom=classroom, student=finished_attempt.learner)
    client.force_login(teacher)
    for url in report_urls:
        assert client.get(url).status_code == 200, url


def test_state_changes_need_a_csrf_token(student, sample_lesson, teacher):
    generate_for_lesson(sample_lesson, publish=True)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(student)
    start = f"/courses/{sample_lesson.course.slug}/{sample_lesson.slug}/quiz/"
    assert csrf_client.post(start).status_code == 403
    assert not Attempt.objects.exists()
    attempt, _ = attempts.start_or_resume(student, sample_lesson)
    for url in (
        f"/attempts/{attempt.pk}/1/",
        f"/attempts/{attempt.pk}/finish/",
        f"/attempts/{attempt.pk}/practice/",
        "/accounts/logout/",
    ):
        assert csrf_client.post(url, {"choice": "1"}).status_code == 403, url
    assert (
        not Response.objects.exists()
        and not Attempt.objects.filter(finished_at__isnull=False).exists()
    )
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/accounts/signup/", {"username": "x"}).status_code == 403
    assert anonymous.post("/accounts/login/", {"username": "x"}).status_code == 403
    csrf_client.force_login(teacher)
    assert csrf_client.post("/admin/courses/lesson/import/", {"text": "x"}).status_code == 403
    assert (
        csrf_client.post(f"/admin/courses/lesson/{sample_lesson.pk}/generate/").status_code == 403
    )


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{{ 7*7 }}<b>bold</b>",
    "{% load static %}<script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<style>*{display:none}</style>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=//evil.example>",
    "<div hx-get=/admin/ hx-trigger=load>",
    "<form action=//evil.example><button>x</button></form>",
]


def assert_inert(html: str, payload: str) -> None:
    assert payload not in html, f"raw payload rendered: {payload}"


@pytest.mark.parametrize("payload", XSS)
def test_teacher_editable_text_renders_inert(client, student, payload):
    course = make_course(f"Course {payload}", "xss")
    lesson = make_lesson(
        course, text=f"Para one {payload} here.\n\nPara two.", title=f"Title {payload}"
    )
    Lesson.objects.filter(pk=lesson.pk).update(
        author_name=payload, author_credentials=payload, column=payload, summary=payload
    )
    question = make_question(
        lesson,
        prompt=f"Prompt {payload}?",
        explanation=f"Because {payload}",
        choices=[(f"Right {payload}", True), ("Wrong", False)],
    )
    Choice.objects.filter(question=question, is_correct=False).update(rationale=payload)
    Question.objects.filter(pk=question.pk).update(evidence_quote=payload)
    # Every part of the review shown at once, so every field the payload sits in is rendered.
    QuizSettings.objects.create(lesson=lesson, review_answer="during", review_explanation="during")
    client.force_login(student)
    pages = [
        client.get("/"),
        client.get(course.get_absolute_url()),
        client.get(lesson.get_absolute_url()),
    ]
    attempt, _ = attempts.start_or_resume(student, lesson)
    pages.append(client.get(f"/attempts/{attempt.pk}/1/"))
    pages.append(
        client.post(f"/attempts/{attempt.pk}/1/", {"choice": "1"}, headers={"HX-Request": "true"})
    )
    client.post(f"/attempts/{attempt.pk}/finish/")
    pages.append(client.get(f"/attempts/{attempt.pk}/results/"))
    pages.append(client.get("/me/"))
    for page in pages:
        assert page.status_code == 200
        assert_inert(page.content.decode(), payload)


def test_gift_import_payloads_render_inert(client, teacher, student):
    from quiz.exchange import import_gift

    lesson, _ = make_quiz()
    # [plain]: kept as literal text (Moodle's default format would drop the tags as HTML).
    gift = "::X:: [plain]Which <script>alert(1)</script>? {=<img src\\=x onerror\\=alert(1)> ~B}\n"
    result = import_gift(gift, lesson, status="published")
    assert result.ok, result.errors
    client.force_login(teacher)
    page = client.get(f"/admin/quiz/question/{result.created[0].pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror=alert(1)>" not in page


def test_no_inline_scripts_or_styles_in_our_code():
    """The strict CSP blocks inline scripts and style attributes: none may creep in."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [
        *root.glob("templates/**/*.html"),
        *root.glob("courses/**/*.py"),
        *root.glob("quiz/**/*.py"),
        *root.glob("config/*.py"),
    ]
    offenders = [
        str(path.relative_to(root))
        for path in sources
        if " style=" in (text := path.read_text()) or "<script>" in text or " onclick=" in text
    ]
    assert offenders == []
