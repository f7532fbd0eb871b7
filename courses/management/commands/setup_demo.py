from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from courses.importing import decode_article, import_article, parse_article
from courses.models import Course

SAMPLE = (
    Path(__file__).resolve().parents[2] / "fixtures" / "articles" / "iran-azerbaijan-tensions.txt"
)
DEMO_USERS = {
    # username: (password, is teacher)
    "teacher": ("read-and-teach", True),
    "student": ("read-and-learn", False),
}


class Command(BaseCommand):
    help = (
        "Migrate and load the demo: a course, the sample lesson and demo accounts (safe to rerun)."
    )

    def handle(self, *args, **options):
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
            teachers = Group.objects.get(name="Teachers")
            for username, (password, is_teacher) in DEMO_USERS.items():
                user, created = User.objects.get_or_create(username=username)
                if created:
                    user.set_password(password)
                user.is_staff = is_teacher
                user.save()
                if is_teacher:
                    user.groups.add(teachers)
        self.after_import(lesson)
        url = lesson.get_absolute_url()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: “{lesson.title}” at {url}"))
        for username, (password, is_teacher) in DEMO_USERS.items():
            role = "teacher (uses /admin/)" if is_teacher else "student"
            self.stdout.write(f"  {role:24} username: {username:8} password: {password}")

    def after_import(self, lesson) -> None:
        """Write and publish the sample's questions, so the quiz is playable at once."""
        from quiz.generation import generate_for_lesson

        result = generate_for_lesson(lesson, publish=not lesson.questions.exists())
        if result.created:
            self.stdout.write(f"Wrote {len(result.created)} questions for “{lesson.title}”")
