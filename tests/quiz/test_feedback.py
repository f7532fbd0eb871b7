"""Learning from teachers: rejection reasons, the per-kind figures, and the ranking using them."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape

from courses.importing import decode_article, import_article, parse_article
from quiz import authoring
from quiz.feedback import rejection_penalties, rejections_by_kind
from quiz.generation import (
    candidate_from_question,
    generate_for_lesson,
    store_candidate,
)
from quiz.models import GenerationRun, Question, QuestionKind, RunStatus
from quiz.tasks import queue_generation
from tests.factories import ARTICLES, make_course, make_lesson, make_question, make_student

pytestmark = pytest.mark.django_db

NOT_ENGLISH = "Questions can only be generated for English articles."

# Written for these tests: a short French article, so the generator must refuse it.
FRENCH_ARTICLE = """Les abeilles communiquent l'emplacement de la nourriture grâce à une danse.

Une butineuse qui revient à la ruche court en ligne droite en secouant son corps, puis elle \
revient en arrière et recommence. L'angle de sa course indique la direction du soleil.

La durée de la danse dit aux autres abeilles jusqu'où elles doivent voler. En 1973, Karl von \
Frisch a reçu le prix Nobel pour avoir déchiffré ce langage.

Les chercheurs pensent aujourd'hui que les abeilles apprennent aussi la danse en observant \
leurs aînées, et que les jeunes dansent moins bien que les anciennes.
"""


def reviewed(lesson, kind, *, published=0, rejected=(), origin="offline"):
    """Questions of `kind` a teacher has reviewed: `rejected` lists one reason per rejection."""
    position = lesson.questions.count()
    for _ in range(published):
        position += 1
        make_question(lesson, kind=kind, origin=origin, position=position)
    for reason in rejected:
        position += 1
        make_question(
            lesson,
            kind=kind,
            origin=origin,
            position=position,
            status="rejected",
            rejection_reason=reason,
        )


def test_kinds_match_the_generator():
    assert set(QuestionKind.values) == set(authoring.KINDS)


def test_a_stored_question_keeps_its_kind():
    lesson = make_lesson()
    text = lesson.paragraphs.get(position=1).text
    end = text.index(".") + 1
    candidate = authoring.Candidate(
        type="multiple_choice",
        prompt="How do honeybees tell each other where food is?",
        explanation="The first sentence says so.",
        skill="literal",
        difficulty=1,
        paragraph=0,
        start=0,
        end=end,
        evidence=text[:end],
        choices=[
            authoring.ChoiceDraft("By a dance", True),
            authoring.ChoiceDraft("By scent", False),
        ],
        kind="detail",
    )
    question = store_candidate(lesson, candidate, position=1, status="draft")
    question.refresh_from_db()
    assert question.kind == "detail" and question.get_kind_display() == "Detail in other words"
    assert candidate_from_question(question).kind == "detail"


def review_states(ids) -> set[tuple[str, str]]:
    return set(Question.objects.filter(pk__in=ids).values_list("status", "rejection_reason"))


class TestRejectingWithAReason:
    def test_change_list_offers_one_reject_action_per_reason(self, client, teacher):
        lesson = make_lesson()
        questions = [make_question(lesson, position=i, status="draft") for i in (1, 2, 3)]
        client.force_login(teacher)
        page = client.get("/admin/quiz/question/").content.decode()
        assert "Reject: wrong or debatable key" in page and "Reject: trivial detail" in page
        ids = [q.pk for q in questions[:2]]
        response = client.post(
            "/admin/quiz/question/",
            {"action": "reject_wrong_key", "_selected_action": ids},
            follow=True,
        )
        assert "2 question(s) rejected (wrong or debatable key)." in response.content.decode()
        assert review_states(ids) == {("rejected", "wrong_key")}
        assert Question.objects.get(pk=questions[2].pk).rejection_reason == ""
        # The reason shows in the change list and can be filtered on.
        filtered = client.get("/admin/quiz/question/?rejection_reason__exact=wrong_key")
        assert filtered.context["cl"].result_count == 2
        assert "Wrong or debatable key" in filtered.content.decode()
        client.post("/admin/quiz/question/", {"action": "publish", "_selected_action": ids})
        assert review_states(ids) == {("published", "")}

    def test_change_page_buttons_reject_with_a_reason(self, client, teacher):
        question = make_question(make_lesson(), status="draft")
        client.force_login(teacher)
        page = client.get(f"/admin/quiz/question/{question.pk}/change/").content.decode()
        review = f'action="/admin/quiz/question/{question.pk}/review/"'
        assert page.count(review) == 1 + 6  # publish, and one reject button per reason
        assert "Reject: unclear without its sentence" in page
        response = client.post(
            f"/admin/quiz/question/{question.pk}/review/",
            {"status": "rejected", "reason": "unclear"},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == f"/admin/quiz/question/{question.pk}/change/"
        assert "1 question(s) rejected (unclear without its sentence)." in (
            response.content.decode()
        )
        question.refresh_from_db()
        assert (question.status, question.rejection_reason) == ("rejected", "unclear")
        client.post(f"/admin/quiz/question/{question.pk}/review/", {"status": "draft"})
        question.refresh_from_db()
        assert (question.status, question.rejection_reason) == ("draft", "")

    def test_review_needs_a_known_reason_and_a_teacher(self, client, teacher):
        question = make_question(make_lesson(), status="draft")
        url = f"/admin/quiz/question/{question.pk}/review/"
        client.force_login(make_student("pupil"))
        assert client.post(url, {"status": "rejected", "reason": "trivial"}).status_code == 302
        client.force_login(teacher)
        assert client.get(url).status_code == 405
        assert client.post(url, {"status": "rejected"}).status_code == 400
        assert client.post(url, {"status": "rejected", "reason": "boring"}).status_code == 400
        assert client.post(url, {"status": "gone"}).status_code == 400
        question.refresh_from_db()
        assert (question.status, question.rejection_reason) == ("draft", "")

    def test_publishing_from_the_form_clears_the_reason(self, client, teacher):
        from tests.quiz.test_admin import change_data

        question = make_question(make_lesson(), status="rejected", rejection_reason="trivial")
        client.force_login(teacher)
        data = change_data(question, status="published", rejection_reason="trivial")
        assert client.post(f"/admin/quiz/question/{question.pk}/change/", data).status_code == 302
        question.refresh_from_db()
        assert (question.status, question.rejection_reason) == ("published", "")


class TestRejectionsByKind:
    URL = "/admin/quiz/question/rejections/"

    def fill(self):
        lesson = make_lesson()
        reviewed(lesson, "cause", published=1, rejected=["wrong_key", "wrong_key", "trivial"])
        reviewed(lesson, "true_false", published=2, rejected=["guessable"])
        reviewed(lesson, "detail", rejected=["other"], origin="teacher")  # a teacher's own
        make_question(lesson, kind="detail", status="draft", position=50)  # not reviewed yet
        return lesson

    def test_counts_per_kind_and_reason(self):
        self.fill()
        rows = {row.kind: row for row in rejections_by_kind()}
        assert set(rows) == {"cause", "true_false"}
        cause = rows["cause"]
        assert (cause.label, cause.reviewed, cause.rejected, cause.share) == (
            "Cause and effect",
            4,
            3,
            0.75,
        )
        assert cause.reasons == (2, 0, 1, 0, 0, 0)  # wrong_key, guessable, trivial, ...
        assert (rows["true_false"].reviewed, rows["true_false"].rejected) == (3, 1)

    def test_page_for_teachers_in_a_constant_number_of_queries(
        self, client, teacher, django_assert_num_queries
    ):
        client.force_login(teacher)
        changelist = client.get("/admin/quiz/question/").content.decode()
        assert f'href="{self.URL}"' in changelist
        with django_assert_num_queries(1):
            rejections_by_kind()
        self.fill()
        # Session, user, the teacher's own and group permissions, and the one aggregate.
        with django_assert_num_queries(5):
            response = client.get(self.URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert ">Cause and effect</a>" in html and "75%" in html and "33%" in html
        assert "Unclear without its sentence" in html  # one column per reason
        reviewed(make_lesson(make_course("More", "more")), "fill_blank", rejected=["trivial"] * 6)
        with django_assert_num_queries(5):
            assert ">Fill in the blank</a>" in client.get(self.URL).content.decode()

    def test_refused_to_students_and_visitors(self, client):
        response = client.get(self.URL)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        client.force_login(make_student("pupil"))
        response = client.get(self.URL)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_rejection_penalties_need_five_reviewed_generated_questions():
    lesson = make_lesson()
    reviewed(lesson, "cause", published=1, rejected=["wrong_key"] * 4)  # 4 of 5
    reviewed(lesson, "true_false", published=5)  # reviewed, never rejected
    reviewed(lesson, "fill_blank", rejected=["trivial"] * 4)  # only 4: noise
    reviewed(lesson, "detail", rejected=["other"] * 6, origin="teacher")  # not generated
    for i in range(6):  # drafts are not reviewed
        make_question(lesson, kind="vocabulary", status="draft", position=100 + i)
    assert rejection_penalties() == {"cause": 0.8, "true_false": 0.0}


def import_fixture(name: str, slug: str):
    parsed = parse_article(decode_article((ARTICLES / name).read_bytes()))
    lesson, _ = import_article(parsed, make_course(slug, slug), source_name=name)
    return lesson


def test_kinds_teachers_reject_are_chosen_less():
    first = generate_for_lesson(import_fixture("news-report.txt", "first")).created
    kinds = Counter(q.kind for q in first)
    assert "" not in kinds, "the generator gives every question a kind"
    kind, chosen = kinds.most_common(1)[0]
    # Teachers reject every question of that kind (at least five, so it counts).
    Question.objects.filter(kind=kind).update(status="rejected", rejection_reason="trivial")
    reviewed(first[0].lesson, kind, rejected=["trivial"] * max(0, 5 - chosen))
    Question.objects.exclude(kind=kind).update(status="published")
    assert rejection_penalties()[kind] == 1.0
    again = generate_for_lesson(import_fixture("news-report.txt", "again")).created
    assert Counter(q.kind for q in again)[kind] < chosen


class TestArticlesNotInEnglish:
    """Every way a teacher starts generation ends in one line, no question and a failed run."""

    @pytest.fixture
    def french(self):
        return make_lesson(make_course("Français", "francais"), text=FRENCH_ARTICLE)

    def assert_refused(self, lesson):
        assert not Question.objects.filter(lesson=lesson).exists()
        run = GenerationRun.objects.get(lesson=lesson)
        assert (run.status, run.error) == (RunStatus.FAILED, NOT_ENGLISH)

    def test_the_generator_refuses(self, french):
        with pytest.raises(authoring.UnsupportedLanguage, match=NOT_ENGLISH):
            generate_for_lesson(french)
        self.assert_refused(french)

    def test_admin_button_and_action(self, client, teacher, french):
        client.force_login(teacher)
        response = client.post(f"/admin/courses/lesson/{french.pk}/generate/", follow=True)
        assert response.status_code == 200
        assert escape(f"“{french.title}”: {NOT_ENGLISH}") in response.content.decode()
        self.assert_refused(french)
        response = client.post(
            "/admin/courses/lesson/",
            {"action": "generate_questions_action", "_selected_action": [french.pk]},
            follow=True,
        )
        assert response.status_code == 200 and NOT_ENGLISH in response.content.decode()
        assert not Question.objects.filter(lesson=french).exists()

    def test_regenerate_drafts_action(self, client, teacher, french):
        mine = make_question(french, origin="teacher", status="draft")
        client.force_login(teacher)
        response = client.post(
            "/admin/quiz/question/",
            {"action": "regenerate_drafts", "_selected_action": [mine.pk]},
            follow=True,
        )
        assert response.status_code == 200 and NOT_ENGLISH in response.content.decode()
        assert list(Question.objects.filter(lesson=french)) == [mine]

    def test_command(self, french):
        with pytest.raises(CommandError, match=NOT_ENGLISH):
            call_command("generate_questions", str(french.pk))
        self.assert_refused(french)

    def test_queued_run(self, french):
        run = queue_generation(french, "offline")
        assert (run.status, run.error) == (RunStatus.FAILED, NOT_ENGLISH)
        assert not Question.objects.filter(lesson=french).exists()
