from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.importing import ArticleError, decode_article, import_article, parse_article
from courses.models import Course


class Command(BaseCommand):
    help = "Import a UTF-8 plain-text article as a lesson (re-importing the same file updates it)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path of the .txt article")
        parser.add_argument("--course", default="", help="Slug of the course (default: the first)")
        parser.add_argument("--title", default="", help="Lesson title (default: derived from text)")
        parser.add_argument("--draft", action="store_true", help="Import unpublished")

    def handle(self, *args, path, course, title, draft, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed = parse_article(decode_article(file.read_bytes()))
        except ArticleError as error:
            raise CommandError(f"{path}: {error}") from None
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from None

        target = Course.objects.filter(slug=course).first() if course else Course.objects.first()
        if target is None:
            raise CommandError(
                f"no course with slug '{course}'"
                if course
                else "there is no course yet: "
                "create one in the admin or run `python manage.py setup_demo`"
            )
        lesson, created = import_article(
            parsed, target, title=title, source_name=file.name, published=not draft
        )
        verb = "Imported" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} “{lesson.title}” in {target.title}: {len(parsed.paragraphs)} paragraphs, "
                f"{lesson.word_count} words — {lesson.get_absolute_url()}"
            )
        )
