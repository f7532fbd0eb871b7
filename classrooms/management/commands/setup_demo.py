"""The demo: the sample lesson with its questions, a class it is assigned to, demo accounts.

The demo accounts have published passwords (README), so with DEBUG off they are created only
when asked for with --demo-accounts (`make run` asks); the lesson is loaded either way.

It lives in `classrooms`, the app that may use all the others."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

import courses
from classrooms.models import Assignment, Classroom, Enrolment
from courses.importing import decode_article, import_article, parse_article
from courses.models import Course

SAMPLE = Path(courses.__file__).parent / "fixtures" / "articles" / "iran-azerbaijan-tensions.txt"
DEMO_USERS = {
    # username: (password, is teacher, first name, last name)
    "teacher": ("read-and-teach", True, "Tess", "Teacher"),
    "student": ("read-and-learn", False, "Sam", "Student"),
}


class Command(BaseCommand):
    help = (
        "Migrate and load the demo: a course, the sample lesson and (with DEBUG on, or "
        "--demo-accounts) demo accounts with published passwords. Safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="Create the demo teacher and student (published passwords) even with DEBUG "
            "off, e.g. for a local demo or a throw-away database. With DEBUG on they always are.",
        )

    def handle(self, *args, **options):
        accounts = settings.DEBUG or options["demo_accounts"]
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            course, _ = Course.objects.get_or_create(
                slug="south-caucasus-geopolitics",
                defaults={
                    "title": "South Caucasus geopolitics",
                    "description": "Read analysis of the region's rivalries and test how well "
                    "you followed the argument.",
                },
            )
            parsed = parse_article(decode_article(SAMPLE.read_bytes()))
            lesson, _ = import_article(parsed, course, source_name=SAMPLE.name)
            classroom = self.demo_accounts_and_class(lesson) if accounts else None
        self.after_import(lesson)
        url = lesson.get_absolute_url()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: “{lesson.title}” at {url}"))
        if classroom is None:
            self.stdout.write(
                self.style.WARNING(
                    "Demo accounts not created: DEBUG is off and their passwords are published; "
                    "create real ones with `manage.py createsuperuser`, or pass --demo-accounts."
                )
            )
            return
        self.stdout.write(f"  Demo class join code: {classroom.join_code}")
        for username, (password, is_teacher, *_) in DEMO_USERS.items():
            role = "teacher (uses /admin/)" if is_teacher else "student"
            self.stdout.write(f"  {role:24} username: {username:8} password: {password}")

    def demo_accounts_and_class(self, lesson) -> Classroom:
        """The demo teacher and student, and a class of theirs the lesson is assigned to."""
        teachers = Group.objects.get(name="Teachers")
        users = {}
        for username, (password, is_teacher, first, last) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.first_name, user.last_name = first, last
            user.is_staff = is_teacher
            user.save()
            if is_teacher:
                user.groups.add(teachers)
            users[username] = user
        # A class, so the teacher sees the student's work and the gradebook has a row.
        classroom, created = Classroom.objects.get_or_create(name="Demo class")
        classroom.teachers.add(users["teacher"])
        Enrolment.objects.get_or_create(classroom=classroom, student=users["student"])
        if created:
            Assignment.objects.create(
                classroom=classroom, lesson=lesson, due_at=timezone.now() + timedelta(days=7)
            )
        return classroom

    def after_import(self, lesson) -> None:
        """Write and publish the sample's questions, so the quiz is playable at once."""
        from quiz.generation import generate_for_lesson

        result = generate_for_lesson(lesson, publish=not lesson.questions.exists())
        if result.created:
            self.stdout.write(f"Wrote {len(result.created)} questions for “{lesson.title}”")
