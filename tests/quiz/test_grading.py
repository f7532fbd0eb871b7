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
        ("The Waggle Dance.", True),
        ("waggle dances", True),
        ("wagle dance", True),  # one small typo
        ("  WAGGLE   DANCE ", True),
        ("round dance", False),
        ("", False),
        ("dance", False),
    ],
)
def test_typed_answers(lesson, typed, right):
    question = make_question(lesson, "fill_blank", answers=["waggle dance"])
    assert is_correct(question, Answer(text=typed)) is right


def test_accepted_alternatives(lesson):
    question = make_question(lesson, "fill_blank", answers=["Tehran", "Iran"])
    assert is_correct(question, Answer(text="iran"))
    assert is_correct(question, Answer(text="Iranian"))  # demonym of the same answer
    assert not is_correct(question, Answer(text="Iraq"))
    assert key_text(question) == "Tehran"


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
