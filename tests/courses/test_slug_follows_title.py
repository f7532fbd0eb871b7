"""A lesson's slug follows its title until the lesson is first published, then never changes."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from courses.importing import import_article, parse_article
from courses.models import Lesson
from tests.factories import PLAIN_ARTICLE, make_course, make_lesson

pytestmark = pytest.mark.django_db

NO_QUIZ = "Published, but its quiz has no published questions yet"


def test_a_draft_follows_its_title():
    lesson = make_lesson(published=False, title="Bees dance")
    assert (lesson.slug, lesson.first_published_at) == ("bees-dance", None)
    lesson.title = "How bees talk"
    lesson.save()
    assert Lesson.objects.get(pk=lesson.pk).slug == "how-bees-talk"
    # Loaded afresh (as the admin does) it follows too.
    lesson = Lesson.objects.get(pk=lesson.pk)
    lesson.title = "The waggle dance"
    lesson.save()
    assert Lesson.objects.get(pk=lesson.pk).slug == "the-waggle-dance"


def test_the_slug_stays_unique_in_its_course():
    course = make_course()
    make_lesson(course, published=False, title="Bees")
    other = make_lesson(course, published=False, title="Ants")
    other.title = "Bees"
    other.save()
    assert other.slug == "bees-2"
    # Saving again without a rename keeps it (it never jumps to another number).
    other.save()
    assert Lesson.objects.get(pk=other.pk).slug == "bees-2"


def test_a_slug_the_teacher_edited_on_a_draft_is_kept():
    lesson = Lesson.objects.get(pk=make_lesson(published=False, title="Bees").pk)
    lesson.title, lesson.slug = "Bees and wasps", "insects"
    lesson.save()
    assert Lesson.objects.get(pk=lesson.pk).slug == "insects"
    created = Lesson.objects.create(
        course=lesson.course, title="Moths", slug="night-fliers", position=9
    )
    assert created.slug == "night-fliers"


def test_after_the_first_publication_the_slug_never_changes():
    lesson = make_lesson(published=False, title="Bees")
    lesson.published = True
    lesson.title = "Bees talk"  # renamed in the same save that publishes: no link exists yet
    lesson.save()
    assert lesson.first_published_at is not None
    assert lesson.slug == "bees-talk"
    first = lesson.first_published_at

    lesson = Lesson.objects.get(pk=lesson.pk)
    lesson.title = "Something else"
    lesson.save()
    lesson.published = False
    lesson.save()
    lesson.title = "Yet another title"
    lesson.save()
    lesson.published = True
    lesson.save()
    lesson = Lesson.objects.get(pk=lesson.pk)
    assert lesson.slug == "bees-talk" and lesson.first_published_at == first


def test_save_with_update_fields_records_the_publication():
    lesson = make_lesson(published=False)
    lesson.published = True
    lesson.save(update_fields=["published"])
    assert Lesson.objects.get(pk=lesson.pk).first_published_at is not None


def test_reimporting_with_a_new_title():
    course = make_course()
    parsed = parse_article(PLAIN_ARTICLE)
    draft, _ = import_article(parsed, course, title="Bees", source_name="a.txt", published=False)
    import_article(parsed, course, title="How bees talk", source_name="a.txt")
    assert Lesson.objects.get(pk=draft.pk).slug == "how-bees-talk"

    public, _ = import_article(parsed, course, title="Ants", source_name="b.txt")
    assert public.first_published_at is not None
    import_article(parsed, course, title="How ants talk", source_name="b.txt")
    public.refresh_from_db()
    assert (public.title, public.slug) == ("How ants talk", "ants")


def test_data_migration_marks_lessons_already_published():
    public = make_lesson(title="Public")
    draft = make_lesson(public.course, published=False, title="Draft")
    Lesson.objects.update(first_published_at=None)  # as before the migration
    migration = importlib.import_module("courses.migrations.0003_lesson_first_published_at")
    migration.mark_published_lessons(apps, None)
    public.refresh_from_db()
    draft.refresh_from_db()
    assert public.first_published_at == public.created_at
    assert draft.first_published_at is None


# --- The admin ----------------------------------------------------------------------------------


def change_data(client, lesson, **changes) -> dict:
    form = client.get(f"/admin/courses/lesson/{lesson.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    if not lesson.published:
        data.pop("published", None)
    data.update(course=lesson.course.pk, **changes)
    for prefix in ("paragraphs", "quiz_settings"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data


def test_admin_draft_rename_moves_the_slug(client, teacher):
    client.force_login(teacher)
    lesson = make_lesson(published=False, title="Bees")
    page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/").content.decode()
    assert "Until the lesson is first published it follows the title" in page
    data = change_data(client, lesson, title="How bees talk")
    response = client.post(f"/admin/courses/lesson/{lesson.pk}/change/", data)
    assert response.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).slug == "how-bees-talk"


def test_admin_published_lesson_slug_is_read_only(client, teacher):
    client.force_login(teacher)
    lesson = make_lesson(title="Bees")
    page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/")
    assert "slug" not in page.context["adminform"].form.fields
    assert "from then on it never changes" in page.content.decode()
    data = change_data(client, lesson, title="How bees talk", slug="hacked")
    response = client.post(f"/admin/courses/lesson/{lesson.pk}/change/", data)
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.title, lesson.slug) == ("How bees talk", "bees")


def test_publish_action_records_the_first_publication(client, teacher):
    client.force_login(teacher)
    course = make_course()
    never = make_lesson(course, published=False, title="Never")
    earlier = timezone.now() - timezone.timedelta(days=3)
    again = make_lesson(course, published=False, title="Again")
    Lesson.objects.filter(pk=again.pk).update(first_published_at=earlier)
    client.post(
        "/admin/courses/lesson/",
        {"action": "publish_action", "_selected_action": [never.pk, again.pk]},
    )
    never.refresh_from_db()
    again.refresh_from_db()
    assert never.published and never.first_published_at is not None
    assert again.published and again.first_published_at == earlier
    never.title = "Renamed"
    never.save()
    assert Lesson.objects.get(pk=never.pk).slug == "never"


def test_publishing_from_the_course_page_warns_and_fixes_the_slug(client, teacher):
    client.force_login(teacher)
    lesson = make_lesson(published=False, title="Bees")
    course = lesson.course
    data = {
        "title": course.title,
        "slug": course.slug,
        "description": course.description,
        "position": course.position,
        "lessons-TOTAL_FORMS": 1,
        "lessons-INITIAL_FORMS": 1,
        "lessons-MIN_NUM_FORMS": 0,
        "lessons-MAX_NUM_FORMS": 1000,
        "lessons-0-id": lesson.pk,
        "lessons-0-course": course.pk,
        "lessons-0-position": lesson.position,
        "lessons-0-title": "How bees talk",
        "lessons-0-published": "on",
    }
    response = client.post(f"/admin/courses/course/{course.pk}/change/", data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    lesson.refresh_from_db()
    assert lesson.published and lesson.first_published_at is not None
    assert lesson.slug == "how-bees-talk"  # renamed while it was still a draft
    assert NO_QUIZ in response.content.decode()
