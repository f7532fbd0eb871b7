"""Editing a draft in place on the review page: its own page without JavaScript, the card's
place with htmx; the admin's shape rules in a teacher's words; saved whole or not at all."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from quiz import attempts
from quiz.models import AcceptedAnswer, Choice, Question
from tests.factories import make_lesson, make_question, make_student, make_teacher
from tests.test_html_valid import validate

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
FOUR = [("Bees", False), ("Ants", False), ("Wasps", False), ("Moths", True)]


def edit_url(question) -> str:
    return reverse("quiz:edit_draft", args=[question.lesson_id, question.pk])


def edit_data(question, **overrides) -> dict:
    """The editor's POST data for `question` as it is stored, changed by `overrides` (a value
    of None drops the key: an unticked checkbox)."""
    p = f"q{question.pk}"
    data = {f"{p}-prompt": question.prompt, f"{p}-explanation": question.explanation}
    if question.type == "fill_blank":
        rows = list(question.accepted_answers.order_by("pk"))
        fs = f"{p}-answers"
        for i, a in enumerate(rows):
            data.update({f"{fs}-{i}-id": a.pk, f"{fs}-{i}-question": question.pk})
            data[f"{fs}-{i}-text"] = a.text
    else:
        rows = list(question.choices.order_by("position", "pk"))
        fs = f"{p}-choices"
        for i, c in enumerate(rows):
            data.update({f"{fs}-{i}-id": c.pk, f"{fs}-{i}-question": question.pk})
            data.update({f"{fs}-{i}-text": c.text, f"{fs}-{i}-rationale": c.rationale})
            if question.type == "sequence":
                data[f"{fs}-{i}-position"] = c.position
            elif c.is_correct:
                data[f"{fs}-{i}-is_correct"] = "on"
    data.update(
        {
            f"{fs}-TOTAL_FORMS": len(rows),
            f"{fs}-INITIAL_FORMS": len(rows),
            f"{fs}-MIN_NUM_FORMS": 0,
            f"{fs}-MAX_NUM_FORMS": 1000,
        }
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(question) -> tuple:
    """Everything the editor may change, as stored."""
    return (
        list(
            Question.objects.filter(pk=question.pk).values_list(
                "prompt", "explanation", "teacher_edited", "updated_at"
            )
        ),
        list(
            Choice.objects.filter(question=question)
            .order_by("pk")
            .values_list("pk", "text", "is_correct", "rationale", "position")
        ),
        list(AcceptedAnswer.objects.filter(question=question).order_by("pk").values_list()),
    )


@pytest.fixture
def lesson():
    return make_lesson()


@pytest.fixture
def draft(lesson):
    return make_question(lesson, status="draft", choices=FOUR, prompt="Which insect dances?")


@pytest.fixture
def teacher_client(client):
    client.force_login(make_teacher())
    return client


# --- the form, in the shape of each type -----------------------------------------------------


def test_full_page_shows_the_key_in_the_shape_of_its_type(teacher_client, lesson, tmp_path):
    choice = make_question(lesson, status="draft", choices=FOUR, position=1)
    blank = make_question(
        lesson, "fill_blank", status="draft", answers=["waggle dance", "dance"], position=2
    )
    order = make_question(
        lesson,
        "sequence",
        status="draft",
        choices=[("First", False), ("Second", False), ("Third", False)],
        position=3,
    )
    pages = {}
    for name, question in (("choice", choice), ("blank", blank), ("order", order)):
        page = teacher_client.get(edit_url(question))
        assert page.status_code == 200
        pages[name] = page.content
    html = {name: content.decode() for name, content in pages.items()}
    p = f"q{choice.pk}-choices"
    assert f'name="{p}-3-is_correct"' in html["choice"] and "Why it is wrong" in html["choice"]
    assert f'id="id_{p}-0-text"' in html["choice"] and "Right answer" in html["choice"]
    assert "Change the evidence sentence in the full form" in html["choice"]
    assert reverse("admin:quiz_question_change", args=[choice.pk]) in html["choice"]
    assert 'name="evidence_quote"' not in html["choice"] and "evidence_start" not in html["choice"]
    assert (
        f'name="q{blank.pk}-answers-1-text"' in html["blank"] and 'value="dance"' in html["blank"]
    )
    assert "is_correct" not in html["blank"] and "Accepted answer" in html["blank"]
    assert f'name="q{order.pk}-choices-2-position"' in html["order"]
    assert "Correct place" in html["order"] and "is_correct" not in html["order"]
    # Without JavaScript it is a plain page: no htmx on the form, Cancel goes back.
    assert "data-hx-post" not in html["choice"]
    assert (
        f'href="{reverse("quiz:review_drafts", args=[lesson.pk])}#draft-{choice.pk}"'
        in (html["choice"])
    )
    errors = teacher_client.post(
        edit_url(choice), edit_data(choice, **{f"q{choice.pk}-prompt": ""})
    )
    pages["errors"] = errors.content
    result = validate(tmp_path, pages)
    assert result.returncode == 0, result.stdout + result.stderr


def test_plain_post_saves_and_goes_back_to_the_card(teacher_client, draft):
    before = draft.updated_at
    p = f"q{draft.pk}"
    response = teacher_client.post(
        edit_url(draft),
        edit_data(
            draft,
            **{
                f"{p}-prompt": "Which insect dances to show the way?",
                f"{p}-explanation": "The text names the honeybee.",
                f"{p}-choices-1-rationale": "Ants leave scent trails.",
            },
        ),
    )
    assert response.status_code in (302, 303)
    assert response["Location"] == (
        reverse("quiz:review_drafts", args=[draft.lesson_id]) + f"#draft-{draft.pk}"
    )
    draft.refresh_from_db()
    assert draft.prompt == "Which insect dances to show the way?"
    assert draft.explanation == "The text names the honeybee."
    assert draft.teacher_edited and draft.updated_at > before and draft.status == "draft"
    assert draft.choices.get(text="Ants").rationale == "Ants leave scent trails."
    assert draft.choices.get(is_correct=True).text == "Moths"
    page = teacher_client.get(response["Location"])
    assert "Saved: “Which insect dances to show the way?”" in page.content.decode()


def test_htmx_get_returns_only_the_form(teacher_client, draft):
    response = teacher_client.get(edit_url(draft), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "<h1" not in html
    assert html.lstrip().startswith("<section") and f'id="draft-{draft.pk}"' in html
    assert f'data-hx-post="{edit_url(draft)}"' in html
    assert f'data-hx-target="#draft-{draft.pk}"' in html
    card_url = reverse("quiz:draft_card", args=[draft.lesson_id, draft.pk])
    assert f'data-hx-get="{card_url}"' in html  # Cancel brings the card back
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_htmx_post_returns_the_card_with_the_new_prompt(teacher_client, draft):
    data = edit_data(draft, **{f"q{draft.pk}-prompt": "Which insect waggles?"})
    response = teacher_client.post(edit_url(draft), data, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="draft-{draft.pk}"' in html and "Which insect waggles?" in html
    assert 'class="draft__prompt"' in html and "Publish" in html  # the card, not the form
    assert "data-hx-post" in html and f"q{draft.pk}-prompt" not in html
    assert Question.objects.get(pk=draft.pk).prompt == "Which insect waggles?"


def test_cancel_brings_back_the_unchanged_card(teacher_client, draft):
    url = reverse("quiz:draft_card", args=[draft.lesson_id, draft.pk])
    card = teacher_client.get(url, headers=HX)
    assert card.status_code == 200 and "Which insect dances?" in card.content.decode()
    assert "<html" not in card.content.decode()
    plain = teacher_client.get(url)
    assert plain.status_code == 302 and plain["Location"].endswith(f"#draft-{draft.pk}")


def test_the_review_page_offers_edit_in_place_and_generate_more(teacher_client, draft):
    page = teacher_client.get(reverse("quiz:review_drafts", args=[draft.lesson_id]))
    html = page.content.decode()
    assert f'href="{edit_url(draft)}" data-hx-get="{edit_url(draft)}"' in html
    assert reverse("admin:courses_lesson_generate_more", args=[draft.lesson_id]) in html
    assert 'name="more"' in html and 'min="1"' in html and 'max="20"' in html
    assert f'name="next" value="{reverse("quiz:review_drafts", args=[draft.lesson_id])}"' in html
    assert "css/drafts.css" in html


# --- the key can change in any order ----------------------------------------------------------


def test_moving_the_tick_from_the_last_choice_to_the_first_saves(teacher_client, draft):
    fs = f"q{draft.pk}-choices"
    data = edit_data(draft, **{f"{fs}-3-is_correct": None, f"{fs}-0-is_correct": "on"})
    response = teacher_client.post(edit_url(draft), data, headers=HX)
    assert response.status_code == 200 and "right answer</span>" in response.content.decode()
    assert list(draft.choices.filter(is_correct=True).values_list("text", flat=True)) == ["Bees"]


def test_remove_a_choice_and_add_one(teacher_client, draft):
    fs = f"q{draft.pk}-choices"
    data = edit_data(
        draft,
        **{
            f"{fs}-1-DELETE": "on",
            f"{fs}-TOTAL_FORMS": 5,
            f"{fs}-4-text": "Butterflies",
            f"{fs}-4-rationale": "They do not dance.",
        },
    )
    assert teacher_client.post(edit_url(draft), data).status_code == 302
    texts = list(draft.choices.order_by("position", "pk").values_list("text", flat=True))
    assert texts == ["Bees", "Wasps", "Moths", "Butterflies"]


def test_sequence_and_fill_blank_keys_save(teacher_client, lesson):
    order = make_question(
        lesson, "sequence", status="draft", choices=[("A", False), ("B", False), ("C", False)]
    )
    fs = f"q{order.pk}-choices"
    data = edit_data(order, **{f"{fs}-0-position": 3, f"{fs}-2-position": 1})
    assert teacher_client.post(edit_url(order), data).status_code == 302
    assert list(order.choices.order_by("position").values_list("text", flat=True)) == [
        "C",
        "B",
        "A",
    ]
    blank = make_question(lesson, "fill_blank", status="draft", answers=["waggle dance"])
    fs = f"q{blank.pk}-answers"
    data = edit_data(blank, **{f"{fs}-TOTAL_FORMS": 2, f"{fs}-1-text": "the waggle"})
    assert teacher_client.post(edit_url(blank), data).status_code == 302
    assert sorted(blank.accepted_answers.values_list("text", flat=True)) == [
        "the waggle",
        "waggle dance",
    ]
    assert Question.objects.get(pk=blank.pk).teacher_edited


# --- refused edits: the reason in a teacher's words, nothing saved ---------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"choices-3-is_correct": None}, "exactly one correct choice"),
        ({"choices-0-is_correct": "on"}, "exactly one correct choice"),
        ({"prompt": "  "}, "Write the question the students will see"),
        (
            {
                "prompt": "",
                "choices-2-DELETE": "on",
                "choices-1-DELETE": "on",
                "choices-0-DELETE": "on",
            },
            "at least two choices",
        ),
        ({"choices-1-text": ""}, "Write the text of this choice"),
    ],
)
def test_refused_edit_says_why_and_saves_nothing(teacher_client, draft, overrides, message):
    p = f"q{draft.pk}"
    before = snapshot(draft)
    data = edit_data(
        draft,
        **{f"{p}-explanation": "A new explanation typed by the teacher."},
        **{f"{p}-{k}": v for k, v in overrides.items()},
    )
    for headers in ({}, HX):
        response = teacher_client.post(edit_url(draft), data, headers=headers)
        html = response.content.decode()
        assert response.status_code == 200, headers
        assert message in html and "Not saved" in html
        assert "A new explanation typed by the teacher." in html  # the typed input is kept
        assert ("<html" in html) is not bool(headers)
        assert snapshot(draft) == before
    if "prompt" in overrides and "at least" not in message:
        # The message sits next to its field, described by it.
        assert f'id="id_{p}-prompt_error"' in html
        assert f'aria-describedby="id_{p}-prompt_helptext id_{p}-prompt_error"' in html


def test_sequence_and_fill_blank_rules(teacher_client, lesson):
    order = make_question(
        lesson, "sequence", status="draft", choices=[("A", False), ("B", False), ("C", False)]
    )
    blank = make_question(lesson, "fill_blank", status="draft", answers=["waggle dance"])
    before = snapshot(order), snapshot(blank)
    fs = f"q{order.pk}-choices"
    response = teacher_client.post(edit_url(order), edit_data(order, **{f"{fs}-2-position": 1}))
    assert "each number once" in response.content.decode()
    response = teacher_client.post(edit_url(order), edit_data(order, **{f"{fs}-2-position": ""}))
    assert "Give this item its place in the correct order" in response.content.decode()
    fs = f"q{blank.pk}-answers"
    response = teacher_client.post(edit_url(blank), edit_data(blank, **{f"{fs}-0-DELETE": "on"}))
    assert "at least one accepted answer" in response.content.decode()
    data = edit_data(blank, **{f"{fs}-TOTAL_FORMS": 2, f"{fs}-1-text": "waggle dance"})
    response = teacher_client.post(edit_url(blank), data)
    assert "Each accepted answer is listed once" in response.content.decode()
    assert (snapshot(order), snapshot(blank)) == before


def test_a_key_the_database_refuses_is_not_saved_half_way(teacher_client, lesson):
    blank = make_question(lesson, "fill_blank", status="draft", answers=["bee", "honeybee"])
    p = f"q{blank.pk}"
    before = snapshot(blank)
    # Swapping two answers passes the form's checks, but the first row saved would repeat the
    # second one: the database refuses it and the whole edit (the prompt too) is undone.
    data = edit_data(
        blank,
        **{
            f"{p}-prompt": "Changed?",
            f"{p}-answers-0-text": "honeybee",
            f"{p}-answers-1-text": "bee",
        },
    )
    response = teacher_client.post(edit_url(blank), data, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Not saved: the database refused this answer key" in html
    assert 'value="honeybee"' in html
    assert snapshot(blank) == before


# --- who may edit what ------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["published", "rejected", "retired"])
def test_only_drafts_are_edited_here(teacher_client, lesson, status):
    question = make_question(lesson, status=status, choices=FOUR)
    before = snapshot(question)
    for headers in ({}, HX):
        response = teacher_client.get(edit_url(question), headers=headers)
        assert response.status_code == 409
        assert "admin" in response.content.decode()
        data = edit_data(question, **{f"q{question.pk}-prompt": "Changed?"})
        response = teacher_client.post(edit_url(question), data, headers=headers)
        assert response.status_code == 409
    assert snapshot(question) == before


def test_an_answered_draft_is_edited_in_the_admin(teacher_client, lesson, student):
    question = make_question(lesson, choices=FOUR)
    attempts.start_or_resume(student, lesson)
    Question.objects.filter(pk=question.pk).update(status="draft")
    response = teacher_client.get(edit_url(question))
    assert response.status_code == 409 and "already shown to learners" in response.content.decode()


def test_only_this_lessons_questions_and_only_teachers_who_may_change(client, draft):
    other = make_question(make_lesson(draft.lesson.course, title="Another"), status="draft")
    teacher = make_teacher()
    client.force_login(teacher)
    wrong_lesson = reverse("quiz:edit_draft", args=[draft.lesson_id, other.pk])
    assert client.get(wrong_lesson).status_code == 404
    assert client.post(wrong_lesson, edit_data(other)).status_code == 404
    card = reverse("quiz:draft_card", args=[draft.lesson_id, other.pk])
    assert client.get(card, headers=HX).status_code == 404
    # A member of staff who may look at questions but not change them.
    viewer = make_teacher("viewer")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(viewer)
    assert client.get(edit_url(draft)).status_code == 403
    before = snapshot(draft)
    data = edit_data(draft, **{f"q{draft.pk}-prompt": "Changed?"})
    assert client.post(edit_url(draft), data).status_code == 403
    assert snapshot(draft) == before


def test_students_are_refused(client, draft):
    client.force_login(make_student())
    before = snapshot(draft)
    response = client.get(edit_url(draft))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    data = edit_data(draft, **{f"q{draft.pk}-prompt": "Changed?"})
    assert client.post(edit_url(draft), data, headers=HX).status_code == 302
    assert snapshot(draft) == before
    client.logout()
    assert client.get(edit_url(draft))["Location"].startswith("/admin/login/")


def test_edit_page_queries_do_not_grow_with_the_choices(
    teacher_client, lesson, django_assert_max_num_queries
):
    small = make_question(lesson, status="draft", choices=FOUR[2:], position=1)
    big = make_question(
        lesson, status="draft", choices=[(f"C{n}", n == 0) for n in range(12)], position=2
    )
    teacher_client.get(edit_url(small))  # session and permissions cached alike
    for question in (small, big):
        for headers in ({}, HX):
            with django_assert_max_num_queries(7):
                assert teacher_client.get(edit_url(question), headers=headers).status_code == 200
