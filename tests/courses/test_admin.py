import pytest

from courses.models import Lesson
from tests.factories import PLAIN_ARTICLE, make_course, make_lesson, make_question

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


NO_QUIZ = "Published, but its quiz has no published questions yet: students will see the article"


class TestDraftsFirst:
    def test_new_lesson_from_an_article_is_a_draft(self, client, teacher):
        client.force_login(teacher)
        course = make_course()
        form = client.get("/admin/courses/lesson/import/").context["form"]
        assert form["publish"].initial is False
        response = client.post(
            "/admin/courses/lesson/import/",
            {"course": course.pk, "text": PLAIN_ARTICLE},
            follow=True,
        )
        lesson = Lesson.objects.get()
        assert not lesson.published
        html = response.content.decode()
        assert "It is a draft: students see it once you publish it." in html
        assert NO_QUIZ not in html

    def test_publishing_at_import_warns_that_there_is_no_quiz(self, client, teacher):
        client.force_login(teacher)
        course = make_course()
        response = client.post(
            "/admin/courses/lesson/import/",
            {"course": course.pk, "text": PLAIN_ARTICLE, "publish": "on"},
            follow=True,
        )
        assert Lesson.objects.get().published
        assert NO_QUIZ in response.content.decode()

    def test_publish_action_warns_only_for_lessons_without_published_questions(
        self, client, teacher
    ):
        client.force_login(teacher)
        course = make_course()
        bare = make_lesson(course, published=False)
        quizzed = make_lesson(course, published=False, title="With a quiz")
        make_question(quizzed)
        response = client.post(
            "/admin/courses/lesson/",
            {"action": "publish_action", "_selected_action": [bare.pk, quizzed.pk]},
            follow=True,
        )
        html = response.content.decode()
        assert Lesson.objects.filter(published=True).count() == 2
        assert html.count(NO_QUIZ) == 1 and f"“{bare.title}”: {NO_QUIZ}" in html
        response = client.post(
            "/admin/courses/lesson/",
            {"action": "unpublish_action", "_selected_action": [bare.pk]},
            follow=True,
        )
        assert not Lesson.objects.get(pk=bare.pk).published

    def test_ticking_published_on_the_change_form_warns(self, client, teacher):
        client.force_login(teacher)
        lesson = make_lesson(published=False)
        page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/")
        form = page.context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "published"}
        data.update(course=lesson.course.pk, published="on")
        for prefix, total in (("paragraphs", 0), ("quiz_settings", 0)):
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": total,
                    f"{prefix}-INITIAL_FORMS": 0,
                    f"{prefix}-MIN_NUM_FORMS": 0,
                    f"{prefix}-MAX_NUM_FORMS": 1000,
                }
            )
        response = client.post(f"/admin/courses/lesson/{lesson.pk}/change/", data, follow=True)
        assert response.redirect_chain, response.context["adminform"].form.errors
        lesson.refresh_from_db()
        assert lesson.published
        assert NO_QUIZ in response.content.decode()
