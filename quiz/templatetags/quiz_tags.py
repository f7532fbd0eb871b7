"""The quiz's part of pages that `courses` owns: the reading page's quiz panel, lesson states.

`courses` renders these tags without importing the quiz, so the apps depend one way.
"""

from django import template

from ..attempts import settings_for
from ..models import PASSED_STATUSES, Attempt, LessonProgress

register = template.Library()


@register.inclusion_tag("quiz/_lesson_panel.html", takes_context=True)
def quiz_panel(context, lesson):
    """Start, resume or log in; the learner's state and past attempts. Four queries at most."""
    user = context["request"].user
    panel = {
        "request": context["request"],
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "lesson": lesson,
        "course": lesson.course,
        "question_count": lesson.questions.published().count(),
    }
    if user.is_authenticated:
        settings = settings_for(lesson)
        graded = list(Attempt.objects.filter(learner=user, lesson=lesson, is_practice=False))
        panel |= {
            "settings": settings,
            "progress": LessonProgress.objects.filter(learner=user, lesson=lesson).first(),
            "open_attempt": next((a for a in graded if not a.is_finished), None),
            "past_attempts": [a for a in graded if a.is_finished],
            "attempts_left": None
            if settings.max_attempts is None
            else max(0, settings.max_attempts - len(graded)),
        }
    return panel


@register.simple_tag(takes_context=True)
def learner_progress(context, lessons) -> int:
    """Give each lesson its `my_progress` (None if never opened); return how many are passed.

    One query for the whole list.
    """
    user = context["request"].user
    progress = {}
    if user.is_authenticated:
        progress = {
            p.lesson_id: p
            for p in LessonProgress.objects.filter(learner=user, lesson__in=[x.pk for x in lessons])
        }
    for lesson in lessons:
        lesson.my_progress = progress.get(lesson.pk)
    return sum(1 for p in progress.values() if p.status in PASSED_STATUSES)
