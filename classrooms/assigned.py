"""What a student's classes ask them to do, soonest due first."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Q
from django.utils import timezone

from courses.models import Lesson
from quiz.models import Attempt, LessonProgress, ProgressStatus

from .models import Assignment, assigned_lessons


@dataclass
class Assigned:
    lesson: Lesson
    assignment: Assignment
    status: str
    label: str
    grade: int | None
    late: bool  # finished after the due date
    overdue: bool  # due date passed and not finished yet
    closed: bool  # the teacher refuses work after the due date

    @property
    def due_at(self) -> datetime | None:
        return self.assignment.due_at


def assigned_to(user, now=None) -> list[Assigned]:
    """Open assignments of the student's classes, one entry per lesson. Four queries."""
    now = now or timezone.now()
    mine = Assignment.objects.for_student(user).select_related(
        "lesson__course", "course", "classroom"
    )
    chosen = assigned_lessons(a for a in mine if a.is_open(now))
    if not chosen:
        return []
    progress = {
        p.lesson_id: p for p in LessonProgress.objects.filter(learner=user, lesson_id__in=chosen)
    }
    first_finished = dict(
        Attempt.objects.filter(
            learner=user, lesson_id__in=chosen, is_practice=False, finished_at__isnull=False
        )
        .values("lesson_id")
        .annotate(first=Min("finished_at"))
        .values_list("lesson_id", "first")
    )
    labels = dict(ProgressStatus.choices)
    items = []
    for lesson_id, (lesson, assignment) in chosen.items():
        p = progress.get(lesson_id)
        status = p.status if p else ProgressStatus.NOT_STARTED
        finished = first_finished.get(lesson_id)
        items.append(
            Assigned(
                lesson=lesson,
                assignment=assignment,
                status=status,
                label=labels[status],
                grade=p.grade if p else None,
                late=assignment.is_late(finished),
                overdue=finished is None
                and assignment.due_at is not None
                and now > assignment.due_at,
                closed=assignment.is_closed(now),
            )
        )
    return items


def closed_for(user, lesson) -> bool:
    """Every assignment of this lesson to the student is closed after its due date (a lesson
    nobody assigned stays open to everyone)."""
    now = timezone.now()
    relevant = list(
        Assignment.objects.for_student(user).filter(
            Q(lesson=lesson) | Q(course_id=lesson.course_id)
        )
    )
    return bool(relevant) and all(a.is_closed(now) for a in relevant)


def refuse_closed(user, lesson) -> str:
    """The quiz's start gate (quiz.gates)."""
    if closed_for(user, lesson):
        return "Your teacher has closed this assignment: the due date has passed."
    return ""
