"""Nothing automatic deletes a question that learners have answered, nor their answers."""

import pytest
from django.db.models import RestrictedError
from django.urls import reverse

from courses.models import Lesson
from quiz import attempts, scoping
from quiz.exchange import export_gift, import_gift
from quiz.generation import generate_for_lesson
from quiz.grading import Answer
from quiz.models import AttemptItem, Question, Response, Status
from tests.factories import make_question, make_quiz, make_student

pytestmark = pytest.mark.django_db

RETIRE_BUTTON = '<input type="hidden" name="status" value="retired">'
HAS_ANSWERS = (
    "This question has learners&#x27; answers: reject it or retire it instead of deleting it"
)


@pytest.fixture(autouse=True)
def _no_learner_scoping():
    with scoping.override():
        yield


def _answer_everything(learner, lesson):
    attempt, _ = attempts.start_or_resume(learner, lesson)
    for item in attempt.items.select_related("question", "attempt"):
        question = item.question
        if question.type == "fill_blank":
            attempts.record_answer(item, Answer(text="waggle dance"))
        elif question.type == "sequence":
            attempts.record_answer(
                item, Answer(order=[c.pk for c in question.choices.order_by("position")])
            )
        else:
            attempts.record_answer(item, Answer(choice=question.choices.get(is_correct=True)))
    return attempts.finish(attempt)


# --- regeneration ---------------------------------------------------------------------------------


def test_regeneration_keeps_answered_questions_returned_to_draft(sample_lesson, student):
    created = generate_for_lesson(sample_lesson).created
    answered = created[:2]
    Question.objects.filter(pk__in=[q.pk for q in created]).update(status=Status.PUBLISHED)
    _answer_everything(student, sample_lesson)
    responses = Response.objects.count()
    assert responses
    # "Return to draft" on every question, then "Generate questions".
    Question.objects.filter(lesson=sample_lesson).review(Status.DRAFT)
    result = generate_for_lesson(sample_lesson, replace_drafts=True)
    assert result.replaced == 0
    assert Question.objects.filter(pk__in=[q.pk for q in answered]).count() == 2
    assert Response.objects.count() == responses


def test_regeneration_keeps_a_draft_shown_in_an_open_attempt(sample_lesson, student):
    created = generate_for_lesson(sample_lesson).created
    shown = created[0]
    Question.objects.filter(pk=shown.pk).update(status=Status.PUBLISHED)
    attempts.start_or_resume(student, sample_lesson)  # shown, not answered yet
    Question.objects.filter(pk=shown.pk).review(Status.DRAFT)
    result = generate_for_lesson(sample_lesson, replace_drafts=True)
    assert result.replaced == len(created) - 1
    assert Question.objects.filter(pk=shown.pk).exists()
    assert AttemptItem.objects.filter(question=shown).exists()


def test_untouched_drafts_exclude_questions_with_attempt_items(student):
    lesson, questions = make_quiz()
    attempts.start_or_resume(student, lesson)
    Question.objects.filter(lesson=lesson).update(status=Status.DRAFT)
    fresh = make_question(lesson, status=Status.DRAFT, position=9)
    assert list(lesson.questions.untouched_drafts()) == [fresh]


# --- deleting by hand ---------------------------------------------------------------------------


def test_delete_view_refuses_a_question_with_answers(client, teacher, student):
    lesson, questions = make_quiz()
    _answer_everything(student, lesson)
    question = questions[0]
    client.force_login(teacher)
    url = reverse("admin:quiz_question_delete", args=[question.pk])
    page = client.get(url, follow=True)
    assert HAS_ANSWERS in page.content.decode()
    response = client.post(url, {"post": "yes"}, follow=True)
    assert HAS_ANSWERS in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()
    assert Response.objects.filter(item__question=question).exists()


def test_delete_action_refuses_questions_with_answers(client, teacher, student):
    lesson, questions = make_quiz()
    _answer_everything(student, lesson)
    unanswered = make_question(lesson, position=9)
    client.force_login(teacher)
    ids = [questions[0].pk, unanswered.pk]
    response = client.post(
        "/admin/quiz/question/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        follow=True,
    )
    assert "Reject them or retire them instead of deleting them" in response.content.decode()
    assert Question.objects.filter(pk__in=ids).count() == 2


def test_unanswered_questions_can_still_be_deleted(client, teacher):
    lesson, questions = make_quiz()
    client.force_login(teacher)
    url = reverse("admin:quiz_question_delete", args=[questions[0].pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Question.objects.filter(pk=questions[0].pk).exists()
    client.post(
        "/admin/quiz/question/",
        {"action": "delete_selected", "_selected_action": [questions[1].pk], "post": "yes"},
    )
    assert not Question.objects.filter(pk=questions[1].pk).exists()


def test_the_model_refuses_to_delete_answers_with_a_question(student):
    lesson, questions = make_quiz()
    _answer_everything(student, lesson)
    with pytest.raises(RestrictedError):
        questions[0].delete()
    # Deleting the whole lesson, or the learner, still takes their attempts with it.
    student.delete()
    assert not Response.objects.exists()
    _answer_everything(make_student("ann"), lesson)
    Lesson.objects.filter(pk=lesson.pk).delete()
    assert not Question.objects.exists() and not AttemptItem.objects.exists()


# --- retiring -------------------------------------------------------------------------------------


def test_retired_questions_keep_their_answers_but_are_no_longer_asked(client, teacher, student):
    lesson, questions = make_quiz()
    attempt = _answer_everything(student, lesson)
    retired = questions[0]
    client.force_login(teacher)
    response = client.post(
        "/admin/quiz/question/",
        {"action": "retire", "_selected_action": [retired.pk]},
        follow=True,
    )
    assert "1 question(s) retired" in response.content.decode()
    retired.refresh_from_db()
    assert retired.status == Status.RETIRED
    assert retired.get_status_display() == "Retired: kept for its answers, no longer asked"
    # Never in a new attempt…
    other = make_student("ann")
    new_attempt, _ = attempts.start_or_resume(other, lesson)
    assert retired.pk not in set(new_attempt.items.values_list("question_id", flat=True))
    assert new_attempt.items.count() == len(questions) - 1
    # …but still in the learner's past results.
    client.force_login(student)
    page = client.get(reverse("quiz:results", args=[attempt.pk]))
    assert page.status_code == 200
    assert retired.prompt in page.content.decode()


# --- re-import ------------------------------------------------------------------------------------


def test_reimport_never_deletes_answered_questions(student):
    lesson, questions = make_quiz()
    _answer_everything(student, lesson)
    responses = Response.objects.count()
    text = export_gift(questions)
    result = import_gift(text, lesson)
    assert result.ok
    assert result.created == [] and result.skipped_duplicates == len(questions)
    assert Question.objects.filter(pk__in=[q.pk for q in questions]).count() == len(questions)
    assert Response.objects.count() == responses


def test_change_page_offers_retire_for_answered_questions_only(client, teacher, student):
    lesson, questions = make_quiz()
    _answer_everything(student, lesson)
    unanswered = make_question(lesson, position=9)
    client.force_login(teacher)
    answered_page = client.get(reverse("admin:quiz_question_change", args=[questions[0].pk]))
    assert RETIRE_BUTTON in answered_page.content.decode()
    other_page = client.get(reverse("admin:quiz_question_change", args=[unanswered.pk]))
    assert RETIRE_BUTTON not in other_page.content.decode()
    review = reverse("admin:quiz_question_review", args=[questions[0].pk])
    assert client.post(review, {"status": "retired"}).status_code == 302
    assert Question.objects.get(pk=questions[0].pk).status == Status.RETIRED
    assert client.get("/admin/quiz/question/not-a-number/change/").status_code == 302
