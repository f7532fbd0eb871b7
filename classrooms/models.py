"""Who learns together and what they are asked to do: classes, their members, assignments."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course, Lesson

# Join codes avoid letters and digits that read alike (0/O, 1/I/L) when copied from a board.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


class ClassroomQuerySet(models.QuerySet):
    def taught_by(self, user):
        """The classes `user` may manage: all of them for a superuser."""
        if user.is_superuser:
            return self
        return self.filter(teachers=user)


class Classroom(models.Model):
    name = models.CharField(max_length=100, help_text="For example “Year 9 English, set 2”.")
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="classes_taught")
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Enrolment", related_name="classes", blank=True
    )
    join_code = models.CharField(
        max_length=CODE_LENGTH,
        unique=True,
        default=new_join_code,
        help_text="Students type this code to join the class.",
    )
    joining_open = models.BooleanField(
        "students may join with the code",
        default=True,
        help_text="Turn off once everyone has joined, so a shared code cannot add strangers.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "class"
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["student__last_name", "student__first_name", "student__username"]
        verbose_name = "student in the class"
        verbose_name_plural = "students in the class"
        constraints = [
            models.UniqueConstraint(fields=["classroom", "student"], name="enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"


class AssignmentQuerySet(models.QuerySet):
    def for_student(self, user):
        return self.filter(classroom__enrolments__student=user)


class Assignment(models.Model):
    """A lesson, or every lesson of a course, that a class is asked to do."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="Assign a whole course instead of one lesson: every published lesson of it.",
    )
    opens_at = models.DateTimeField(
        "opens", null=True, blank=True, help_text="Leave empty to open it now."
    )
    due_at = models.DateTimeField(
        "due", null=True, blank=True, help_text="Work after this is marked late, not refused."
    )
    closed = models.BooleanField(
        "closed after the due date",
        default=False,
        help_text="Once the due date has passed, refuse new attempts instead of marking them late.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lesson__isnull=False) & Q(course__isnull=True))
                | (Q(lesson__isnull=True) & Q(course__isnull=False)),
                name="assignment_lesson_or_course",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(due_at__isnull=True)
                | Q(due_at__gte=models.F("opens_at")),
                name="assignment_due_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson or self.course} for {self.classroom}"

    def clean(self):
        if bool(self.lesson_id) == bool(self.course_id):
            raise ValidationError("Choose either one lesson or a whole course to assign.")
        if self.opens_at and self.due_at and self.due_at < self.opens_at:
            raise ValidationError({"due_at": "The due date comes before the opening date."})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at is None or self.opens_at <= now

    def is_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed and self.due_at is not None and now > self.due_at

    def is_late(self, finished_at) -> bool:
        return self.due_at is not None and finished_at is not None and finished_at > self.due_at


def assigned_lessons(assignments) -> dict[int, tuple[Lesson, Assignment]]:
    """lesson id -> (lesson, the assignment asking for it): a course assignment stands for its
    published lessons, and the earliest-due assignment wins when a lesson is assigned twice.
    Lessons not published are left out: students cannot do them. One query (course lessons);
    `assignments` come with their lesson loaded (select_related)."""
    assignments = list(assignments)
    course_ids = {a.course_id for a in assignments if a.course_id}
    by_course: dict[int, list[Lesson]] = {}
    if course_ids:
        for lesson in (
            Lesson.objects.published()
            .filter(course_id__in=course_ids)
            .select_related("course")
            .order_by("position", "pk")
        ):
            by_course.setdefault(lesson.course_id, []).append(lesson)
    chosen: dict[int, tuple[Lesson, Assignment]] = {}
    for a in sorted(assignments, key=lambda a: (a.due_at is None, a.due_at or a.created_at, a.pk)):
        for lesson in [a.lesson] if a.lesson_id else by_course.get(a.course_id, []):
            if lesson.published:
                chosen.setdefault(lesson.pk, (lesson, a))
    return chosen
