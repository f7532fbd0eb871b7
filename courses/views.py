import re

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from .models import Course, Lesson
from .signals import lesson_read

# ?hl=4.120-245 highlights characters 120–245 of paragraph 4 (a question's evidence).
HIGHLIGHT = re.compile(r"^(?P<p>\d{1,4})\.(?P<start>\d{1,6})-(?P<end>\d{1,6})$")


@require_safe
def course_list(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.with_published_lesson_counts().filter(lesson_count__gt=0)
    return TemplateResponse(request, "courses/course_list.html", {"courses": courses})


@require_safe
def course_detail(request: HttpRequest, course: str) -> HttpResponse:
    lessons = Lesson.objects.published().order_by("position")
    course_obj = get_object_or_404(
        Course.objects.prefetch_related(Prefetch("lessons", queryset=lessons)), slug=course
    )
    # Each lesson's quiz state is added by the quiz app's {% learner_progress %} tag.
    return TemplateResponse(
        request,
        "courses/course_detail.html",
        {"course": course_obj, "lessons": list(course_obj.lessons.all())},
    )


@require_safe
def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    lesson_obj = get_object_or_404(
        Lesson.objects.published().for_reading_page(), course__slug=course, slug=lesson
    )
    paragraphs = list(lesson_obj.paragraphs.all())
    highlight_evidence(paragraphs, request.GET.get("hl", ""))
    if request.user.is_authenticated:
        lesson_read.send(sender=Lesson, lesson=lesson_obj, user=request.user)
    context = {
        "lesson": lesson_obj,
        "course": lesson_obj.course,
        "paragraphs": paragraphs,
        "back_url": back_url(request),
    }
    return TemplateResponse(request, "courses/lesson_detail.html", context)


def back_url(request: HttpRequest) -> str:
    """`?back=`: a page of this site the reader came from (a question), never another site."""
    back = request.GET.get("back", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts=None)
    return back if safe and back.startswith("/") and not back.startswith("//") else ""


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
