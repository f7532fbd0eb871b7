import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from quiz.generation import generate_for_lesson
from quiz.management.lessons import lessons_from_args


class Command(BaseCommand):
    help = (
        "Write comprehension questions for lessons as drafts. Teacher-edited, published and "
        "rejected questions are kept; --replace-drafts replaces untouched drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument("lessons", nargs="*", help="Lesson ids or slugs (default: all)")
        parser.add_argument("--count", type=int, help="How many questions (default: by length)")
        parser.add_argument("--replace-drafts", action="store_true")
        parser.add_argument("--publish", action="store_true", help="Publish instead of draft")

    def handle(self, *args, lessons, count, replace_drafts, publish, **options):
        if count is not None and not 1 <= count <= 100:
            raise CommandError("--count must be between 1 and 100")
        targets = lessons_from_args(lessons)
        totals: Counter = Counter()
        for i, lesson in enumerate(targets, start=1):
            self.stdout.write(
                f"[{i}/{len(targets)}] {lesson.course.slug}/{lesson.slug} … ", ending=""
            )
            self.stdout.flush()
            started = time.perf_counter()
            result = generate_for_lesson(
                lesson, count=count, replace_drafts=replace_drafts, publish=publish
            )
            totals.update(result.by_type)
            extra = f", {result.replaced} drafts replaced" if replace_drafts else ""
            if result.skipped_duplicates:
                extra += f", {result.skipped_duplicates} already there"
            took = time.perf_counter() - started
            self.stdout.write(f"{len(result.created)} new questions in {took:.2f}s{extra}")
        state = "published" if publish else "draft"
        for label, n in sorted(totals.items()):
            self.stdout.write(f"  {label}: {n} {state}")
        self.stdout.write(
            self.style.SUCCESS(f"{sum(totals.values())} questions for {len(targets)} lessons")
        )
