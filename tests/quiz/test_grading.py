import pytest

from quiz.grading import Answer, is_correct, key_text
from tests.factories import make_lesson, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    return make_lesson()


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("waggle dance", True),
        ("The Waggle Dance.", True),  # article, case, punctuation
        ("  WAGGLE   DANCE ", True),
        ("waggle-dance", True),
        ("wäggle dance", True),  # accents
        ("wagle dance", True),  # one typo in a long answer
        ("waggle dances", False),  # no plurals: "dances" is a real word, not a typo
        ("waggle dance's", False),  # no possessives
        ("wagle dances", False),  # two edits
        ("round dance", False),
        ("", False),
        ("dance", False),
    ],
)
def test_typed_answers(lesson, typed, right):
    question = make_question(lesson, "fill_blank", answers=["waggle dance"])
    assert is_correct(question, Answer(text=typed)) is right


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("tehran", True),
        ("TEHRAN", True),
        (" Tehran. ", True),
        ("the Tehran", True),
        ("Téhran", True),
        ("Tehran's", False),
        ("Tehrn", False),  # short answers get no typo allowance
        ("Iranian", False),  # the gazetteer's forms are not answers
        ("Iran", False),
    ],
)
def test_short_place_name(lesson, typed, right):
    question = make_question(lesson, "fill_blank", answers=["Tehran"])
    assert is_correct(question, Answer(text=typed)) is right


def test_accepted_alternatives(lesson):
    question = make_question(lesson, "fill_blank", answers=["Tehran", "Iran"])
    assert is_correct(question, Answer(text="iran"))  # listed
    assert not is_correct(question, Answer(text="Iranian"))  # not listed
    assert not is_correct(question, Answer(text="Iraq"))
    assert key_text(question) == "Tehran"


def test_numbers_are_never_typos(lesson):
    question = make_question(lesson, "fill_blank", answers=["2020"])
    assert is_correct(question, Answer(text="2020."))
    assert not is_correct(question, Answer(text="2021"))


def test_sequence_and_choices(lesson):
    seq = make_question(
        lesson, "sequence", choices=[("A", False), ("B", False), ("C", False)], position=2
    )
    ids = [c.pk for c in seq.choices.order_by("position")]
    assert is_correct(seq, Answer(order=tuple(ids)))
    assert not is_correct(seq, Answer(order=tuple(reversed(ids))))
    assert key_text(seq) == "A → B → C"
    mc = make_question(lesson, position=3)
    right = mc.choices.get(is_correct=True)
    assert is_correct(mc, Answer(choice=right))
    assert not is_correct(mc, Answer(choice=mc.choices.filter(is_correct=False).first()))
    assert not is_correct(mc, Answer())
    assert key_text(mc) == "Bees"
