"""A locked database gives the learner "not saved — try again" (503), never a traceback."""

import sqlite3

import pytest
from django.db import connection

from quiz import attempts
from quiz.models import QuizSettings, Response
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db(transaction=True)


def test_locked_database_is_a_503_not_saved(client, student):
    if connection.vendor != "sqlite":
        return  # the lock below is SQLite's; the middleware is the same for PostgreSQL
    lesson, _ = make_quiz()
    QuizSettings.objects.create(lesson=lesson, shuffle_questions=False)  # item 1: a choice
    attempt, _ = attempts.start_or_resume(student, lesson)
    client.force_login(student)
    name = str(connection.settings_dict["NAME"])
    # A second, real connection to the same database holds the write lock.
    other = sqlite3.connect(
        name if name.startswith("file:") else f"file:{name}", uri=True, isolation_level=None
    )
    options = connection.settings_dict["OPTIONS"]
    saved_timeout = options["timeout"]
    try:
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE quiz_attempt SET answered_count = answered_count")
        options["timeout"] = 0.2  # don't wait 20 s for the lock in a test
        connection.close()
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(f"/attempts/{attempt.pk}/1/", {"choice": "1"}, headers=headers)
            assert response.status_code == 503
            assert "Not saved — try again" in response.content.decode()
            assert response["Retry-After"] == "5"
    finally:
        other.execute("ROLLBACK")
        other.close()
        options["timeout"] = saved_timeout
        connection.close()
    assert not Response.objects.exists()
