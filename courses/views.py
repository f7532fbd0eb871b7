import re

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from quiz import attempts
from quiz.models import Attempt, LessonProgress

from .models import Course, Lesson

# ?hl=4.120-245 highlights characters 120–245 of paragraph 4 (a question's evidence).
HIGHLIGHT = re.compile(r"^(?P<p>\d{1,4})\.(?P<start>\d{1,6})-(?P<end>\d{1,6})$")


@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.with_published_lesson_counts().filter(lesson_count__gt=0)
    return TemplateResponse(request, "courses/course_list.html", {"courses": courses})


@require_GET
def course_detail(request: HttpRequest, course: str) -> HttpResponse:
    lessons = Lesson.objects.published().order_by("position")
    course_obj = get_object_or_404(
        Course.objects.prefetch_related(Prefetch("lessons", queryset=lessons)), slug=course
    )
    lesson_list = list(course_obj.lessons.all())
    completed = 0
    if request.user.is_authenticated:
        progress = {
            p.lesson_id: p
            for p in LessonProgress.objects.filter(learner=request.user, lesson__course=course_obj)
        }
        for lesson in lesson_list:
            lesson.my_progress = progress.get(lesson.pk)
        completed = sum(1 for p in progress.values() if p.is_complete)
    return TemplateResponse(
        request,
        "courses/course_detail.html",
        {"course": course_obj, "lessons": lesson_list, "completed": completed},
    )


@require_GET
def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    lesson_obj = get_object_or_404(
        Lesson.objects.published().for_reading_page(), course__slug=course, slug=lesson
    )
    paragraphs = list(lesson_obj.paragraphs.all())
    highlight_evidence(paragraphs, request.GET.get("hl", ""))
    context = {
        "lesson": lesson_obj,
        "course": lesson_obj.course,
        "paragraphs": paragraphs,
        "question_count": lesson_obj.questions.published().count(),
    }
    if request.user.is_authenticated:
        context["progress"] = attempts.note_reading(request.user, lesson_obj)
        context["open_attempt"] = Attempt.objects.filter(
            learner=request.user, lesson=lesson_obj, is_practice=False, finished_at__isnull=True
        ).first()
    return TemplateResponse(request, "courses/lesson_detail.html", context)


def highlight_evidence(paragraphs, value: str) -> None:
    """Split the paragraph named by `?hl=` into before / marked / after for the template.

    Anything malformed or out of range is ignored: the page still reads fine.
    """
    match = HIGHLIGHT.match(value)
    if not match:
        return
    position, start, end = int(match["p"]), int(match["start"]), int(match["end"])
    for paragraph in paragraphs:
        if paragraph.position == position and start < end <= len(paragraph.text):
            text = paragraph.text
            paragraph.parts = (text[:start], text[start:end], text[end:])
