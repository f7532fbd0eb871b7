import pytest

from courses.models import Lesson
from tests.factories import make_course, make_lesson

pytestmark = pytest.mark.django_db


def test_home_lists_courses_with_published_lessons(
    client, sample_lesson, django_assert_num_queries
):
    make_course("Empty course", "empty")  # no lessons: not shown
    with django_assert_num_queries(1):
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "South Caucasus geopolitics" in html and "1 lesson" in html
    assert "Empty course" not in html


def test_course_page_lists_lessons_in_order(client, sample_lesson, django_assert_num_queries):
    make_lesson(sample_lesson.course, title="Second lesson")
    make_lesson(sample_lesson.course, title="Hidden lesson", published=False)
    with django_assert_num_queries(2):
        response = client.get(sample_lesson.course.get_absolute_url())
    html = response.content.decode()
    assert html.index("Tension between Iran and Azerbaijan") < html.index("Second lesson")
    assert "Hidden lesson" not in html and "7 min read" in html


def test_lesson_page(client, sample_lesson, django_assert_num_queries):
    # lesson + course, paragraphs, published question count
    with django_assert_num_queries(3):
        response = client.get(sample_lesson.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "By Basel Haj Jasem" in html and "Ph.D., Researcher, Political advisor" in html
    assert "Eurasian Policy" in html and "7 min read" in html
    assert "In short" in html
    assert 'id="p-1"' in html and 'id="p-13"' in html and 'id="p-14"' not in html
    assert "The January 2023 armed attack on Azerbaijan’s embassy" in html
    assert 'id="quiz"' in html
    # Nothing inline: a strict CSP can be added without breaking the page.
    assert "<script>" not in html and " style=" not in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_lesson_page_query_count_does_not_grow_with_paragraphs(client, django_assert_num_queries):
    long_text = "\n\n".join(f"Paragraph number {i} of a long article." for i in range(60))
    lesson = make_lesson(text=long_text)
    with django_assert_num_queries(3):
        client.get(lesson.get_absolute_url())


def test_htmx_script_is_served_from_our_static_files(client, sample_lesson):
    html = client.get(sample_lesson.get_absolute_url()).content.decode()
    assert '<script src="/static/django-htmx/htmx' in html or "/static/django_htmx/htmx" in html


@pytest.mark.parametrize("url", ["/courses/nope/", "/courses/south-caucasus-geopolitics/nope/"])
def test_unknown_pages_are_404(client, sample_lesson, url):
    assert client.get(url).status_code == 404


def test_unpublished_lesson_is_404(client, sample_lesson):
    Lesson.objects.update(published=False)
    assert client.get(sample_lesson.get_absolute_url()).status_code == 404


def test_pages_refuse_post(client, sample_lesson):
    assert client.post(sample_lesson.get_absolute_url()).status_code == 405


class TestAccounts:
    def test_sign_up_logs_in_and_returns_to_next(self, client, sample_lesson):
        next_url = sample_lesson.get_absolute_url()
        page = client.get("/accounts/signup/", {"next": next_url})
        assert page.status_code == 200 and "Create a student account" in page.content.decode()
        response = client.post(
            "/accounts/signup/",
            {
                "first_name": "New",
                "last_name": "Reader",
                "username": "newbie",
                "password1": "quiet-river-42",
                "password2": "quiet-river-42",
                "next": next_url,
            },
        )
        assert response.status_code == 302 and response["Location"] == next_url
        assert client.get("/").context["user"].username == "newbie"

    def test_sign_up_errors_are_inline(self, client, db):
        response = client.post(
            "/accounts/signup/", {"username": "x", "password1": "a", "password2": "b"}
        )
        assert response.status_code == 200
        assert "The two password fields didn’t match." in response.content.decode()

    def test_sign_up_ignores_offsite_next(self, client, db):
        response = client.post(
            "/accounts/signup/",
            {
                "first_name": "New",
                "last_name": "Reader",
                "username": "newbie",
                "password1": "quiet-river-42",
                "password2": "quiet-river-42",
                "next": "https://evil.example/",
            },
        )
        assert response["Location"] == "/"

    def test_log_in_and_out(self, client, student):
        response = client.post(
            "/accounts/login/", {"username": "sam", "password": "a-long-pass-phrase"}
        )
        assert response.status_code == 302
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/").context["user"].is_anonymous

    def test_bad_log_in_is_a_form_error(self, client, student):
        response = client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()


def test_lesson_page_for_a_learner_records_reading_once(
    client, student, sample_lesson, django_assert_num_queries
):
    client.force_login(student)
    client.get(sample_lesson.get_absolute_url())
    # session, user, lesson+course, paragraphs, "reading" noted; the quiz panel: question
    # count, settings, the learner's attempts, progress
    with django_assert_num_queries(9):
        response = client.get(sample_lesson.get_absolute_url())
    assert "Reading" in response.content.decode()
    assert student.progress.count() == 1
