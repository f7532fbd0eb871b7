from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.html import escape

from courses.models import Lesson
from quiz import attempts, scoping
from quiz.admin_forms import PICK_MESSAGE, QuestionAdminForm
from quiz.grading import Answer
from quiz.models import (
    EVIDENCE_PARAGRAPH_MESSAGE,
    EVIDENCE_SPAN_MESSAGE,
    MAX_ATTEMPTS_MESSAGE,
    PASS_MARK_MESSAGE,
    QUESTION_COUNT_MESSAGE,
    RETRY_PENALTY_MESSAGE,
    Attempt,
    Choice,
    LessonProgress,
    Question,
    Response,
)
from tests.factories import (
    SAMPLE,
    make_course,
    make_lesson,
    make_question,
    make_quiz,
    make_student,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_learner_scoping():
    """These tests are about the quiz alone: no app limits which learners a teacher sees
    (the classes app registers one in the project; tests/quiz/test_scoping.py covers it)."""
    with scoping.override():
        yield


def test_teachers_group_has_exactly_the_teaching_permissions():
    perms = set(Group.objects.get(name="Teachers").permissions.values_list("codename", flat=True))
    for model in (
        "course",
        "lesson",
        "paragraph",
        "question",
        "choice",
        "acceptedanswer",
        "quizsettings",
    ):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= perms
    learner_work = {"attempt", "attemptitem", "response", "lessonprogress"}
    for model in learner_work:
        assert f"view_{model}" in perms
        assert not {f"add_{model}", f"change_{model}", f"delete_{model}"} & perms
    assert not any(p.endswith(("_user", "_group")) for p in perms)


ADMIN_PAGES = [
    "/admin/courses/lesson/",
    "/admin/courses/lesson/import/",
    "/admin/quiz/question/",
    "/admin/quiz/attempt/",
    "/admin/quiz/lessonprogress/",
    "/admin/quiz/response/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_by_role(client, teacher, url):
    assert client.get(url).status_code == 302  # anonymous: to the admin log-in
    client.force_login(make_student("pupil"))
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(teacher)
    assert client.get(url).status_code == 200


def test_learner_work_is_read_only_for_teachers(client, teacher, student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    item = attempt.items.select_related("question", "attempt").first()
    attempts.record_answer(item, Answer(choice=item.question.choices.first(), text="x"))
    client.force_login(teacher)
    response = Response.objects.get()
    assert client.get(f"/admin/quiz/response/{response.pk}/change/").status_code == 200
    assert client.post(f"/admin/quiz/response/{response.pk}/change/", {}).status_code == 403
    assert client.get("/admin/quiz/response/add/").status_code == 403
    assert (
        client.post(f"/admin/quiz/attempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Attempt.objects.exists()


class TestImportForm:
    def post(self, client, **data):
        course = make_course()
        return client.post(
            "/admin/courses/lesson/import/", {"course": course.pk, "publish": "on", **data}
        )

    def test_upload_creates_lesson_and_offers_generation(self, client, teacher):
        client.force_login(teacher)
        upload = SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes(), "text/plain")
        response = self.post(client, file=upload)
        lesson = Lesson.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/admin/courses/lesson/{lesson.pk}/change/"
        page = client.get(response["Location"]).content.decode()
        assert "Next: generate its questions" in page
        assert f'action="/admin/courses/lesson/{lesson.pk}/generate/"' in page
        assert lesson.paragraphs.count() == 13 and lesson.author_name == "Basel Haj Jasem"

    def test_paste_text_with_title(self, client, teacher):
        client.force_login(teacher)
        self.post(client, text="One paragraph.\n\nAnother one here.", title="Pasted")
        lesson = Lesson.objects.get()
        assert lesson.title == "Pasted" and lesson.paragraphs.count() == 2

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({}, "give its web address or paste its text"),
            ({"text": "   "}, "give its web address or paste its text"),
            ({"file": b"", "name": "e.txt"}, "The submitted file is empty."),
            ({"file": b"\x89PNG\x00\x00binary", "name": "x.png"}, "looks binary"),
            ({"file": b"caf\xe9 au lait", "name": "l.txt"}, "not UTF-8"),
            ({"text": "Short version\n\n"}, "Short version"),
            ({"text": "x", "file": b"y", "name": "b.txt"}, "only one of them"),
        ],
    )
    def test_bad_input_is_a_form_error(self, client, teacher, data, message):
        client.force_login(teacher)
        if "file" in data:
            data["file"] = SimpleUploadedFile(data.pop("name"), data["file"], "text/plain")
        response = self.post(client, **data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Lesson.objects.exists()


def test_generate_button_and_action(client, teacher, sample_lesson):
    client.force_login(teacher)
    response = client.post(f"/admin/courses/lesson/{sample_lesson.pk}/generate/", follow=True)
    html = response.content.decode()
    assert "draft questions" in html and "Review the drafts" in html
    n = Question.objects.filter(lesson=sample_lesson, status="draft").count()
    assert n >= 3  # fewer, better: only what passes the checks
    client.post(
        "/admin/courses/lesson/",
        {"action": "generate_questions_action", "_selected_action": [sample_lesson.pk]},
    )
    assert Question.objects.filter(lesson=sample_lesson).count() == n  # replaced, not added


def change_data(question, **overrides):
    """The admin change form's POST data for `question`, with its inlines."""
    choices = list(question.choices.order_by("position"))
    answers = list(question.accepted_answers.all())
    data = {
        "lesson": question.lesson_id,
        "type": question.type,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "status": question.status,
        "position": question.position,
        # What the picker shows ticked: the current evidence sentence.
        "evidence_sentence": QuestionAdminForm(instance=question)["evidence_sentence"].initial,
        "evidence_sentence_lesson": question.lesson_id,
        "skill": question.skill,
        "difficulty": question.difficulty,
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        "accepted_answers-TOTAL_FORMS": len(answers),
        "accepted_answers-INITIAL_FORMS": len(answers),
        "accepted_answers-MIN_NUM_FORMS": 0,
        "accepted_answers-MAX_NUM_FORMS": 1000,
    }
    for i, c in enumerate(choices):
        data.update(
            {
                f"choices-{i}-id": c.pk,
                f"choices-{i}-question": question.pk,
                f"choices-{i}-position": c.position,
                f"choices-{i}-text": c.text,
                f"choices-{i}-rationale": c.rationale,
            }
        )
        if c.is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    for i, a in enumerate(answers):
        data.update(
            {
                f"accepted_answers-{i}-id": a.pk,
                f"accepted_answers-{i}-question": question.pk,
                f"accepted_answers-{i}-text": a.text,
            }
        )
    data.update(overrides)
    return data


class TestQuestionEditing:
    def edit(self, client, question, **overrides):
        return client.post(
            f"/admin/quiz/question/{question.pk}/change/", change_data(question, **overrides)
        )

    def test_valid_edit_marks_teacher_edited(self, client, teacher):
        lesson, (question, *_) = make_quiz()
        client.force_login(teacher)
        response = self.edit(client, question, prompt="Which insect dances?")
        assert response.status_code == 302
        question.refresh_from_db()
        assert question.teacher_edited and question.prompt == "Which insect dances?"

    @pytest.mark.parametrize(
        ("qtype", "overrides", "message"),
        [
            ("multiple_choice", {"choices-1-is_correct": "on"}, "exactly one correct choice"),
            ("multiple_choice", {"choices-0-is_correct": ""}, "exactly one correct choice"),
            (
                "multiple_choice",
                {"choices-1-DELETE": "on", "choices-2-DELETE": "on", "choices-3-DELETE": "on"},
                "at least two choices",
            ),
            ("true_false", {"choices-1-is_correct": "on"}, "exactly two choices"),
            ("fill_blank", {"accepted_answers-0-DELETE": "on"}, "at least one accepted answer"),
            ("sequence", {"choices-2-DELETE": "on"}, "at least three items"),
            ("sequence", {"choices-2-position": "1"}, "each number once"),
        ],
    )
    def test_shape_rules_with_teacher_messages(self, client, teacher, qtype, overrides, message):
        lesson, questions = make_quiz()
        question = (
            next(q for q in questions if q.type == qtype)
            if qtype in ("fill_blank", "sequence")
            else make_question(lesson, qtype, position=9)
        )
        client.force_login(teacher)
        data = change_data(question)
        data.update(overrides)
        for key in [k for k, v in overrides.items() if v == ""]:
            data.pop(key)
        response = client.post(f"/admin/quiz/question/{question.pk}/change/", data)
        assert response.status_code == 200
        assert message in response.content.decode()
        question.refresh_from_db()
        assert not question.teacher_edited

    def test_evidence_shown_in_context(self, client, teacher):
        lesson, (question, *_) = make_quiz()
        client.force_login(teacher)
        html = client.get(f"/admin/quiz/question/{question.pk}/change/").content.decode()
        assert f"<mark>{question.evidence_quote}</mark>" in html

    def test_stale_questions_are_flagged(self, client, teacher):
        lesson, questions = make_quiz()
        question = questions[0]
        Question.objects.filter(pk=question.pk).update(evidence_check="changed")
        client.force_login(teacher)
        page = client.get("/admin/quiz/question/?stale=yes").content.decode()
        assert question.prompt in page
        assert questions[1].prompt not in page


def test_regrade_preview_then_apply(client, teacher, student):
    lesson, questions = make_quiz()
    question = questions[0]
    attempt, _ = attempts.start_or_resume(student, lesson)
    item = attempt.items.select_related("question", "attempt").get(question=question)
    wrong = question.choices.get(text="Ants")
    attempts.record_answer(item, Answer(choice=wrong))
    attempts.finish(attempt)
    assert LessonProgress.objects.get().best_score == 0
    client.force_login(teacher)
    # The teacher decides "Ants" is the right answer after all.
    data = change_data(question)
    right_index = [c.text for c in question.choices.order_by("position")].index("Ants")
    data.pop("choices-0-is_correct")
    data[f"choices-{right_index}-is_correct"] = "on"
    saved = client.post(f"/admin/quiz/question/{question.pk}/change/", data, follow=True)
    assert "Preview and re-grade their answers" in saved.content.decode()
    preview = client.get(f"/admin/quiz/question/{question.pk}/regrade/").content.decode()
    assert "sam" in preview and "Re-grade 1 answer" in preview
    assert not Response.objects.get().is_correct  # nothing changed by looking
    client.post(f"/admin/quiz/question/{question.pk}/regrade/")
    assert Response.objects.get().is_correct
    attempt.refresh_from_db()
    assert attempt.correct_count == 1
    assert LessonProgress.objects.get().best_score == 20


def test_bulk_publish_reject(client, teacher):
    lesson, questions = make_quiz()
    client.force_login(teacher)
    ids = [q.pk for q in questions[:2]]
    client.post("/admin/quiz/question/", {"action": "reject", "_selected_action": ids})
    assert set(Question.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"rejected"}
    client.post("/admin/quiz/question/", {"action": "publish", "_selected_action": ids})
    assert Question.objects.filter(pk__in=ids, status="published").count() == 2


def test_preview_as_student_records_nothing(client, teacher, student):
    lesson, questions = make_quiz()
    Lesson.objects.filter(pk=lesson.pk).update(published=False)
    url = f"/preview/lessons/{lesson.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(student)
    assert client.get(url).status_code == 302
    client.force_login(teacher)
    page = client.get(url).content.decode()
    assert "Nothing you do here is recorded" in page and questions[0].prompt in page
    q = questions[0]
    order = [c.pk for c in q.choices.order_by("position")]
    right = order.index(q.choices.get(is_correct=True).pk) + 1
    checked = client.post(url, {"question": q.pk, f"q{q.pk}-choice": str(right)})
    assert "Correct" in checked.content.decode()
    assert not Attempt.objects.exists() and not LessonProgress.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/quiz/question/",
        "/admin/courses/lesson/",
        "/admin/quiz/response/",
        "/admin/quiz/attempt/",
        "/admin/quiz/lessonprogress/",
    ],
)
def test_changelist_queries_do_not_grow(client, teacher, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(teacher)
    lesson, _ = make_quiz(n_choice=3)
    learner = make_student("l0")
    a, _ = attempts.start_or_resume(learner, lesson)
    for item in a.items.select_related("question", "attempt")[:2]:
        attempts.record_answer(item, Answer(choice=item.question.choices.first(), text="x"))
    small = count()
    for n in range(1, 12):
        other, _ = make_quiz(make_lesson(make_course("Big", "big")), 40) if n == 1 else (lesson, 0)
        learner = make_student(f"l{n}")
        a, _ = attempts.start_or_resume(learner, other)
        for item in a.items.select_related("question", "attempt")[:20]:
            attempts.record_answer(item, Answer(choice=item.question.choices.first(), text="x"))
    assert count() <= small


class TestExchangeInAdmin:
    def test_export_then_import_into_an_empty_lesson(self, client, teacher, sample_lesson):
        from quiz.generation import generate_for_lesson
        from tests.factories import make_sample_lesson

        generate_for_lesson(sample_lesson, publish=True)
        client.force_login(teacher)
        gift = client.get(f"/admin/courses/lesson/{sample_lesson.pk}/export.gift")
        xml = client.get(f"/admin/courses/lesson/{sample_lesson.pk}/export.xml")
        assert gift.status_code == 200 and "attachment" in gift["Content-Disposition"]
        assert xml.status_code == 200 and xml.content.lstrip().startswith(b"<?xml")
        n = sample_lesson.questions.count()
        for content, name in ((gift.content, "q.gift"), (xml.content, "q.xml")):
            empty = make_sample_lesson(make_course(f"Copy {name}", f"copy-{name[-3:]}"))
            upload = SimpleUploadedFile(name, content, "text/plain")
            url = f"/admin/courses/lesson/{empty.pk}/import-questions/"
            preview = client.post(url, {"file": upload})
            assert preview.status_code == 200 and not empty.questions.exists()
            assert f"Import {n} questions" in preview.content.decode()
            response = client.post(url, {"preview": preview.context["token"]})
            assert response.status_code == 302
            copied = list(empty.questions.order_by("position").with_options())
            originals = list(sample_lesson.questions.order_by("position").with_options())
            assert len(copied) == n
            for a, b in zip(originals, copied, strict=True):
                assert (a.type, a.prompt, a.explanation) == (b.type, b.prompt, b.explanation)
                assert [(c.text, c.is_correct) for c in a.choices.all()] == [
                    (c.text, c.is_correct) for c in b.choices.all()
                ]
                assert [x.text for x in a.accepted_answers.all()] == [
                    x.text for x in b.accepted_answers.all()
                ]
                assert b.status == "draft"

    def test_preview_lists_refusals_by_line_then_imports_the_rest(
        self, client, teacher, sample_lesson
    ):
        client.force_login(teacher)
        bad = (
            b"::Q1:: Which? {=Right ~Wrong}\n\n::Q2:: No key here {~A ~B}\n\n"
            b'::Q3:: Open {=x ~y\n\n::Q4:: <img src="@@PLUGINFILE@@/a.png">Look. {T}\n'
        )
        url = f"/admin/courses/lesson/{sample_lesson.pk}/import-questions/"
        preview = client.post(url, {"file": SimpleUploadedFile("bad.gift", bad, "text/plain")})
        html = preview.content.decode()
        assert preview.status_code == 200 and not sample_lesson.questions.exists()
        assert "2 questions can be imported as drafts, 2 cannot" in html
        assert (
            '<td data-label="Line">3</td><td data-label="Question">Q2</td>'
            '<td data-label="Why">The question has no right answer' in html
        )
        assert '<td data-label="Line">5</td><td data-label="Question">Q3</td>' in html
        assert "never closed" in html
        assert "Left out: an image" in html  # Q4 loses its picture, and the preview says so
        assert "Import 2 questions" in html

        done = client.post(url, {"preview": preview.context["token"]}, follow=True)
        assert [q.prompt for q in sample_lesson.questions.order_by("position")] == [
            "Which?",
            "Look.",
        ]
        assert "Imported 2 questions" in done.content.decode()
        assert "2 in the file were not imported" in done.content.decode()

        # The same file again: the preview says both are there already, and offers nothing.
        again = client.post(url, {"file": SimpleUploadedFile("bad.gift", bad, "text/plain")})
        html = again.content.decode()
        assert (
            "0 questions can be imported as drafts (2 more are already in this lesson and "
            "will be skipped)" in html
        )
        assert html.count("Already in this lesson: it will be skipped.") == 2
        assert "Every question this file can give is already in this lesson." in html
        assert "Import 2" not in html

    def test_a_changed_or_forged_preview_imports_nothing(self, client, teacher, sample_lesson):
        client.force_login(teacher)
        url = f"/admin/courses/lesson/{sample_lesson.pk}/import-questions/"
        preview = client.post(
            url, {"file": SimpleUploadedFile("q.gift", b"Honey is sweet. {T}", "text/plain")}
        )
        token = preview.context["token"]
        for forged in (token[:-2] + "xx", "", "not a token"):
            response = client.post(url, {"preview": forged})
            assert response.status_code == 400
            assert "This preview has expired or was changed" in response.content.decode()
        assert not sample_lesson.questions.exists()

    def test_a_file_nothing_of_which_can_be_imported(self, client, teacher, sample_lesson):
        client.force_login(teacher)
        url = f"/admin/courses/lesson/{sample_lesson.pk}/import-questions/"
        essay = SimpleUploadedFile("e.gift", b"::E:: Tell me about bees. {}", "text/plain")
        html = client.post(url, {"file": essay}).content.decode()
        assert "Nothing in this file can be imported" in html and "Import 0" not in html
        unreadable = SimpleUploadedFile("x.xml", b"<quiz><question", "text/xml")
        html = client.post(url, {"file": unreadable}).content.decode()
        assert "Nothing was imported" in html and "not valid XML" in html

    def test_students_cannot_export(self, client, student, sample_lesson):
        client.force_login(student)
        response = client.get(f"/admin/courses/lesson/{sample_lesson.pk}/export.gift")
        assert response.status_code == 302


def test_report_page_and_csv(client, teacher, student):
    lesson, _ = make_quiz()
    attempt, _ = attempts.start_or_resume(student, lesson)
    item = attempt.items.select_related("question", "attempt").filter(
        question__type="multiple_choice"
    )[0]
    attempts.record_answer(item, Answer(choice=item.question.choices.get(is_correct=True)))
    attempts.finish(attempt)
    client.force_login(teacher)
    page = client.get(f"/admin/quiz/question/report/{lesson.pk}/").content.decode()
    assert "Learners by grade" in page and "<svg" in page and "sam" in page
    assert "Facility" in page and "Discrimination" in page
    grades = client.get(f"/admin/quiz/question/report/{lesson.pk}/grades.csv")
    assert grades["Content-Type"].startswith("text/csv")
    lines = grades.content.decode().splitlines()
    assert len(lines) == 2 and "sam" in lines[1]
    answers = client.get(f"/admin/quiz/question/report/{lesson.pk}/responses.csv")
    assert len(answers.content.decode().splitlines()) == 2
    client.force_login(student)
    assert client.get(f"/admin/quiz/question/report/{lesson.pk}/").status_code == 302


def _answer_all(user, lesson, pick_right: bool = True):
    """`user` answers every choice question of `lesson` (right or "Ants") and finishes."""
    attempt, _ = attempts.start_or_resume(user, lesson)
    for item in attempt.items.select_related("question", "attempt"):
        choices = item.question.choices
        if item.question.type == "multiple_choice":
            choice = choices.get(is_correct=True) if pick_right else choices.get(text="Ants")
            attempts.record_answer(item, Answer(choice=choice))
    return attempts.finish(attempt)


def test_see_answers_link_filters_by_the_learner_not_a_name_search(client, teacher):
    import re

    lesson, _ = make_quiz()
    wise, otherwise = make_student("wise"), make_student("otherwise")
    _answer_all(wise, lesson, pick_right=True)
    _answer_all(otherwise, lesson, pick_right=False)
    client.force_login(teacher)
    page = client.get(f"/admin/quiz/question/report/{lesson.pk}/").content.decode()
    links = {
        name: href.replace("&amp;", "&")
        for name, href in re.findall(
            r'<tr>\s*<td>(\w+)</td>(?:(?!</tr>).)*?href="([^"]+)">See answers', page, re.S
        )
    }
    assert set(links) == {"wise", "otherwise"}
    assert f"item__attempt__learner__id__exact={wise.pk}" in links["wise"]
    assert f"item__attempt__lesson__id__exact={lesson.pk}" in links["wise"]
    assert "q=" not in links["wise"]
    answers = client.get(links["wise"])
    assert answers.status_code == 200  # the admin accepts the lookup (no "?e=1" redirect)
    shown = list(answers.context["cl"].result_list)
    assert shown and {r.item.attempt.learner_id for r in shown} == {wise.pk}
    assert len(shown) == Response.objects.filter(item__attempt__learner=wise).count()
    # The old name search found both: that was the bug.
    searched = client.get("/admin/quiz/response/?q=wise").context["cl"].result_list
    assert {r.item.attempt.learner_id for r in searched} == {wise.pk, otherwise.pk}


def test_report_highlights_the_right_choice(client, teacher, student):
    import xml.etree.ElementTree as ET

    lesson, questions = make_quiz(n_choice=1)
    _answer_all(student, lesson, pick_right=False)
    client.force_login(teacher)
    page = client.get(f"/admin/quiz/question/report/{lesson.pk}/").content.decode()
    assert "style=" not in page.split('id="content-main"')[1]
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars"')
    svg = ET.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in svg.iter(f"{ns}rect") if "chart-bar" in r.get("class").split()]
    assert [("chart-bar-key" in r.get("class")) for r in bars] == [True, False, False, False]
    labels = [t.text for t in svg.iter(f"{ns}text") if t.get("class") == "chart-label"]
    assert labels == ["Bees (right answer)", "Ants", "Wasps", "Moths"]
    assert "Bees (right answer): 0%" in svg.find(f"{ns}desc").text
    assert '<div class="chart chart-choices">' in page
    assert '<li class="choice-key">Bees <strong>(right answer)</strong>: 0</li>' in page
    css = (Path(__file__).parents[2] / "static" / "css" / "admin.css").read_text()
    assert ".chart-choices .chart-bar-key" in css


def _change_key_to_ants(client, question):
    data = change_data(question)
    right_index = [c.text for c in question.choices.order_by("position")].index("Ants")
    data.pop("choices-0-is_correct")
    data[f"choices-{right_index}-is_correct"] = "on"
    assert client.post(f"/admin/quiz/question/{question.pk}/change/", data).status_code == 302


def test_report_says_its_figures_are_stale_until_regraded(client, teacher):
    lesson, questions = make_quiz()
    for name in ("ann", "bob"):
        _answer_all(make_student(name), lesson, pick_right=False)
    client.force_login(teacher)
    url = f"/admin/quiz/question/report/{lesson.pk}/"
    assert "out of date" not in client.get(url).content.decode()
    _change_key_to_ants(client, questions[1])
    page = client.get(url).content.decode()
    regrade = f"/admin/quiz/question/{questions[1].pk}/regrade/"
    assert "These figures are out of date" in page
    assert f'<a href="{regrade}">Re-grade question 2</a>' in page
    assert "2 answers would change mark" in page
    notice = page[page.index('<div class="report-stale"') :].split("</div>")[0]
    assert notice.count("/regrade/") == 1  # only the question whose key changed
    client.post(regrade)
    assert "out of date" not in client.get(url).content.decode()


def test_regrading_keeps_last_activity(client, teacher):
    from datetime import timedelta

    from django.utils import timezone

    lesson, questions = make_quiz()
    learner = make_student("ann")
    _answer_all(learner, lesson, pick_right=False)
    long_ago = timezone.now() - timedelta(days=30)
    LessonProgress.objects.update(last_activity=long_ago)
    before = LessonProgress.objects.get()
    client.force_login(teacher)
    _change_key_to_ants(client, questions[0])
    client.post(f"/admin/quiz/question/{questions[0].pk}/regrade/")
    after = LessonProgress.objects.get()
    assert after.best_score > before.best_score  # re-graded and refreshed…
    assert after.last_activity == long_ago  # …but the learner did nothing new


# --- the key can move in any direction ------------------------------------------------------------


def test_moving_the_tick_to_an_earlier_choice_saves(client, teacher):
    lesson = make_lesson()
    question = make_question(
        lesson, choices=[("Bees", False), ("Ants", False), ("Wasps", True), ("Moths", False)]
    )
    client.force_login(teacher)
    data = change_data(question)
    data.pop("choices-2-is_correct")
    data["choices-0-is_correct"] = "on"  # upward: saved first, while "Wasps" is still ticked
    response = client.post(f"/admin/quiz/question/{question.pk}/change/", data)
    assert response.status_code == 302
    assert list(question.choices.filter(is_correct=True).values_list("text", flat=True)) == ["Bees"]
    # …and the database still refuses a second correct choice.
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.filter(question=question, text="Moths").update(is_correct=True)


def test_deleting_the_ticked_choice_and_ticking_an_earlier_one_saves(client, teacher):
    lesson = make_lesson()
    question = make_question(
        lesson, choices=[("Bees", False), ("Ants", False), ("Wasps", True), ("Moths", False)]
    )
    client.force_login(teacher)
    data = change_data(question)
    data.pop("choices-2-is_correct")
    data["choices-2-DELETE"] = "on"
    data["choices-1-is_correct"] = "on"
    response = client.post(f"/admin/quiz/question/{question.pk}/change/", data)
    assert response.status_code == 302
    assert [c.text for c in question.choices.all()] == ["Bees", "Ants", "Moths"]
    assert question.choices.get(is_correct=True).text == "Ants"


# --- the database's rules, in a teacher's words next to the field ---------------------------------


def _field_errors(html: str, field: str) -> str:
    """The error list the admin shows in the row of `field`."""
    row = html[html.index(f"field-{field}") :]
    return row[: row.index("</ul>")] if "errorlist" in row[: row.index("<input")] else ""


@pytest.mark.parametrize("value", ["1:10-2", "0:0-5", "99:0-40", "1:0-3", "keep", ""])
def test_evidence_can_only_be_a_sentence_of_the_lesson(client, teacher, value):
    """Offsets are never typed: a forged or missing pick is refused next to the picker, in a
    teacher's words, and nothing is saved."""
    lesson, (question, *_) = make_quiz()
    before = Question.objects.filter(pk=question.pk).values().get()
    client.force_login(teacher)
    data = change_data(question, evidence_sentence=value, prompt="Changed?")
    response = client.post(f"/admin/quiz/question/{question.pk}/change/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(PICK_MESSAGE) in _field_errors(html, "evidence_sentence")
    assert Question.objects.filter(pk=question.pk).values().get() == before


def test_the_database_rules_on_evidence_keep_their_teacher_words():
    lesson, (question, *_) = make_quiz()
    for fields, field, message in [
        ({"evidence_start": 10, "evidence_end": 2}, "evidence_end", EVIDENCE_SPAN_MESSAGE),
        ({"evidence_paragraph": 0}, "evidence_paragraph", EVIDENCE_PARAGRAPH_MESSAGE),
    ]:
        for name, value in fields.items():
            setattr(question, name, value)
        with pytest.raises(ValidationError) as error:
            question.full_clean()
        assert error.value.message_dict[field] == [message]
        question.refresh_from_db()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("question_count", 0, QUESTION_COUNT_MESSAGE),
        ("max_attempts", 0, MAX_ATTEMPTS_MESSAGE),
        ("pass_mark", 101, PASS_MARK_MESSAGE),
        ("retry_penalty", 150, RETRY_PENALTY_MESSAGE),
    ],
)
def test_quiz_settings_rules_are_worded_for_teachers(rf, teacher, field, value, message):
    from django.contrib import admin as django_admin

    from quiz.models import QuizSettings

    lesson = make_lesson()
    request = rf.get("/")
    request.user = teacher
    lesson_admin = django_admin.site._registry[Lesson]
    inline = next(
        i for i in lesson_admin.get_inline_instances(request, lesson) if i.model is QuizSettings
    )
    form_class = inline.get_formset(request, lesson).form
    data = {
        "feedback_mode": "immediate",
        "retry_penalty": 50,
        "review_correctness": "during",
        "review_evidence": "during",
        "review_answer": "final",
        "review_explanation": "final",
        "pass_mark": 70,
        "grading_method": "highest",
        field: value,
    }
    form = form_class(data, instance=QuizSettings(lesson=lesson))
    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert "is violated" not in str(form.errors)


def test_every_quiz_constraint_has_a_plain_message():
    from django.apps import apps

    for model in apps.get_app_config("quiz").get_models():
        for constraint in model._meta.constraints:
            text = str(constraint.get_violation_error_message())
            assert constraint.name not in text and "violated" not in text, constraint.name
