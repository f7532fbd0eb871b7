import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quiz import authoring
from quiz.authoring import evaluation
from quiz.generation import article_for, candidate_from_question
from quiz.management.lessons import lessons_from_args
from quiz.models import Question, Status


class Command(BaseCommand):
    help = (
        "Measure question sets against the RUBRIC's proxies and flag what a program can detect "
        "(stored lessons, or the generator's output on a folder of .txt articles). "
        "Prints figures, never a pass/fail verdict."
    )

    def add_arguments(self, parser):
        parser.add_argument("lessons", nargs="*", help="Lesson ids or slugs (default: all)")
        parser.add_argument(
            "--include-rejected", action="store_true", help="Also evaluate rejected questions"
        )
        parser.add_argument(
            "--articles",
            metavar="DIR",
            help="Generate (default settings) for every .txt file in DIR and evaluate that; "
            "stored lessons are then evaluated only when named",
        )
        parser.add_argument("--csv", metavar="PATH", help="Write one row per question")
        parser.add_argument("--json", metavar="PATH", help="Write the whole report as JSON")

    def handle(self, *args, lessons, include_rejected, articles, **options):
        csv_path, json_path = options["csv"], options["json"]
        # Resolve everything first, so a bad name or folder fails before any work is done.
        files = _article_files(Path(articles)) if articles else []
        stored = lessons_from_args(lessons) if lessons or not articles else []
        if not files and not stored:
            raise CommandError("no lessons to evaluate (import one, or give --articles DIR)")
        reports = [self._from_file(path) for path in files]
        reports += [_from_lesson(lesson, include_rejected) for lesson in stored]
        for report in reports:
            self.stdout.write(evaluation.format_report(report))
            self.stdout.write("")
        self.stdout.write(evaluation.format_overall(reports))
        if csv_path:
            _write(csv_path, lambda f: _write_csv(f, evaluation.csv_rows(reports)))
            self.stdout.write(f"CSV: {csv_path}")
        if json_path:
            _write(json_path, lambda f: _write_json(f, evaluation.as_json(reports)))
            self.stdout.write(f"JSON: {json_path}")

    def _from_file(self, path: Path) -> evaluation.ArticleReport:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror
            return evaluation.refused(path.stem, f"could not read the file ({reason})")
        article = authoring.parse_article(text, title=path.stem)
        try:
            items = authoring.generate(article)
        except authoring.UnsupportedLanguage as refusal:
            return evaluation.refused(path.stem, str(refusal))
        return evaluation.evaluate(article, items, name=path.stem)


def _article_files(folder: Path) -> list[Path]:
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
    except OSError as error:
        raise CommandError(f"cannot read folder {folder}: {error.strerror}") from None
    if not files:
        raise CommandError(f"no .txt files in {folder}")
    return files


def _from_lesson(lesson, include_rejected: bool) -> evaluation.ArticleReport:
    questions = Question.objects.filter(lesson=lesson).with_options()
    if not include_rejected:
        questions = questions.exclude(status=Status.REJECTED)
    items = []
    for question in questions:
        candidate = candidate_from_question(question)
        candidate.kind = getattr(question, "kind", "") or getattr(candidate, "kind", "")
        items.append(candidate)
    name = f"{lesson.course.slug}/{lesson.slug}"
    return evaluation.evaluate(article_for(lesson), items, name=name)


def _write(path: str, writer) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer(f)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None


def _write_csv(f, rows: list[dict]) -> None:
    out = csv.DictWriter(f, fieldnames=evaluation.CSV_FIELDS)
    out.writeheader()
    out.writerows(rows)


def _write_json(f, data: dict) -> None:
    json.dump(data, f, ensure_ascii=False, indent=2)
    f.write("\n")
