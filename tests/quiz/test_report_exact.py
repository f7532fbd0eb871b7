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

Finished attempts keep their answer lines (`quiz.answer_lines`); the figures are the same
whether they are kept or built in the query, and stay exact after a re-grade, a deleted choice,
a question moved to another lesson and answers deleted in the admin.
"""

from collections import Counter
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.urls import reverse

from quiz import answer_lines, attempts, reports
from quiz.models import Attempt, Choice, Question, Response
from quiz.regrade import apply_regrade
from tests.factories import make_course, make_lesson, make_question
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
        item__question__lesson=lesson,
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


# ---------------------------------------------------------------------------------------------
# Finished attempts keep their answer lines (quiz.answer_lines); the figures stay the same


def _lines(text) -> list[str]:
    return sorted(text.split("\n")) if text else []


def test_finished_attempts_keep_the_lines_of_their_answers(many):
    lesson, *_ = many
    rows = Attempt.objects.annotate(live=answer_lines.of_attempt()).values_list(
        "finished_at", "answer_lines", "live"
    )
    assert rows and any(finished is None for finished, *_ in rows)  # open attempts too
    for finished, kept, live in rows:
        if finished is None:
            assert kept is None  # open: its answers may still change; built when read
        else:
            assert kept is not None and _lines(kept) == _lines(live)
    assert any("\\n" in kept for _, kept, _ in rows if kept)  # a typed line break, escaped


def test_the_figures_are_the_same_with_lines_kept_or_not(many):
    lesson, *_ = many
    some = User.objects.filter(username__lt="u2").values("pk")
    for learners in (None, some):
        kept = reports.answer_groups(lesson, learners)
        summary = reports.lesson_summary(lesson, learners, given=kept)
        stats = reports.question_stats(lesson, learners=learners, given=kept)
        with transaction.atomic():
            Attempt.objects.update(answer_lines=None)  # as if none kept: all built in the query
            built = reports.answer_groups(lesson, learners)
            assert as_counter(built) == as_counter(kept)
            assert reports.lesson_summary(lesson, learners) == summary
            assert reports.question_stats(lesson, learners=learners, given=built) == stats
            transaction.set_rollback(True)


def test_a_regrade_rewrites_the_kept_lines(many):
    lesson, mc, *_ = many
    q = mc[0]
    Choice.objects.filter(question=q).update(is_correct=False)
    Choice.objects.filter(question=q, text="Wasps").update(is_correct=True)
    assert apply_regrade(Question.objects.get(pk=q.pk)) > 0
    for kept, live in (
        Attempt.objects.filter(finished_at__isnull=False)
        .annotate(live=answer_lines.of_attempt())
        .values_list("answer_lines", "live")
    ):
        assert _lines(kept) == _lines(live)
    assert_exact(lesson)


def test_a_deleted_choice_leaves_its_answers_without_a_choice(many):
    lesson, mc, *_ = many
    picked = Choice.objects.filter(question=mc[0], text="Ants").get()
    assert Response.objects.filter(choice=picked).exists()
    pk = picked.pk
    picked.delete()  # the answers' choice becomes empty; the kept lines still name it
    groups = assert_exact(lesson)
    assert not any(choice == pk for _, choice, *_ in groups)


def test_a_question_moved_to_another_lesson_leaves_the_report(many):
    lesson, mc, *_ = many
    Question.objects.filter(pk=mc[2].pk).update(lesson=make_lesson(make_course("Other", "other")))
    groups = assert_exact(lesson)
    assert not any(q == mc[2].pk for q, *_ in groups)


def test_an_answer_deleted_in_the_admin_leaves_the_report(many, client):
    lesson, mc, *_ = many
    client.force_login(User.objects.create_superuser("root", password="a-long-pass-phrase"))
    answer = Response.objects.filter(item__question=mc[1], item__attempt__finished_at__isnull=False)
    one, two, three = answer[:3]
    url = reverse("admin:quiz_response_delete", args=[one.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    changelist = reverse("admin:quiz_response_changelist")
    picked = {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"}
    assert client.post(changelist, picked).status_code == 302
    assert not Response.objects.filter(pk__in=[one.pk, two.pk, three.pk]).exists()
    assert_exact(lesson)


def test_the_migration_keeps_the_lines_of_attempts_finished_before_it(many):
    lesson, *_ = many
    keep_lines = import_module("quiz.migrations.0012_attempt_answer_lines").keep_lines
    before = reports.answer_groups(lesson)
    Attempt.objects.update(answer_lines=None)  # as the new column starts
    keep_lines(django_apps, None)
    assert not Attempt.objects.filter(finished_at__isnull=False, answer_lines=None).exists()
    assert Attempt.objects.filter(finished_at__isnull=True, answer_lines=None).exists()
    assert as_counter(reports.answer_groups(lesson)) == as_counter(before)
