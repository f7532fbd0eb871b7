"""Every draft of a lesson on one page: evidence in its paragraph, publish or reject in one click,
with htmx (the card alone) and without (a redirect)."""

import pytest
from django.urls import reverse

from quiz.models import Question
from tests.factories import make_lesson, make_question, make_student, make_teacher
from tests.test_html_valid import validate

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def drafts():
    lesson = make_lesson()
    return lesson, [
        make_question(lesson, status="draft", position=n, prompt=f"Draft {n}?") for n in (1, 2, 3)
    ]


def test_one_page_shows_every_draft_in_its_paragraph(client, drafts, tmp_path):
    lesson, questions = drafts
    make_question(lesson, position=9, prompt="Already published?")
    client.force_login(make_teacher())
    page = client.get(reverse("quiz:review_drafts", args=[lesson.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert all(f"Draft {n}?" in html for n in (1, 2, 3)) and "Already published?" not in html
    assert "<mark>Honeybees communicate the location of food" in html
    assert "right answer</span>" in html and "1 question published so far" in html
    result = validate(tmp_path, {"review": page.content})
    assert result.returncode == 0, result.stdout + result.stderr


def test_publish_and_reject_with_and_without_javascript(client, drafts):
    lesson, (first, second, third) = drafts
    client.force_login(make_teacher())
    url = reverse("quiz:review_drafts", args=[lesson.pk])
    plain = client.post(url, {"question": first.pk, "status": "published"})
    assert plain.status_code == 302 and plain["Location"].endswith("#drafts")
    card = client.post(
        url, {"question": second.pk, "status": "rejected", "reason": "guessable"}, headers=HX
    )
    html = card.content.decode()
    assert card.status_code == 200 and "<html" not in html and f'id="draft-{second.pk}"' in html
    assert "Rejected: Guessable without reading" in html
    assert client.post(url, {"question": third.pk, "status": "rejected"}).status_code == 400
    statuses = dict(Question.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == (
        "published",
        "rejected",
        "draft",
    )
    assert Question.objects.get(pk=second.pk).rejection_reason == "guessable"


def test_only_teachers_review_and_only_this_lessons_questions(client, drafts):
    lesson, (first, *_) = drafts
    other = make_question(make_lesson(lesson.course, title="Another"), status="draft")
    url = reverse("quiz:review_drafts", args=[lesson.pk])
    client.force_login(make_student())
    assert client.get(url)["Location"].startswith("/admin/login/")
    client.force_login(make_teacher())
    assert client.post(url, {"question": other.pk, "status": "published"}).status_code == 404
    assert Question.objects.get(pk=other.pk).status == "draft"
