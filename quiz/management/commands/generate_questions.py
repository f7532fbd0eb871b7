import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from quiz.generation import BACKENDS, GenerationError, generate_for_lesson, llm_config
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
        parser.add_argument(
            "--backend",
            choices=BACKENDS,
            default="offline",
            help="offline (default, no network) or llm (the language model set by LLM_*)",
        )

    def handle(self, *args, lessons, count, replace_drafts, publish, backend, **options):
        if count is not None and not 1 <= count <= 100:
            raise CommandError("--count must be between 1 and 100")
        if backend == "llm":
            try:
                llm_config()
            except GenerationError as exc:
                raise CommandError(str(exc)) from exc
        targets = lessons_from_args(lessons)
        totals: Counter = Counter()
        for i, lesson in enumerate(targets, start=1):
            self.stdout.write(
                f"[{i}/{len(targets)}] {lesson.course.slug}/{lesson.slug} … ", ending=""
            )
            self.stdout.flush()
            started = time.perf_counter()
            try:
                result = generate_for_lesson(
                    lesson,
                    count=count,
                    replace_drafts=replace_drafts,
                    publish=publish,
                    backend=backend,
                )
            except GenerationError as exc:
                self.stdout.write("failed")
                raise CommandError(str(exc)) from exc
            totals.update(result.by_type)
            extra = f", {result.replaced} drafts replaced" if replace_drafts else ""
            if result.skipped_duplicates:
                extra += f", {result.skipped_duplicates} already there"
            took = time.perf_counter() - started
            if backend == "llm" and result.rejected:
                extra += f", {len(result.rejected)} rejected"
            self.stdout.write(f"{len(result.created)} new questions in {took:.2f}s{extra}")
            if backend == "llm":
                self.stdout.write(f"  run {result.run.pk}: {result.run.model}")
                for item in result.rejected:
                    prompt = " ".join(str(item.get("prompt") or "(unreadable item)").split())
                    prompt = prompt if len(prompt) <= 70 else prompt[:69] + "…"
                    reasons = "; ".join(item.get("reasons", []))
                    self.stdout.write(f"  rejected: {prompt} — {reasons}")
        state = "published" if publish else "draft"
        for label, n in sorted(totals.items()):
            self.stdout.write(f"  {label}: {n} {state}")
        self.stdout.write(
            self.style.SUCCESS(f"{sum(totals.values())} questions for {len(targets)} lessons")
        )
