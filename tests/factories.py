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
