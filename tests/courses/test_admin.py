import pytest

from courses.models import Lesson

pytestmark = pytest.mark.django_db


def test_teacher_manages_courses_and_lessons(client, teacher, sample_lesson):
    client.force_login(teacher)
    changelist = client.get("/admin/courses/lesson/")
    assert changelist.status_code == 200
    assert "Tension between Iran and Azerbaijan" in changelist.content.decode()
    page = client.get(f"/admin/courses/lesson/{sample_lesson.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "The January 2023 armed attack" in html  # paragraphs inline, editable
    assert client.get("/admin/courses/course/").status_code == 200
    assert client.get("/admin/courses/course/add/").status_code == 200


def test_editing_a_paragraph_refreshes_the_fingerprint(client, teacher, sample_lesson):
    client.force_login(teacher)
    before = sample_lesson.text_hash
    page = client.get(f"/admin/courses/lesson/{sample_lesson.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(course=sample_lesson.course.pk, published="on")
    paragraphs = list(sample_lesson.paragraphs.all())
    data.update(
        {
            "paragraphs-TOTAL_FORMS": len(paragraphs),
            "paragraphs-INITIAL_FORMS": len(paragraphs),
            "paragraphs-MIN_NUM_FORMS": 0,
            "paragraphs-MAX_NUM_FORMS": 1000,
            # The quiz settings inline, left unchanged.
            "quiz_settings-TOTAL_FORMS": 0,
            "quiz_settings-INITIAL_FORMS": 0,
            "quiz_settings-MIN_NUM_FORMS": 0,
            "quiz_settings-MAX_NUM_FORMS": 1,
        }
    )
    for i, p in enumerate(paragraphs):
        data.update(
            {
                f"paragraphs-{i}-id": p.pk,
                f"paragraphs-{i}-lesson": sample_lesson.pk,
                f"paragraphs-{i}-position": p.position,
                f"paragraphs-{i}-text": p.text + (" Edited." if i == 0 else ""),
            }
        )
    response = client.post(f"/admin/courses/lesson/{sample_lesson.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    lesson = Lesson.objects.get()
    assert lesson.text_hash != before
    assert lesson.paragraphs.get(position=1).text.endswith(" Edited.")


@pytest.mark.parametrize("url", ["/admin/", "/admin/courses/lesson/"])
def test_students_and_visitors_never_reach_the_admin(client, student, url):
    assert client.get(url).status_code == 302
    client.force_login(student)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_teacher_sets_quiz_settings_on_the_lesson(client, teacher, sample_lesson):
    client.force_login(teacher)
    html = client.get(f"/admin/courses/lesson/{sample_lesson.pk}/change/").content.decode()
    for label in (
        "Marking",
        "Pass mark (%)",
        "Questions per attempt",
        "Attempts allowed",
        "Second-try penalty (%)",
        "Show the right answer",
    ):
        assert label in html
