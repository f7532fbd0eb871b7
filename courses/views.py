from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from .models import Course, Lesson


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
    return TemplateResponse(
        request,
        "courses/course_detail.html",
        {"course": course_obj, "lessons": course_obj.lessons.all()},
    )


@require_GET
def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    lesson_obj = get_object_or_404(
        Lesson.objects.published().for_reading_page(), course__slug=course, slug=lesson
    )
    return TemplateResponse(
        request,
        "courses/lesson_detail.html",
        {
            "lesson": lesson_obj,
            "course": lesson_obj.course,
            "paragraphs": lesson_obj.paragraphs.all(),
        },
    )
