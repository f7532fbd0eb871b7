"""Plain `make_*` functions for test data, built through the real importer where text matters."""

from pathlib import Path

from django.contrib.auth.models import Group, User

from courses.importing import decode_article, import_article, parse_article
from courses.models import Course, Lesson

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "courses"
    / "fixtures"
    / "articles"
    / ("iran-azerbaijan-tensions.txt")
)

PLAIN_ARTICLE = """Honeybees communicate the location of food through a movement called the
waggle dance.

A forager returning to the hive runs in a straight line while shaking her body, then loops back
and repeats the run. The angle of the run against vertical matches the angle between the sun and
the food source.

The duration of the waggle tells other bees how far to fly. In 1973 Karl von Frisch shared the
Nobel Prize for decoding this language.
"""


def make_course(title: str = "Science reading", slug: str = "science-reading", **extra) -> Course:
    return Course.objects.create(title=title, slug=slug, **extra)


def make_lesson(course: Course | None = None, text: str = PLAIN_ARTICLE, **options) -> Lesson:
    course = course or make_course()
    lesson, _ = import_article(parse_article(text), course, **options)
    return lesson


def make_sample_lesson(course: Course | None = None) -> Lesson:
    course = course or make_course("South Caucasus geopolitics", "south-caucasus-geopolitics")
    parsed = parse_article(decode_article(SAMPLE.read_bytes()))
    lesson, _ = import_article(parsed, course, source_name=SAMPLE.name)
    return lesson


def make_student(username: str = "sam", password: str = "a-long-pass-phrase") -> User:
    return User.objects.create_user(username=username, password=password)


def make_teacher(username: str = "tess", password: str = "a-long-pass-phrase") -> User:
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="Teachers"))
    return user


def make_question(lesson, type="multiple_choice", *, choices=None, answers=(), position=1, **extra):
    """A published question with evidence in paragraph 1; `choices` as (text, correct) pairs."""
    from quiz.models import AcceptedAnswer, Choice, Question

    paragraph = lesson.paragraphs.get(position=extra.pop("paragraph", 1))
    end = paragraph.text.find(".") + 1 or len(paragraph.text)
    question = Question.objects.create(
        lesson=lesson,
        type=type,
        prompt=extra.pop("prompt", f"Question {position}?"),
        explanation=extra.pop("explanation", "Because the text says so."),
        evidence_paragraph=paragraph.position,
        evidence_start=0,
        evidence_end=end,
        evidence_quote=paragraph.text[:end],
        source_hash=lesson.text_hash,
        status=extra.pop("status", "published"),
        position=position,
        origin=extra.pop("origin", "offline"),
        **extra,
    )
    if choices is None and type in ("multiple_choice", "who_holds_view", "vocabulary", "main_idea"):
        choices = [("Bees", True), ("Ants", False), ("Wasps", False), ("Moths", False)]
    if choices is None and type == "true_false":
        choices = [("True", True), ("False", False)]
    for i, (text, correct) in enumerate(choices or [], start=1):
        Choice.objects.create(question=question, text=text, is_correct=correct, position=i)
    for text in answers:
        AcceptedAnswer.objects.create(question=question, text=text)
    return question


def make_quiz(lesson=None, n_choice: int = 3):
    """A lesson with `n_choice` multiple-choice questions plus one fill-in and one sequence."""
    lesson = lesson or make_lesson()
    questions = [make_question(lesson, position=i) for i in range(1, n_choice + 1)]
    questions.append(
        make_question(
            lesson,
            "fill_blank",
            answers=["waggle dance"],
            position=n_choice + 1,
            prompt="Bees communicate with the _____.",
        )
    )
    questions.append(
        make_question(
            lesson,
            "sequence",
            choices=[("First", False), ("Second", False), ("Third", False)],
            position=n_choice + 2,
            prompt="Put these in order.",
        )
    )
    return lesson, questions
