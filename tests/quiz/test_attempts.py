import pytest
from django.db import IntegrityError, transaction

from quiz import attempts
from quiz.grading import Answer
from quiz.models import Attempt, LessonProgress, ProgressStatus, QuizSettings, Response
from tests.factories import make_question, make_quiz, make_student

pytestmark = pytest.mark.django_db


def answer_all(attempt, right: set[int]):
    """Answer every item; those whose position is in `right` correctly."""
    for item in attempt.items.select_related("question", "attempt"):
        question = item.question
        choices = sorted(question.choices.all(), key=lambda c: c.position)
        good = item.position in right
        if question.type == "fill_blank":
            answer = Answer(text="waggle dance" if good else "tango")
        elif question.type == "sequence":
            order = [c.pk for c in choices]
            answer = Answer(order=tuple(order if good else order[::-1]))
        else:
            choice = next(c for c in choices if c.is_correct == good)
            answer = Answer(choice=choice)
        attempts.record_answer(item, answer)


def test_start_creates_items_for_published_questions_only(student):
    lesson, questions = make_quiz()
    make_question(lesson, status="draft", position=99)
    attempt, created = attempts.start_or_resume(student, lesson)
    assert created and attempt.number == 1 and attempt.question_total == 5
    assert sorted(attempt.items.values_list("question_id", flat=True)) == sorted(
        q.pk for q in questions
    )
    progress = LessonProgress.objects.get(learner=student, lesson=lesson)
    assert progress.status == ProgressStatus.IN_PROGRESS


def test_resume_returns_the_open_attempt_with_the_same_order(student):
    lesson, _ = make_quiz()
    first, _ = attempts.start_or_resume(student, lesson)
    order = list(first.items.values_list("question_id", "choice_order"))
    again, created = attempts.start_or_resume(student, lesson)
    assert not created and again == first
    assert list(again.items.values_list("question_id", "choice_order")) == order


def test_database_refuses_a_second_open_attempt(student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            learner=student, lesson=lesson, number=2, feedback_mode="immediate", pass_mark=70
        )


def test_sequence_items_never_start_in_the_right_order(student):
    lesson, questions = make_quiz()
    QuizSettings.objects.create(lesson=lesson, shuffle_choices=False, shuffle_questions=False)
    attempt, _ = attempts.start_or_resume(student, lesson)
    sequence = attempt.items.get(question__type="sequence")
    right = [c.pk for c in sorted(sequence.question.choices.all(), key=lambda c: c.position)]
    assert sorted(sequence.choice_order) == sorted(right) and sequence.choice_order != right
    # Without shuffling, questions keep the teacher's order.
    assert list(attempt.items.values_list("question_id", flat=True)) == [q.pk for q in questions]


def test_random_subset_of_n(student):
    lesson, _ = make_quiz(n_choice=8)
    QuizSettings.objects.create(lesson=lesson, question_count=4)
    attempt, _ = attempts.start_or_resume(student, lesson)
    assert attempt.question_total == 4 and attempt.items.count() == 4


def test_attempt_limit(student):
    lesson, _ = make_quiz()
    QuizSettings.objects.create(lesson=lesson, max_attempts=1)
    attempt, _ = attempts.start_or_resume(student, lesson)
    attempts.finish(attempt)
    with pytest.raises(attempts.QuizError, match="used all 1 attempts"):
        attempts.start_or_resume(student, lesson)


def test_no_published_questions(student):
    lesson, _ = make_quiz()
    lesson.questions.update(status="draft")
    with pytest.raises(attempts.QuizError, match="no quiz yet"):
        attempts.start_or_resume(student, lesson)


def test_record_answer_once(student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    items = attempt.items.select_related("question", "attempt")
    mc = items.filter(question__type="multiple_choice")
    item = mc.first()
    choices = list(item.question.choices.all())
    right = next(c for c in choices if c.is_correct)
    wrong = next(c for c in choices if not c.is_correct)
    first = attempts.record_answer(item, Answer(choice=right))
    assert first.created and first.response.is_correct
    # A retry or a second tab cannot change or double-count the answer.
    item = mc.get(pk=item.pk)
    second = attempts.record_answer(item, Answer(choice=wrong))
    assert not second.created and second.response.pk == first.response.pk
    attempt.refresh_from_db()
    assert (attempt.answered_count, attempt.correct_count) == (1, 1)
    assert Response.objects.get().choice == right


def test_answer_to_a_finished_attempt_changes_nothing(student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    attempts.finish(attempt)
    item = attempt.items.select_related("question", "attempt").get(position=1)
    with pytest.raises(attempts.AttemptClosed):
        attempts.record_answer(item, Answer(choice=item.question.choices.first()))
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.answered_count == 0


def test_finish_updates_progress_and_grade(student):
    lesson, _ = make_quiz()  # 5 questions
    attempt, _ = attempts.start_or_resume(student, lesson)
    answer_all(attempt, right={1, 2, 3})
    attempts.finish(attempt)
    attempt.refresh_from_db()
    assert attempt.score_percent == 60 and not attempt.passed
    progress = LessonProgress.objects.get(learner=student, lesson=lesson)
    assert (progress.status, progress.best_score, progress.latest_score, progress.grade) == (
        ProgressStatus.NOT_PASSED,
        60,
        60,
        60,
    )
    assert progress.attempts_count == 1

    second, created = attempts.start_or_resume(student, lesson)
    assert created and second.number == 2
    answer_all(second, right={1, 2, 3, 4, 5})
    attempts.finish(second)
    attempts.finish(second)  # finishing twice is harmless
    progress.refresh_from_db()
    assert (progress.status, progress.best_score, progress.latest_score, progress.grade) == (
        ProgressStatus.MASTERED,
        100,
        100,
        100,
    )
    assert progress.attempts_count == 2


def test_grading_method_latest(student):
    lesson, _ = make_quiz()
    QuizSettings.objects.create(lesson=lesson, grading_method="latest")
    for right in ({1, 2, 3, 4, 5}, {1}):
        attempt, _ = attempts.start_or_resume(student, lesson)
        answer_all(attempt, right=right)
        attempts.finish(attempt)
    progress = LessonProgress.objects.get(learner=student, lesson=lesson)
    assert (progress.best_score, progress.latest_score, progress.grade) == (100, 20, 20)
    # The attempt that counts failed: the lesson is not passed, whatever the best score was.
    assert progress.status == ProgressStatus.NOT_PASSED


def test_practice_has_only_missed_questions_and_never_grades(student):
    lesson, questions = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    answer_all(attempt, right={1, 2, 3})
    attempts.finish(attempt)
    missed = set(attempt.items.filter(position__in=[4, 5]).values_list("question_id", flat=True))
    practice = attempts.start_practice(student, attempt)
    assert practice.is_practice and practice.question_total == 2
    assert set(practice.items.values_list("question_id", flat=True)) == missed
    answer_all(practice, right={1, 2})
    attempts.finish(practice)
    progress = LessonProgress.objects.get(learner=student, lesson=lesson)
    assert (progress.best_score, progress.attempts_count) == (60, 1)


def test_practice_needs_missed_questions(student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    with pytest.raises(attempts.QuizError, match="Finish the quiz"):
        attempts.start_practice(student, attempt)
    answer_all(attempt, right={1, 2, 3, 4, 5})
    attempts.finish(attempt)
    with pytest.raises(attempts.QuizError, match="nothing to practise"):
        attempts.start_practice(student, attempt)


def test_reading_is_counted_once(student):
    lesson, _ = make_quiz()
    attempts.note_reading(student, lesson)
    attempts.note_reading(student, lesson)
    assert LessonProgress.objects.get().status == ProgressStatus.READING
    other = make_student("other")
    attempts.note_reading(other, lesson)
    assert LessonProgress.objects.count() == 2
