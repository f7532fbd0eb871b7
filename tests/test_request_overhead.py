"""What a question GET and an answer POST cost a signed-in learner in queries, pinned.

Transactional tests: no test transaction around the request, so the statements counted are the
ones a server sends (no savepoints). On PostgreSQL an answer is one statement
(quiz.attempts._record_in_one_statement); on SQLite the ORM's BEGIN/three statements/COMMIT.
With Redis sessions (REDIS_URL: the Redis cache and cached_db sessions) the session query
disappears; the user row stays (below).
"""

import copy
import os
import shutil
import socket
import subprocess
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from quiz import attempts
from quiz.models import Attempt, LessonProgress, QuizSettings, Response
from tests.factories import make_quiz, make_student

pytestmark = pytest.mark.django_db(transaction=True)
HX = {"HX-Request": "true"}

REDIS = {
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-overhead-{os.getpid()}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    },
    "SESSION_ENGINE": "config.sessions.cached",
}


def redis_running(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory):
    """The Redis on 127.0.0.1:6379 when one runs; otherwise a real redis-server of our own on
    a free port for the session (`make test` installs redis-server; never a skip)."""
    if redis_running(6379):
        yield 6379
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: run scripts/ensure-system-deps (make test does)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if redis_running(port):
                break
            time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_sessions(redis_port):
    redis = copy.deepcopy(REDIS)
    redis["CACHES"]["default"]["LOCATION"] = f"redis://127.0.0.1:{redis_port}/15"
    with override_settings(**redis):
        from django.core.cache import cache

        yield cache
        cache.clear()


@pytest.fixture
def learner_attempt(client):
    lesson, _ = make_quiz()
    QuizSettings.objects.create(lesson=lesson, shuffle_questions=False)  # item 1: a choice
    learner = make_student()
    attempt, _ = attempts.start_or_resume(learner, lesson)
    return learner, attempt


def queries_of(request) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        reply = request()
        assert reply.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def answer_statements() -> int:
    """The statements of record_answer: one on PostgreSQL; BEGIN, 3, COMMIT on SQLite."""
    return 1 if connection.vendor == "postgresql" else 5


def loop_queries(client, learner, attempt) -> tuple[list[str], list[str]]:
    client.force_login(learner)
    url = f"/attempts/{attempt.pk}/1/"
    client.get(url)  # the first request after log-in may stamp the session; not this one's
    get = queries_of(lambda: client.get(url, headers=HX))
    post = queries_of(lambda: client.post(url, {"choice": "1"}, headers=HX))
    return get, post


def test_question_get_and_answer_post_queries(client, learner_attempt):
    learner, attempt = learner_attempt
    get, post = loop_queries(client, learner, attempt)
    # session, user, the item with everything it shows, its choices, the question map
    assert len(get) == 5, get
    assert "django_session" in get[0] and "auth_user" in get[1]
    # session, user, item, choices, then the answer
    assert len(post) == 4 + answer_statements(), post
    assert not any("FOR UPDATE" in sql for sql in post)
    stored = Response.objects.get(item__attempt=attempt, item__position=1)
    attempt.refresh_from_db()
    assert attempt.answered_count == 1 and attempt.marks == int(stored.is_correct)


def test_with_redis_sessions_the_session_query_is_gone(client, learner_attempt, redis_sessions):
    learner, attempt = learner_attempt
    get, post = loop_queries(client, learner, attempt)
    assert not any("django_session" in sql for sql in get + post)
    assert len(get) == 4, get  # user, item, choices, map
    assert "auth_user" in get[0]
    assert len(post) == 3 + answer_statements(), post
    # The session is in Redis and (write-through) in the database.
    key = client.cookies["sessionid"].value
    assert redis_sessions.get(f"django.contrib.sessions.cached_db{key}")[SESSION_KEY] == str(
        learner.pk
    )
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=key).exists()


def test_with_redis_sessions_log_out_ends_the_session_everywhere(
    client, learner_attempt, redis_sessions
):
    learner, attempt = learner_attempt
    client.force_login(learner)
    url = f"/attempts/{attempt.pk}/1/"
    assert client.get(url).status_code == 200
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    assert redis_sessions.get(f"django.contrib.sessions.cached_db{key}") is None
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # the old cookie, replayed: signed out
    assert client.get(url).status_code == 302


def test_a_session_is_not_written_on_every_request(client, learner_attempt):
    learner, attempt = learner_attempt
    client.force_login(learner)
    url = f"/attempts/{attempt.pk}/1/"
    client.get(url)
    for _ in range(3):
        assert not any(
            sql.startswith(("UPDATE", "INSERT")) and "django_session" in sql
            for sql in queries_of(lambda: client.get(url, headers=HX))
        )


def test_one_statement_answer_keeps_the_rules(client, learner_attempt):
    """A second answer to the same item and an answer to a finished attempt write nothing."""
    learner, attempt = learner_attempt
    item = attempt.items.select_related("question").get(position=1)
    choice = item.question.choices.order_by("position").first()
    before = LessonProgress.objects.get(learner=learner, lesson=attempt.lesson).last_activity
    first = attempts.record_answer(item, attempts.Answer(choice=choice))
    assert first.created and first.response.pk and first.response.answered_at
    assert Response.objects.get(pk=first.response.pk).choice_id == choice.pk
    progress = LessonProgress.objects.get(learner=learner, lesson=attempt.lesson)
    assert progress.last_activity > before
    again = attempts.record_answer(item, attempts.Answer(choice=choice))
    assert not again.created and again.response.pk == first.response.pk
    with transaction.atomic():  # inside a caller's transaction: refused in a savepoint
        again = attempts.record_answer(item, attempts.Answer(choice=choice))
        assert not again.created
        assert Attempt.objects.filter(pk=attempt.pk).exists()  # the transaction still works
    counts = Attempt.objects.values_list("answered_count", "correct_count").get(pk=attempt.pk)
    assert counts == (1, int(first.response.is_correct))
    attempts.finish(attempt)
    other = attempt.items.select_related("question").get(position=2)
    with pytest.raises(attempts.AttemptClosed):
        attempts.record_answer(other, attempts.Answer(choice=other.question.choices.first()))
    assert not Response.objects.filter(item=other).exists()
    assert Attempt.objects.get(pk=attempt.pk).answered_count == 1


def test_csp_header_is_django_csp_s_built_once(client, settings):
    """config.middleware.ContentSecurityPolicyMiddleware: the same header django-csp builds."""
    from csp.utils import build_policy

    first = client.get("/accounts/login/")["Content-Security-Policy"]
    assert first == build_policy() and "script-src 'self'" in first
    assert client.get("/accounts/login/")["Content-Security-Policy"] == first
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/accounts/login/")["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    reply = client.get("/accounts/login/")  # report-only: django-csp's own path
    assert reply["Content-Security-Policy"] == "default-src 'none'"
    assert "img-src 'self'" in reply["Content-Security-Policy-Report-Only"]


def test_an_unreachable_redis_is_not_saved_try_again(client, learner_attempt):
    """With REDIS_URL set and Redis down, a signed-in page is the 503 "try again", no traceback."""
    learner, attempt = learner_attempt
    down = {**REDIS, "CACHES": {"default": {**REDIS["CACHES"]["default"]}}}
    down["CACHES"]["default"]["LOCATION"] = "redis://127.0.0.1:1/0"  # nothing listens there
    client.force_login(learner)  # a database session, which cached_db also reads
    with override_settings(**down):
        for headers in ({}, HX):
            reply = client.get(f"/attempts/{attempt.pk}/1/", headers=headers)
            assert reply.status_code == 503
            assert "Not saved — try again" in reply.content.decode()
