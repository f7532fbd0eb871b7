"""Evidence by click: the teacher picks the sentence, and edits of the lesson's text find each
question's evidence again instead of flagging the whole lesson."""

import pytest
from django.utils.html import escape

from courses.importing import import_article, parse_article
from courses.models import Lesson
from quiz import evidence, scoping
from quiz.admin_forms import MOVED_MESSAGE, PICK_MESSAGE, QuestionAdminForm
from quiz.models import EvidenceCheck, Question
from tests.factories import PLAIN_ARTICLE, make_course, make_lesson, make_question
from tests.quiz.test_admin import change_data

P1 = "Honeybees communicate the location of food through a movement called the waggle dance."
P2 = (
    "A forager returning to the hive runs in a straight line while shaking her body, then loops "
    "back and repeats the run. The angle of the run against vertical matches the angle between "
    "the sun and the food source."
)
P3 = (
    "The duration of the waggle tells other bees how far to fly. In 1973 Karl von Frisch shared "
    "the Nobel Prize for decoding this language."
)
NOBEL = "In 1973 Karl von Frisch shared the Nobel Prize for decoding this language."
ANGLE = (
    "The angle of the run against vertical matches the angle between the sun and the food source."
)


@pytest.fixture(autouse=True)
def _no_learner_scoping():
    with scoping.override():
        yield


# --- finding a sentence again (no database) ------------------------------------------------------


def test_the_same_sentence_is_found_where_it_moved():
    text = {1: P1, 2: "A new paragraph goes first here.", 3: P2, 4: P3}
    found = evidence.locate(NOBEL, 3, 60, text)
    assert (found.paragraph, found.exact) == (4, True)
    assert text[4][found.start : found.end] == NOBEL


def test_the_nearest_copy_of_a_repeated_sentence_wins():
    text = {1: "Same words. Other. Same words.", 2: "Same words."}
    assert evidence.locate("Same words.", 1, 19, text).start == 19
    assert evidence.locate("Same words.", 2, 0, text).paragraph == 2


def test_a_typo_fixed_inside_the_sentence_is_followed_quietly():
    edited = NOBEL.replace("Nobel Prize", "Nobel prize").replace("decoding", "decodng")
    found = evidence.locate(edited, 3, 60, {1: P1, 2: P2, 3: P3})
    assert found.text == NOBEL and not found.exact
    assert evidence.is_minor_edit(edited, NOBEL)


@pytest.mark.parametrize(
    "changed",
    [
        NOBEL.replace("1973", "1974"),  # a number
        NOBEL.replace("shared", "did not share"),  # words added
        NOBEL.replace("shared", "refused"),  # a word replaced by another
        NOBEL.replace("Karl von Frisch", "Nikolaas Tinbergen"),
    ],
)
def test_a_real_change_is_not_a_typo(changed):
    assert not evidence.is_minor_edit(NOBEL, changed)


def test_a_sentence_gone_is_not_found():
    assert evidence.locate(NOBEL, 3, 60, {1: P1, 2: P2, 3: "Bees fly."}) is None
    assert evidence.locate("", 1, 0, {1: P1}) is None


def test_every_sentence_with_its_exact_offsets():
    spans = evidence.sentences({1: P1, 2: P2, 3: P3})
    assert [s.text for s in spans][-1] == NOBEL
    for span in spans:
        assert {1: P1, 2: P2, 3: P3}[span.paragraph][span.start : span.end] == span.text
        assert evidence.parse_value(span.value) == (span.paragraph, span.start, span.end)
    assert evidence.parse_value("3:x-1") is None and evidence.parse_value("keep") is None


# --- editing the lesson's text in the admin -------------------------------------------------


def lesson_data(client, lesson, texts: list[str]) -> dict:
    """The lesson change form's POST data with its paragraphs replaced by `texts`."""
    page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(course=lesson.course.pk)
    if lesson.published:
        data["published"] = "on"
    paragraphs = list(lesson.paragraphs.order_by("position"))
    data.update(
        {
            "paragraphs-TOTAL_FORMS": len(texts),
            "paragraphs-INITIAL_FORMS": len(paragraphs),
            "paragraphs-MIN_NUM_FORMS": 0,
            "paragraphs-MAX_NUM_FORMS": 1000,
            "quiz_settings-TOTAL_FORMS": 0,
            "quiz_settings-INITIAL_FORMS": 0,
            "quiz_settings-MIN_NUM_FORMS": 0,
            "quiz_settings-MAX_NUM_FORMS": 1,
        }
    )
    for i, text in enumerate(texts):
        data.update(
            {
                f"paragraphs-{i}-lesson": lesson.pk,
                f"paragraphs-{i}-position": i + 1,
                f"paragraphs-{i}-text": text,
            }
        )
        if i < len(paragraphs):
            data[f"paragraphs-{i}-id"] = paragraphs[i].pk
    for i in range(len(texts), len(paragraphs)):  # fewer paragraphs: the rest are deleted
        data.update(
            {
                f"paragraphs-{i}-id": paragraphs[i].pk,
                f"paragraphs-{i}-lesson": lesson.pk,
                f"paragraphs-{i}-position": i + 1,
                f"paragraphs-{i}-text": paragraphs[i].text,
                f"paragraphs-{i}-DELETE": "on",
            }
        )
        data["paragraphs-TOTAL_FORMS"] = len(paragraphs)
    return data


def edit_text(client, lesson, texts: list[str]) -> None:
    response = client.post(
        f"/admin/courses/lesson/{lesson.pk}/change/", lesson_data(client, lesson, texts)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


def quote_question(lesson, quote: str, position: int) -> Question:
    """A question whose evidence is `quote`, wherever it is in the lesson."""
    texts = dict(lesson.paragraphs.values_list("position", "text"))
    number = next(n for n, t in texts.items() if quote in t)
    start = texts[number].index(quote)
    question = make_question(lesson, position=position, prompt=f"About {quote[:20]}?")
    Question.objects.filter(pk=question.pk).update(
        evidence_paragraph=number,
        evidence_start=start,
        evidence_end=start + len(quote),
        evidence_quote=quote,
    )
    question.refresh_from_db()
    return question


@pytest.fixture
def bees(db):
    lesson = make_lesson()
    return lesson, [
        quote_question(lesson, P1, 1),
        quote_question(lesson, ANGLE, 2),
        quote_question(lesson, NOBEL, 3),
    ]


def flags(lesson) -> dict[str, str]:
    return dict(lesson.questions.values_list("evidence_quote", "evidence_check"))


def test_a_typo_fixed_in_one_paragraph_flags_no_question(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, [P1.replace("waggle dance", "waggle  dance"), P2, "Bees " + P3])
    lesson.refresh_from_db()
    assert all(check == "" for check in flags(lesson).values())
    texts = dict(lesson.paragraphs.values_list("position", "text"))
    for question in Question.objects.filter(lesson=lesson):
        # Every question still points exactly at its sentence, whose offsets moved.
        assert evidence.at(
            texts,
            question.evidence_paragraph,
            question.evidence_start,
            question.evidence_end,
            question.evidence_quote,
        )
        assert question.source_hash == lesson.text_hash and not question.is_stale
    nobel = Question.objects.get(pk=questions[2].pk)
    assert nobel.evidence_start == questions[2].evidence_start + len("Bees ")
    assert "hl=3." in nobel.evidence_url()


def test_a_paragraph_inserted_above_renumbers_the_evidence(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, ["A new first paragraph about hives.", P1, P2, P3])
    moved = Question.objects.get(pk=questions[2].pk)
    assert (moved.evidence_paragraph, moved.evidence_check) == (4, "")


def test_only_the_question_whose_sentence_changed_is_flagged(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, [P1, P2, P3.replace("1973", "1974")])
    assert flags(lesson) == {P1: "", ANGLE: "", NOBEL.replace("1973", "1974"): "changed"}
    nobel = Question.objects.get(pk=questions[2].pk)
    assert nobel.evidence_was == NOBEL and nobel.is_stale
    # The flag stays through further edits elsewhere until a teacher checks it.
    edit_text(client, lesson, [P1 + " More.", P2, P3.replace("1973", "1974")])
    assert Question.objects.get(pk=nobel.pk).evidence_check == EvidenceCheck.CHANGED
    page = client.get(f"/admin/quiz/question/{nobel.pk}/change/").content.decode()
    assert f"It read:</p><blockquote>{escape(NOBEL)}</blockquote>" in page
    assert "Mark as checked" in page
    listed = client.get("/admin/quiz/question/?stale=yes").content.decode()
    assert "About In 1973" in listed and "About The angle" not in listed


def test_a_typo_fixed_inside_the_evidence_is_followed_without_a_flag(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    Question.objects.filter(pk=questions[2].pk).update(
        evidence_quote=NOBEL.replace("decoding", "decodng"),
        evidence_end=questions[2].evidence_end - 1,
        source_hash="the text with the typo",
    )
    Lesson.objects.filter(pk=lesson.pk).update(text_hash="the text with the typo")
    edit_text(client, lesson, [P1, P2, P3])  # the teacher fixed "decodng"
    nobel = Question.objects.get(pk=questions[2].pk)
    assert (nobel.evidence_quote, nobel.evidence_check) == (NOBEL, "")


def test_a_sentence_removed_asks_for_a_new_pick(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, [P1, P2])
    gone = Question.objects.get(pk=questions[2].pk)
    assert (gone.evidence_check, gone.evidence_was) == (EvidenceCheck.NOT_FOUND, NOBEL)
    assert "hl=" not in gone.evidence_url()  # no highlight of offsets that name nothing
    page = client.get(f"/admin/quiz/question/{gone.pk}/change/").content.decode()
    assert "no longer in it" in page and "Mark as checked" not in page
    # Picking a sentence clears the flag and points at it.
    data = change_data(gone, evidence_sentence=f"2:0-{P2.index('.') + 1}")
    response = client.post(f"/admin/quiz/question/{gone.pk}/change/", data)
    assert response.status_code == 302
    gone.refresh_from_db()
    assert gone.evidence_check == "" and gone.evidence_quote == P2[: P2.index(".") + 1]
    assert gone.evidence_paragraph == 2 and gone.source_hash == Lesson.objects.get().text_hash


def test_mark_as_checked_on_the_form_clears_the_flag(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, [P1, P2, P3.replace("1973", "1974")])
    flagged = Question.objects.get(pk=questions[2].pk)
    # Saving without the tick keeps the flag.
    client.post(f"/admin/quiz/question/{flagged.pk}/change/", change_data(flagged))
    assert Question.objects.get(pk=flagged.pk).is_stale
    client.post(
        f"/admin/quiz/question/{flagged.pk}/change/", change_data(flagged, mark_checked="on")
    )
    flagged.refresh_from_db()
    assert (flagged.evidence_check, flagged.evidence_was) == ("", "")
    assert flagged.evidence_quote == NOBEL.replace("1973", "1974")


def test_mark_as_checked_action(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, [P1.replace("food", "nectar"), P2, P3.replace("1973", "1974")])
    assert set(flags(lesson).values()) == {"", "changed"}
    response = client.post(
        "/admin/quiz/question/",
        {"action": "mark_checked", "_selected_action": [q.pk for q in questions]},
        follow=True,
    )
    assert "2 questions marked as checked" in response.content.decode()
    assert set(flags(lesson).values()) == {""}


def test_mark_as_checked_cannot_clear_a_lost_sentence(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    edit_text(client, lesson, [P1, P2])
    response = client.post(
        "/admin/quiz/question/",
        {"action": "mark_checked", "_selected_action": [questions[2].pk]},
        follow=True,
    )
    assert "pick the sentence that proves the answer" in response.content.decode()
    assert Question.objects.get(pk=questions[2].pk).evidence_check == EvidenceCheck.NOT_FOUND


def test_reimporting_the_article_follows_the_evidence_too(db):
    course = make_course()
    lesson, _ = import_article(parse_article(PLAIN_ARTICLE), course, source_name="bees.txt")
    question = quote_question(lesson, NOBEL, 1)
    edited = PLAIN_ARTICLE.replace("In 1973", "Decades ago, in 1973,")
    import_article(parse_article(edited), course, source_name="bees.txt")
    question.refresh_from_db()
    assert question.evidence_check == EvidenceCheck.CHANGED
    assert question.evidence_quote.startswith("Decades ago")


# --- picking the evidence on the question form ---------------------------------------------------


def test_the_form_shows_every_sentence_with_the_current_one_picked(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    html = client.get(f"/admin/quiz/question/{questions[2].pk}/change/").content.decode()
    assert html.count('class="evidence-picker__radio"') == 5
    value = f'value="3:{P3.index(NOBEL)}-{len(P3)}"'
    picked = html[html.index(value) - 200 : html.index(value) + 200]
    assert "checked" in picked
    for name in ("evidence_start", "evidence_end", "evidence_paragraph"):
        assert f'name="{name}"' not in html  # offsets are never typed


def test_picking_another_sentence_moves_the_evidence(client, teacher, bees):
    lesson, questions = bees
    client.force_login(teacher)
    start = P3.index(NOBEL)
    first = f"3:0-{start - 1}"
    response = client.post(
        f"/admin/quiz/question/{questions[2].pk}/change/",
        change_data(questions[2], evidence_sentence=first),
    )
    assert response.status_code == 302
    question = Question.objects.get(pk=questions[2].pk)
    assert question.evidence_quote == "The duration of the waggle tells other bees how far to fly."
    assert (question.evidence_paragraph, question.evidence_start) == (3, 0)


def test_part_of_a_sentence_is_kept_as_it_was(client, teacher, bees):
    lesson, questions = bees
    Question.objects.filter(pk=questions[2].pk).update(
        evidence_end=questions[2].evidence_start + 7, evidence_quote="In 1973"
    )
    question = Question.objects.get(pk=questions[2].pk)
    client.force_login(teacher)
    html = client.get(f"/admin/quiz/question/{question.pk}/change/").content.decode()
    assert "Keep the current evidence: “In 1973”" in html
    data = change_data(question, prompt="When?")
    assert data["evidence_sentence"] == "keep"
    assert client.post(f"/admin/quiz/question/{question.pk}/change/", data).status_code == 302
    question.refresh_from_db()
    assert (question.prompt, question.evidence_quote) == ("When?", "In 1973")


def test_a_new_question_needs_a_picked_sentence(client, teacher, bees):
    lesson, _ = bees
    client.force_login(teacher)
    # Coming from the lesson (?lesson=…), its sentences are there at once.
    html = client.get(f"/admin/quiz/question/add/?lesson={lesson.pk}").content.decode()
    assert html.count('class="evidence-picker__radio"') == 5
    # Without a lesson chosen the picker says how to get the sentences.
    html = client.get("/admin/quiz/question/add/").content.decode()
    assert "Choose the lesson above" in html
    data = {
        "lesson": lesson.pk,
        "type": "true_false",
        "prompt": "Von Frisch won a Nobel Prize.",
        "explanation": "",
        "status": "draft",
        "position": 9,
        "skill": "literal",
        "difficulty": 2,
        "choices-TOTAL_FORMS": 2,
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        "choices-0-text": "True",
        "choices-0-is_correct": "on",
        "choices-0-position": 1,
        "choices-1-text": "False",
        "choices-1-position": 2,
        "accepted_answers-TOTAL_FORMS": 0,
        "accepted_answers-INITIAL_FORMS": 0,
        "accepted_answers-MIN_NUM_FORMS": 0,
        "accepted_answers-MAX_NUM_FORMS": 1000,
    }
    response = client.post("/admin/quiz/question/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(PICK_MESSAGE) in html
    assert html.count('class="evidence-picker__radio"') == 5  # now shown, the input kept
    assert "Von Frisch won a Nobel Prize." in html
    assert f'name="evidence_sentence_lesson" value="{lesson.pk}"' in html
    data["evidence_sentence"] = f"3:{P3.index(NOBEL)}-{len(P3)}"
    data["evidence_sentence_lesson"] = lesson.pk
    assert client.post("/admin/quiz/question/add/", data).status_code == 302
    new = Question.objects.get(prompt="Von Frisch won a Nobel Prize.")
    assert new.evidence_quote == NOBEL and new.source_hash == lesson.text_hash


def test_moving_a_question_to_another_lesson_asks_for_its_evidence_again(client, teacher, bees):
    lesson, questions = bees
    other = make_lesson(make_course("Other", "other"), text=PLAIN_ARTICLE)
    client.force_login(teacher)
    data = change_data(questions[0], lesson=other.pk)
    response = client.post(f"/admin/quiz/question/{questions[0].pk}/change/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(MOVED_MESSAGE) in html
    assert Question.objects.get(pk=questions[0].pk).lesson == lesson
    # The page now shows the other lesson's sentences; a pick among them saves.
    assert f'name="evidence_sentence_lesson" value="{other.pk}"' in html
    data["evidence_sentence_lesson"] = other.pk
    response = client.post(f"/admin/quiz/question/{questions[0].pk}/change/", data)
    assert response.status_code == 302
    moved = Question.objects.get(pk=questions[0].pk)
    assert moved.lesson == other and moved.source_hash == other.text_hash


def test_the_form_alone_without_http(bees):
    lesson, questions = bees
    form = QuestionAdminForm(instance=questions[1])
    values = [v for _, options in form.fields["evidence_sentence"].choices for v, _ in options]
    assert form["evidence_sentence"].initial in values
    assert "mark_checked" not in form.fields
