"""Random and malformed input to every form and htmx endpoint: never a 5xx, never a stray write.

A short run is part of the suite; `make fuzz` runs ≥ 1,000 cases per endpoint
(FUZZ_PROFILE=long).
"""

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz import attempts
from quiz.models import Attempt, LessonProgress, Question, Response
from tests.factories import make_quiz, make_student

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
