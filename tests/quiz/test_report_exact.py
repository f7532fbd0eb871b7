"""The report's answer figures, read as one row per attempt, equal a plain recount.

`reports.answer_groups` no longer groups the answers in the database: it reads each attempt's
answers as lines of text and counts them in Python, and `question_stats` takes the upper–lower
groups' edges from the same rows. Here both are checked against the definitions, computed from
every single stored answer: the grouped counts against the database's own GROUP BY (the query
the report used to run), facility, choice counts, the corrected point-biserial and the
upper–lower index against `pearson` and `upper_lower_index` over one row per answer. On data
with ties at the groups' edges, practice and open attempts, learners out of scope, a typed
answer with a line break, a comma and quotes, a sequence question, and after a key change and
its re-grade.
"""

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from quiz import attempts, reports
from quiz.models import Choice, Question, Response
from quiz.regrade import apply_regrade
from tests.factories import make_lesson, make_question
from tests.quiz.test_reports import answer_items, take

pytestmark = pytest.mark.django_db

PICKS = ["Bees", "Ants", "Wasps", "Moths"]
TYPED = ["waggle dance", "tango", 'say "hi",\nthen\tdance', "=1+1", "Waggle Dance  "]


def recount_groups(lesson, learners=None) -> Counter:
    """The old grouped query: every answer to the lesson's questions, counted in SQL."""
    graded = ExpressionWrapper(
        Q(
            item__attempt__lesson=lesson,
            item__attempt__is_practice=False,
            item__attempt__finished_at__isnull=False,
        ),
        output_field=BooleanField(),
    )
    qs = Response.objects.filter(item__question__lesson=lesson)
    if learners is not None:
        qs = qs.filter(item__attempt__learner__in=learners)
    rows = (
        qs.order_by()
        .annotate(graded=graded)
        .values_list(
            "item__question_id",
            "choice_id",
            "text",
            "order",
            "is_correct",
            "item__attempt__correct_count",
            "item__attempt__question_total",
            "graded",
        )
        .annotate(n=Count("pk"))
    )
    return Counter({_key(row[:-1]): row[-1] for row in rows})


def _key(row) -> tuple:
    question, choice, text, order, right, correct, total, graded = row
    return (
        question,
        choice,
        text,
        tuple(order) if order else order,
        bool(right),
        correct,
        total,
        bool(graded),
    )


def as_counter(groups) -> Counter:
    counts: Counter = Counter()
    for *row, n in groups:
        counts[_key(row)] += n
    return counts


def by_definition(lesson, learners=None) -> dict[int, dict]:
    """Per published question, from one row per graded answer: the figures by their formulas."""
    qs = Response.objects.filter(
        item__attempt__lesson=lesson,
        item__attempt__is_practice=False,
        item__attempt__finished_at__isnull=False,
        item__question__status="published",
    )
    if learners is not None:
        qs = qs.filter(item__attempt__learner__in=learners)
    rows: dict[int, list] = {}
    for question, attempt_id, correct, total, right, choice in qs.values_list(
        "item__question_id",
        "item__attempt_id",
        "item__attempt__correct_count",
        "item__attempt__question_total",
        "is_correct",
        "choice_id",
    ):
        rows.setdefault(question, []).append((attempt_id, correct, total, right, choice))
    out = {}
    for question, answers in rows.items():
        n = len(answers)
        scored = [(round(100 * c / t) if t else 0, a, r) for a, c, t, r, _ in answers]
        out[question] = {
            "answers": n,
            "correct": sum(1 for *_, r, _ in answers if r),
            "choices": Counter(ch for *_, ch in answers),
            "discrimination": reports.pearson(
                [1.0 if r else 0.0 for *_, r, _ in answers],
                [(c - int(r)) / (t - 1) if t > 1 else 0.0 for _, c, t, r, _ in answers],
            )
            if n >= reports.MIN_ANSWERS
            else None,
            "upper_lower": reports.upper_lower_index(scored),
        }
    return out


def assert_exact(lesson, learners=None):
    groups = reports.answer_groups(lesson, learners)
    assert as_counter(groups) == recount_groups(lesson, learners)
    expected = by_definition(lesson, learners)
    for given in (groups, None):  # with the page's rows, and on its own
        stats = reports.question_stats(lesson, learners=learners, given=given)
        assert {s.question_id for s in stats} == set(expected)
        for stat in stats:
            want = expected[stat.question_id]
            assert (stat.answers, stat.correct) == (want["answers"], want["correct"])
            assert stat.upper_lower == pytest.approx(want["upper_lower"], abs=1e-12)
            if want["discrimination"] is None:
                assert stat.discrimination is None
            else:
                assert stat.discrimination == pytest.approx(want["discrimination"], abs=1e-9)
            for choice in stat.choices:
                pk = Choice.objects.get(question_id=stat.question_id, text=choice.text).pk
                assert choice.count == want["choices"][pk]
    return groups


@pytest.fixture
def many(db):
    """45 learners, scores bunched so the 27% groups' edges cut through tied scores."""
    lesson = make_lesson()
    mc = [make_question(lesson, position=p, prompt=f"Q{p}?") for p in (1, 2, 3)]
    fill = make_question(lesson, "fill_blank", answers=["waggle dance"], position=4)
    seq = make_question(
        lesson, "sequence", choices=[("Egg", False), ("Larva", False), ("Bee", False)], position=5
    )
    hidden = make_question(lesson, position=6, prompt="A draft.", status="draft")
    seq_texts = [c.text for c in seq.choices.order_by("position")]
    for i in range(45):
        user = User.objects.create(username=f"u{i:02}")
        answers = {q.pk: PICKS[0 if i % (q.position + 1) else 1 + i % 3] for q in mc}
        answers[fill.pk] = TYPED[i % len(TYPED)]
        answers[seq.pk] = tuple(seq_texts if i % 4 else reversed(seq_texts))
        attempt = take(user, lesson, answers)
        if i % 5 == 0 and attempt.correct_count < attempt.question_total:
            practice = attempts.start_practice(user, attempt)
            answer_items(practice, {q.pk: "Bees" for q in mc if q.pk in answers})
            attempts.finish(practice)
        if i % 9 == 0:  # a second attempt left open
            take(user, lesson, {mc[0].pk: "Ants"}, finish=False)
    return lesson, mc, fill, seq, hidden


def test_answer_figures_equal_a_recount(many):
    lesson, mc, fill, seq, hidden = many
    groups = assert_exact(lesson)
    assert sum(n for *_, n in groups) == Response.objects.count()
    assert any("\n" in text for _, _, text, *_ in groups)  # the line break survived
    assert any(order for _, _, _, order, *_ in groups)  # so did the sequence answers
    assert not any(q == hidden.pk for q, *_ in groups)  # never shown, never answered


def test_answer_figures_of_some_learners(many):
    lesson, *_ = many
    some = User.objects.filter(username__lt="u2").values("pk")  # u00–u19
    assert_exact(lesson, some)
    ids = list(User.objects.filter(username__gte="u3").values_list("pk", flat=True))
    assert_exact(lesson, ids)
    assert reports.answer_groups(lesson, User.objects.none().values("pk")) == []


def test_answer_figures_after_a_key_change_and_regrade(many):
    lesson, mc, fill, seq, _ = many
    q = mc[1]
    Choice.objects.filter(question=q).update(is_correct=False)
    Choice.objects.filter(question=q, text="Ants").update(is_correct=True)
    stale = reports.stale_questions(lesson, given=reports.answer_groups(lesson))
    assert stale and stale == reports.stale_questions(lesson)
    assert_exact(lesson)  # stored marks unchanged until the re-grade
    assert apply_regrade(Question.objects.get(pk=q.pk)) > 0
    assert reports.stale_questions(lesson) == []
    assert_exact(lesson)  # scores moved: new bands, new edges


def test_answer_figures_after_attempts_are_deleted(many):
    lesson, *_ = many
    for user in User.objects.filter(username__in=["u03", "u10", "u11", "u12"]):
        user.attempts.filter(lesson=lesson).delete()
    assert_exact(lesson)
