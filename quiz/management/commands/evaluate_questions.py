from django.core.management.base import BaseCommand, CommandError

from quiz.authoring.evaluation import evaluate, format_report
from quiz.generation import article_for, candidate_from_question
from quiz.management.lessons import lessons_from_args
from quiz.models import Question, Status


class Command(BaseCommand):
    help = "Check stored questions against the quality bars (grounding, distractors, coverage)."

    def add_arguments(self, parser):
        parser.add_argument("lessons", nargs="*", help="Lesson ids or slugs (default: all)")
        parser.add_argument(
            "--include-rejected", action="store_true", help="Also evaluate rejected questions"
        )

    def handle(self, *args, lessons, include_rejected, **options):
        failed = []
        for lesson in lessons_from_args(lessons):
            questions = Question.objects.filter(lesson=lesson).with_options()
            if not include_rejected:
                questions = questions.exclude(status=Status.REJECTED)
            items = [candidate_from_question(q) for q in questions]
            report = evaluate(article_for(lesson), items)
            self.stdout.write(f"== {lesson.course.slug}/{lesson.slug}: {lesson.title}")
            self.stdout.write(format_report(report))
            if not report["passed"]:
                failed.append(lesson.slug)
        if failed:
            raise CommandError(f"quality bars not met for: {', '.join(failed)}")
