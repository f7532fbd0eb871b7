import pytest
from django.db import IntegrityError, transaction

from courses.models import Course, Lesson, Paragraph, split_paragraphs, text_fingerprint
from tests.factories import PLAIN_ARTICLE, make_course, make_lesson

pytestmark = pytest.mark.django_db


def test_str_and_urls():
    lesson = make_lesson(title="How bees talk")
    assert str(lesson) == "How bees talk" and str(lesson.course) == "Science reading"
    assert str(lesson.paragraphs.first()) == "¶1 of How bees talk"
    assert lesson.get_absolute_url() == "/courses/science-reading/how-bees-talk/"
    assert lesson.course.get_absolute_url() == "/courses/science-reading/"
    assert lesson.paragraphs.first().anchor == "p-1"


def test_course_slug_is_unique():
    make_course()
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.create(title="Other", slug="science-reading")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("slug", "first", "lesson_unique_slug_per_course"),
        ("position", 1, "lesson_unique_position_per_course"),
        ("source_name", "a.txt", "lesson_unique_source_per_course"),
    ],
)
def test_lesson_uniqueness_per_course(field, value, constraint):
    course = make_course()
    base = {
        "course": course,
        "title": "First",
        "slug": "first",
        "position": 1,
        "source_name": "a.txt",
    }
    Lesson.objects.create(**base)
    other = {**base, "slug": "second", "position": 2, "source_name": "b.txt", field: value}
    with pytest.raises(IntegrityError, match="UNIQUE|unique|duplicate"), transaction.atomic():
        Lesson.objects.create(**other)
    # The same values are fine in another course.
    Lesson.objects.create(**{**base, "course": make_course("Other", "other")})


def test_blank_source_names_may_repeat():
    course = make_course()
    Lesson.objects.create(course=course, title="A", slug="a", position=1)
    Lesson.objects.create(course=course, title="B", slug="b", position=2)
    assert course.lessons.count() == 2


def test_paragraph_positions_unique_and_from_one():
    lesson = make_lesson()
    with pytest.raises(IntegrityError), transaction.atomic():
        Paragraph.objects.create(lesson=lesson, position=1, text="Again")
    with pytest.raises(IntegrityError), transaction.atomic():
        Paragraph.objects.create(lesson=lesson, position=0, text="Zero")


def test_reading_time_and_fingerprint():
    lesson = make_lesson()
    assert lesson.word_count == len(PLAIN_ARTICLE.split()) == 77 and lesson.reading_minutes == 1
    texts = list(lesson.paragraphs.values_list("text", flat=True))
    assert lesson.text_hash == text_fingerprint(texts)
    Paragraph.objects.filter(lesson=lesson, position=1).update(text="Changed.")
    lesson.refresh_text_stats()
    assert lesson.text_hash != text_fingerprint(texts)


def test_ordering():
    course = make_course()
    Lesson.objects.create(course=course, title="B", slug="b", position=2)
    Lesson.objects.create(course=course, title="A", slug="a", position=1)
    assert [lesson.title for lesson in course.lessons.all()] == ["A", "B"]
    assert split_paragraphs("a\nb\n\n\n c ") == ["a b", "c"]
