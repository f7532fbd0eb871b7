"""The quiz's part of pages that `courses` owns: the reading page's quiz panel, lesson states.

`courses` renders these tags without importing the quiz, so the apps depend one way.
"""

import math

from django import template

from ..attempts import settings_for
from ..models import PASSED_STATUSES, Attempt, LessonProgress, ProgressStatus

MINUTES_PER_QUESTION = 0.75  # a reading question, the passage already read

register = template.Library()


@register.simple_tag(takes_context=True)
def quiz_state(context, lesson) -> dict:
    """What the lesson page says of its quiz (for `quiz_bar` and `quiz_panel`, read once):
    questions, the learner's progress and attempts. Four queries at most."""
    user = context["request"].user
    count = lesson.questions.published().count()
    panel = {
        "request": context["request"],
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "lesson": lesson,
        "course": lesson.course,
        "question_count": count,
        "quiz_minutes": max(1, math.ceil(count * MINUTES_PER_QUESTION)),
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
        progress = panel["progress"]
        # The summary is folded once the learner has gone on to the quiz.
        panel["first_visit"] = not graded and (
            progress is None or progress.status == ProgressStatus.READING
        )
    else:
        panel["first_visit"] = True
    return panel


@register.inclusion_tag("quiz/_lesson_bar.html")
def quiz_bar(state: dict) -> dict:
    """The compact quiz bar near the top of the lesson page: what, how long, Start/Resume."""
    return state


@register.inclusion_tag("quiz/_lesson_panel.html")
def quiz_panel(state: dict) -> dict:
    """Start, resume or log in; the learner's state and past attempts (after the article)."""
    return state


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
