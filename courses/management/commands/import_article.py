from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.importing import ArticleError, import_article, read_article
from courses.models import Course


class Command(BaseCommand):
    help = (
        "Import an article (.txt in UTF-8, .docx, .pdf with a text layer, saved .html page) as a "
        "draft lesson; re-importing the same file updates it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path of the article (.txt, .docx, .pdf, .html)")
        parser.add_argument("--course", default="", help="Slug of the course (default: the first)")
        parser.add_argument("--title", default="", help="Lesson title (default: derived from text)")
        publishing = parser.add_mutually_exclusive_group()
        publishing.add_argument(
            "--publish", action="store_true", help="Publish a new lesson at once (default: draft)"
        )
        publishing.add_argument(
            "--draft",
            action="store_true",
            help="Import unpublished (the default, kept for scripts)",
        )

    def handle(self, *args, path, course, title, publish, draft, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed = read_article(file.read_bytes(), file.name)
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
            parsed, target, title=title, source_name=file.name, published=publish and not draft
        )
        verb = "Imported" if created else "Updated"
        state = "published" if lesson.published else "draft: publish it in the admin"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} “{lesson.title}” in {target.title}: {len(parsed.paragraphs)} paragraphs, "
                f"{lesson.word_count} words ({state}) — {lesson.get_absolute_url()}"
            )
        )
