import re

import pytest

from quiz import attempts
from quiz.models import Attempt, LessonProgress, QuizSettings, Response
from tests.factories import make_quiz, make_student

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"x-csrftoken": "[^"]+"')
# What "Next" will show (the next question's own card, with its options): not this feedback.
NEXT_CARD = re.compile(r'<template id="next-card".*?</template>', re.S)


@pytest.fixture
def quiz(student, client):
    lesson, questions = make_quiz()
    QuizSettings.objects.create(lesson=lesson, shuffle_questions=False)
    client.force_login(student)
    attempt, _ = attempts.start_or_resume(student, lesson)
    return attempt


def url(attempt, n=1):
    return f"/attempts/{attempt.pk}/{n}/"


def right_value(attempt, n=1) -> str:
    """The form value ("1".."4") of the right choice of item n."""
    item = attempt.items.get(position=n)
    correct = item.question.choices.get(is_correct=True).pk
    return str(item.choice_order.index(correct) + 1)


class TestStart:
    def test_anonymous_visitor_is_sent_to_log_in_and_back(self, client, db):
        lesson, _ = make_quiz()
        start = f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/"
        for response in (client.get(start), client.post(start)):
            assert response.status_code == 302
            assert response["Location"] == f"/accounts/login/?next={start}"
        page = client.get(lesson.get_absolute_url()).content.decode()
        assert f'href="{start}"' in page and "log in" in page

    def test_start_then_resume(self, client, student):
        lesson, _ = make_quiz()
        client.force_login(student)
        start = f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/"
        assert "Start the quiz" in client.get(start).content.decode()
        first = client.post(start)
        attempt = Attempt.objects.get()
        assert first["Location"] == url(attempt, 1)
        # A double click resumes the same attempt.
        assert client.post(start)["Location"] == url(attempt, 1)
        assert Attempt.objects.count() == 1
        assert "Resume" in client.get(start).content.decode()

    def test_refused_start_explains(self, client, student):
        lesson, _ = make_quiz()
        lesson.questions.update(status="draft")
        client.force_login(student)
        response = client.post(f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/", follow=True)
        assert "This lesson has no quiz yet." in response.content.decode()


class TestQuestionPage:
    def test_full_page_and_partial(self, client, quiz):
        full = client.get(url(quiz))
        assert full.status_code == 200 and b"<html" in full.content
        assert b'id="question-card"' in full.content and b"1 of 5" not in full.content
        partial = client.get(url(quiz), headers=HX)
        assert b"<html" not in partial.content and b'id="quiz-area"' in partial.content
        assert full["Vary"] and "HX-Request" in full["Vary"]
        assert "no-cache" in full["Cache-Control"] or "no-store" in full["Cache-Control"]

    @pytest.mark.parametrize("n_choice", [3, 48])
    def test_query_budget_is_constant(
        self, client, student, n_choice, django_assert_max_num_queries
    ):
        lesson, _ = make_quiz(n_choice=n_choice)
        client.force_login(student)
        attempt, _ = attempts.start_or_resume(student, lesson)
        with django_assert_max_num_queries(8):
            client.get(url(attempt, 2))
        with django_assert_max_num_queries(10):
            client.post(url(attempt, 2), {"choice": "1"}, headers=HX)
        with django_assert_max_num_queries(10):
            client.post(url(attempt, 3), {"choice": "1"})
        attempts.finish(attempt)
        with django_assert_max_num_queries(8):
            client.get(f"/attempts/{attempt.pk}/results/")
        with django_assert_max_num_queries(8):
            client.get("/me/")

    def test_page_never_reveals_the_key(self, client, quiz):
        """Byte for byte the same page whichever choice is correct (CSRF token aside)."""
        item = quiz.items.get(position=1)
        pages = []
        for choice in item.question.choices.all():
            item.question.choices.update(is_correct=False)
            item.question.choices.filter(pk=choice.pk).update(is_correct=True)
            pages.append(CSRF.sub(b"", client.get(url(quiz)).content))
        assert len(pages) == 4 and all(page == pages[0] for page in pages)
        assert b"is_correct" not in pages[0] and b"rationale" not in pages[0]

    def test_other_learners_and_unknown_items_are_404(self, client, quiz):
        client.force_login(make_student("mallory"))
        assert client.get(url(quiz)).status_code == 404
        assert client.post(url(quiz), {"choice": "1"}).status_code == 404
        assert client.get(f"/attempts/{quiz.pk}/results/").status_code == 404
        assert client.post(f"/attempts/{quiz.pk}/finish/").status_code == 404
        assert not Response.objects.exists()

    def test_item_outside_the_attempt_is_404(self, client, quiz):
        assert client.get(url(quiz, 6)).status_code == 404
        assert client.post(url(quiz, 99), {"choice": "1"}).status_code == 404
        assert client.get(f"/attempts/{quiz.pk + 100}/1/").status_code == 404

    def test_expired_session_htmx_gets_401(self, client, quiz):
        client.logout()
        response = client.post(url(quiz), {"choice": "1"}, headers=HX)
        assert response.status_code == 401
        assert client.post(url(quiz), {"choice": "1"}).status_code == 302
        assert not Response.objects.exists()


class TestAnswering:
    def test_no_js_post_redirect_get(self, client, quiz):
        response = client.post(url(quiz), {"choice": right_value(quiz)})
        # 303 See Other to the feedback, the page opening at the verdict.
        assert response.status_code == 303 and response["Location"] == url(quiz) + "#feedback"
        page = client.get(url(quiz)).content.decode()
        assert "Correct" in page and "Show me where in the article" in page
        assert "Next question" in page and 'href="/attempts/' in page
        assert Response.objects.get().is_correct

    def test_htmx_answer_swaps_card_and_updates_out_of_band(self, client, quiz):
        wrong = "1" if right_value(quiz) != "1" else "2"
        response = client.post(url(quiz), {"choice": wrong}, headers=HX)
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html
        assert html.startswith("") and 'id="question-card"' in html
        # Right or wrong and where to look, but not the key: the learner may try again.
        assert "Not quite" in html and "Show me where in the article" in html
        assert '<template id="next-card" data-url="' + url(quiz, 2) + '"' in html
        feedback = NEXT_CARD.sub("", html)  # the next question lists its own options
        assert "Right answer" not in feedback and "Bees" not in feedback
        assert 'id="quiz-progress" class="progress" data-hx-swap-oob="true"' in html
        assert "1 of 5 answered" in html
        assert 'id="qm-1" data-hx-swap-oob="true"' in html and "qm--answered" in html
        assert 'id="live-region" data-hx-swap-oob="innerHTML"' in html
        end = quiz.items.get(position=1).question.evidence_end
        assert f"?hl=1.0-{end}&amp;back=%2Fattempts%2F{quiz.pk}%2F1%2F#p-1" in html
        # The feedback and the next question's card (it saves "Next" its round trip).
        assert len(response.content) < 6144, len(response.content)

    def test_feedback_partial_stays_small_for_long_quizzes(self, client, student):
        lesson, _ = make_quiz(n_choice=48)
        QuizSettings.objects.create(lesson=lesson, shuffle_questions=False)
        client.force_login(student)
        attempt, _ = attempts.start_or_resume(student, lesson)
        response = client.post(url(attempt, 1), {"choice": "1"}, headers=HX)
        assert "feedback__title" in response.content.decode()
        assert 'id="next-card"' in response.content.decode()
        assert len(response.content) < 6144  # the next card is one question, not the map

    @pytest.mark.parametrize(
        "data",
        [
            {},
            {"choice": ""},
            {"choice": "9"},
            {"choice": "abc"},
            {"choice": "1" * 5000},
            {"choice": "1\x00"},
            {"text": "x"},
        ],
    )
    def test_bad_choice_input_is_an_inline_error(self, client, quiz, data):
        for headers in ({}, HX):
            response = client.post(url(quiz), data, headers=headers)
            assert response.status_code == 200
            html = response.content.decode()
            assert "field__error" in html
            assert "Choose an answer" in html or "not one of this question" in html
        assert not Response.objects.exists()

    def test_fill_in_the_blank(self, client, quiz):
        assert "Type an answer" in client.post(url(quiz, 4), {"text": "   "}).content.decode()
        client.post(url(quiz, 4), {"text": "The Waggle-Dance"})
        assert Response.objects.get().is_correct
        assert "Correct" in client.get(url(quiz, 4)).content.decode()

    def test_sequence_needs_each_place_once(self, client, quiz):
        item = quiz.items.get(position=5)
        same = {"place_1": "1", "place_2": "1", "place_3": "2"}
        html = client.post(url(quiz, 5), same).content.decode()
        assert "Give each item a different place" in html
        assert client.post(url(quiz, 5), {"place_1": "7"}).status_code == 200
        assert not Response.objects.exists()
        by_pos = {c.pk: c.position for c in item.question.choices.all()}
        right = {f"place_{i}": str(by_pos[pk]) for i, pk in enumerate(item.choice_order, 1)}
        client.post(url(quiz, 5), right)
        assert Response.objects.get().is_correct

    def test_second_tab_is_told_it_was_already_answered(self, client, quiz):
        client.post(url(quiz), {"choice": right_value(quiz)}, headers=HX)
        again = client.post(url(quiz), {"choice": "1"}, headers=HX)
        assert "already answered" in again.content.decode()
        no_js = client.post(url(quiz), {"choice": "1"}, follow=True)
        assert "already answered" in no_js.content.decode()
        assert Response.objects.count() == 1
        quiz.refresh_from_db()
        assert quiz.answered_count == 1

    def test_answer_to_finished_attempt(self, client, quiz):
        client.post(f"/attempts/{quiz.pk}/finish/")
        htmx = client.post(url(quiz), {"choice": "1"}, headers=HX)
        assert htmx.status_code == 409 and "attempt is finished" in htmx.content.decode()
        plain = client.post(url(quiz), {"choice": "1"}, follow=True)
        assert "attempt is finished" in plain.content.decode()
        assert not Response.objects.exists()
        # Its question pages now lead to the results.
        assert client.get(url(quiz))["Location"] == f"/attempts/{quiz.pk}/results/"

    def test_end_of_quiz_feedback_mode_hides_the_key_until_results(self, client, student):
        lesson, _ = make_quiz()
        QuizSettings.objects.create(lesson=lesson, feedback_mode="end", shuffle_questions=False)
        client.force_login(student)
        attempt, _ = attempts.start_or_resume(student, lesson)
        wrong = "1" if right_value(attempt) != "1" else "2"
        html = client.post(url(attempt), {"choice": wrong}, headers=HX).content.decode()
        html = NEXT_CARD.sub("", html)  # the next question lists its own options
        assert "Answer saved" in html and "Right answer" not in html and "Bees" not in html
        assert "Correct" not in html and "Not quite" not in html


class TestSummaryResultsAndProgress:
    def test_summary_lists_unanswered_then_finish_and_results(self, client, quiz):
        client.post(url(quiz, 1), {"choice": right_value(quiz, 1)})
        page = client.get(f"/attempts/{quiz.pk}/summary/").content.decode()
        assert "You answered 1 of 5" in page
        for n in (2, 3, 4, 5):
            assert f'href="/attempts/{quiz.pk}/{n}/"' in page
        response = client.post(f"/attempts/{quiz.pk}/finish/")
        assert response["Location"] == f"/attempts/{quiz.pk}/results/"
        results = client.get(response["Location"]).content.decode()
        assert "20%" in results and "Not passed yet" in results
        assert "Practise what I missed (4)" in results and "Try again" in results
        assert results.count(">Show me where in the article<span") == 5
        assert "Right answer" not in results  # not passed, attempts left: no key
        assert client.get(f"/attempts/{quiz.pk}/summary/").status_code == 302

    def test_results_can_show_only_my_mistakes(self, client, quiz):
        client.post(url(quiz, 1), {"choice": right_value(quiz, 1)})
        client.post(f"/attempts/{quiz.pk}/finish/")
        results = f"/attempts/{quiz.pk}/results/"
        page = client.get(results).content.decode()
        assert '<a href="?only=mistakes#by-question">Only my mistakes (4)</a>' in page
        assert page.count('class="review__item') == 5
        mistakes = client.get(results + "?only=mistakes").content.decode()
        # The four missed (one unanswered counts too), keeping their numbers in the quiz.
        assert re.findall(r'<li value="(\d)" class="review__item', mistakes) == ["2", "3", "4", "5"]
        assert "Showing the 4 questions you missed." in mistakes and "Show all 5" in mistakes

    def test_the_evidence_sentence_is_shown_once(self, client, quiz):
        QuizSettings.objects.filter(lesson=quiz.lesson).update(review_explanation="during")
        item = quiz.items.select_related("question").get(position=1)
        question = item.question
        question.explanation = f"Paragraph 1 says: “{question.evidence_quote}”"
        question.save()
        html = client.post(url(quiz, 1), {"choice": right_value(quiz, 1)}, headers=HX)
        html = NEXT_CARD.sub("", html.content.decode())
        assert html.count(question.evidence_quote) == 1  # in the explanation, not again
        assert "Show me where in the article" in html and "<blockquote>" not in html
        client.post(f"/attempts/{quiz.pk}/finish/")
        results = client.get(f"/attempts/{quiz.pk}/results/").content.decode()
        first = re.search(r'<li value="1" .*?</li>', results, re.S)[0]
        assert first.count(question.evidence_quote) == 1 and "<blockquote>" not in first

    def test_practice_and_try_again(self, client, quiz):
        client.post(f"/attempts/{quiz.pk}/finish/")
        practice = client.post(f"/attempts/{quiz.pk}/practice/")
        practice_attempt = Attempt.objects.get(is_practice=True)
        assert practice["Location"] == url(practice_attempt, 1)
        assert practice_attempt.question_total == 5
        page = client.get(url(practice_attempt)).content.decode()
        assert "Practice:" in page
        lesson = quiz.lesson
        again = client.post(f"/courses/{lesson.course.slug}/{lesson.slug}/quiz/")
        new = Attempt.objects.get(is_practice=False, finished_at__isnull=True)
        assert new.number == 3 and again["Location"] == url(new, 1)

    def test_lesson_course_and_my_learning_show_progress(self, client, quiz):
        lesson = quiz.lesson
        for n in range(1, 6):
            item = quiz.items.get(position=n)
            if item.question.type == "multiple_choice":
                client.post(url(quiz, n), {"choice": right_value(quiz, n)})
        client.post(url(quiz, 4), {"text": "waggle dance"})
        client.post(f"/attempts/{quiz.pk}/finish/")
        progress = LessonProgress.objects.get()
        assert progress.best_score == 80 and progress.status == "passed"
        lesson_page = client.get(lesson.get_absolute_url()).content.decode()
        assert "Passed" in lesson_page and "Attempt 1</a>" in lesson_page and "80%" in lesson_page
        assert "Try again" in lesson_page
        course_page = client.get(lesson.course.get_absolute_url()).content.decode()
        assert "1 of 1 lesson passed" in course_page and "best 80%" in course_page
        me = client.get("/me/").content.decode()
        assert "Continue where you left off" in me and "80%" in me
        assert "1 of 1 lesson passed" in me

    def test_my_learning_for_new_learner_and_anonymous(self, client, student):
        assert client.get("/me/").status_code == 302
        client.force_login(student)
        assert "haven't opened a lesson yet" in client.get("/me/").content.decode()


def test_lesson_page_highlights_evidence(client, db):
    lesson, _ = make_quiz()
    text = lesson.paragraphs.get(position=2).text
    html = client.get(lesson.get_absolute_url(), {"hl": "2.0-10"}).content.decode()
    assert f'<mark class="evidence" id="evidence">{text[:10]}</mark>' in html
    for bad in ("2.10-5", "99.0-5", "x", "2.0-99999", "-1.0-5"):
        page = client.get(lesson.get_absolute_url(), {"hl": bad})
        assert page.status_code == 200 and "<mark" not in page.content.decode()
