"""Random and malformed input to every form and htmx endpoint: never a 5xx, never a stray write.

A short run is part of the suite; `make fuzz` runs ≥ 1,000 cases per endpoint
(FUZZ_PROFILE=long).
"""

import io
import os

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz import attempts
from quiz.models import Attempt, LessonProgress, Question, Response
from tests.factories import make_quiz, make_student, make_teacher

settings.register_profile(
    "short",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("FUZZ_PROFILE", "short"))

pytestmark = pytest.mark.django_db

nasty_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda s: s + "\x00"),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1",
            "2",
            "4",
            "5",
            "99999999999999999999",
            "1.5",
            "null",
            "[]",
            "{}",
            "<script>",
            "' OR 1=1 --",
            "\u202e",
            "１",
        ]
    ),
    st.integers(min_value=-10, max_value=10).map(str),
    st.just("x" * 100_000),
)
FIELDS = [
    "choice",
    "text",
    "place_1",
    "place_2",
    "place_3",
    "username",
    "password",
    "password1",
    "password2",
    "next",
    "question",
    "course",
    "title",
    "file",
    "publish",
]
form_data = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=10)),
    st.one_of(nasty_text, st.lists(nasty_text, max_size=3)),
    max_size=6,
)
htmx = st.booleans()


def post(client, url, data, is_htmx):
    headers = {"HX-Request": "true"} if is_htmx else {}
    with transaction.atomic():
        response = client.post(url, data, headers=headers)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def quiz_state(client):
    learner = make_student()
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(learner, lesson)
    other, _ = attempts.start_or_resume(make_student("other"), lesson)
    client.force_login(learner)
    return lesson, attempt, other


def snapshot():
    return (
        Attempt.objects.count(),
        Response.objects.count(),
        LessonProgress.objects.count(),
        Question.objects.count(),
    )


@given(data=form_data, is_htmx=htmx, n=st.sampled_from([1, 2, 3, 4, 5, 6, 0, 999]))
def test_answer_endpoint(client, quiz_state, data, is_htmx, n):
    lesson, attempt, other = quiz_state
    before = Response.objects.count()
    response = post(client, f"/attempts/{attempt.pk}/{n}/", data, is_htmx)
    assert response.status_code < 500
    assert Response.objects.count() == before  # rolled back, and never for another learner
    assert post(client, f"/attempts/{other.pk}/1/", data, is_htmx).status_code == 404


@given(data=form_data, is_htmx=htmx)
def test_answer_writes_only_valid_answers(client, quiz_state, data, is_htmx):
    lesson, attempt, _ = quiz_state
    with transaction.atomic():
        response = client.post(
            f"/attempts/{attempt.pk}/1/", data, headers={"HX-Request": "true"} if is_htmx else {}
        )
        assert response.status_code < 500
        created = Response.objects.filter(item__attempt=attempt).first()
        if created is not None:
            item = attempt.items.get(position=1)
            valid = {str(i) for i in range(1, len(item.choice_order) + 1)}
            value = data.get("choice")
            value = value[-1] if isinstance(value, list) and value else value
            assert item.question.type != "multiple_choice" or str(value).strip() in valid
        transaction.set_rollback(True)


@given(data=form_data, is_htmx=htmx)
def test_quiz_navigation_endpoints(client, quiz_state, data, is_htmx):
    lesson, attempt, _ = quiz_state
    before = snapshot()
    for url in (
        f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/",
        f"/attempts/{attempt.pk}/finish/",
        f"/attempts/{attempt.pk}/practice/",
    ):
        assert post(client, url, data, is_htmx).status_code < 500
    assert snapshot() == before


@given(data=form_data)
def test_account_forms(client, db, data):
    before = snapshot()
    for url in ("/accounts/signup/", "/accounts/login/"):
        assert post(client, url, data, False).status_code < 500
    assert snapshot() == before


@given(data=form_data, query=nasty_text)
def test_get_parameters(client, quiz_state, data, query):
    lesson, attempt, _ = quiz_state
    for url in (
        lesson.get_absolute_url(),
        f"/attempts/{attempt.pk}/1/",
        "/me/",
        f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/",
    ):
        params = {k: v for k, v in data.items() if "\x00" not in str(k)}
        params["hl"] = query
        assert client.get(url, params).status_code < 500


@given(data=form_data)
def test_teacher_forms(client, teacher, data):
    lesson = Question.objects.first().lesson if Question.objects.exists() else make_quiz()[0]
    client.force_login(teacher)
    before = snapshot()
    for url in (
        "/admin/courses/lesson/import/",
        f"/preview/lessons/{lesson.pk}/",
        f"/admin/courses/lesson/{lesson.pk}/import-questions/",
    ):
        assert post(client, url, data, False).status_code < 500
    assert snapshot() == before


# --- declared charsets, ids beyond 64 bits, oversized bodies -------------------------------

MB = 1_000_000
charsets = st.one_of(
    st.sampled_from(
        [
            "utf-8",
            "UTF-8",
            "utf8",
            "utf-16",
            "utf-16-le",
            "utf-32",
            "latin-1",
            "iso-8859-1",
            "cp1252",
            "ascii",
            "x-unknown",
            "rot13",
            "base64",
            "utf-8-sig",
            '"utf-8"',
            "",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20),
)
body_codecs = st.sampled_from(["utf-8", "utf-16", "latin-1"])
huge_ids = st.one_of(
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.integers(min_value=10**17, max_value=10**30),
    st.integers(min_value=0, max_value=10),
)
# The caps are made small for the fuzz run (see test_oversized_bodies): bodies under them are
# read in full, and reading megabytes thirty times would make the short profile slow.
SMALL_CAP, SMALL_STAFF_CAP = 20_000, 80_000
body_sizes = st.one_of(
    st.integers(min_value=0, max_value=4_000),
    st.integers(min_value=SMALL_CAP - 500, max_value=SMALL_CAP + 500),  # around the cap
    st.integers(min_value=SMALL_STAFF_CAP - 500, max_value=SMALL_STAFF_CAP + 500),  # staff's
    st.integers(min_value=SMALL_STAFF_CAP, max_value=60 * MB),
)


class LazyBody(io.RawIOBase):
    """A multipart body of `size` bytes, made as it is read; counts what is read."""

    HEAD = (
        b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n"
    )

    def __init__(self, size: int):
        self.size, self.position = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.position)
        buffer[:n] = self.HEAD[self.position : self.position + n].ljust(n, b"x")
        self.position += n
        return n


def csrf_client(user=None) -> Client:
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/")  # a CSRF cookie, as any visitor has
    return client


def once(make, username):
    from django.contrib.auth.models import User

    return User.objects.filter(username=username).first() or make(username)


@given(charset=charsets, codec=body_codecs, data=form_data)
def test_declared_charsets(quiz_state, charset, codec, data):
    lesson, attempt, _ = quiz_state
    client = csrf_client(attempt.learner)
    token = client.cookies["csrftoken"].value
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    body = "&".join(f"{k}={v}" for k, v in {**fields, "csrfmiddlewaretoken": token}.items())
    for url in ("/accounts/login/", f"/attempts/{attempt.pk}/1/", "/join/", "/nowhere/"):
        with transaction.atomic():
            response = client.generic(
                "POST",
                url,
                body.encode(codec, errors="replace"),
                content_type=f"application/x-www-form-urlencoded; charset={charset}",
            )
            transaction.set_rollback(True)
        assert response.status_code < 500, (url, charset)
        if charset.lower() in ("utf-16", "latin-1", "x-unknown", "rot13"):
            assert response.status_code in (400, 404), (url, charset)


@given(a=huge_ids, b=huge_ids)
def test_huge_ids(client, quiz_state, a, b):
    lesson, attempt, _ = quiz_state
    for url in (f"/attempts/{a}/{b}/", f"/attempts/{attempt.pk}/{b}/", f"/attempts/{a}/results/"):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code < 500, url
            if max(a, b) > 2**63 - 1 and str(max(a, b)) in url:
                assert response.status_code == 404, url
    assert client.get(f"/preview/lessons/{a}/").status_code < 500


@given(size=body_sizes, who=st.sampled_from(["visitor", "learner", "teacher"]))
def test_oversized_bodies(db, size, who):
    from django.test import override_settings

    user = {
        "visitor": None,
        "learner": once(make_student, "sam"),
        "teacher": once(make_teacher, "tess"),
    }[who]
    client = csrf_client(user)
    cap = SMALL_STAFF_CAP if who == "teacher" else SMALL_CAP
    url = "/admin/courses/lesson/import/" if who == "teacher" else "/accounts/login/"
    body = LazyBody(size)
    with (
        override_settings(MAX_REQUEST_BYTES=SMALL_CAP, MAX_STAFF_REQUEST_BYTES=SMALL_STAFF_CAP),
        transaction.atomic(),
    ):
        response = client.generic(
            "POST",
            url,
            content_type="multipart/form-data; boundary=xx",
            CONTENT_LENGTH=str(size),
            **{"wsgi.input": body},
        )
        transaction.set_rollback(True)
    assert response.status_code < 500
    if size > cap:
        assert response.status_code == 413 and body.position == 0
