"""A lesson and its quiz on paper: the worksheet shows no key; the key matches its letters."""

import pytest
from django.urls import reverse

from tests.factories import make_question, make_quiz, make_student, make_teacher
from tests.test_html_valid import validate

pytestmark = pytest.mark.django_db


def test_worksheet_and_answer_key(client, tmp_path):
    lesson, questions = make_quiz()
    make_question(lesson, status="draft", position=50, prompt="A draft nobody should print?")
    client.force_login(make_teacher())
    sheet = client.get(reverse("quiz:worksheet", args=[lesson.pk]))
    key = client.get(reverse("quiz:answer_key", args=[lesson.pk]))
    html, key_html = sheet.content.decode(), key.content.decode()
    assert sheet.status_code == key.status_code == 200
    assert "Honeybees communicate" in html and "Question 1?" in html
    assert "A draft nobody should print?" not in html + key_html
    assert "waggle dance" not in html.split("Questions</h2>")[1]  # no typed key on the sheet
    # Choice order is the stored one, so the key's letter names the printed option.
    first = questions[0]
    letters = [c.is_correct for c in first.choices.order_by("position", "pk")]
    assert f"<strong>{chr(65 + letters.index(True))}. Bees</strong>" in key_html
    assert "<strong>waggle dance</strong>" in key_html
    result = validate(tmp_path, {"worksheet": sheet.content, "answer-key": key.content})
    assert result.returncode == 0, result.stdout + result.stderr


def test_students_cannot_print_the_key(client):
    lesson, _ = make_quiz()
    url = reverse("quiz:answer_key", args=[lesson.pk])
    assert client.get(url)["Location"].startswith("/admin/login/")
    client.force_login(make_student())
    assert client.get(url)["Location"].startswith("/admin/login/")
