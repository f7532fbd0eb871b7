from django.core.management.base import CommandError

from courses.models import Lesson


def lessons_from_args(names: list[str]) -> list[Lesson]:
    """Lessons named by id, slug or course-slug/lesson-slug; all lessons when none are named."""
    if not names:
        return list(Lesson.objects.select_related("course").order_by("course", "position"))
    lessons = []
    for name in names:
        course, _, slug = name.rpartition("/")
        query = Lesson.objects.select_related("course")
        if name.isdigit():
            matches = list(query.filter(pk=int(name)))
        else:
            query = query.filter(slug=slug)
            matches = list(query.filter(course__slug=course) if course else query)
        if not matches:
            raise CommandError(f"no lesson '{name}' (give an id, a slug or course/lesson)")
        if len(matches) > 1:
            raise CommandError(f"'{name}' names several lessons: use course/lesson or the id")
        lessons.append(matches[0])
    return lessons
