""" "Generate more": N new drafts beside a lesson's questions, none of which changes."""

import pytest
from django.urls import reverse

from quiz import attempts
from quiz.generation import generate_for_lesson
from quiz.grading import Answer
from quiz.models import AcceptedAnswer, Choice, GenerationRun, Question, Response, Status
from quiz.tasks import queue_generation

pytestmark = pytest.mark.django_db


def snapshot(lesson) -> dict:
    """Every field of every question of the lesson, and of their choices and answers."""
    return {
        "questions": list(Question.objects.filter(lesson=lesson).order_by("pk").values()),
        "choices": list(Choice.objects.filter(question__lesson=lesson).order_by("pk").values()),
        "answers": list(
            AcceptedAnswer.objects.filter(question__lesson=lesson).order_by("pk").values()
        ),
    }


@pytest.fixture
def reviewed_lesson(sample_lesson, student):
    """A lesson whose first run was reviewed: one published and answered, one edited by the
    teacher, one rejected, the others left as drafts."""
    created = generate_for_lesson(sample_lesson).created
    assert len(created) >= 4
    published, edited, rejected = created[0], created[1], created[2]
    Question.objects.filter(pk=published.pk).update(status=Status.PUBLISHED)
    Question.objects.filter(pk=edited.pk).update(teacher_edited=True, prompt="A teacher's words?")
    Question.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    attempt, _ = attempts.start_or_resume(student, sample_lesson)
    for item in attempt.items.all():
        attempts.record_answer(item, Answer(choice=item.question.choices.first(), text="x"))
    assert Response.objects.filter(item__question=published).exists()
    return sample_lesson


def test_two_runs_add_distinct_drafts_and_change_nothing(reviewed_lesson):
    before = snapshot(reviewed_lesson)
    last_position = max(q["position"] for q in before["questions"])

    first = generate_for_lesson(reviewed_lesson, more=3)
    second = generate_for_lesson(reviewed_lesson, more=3)

    assert len(first.created) == 3 and len(second.created) == 3
    assert not first.exhausted and not second.exhausted
    new = first.created + second.created
    assert all(q.status == Status.DRAFT for q in new)
    assert len({q.prompt for q in new}) == 6
    assert min(q.position for q in new) > last_position  # after the existing ones
    old_prompts = {q["prompt"] for q in before["questions"]}
    assert not old_prompts & {q.prompt for q in new}

    after = snapshot(reviewed_lesson)
    new_pks = {q.pk for q in new}
    assert [q for q in after["questions"] if q["id"] not in new_pks] == before["questions"]
    assert [c for c in after["choices"] if c["question_id"] not in new_pks] == before["choices"]
    assert [a for a in after["answers"] if a["question_id"] not in new_pks] == before["answers"]
    assert second.existing == first.existing + 3


def test_a_rejected_question_never_comes_back(sample_lesson):
    first = generate_for_lesson(sample_lesson, more=1).created[0]
    Question.objects.filter(pk=first.pk).update(status=Status.REJECTED)
    while True:
        result = generate_for_lesson(sample_lesson, more=20)
        assert first.prompt not in [q.prompt for q in result.created]
        if result.exhausted:
            break
    assert Question.objects.filter(prompt=first.prompt).count() == 1


def test_exhaustion_is_reported(sample_lesson):
    total = 0
    result = generate_for_lesson(sample_lesson, more=20)
    while not result.exhausted:
        total += len(result.created)
        result = generate_for_lesson(sample_lesson, more=20)
    total += len(result.created)
    assert Question.objects.filter(lesson=sample_lesson).count() == total
    again = generate_for_lesson(sample_lesson, more=5)
    assert again.created == [] and again.exhausted
    assert again.run.more == 5 and again.run.accepted_count == 0


def test_more_refuses_bad_numbers_and_replacing(sample_lesson):
    for bad in (0, -1, True, "3"):
        with pytest.raises(ValueError):
            generate_for_lesson(sample_lesson, more=bad)
    with pytest.raises(ValueError):
        generate_for_lesson(sample_lesson, more=3, replace_drafts=True)
    assert not Question.objects.exists()


def test_queued_run_carries_more(sample_lesson):
    generate_for_lesson(sample_lesson)
    before = snapshot(sample_lesson)
    run = queue_generation(sample_lesson, "offline", more=2)
    run.refresh_from_db()
    assert (run.more, run.replace_drafts, run.accepted_count) == (2, False, 2)
    after = snapshot(sample_lesson)
    assert after["questions"][: len(before["questions"])] == before["questions"]
    assert len(after["questions"]) == len(before["questions"]) + 2
    assert GenerationRun.objects.filter(more=2).count() == 1


# --- The admin: the "Generate more" form on the lesson page ---------------------------------


def url(lesson) -> str:
    return reverse("admin:courses_lesson_generate_more", args=[lesson.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_lesson_page_offers_generate_more(client, teacher, sample_lesson):
    client.force_login(teacher)
    html = client.get(reverse("admin:courses_lesson_change", args=[sample_lesson.pk])).content
    html = html.decode()
    assert f'action="{url(sample_lesson)}"' in html
    assert '<label for="id_more">' in html
    assert 'type="number" name="more" value="5"' in html
    assert 'min="1"' in html and 'max="20"' in html and "required" in html


def test_admin_generate_more_goes_to_the_draft_review(client, teacher, sample_lesson):
    client.force_login(teacher)
    existing = len(generate_for_lesson(sample_lesson).created)
    response = client.post(url(sample_lesson), {"more": "3"})
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz:review_drafts", args=[sample_lesson.pk])
    page = client.get(response["Location"])
    assert (
        f"“{sample_lesson.title}”: 3 new draft questions added beside the {existing} you have; "
        "nothing else changed."
    ) in messages_of(page)
    assert Question.objects.filter(lesson=sample_lesson).count() == existing + 3


def test_admin_generate_more_when_nothing_is_left(client, teacher, sample_lesson):
    client.force_login(teacher)
    while not generate_for_lesson(sample_lesson, more=20).exhausted:
        pass
    count = Question.objects.count()
    response = client.post(url(sample_lesson), {"more": "5"}, follow=True)
    assert (
        f"No new questions could be written from “{sample_lesson.title}”: all it offers is "
        "already in the quiz."
    ) in messages_of(response)
    assert Question.objects.count() == count


@pytest.mark.parametrize("value", ["", "0", "21", "-3", "many", "2.5"])
def test_admin_generate_more_bad_number(client, teacher, sample_lesson, value):
    client.force_login(teacher)
    response = client.post(url(sample_lesson), {"more": value}, follow=True)
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith(f"“{sample_lesson.title}”: ") and "question" in message
    assert not Question.objects.exists()


def test_admin_generate_more_follows_a_local_next_only(client, teacher, sample_lesson):
    client.force_login(teacher)
    preview = reverse("quiz:preview", args=[sample_lesson.pk])
    response = client.post(url(sample_lesson), {"more": "1", "next": preview})
    assert response["Location"] == preview
    for outside in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(url(sample_lesson), {"more": "1", "next": outside})
        assert response["Location"] == reverse("quiz:review_drafts", args=[sample_lesson.pk])


def test_admin_generate_more_needs_permission_and_post(client, student, sample_lesson):
    from django.contrib.auth.models import User

    staff = User.objects.create_user("clerk", password="a-long-pass-phrase", is_staff=True)
    client.force_login(staff)
    assert client.get(url(sample_lesson)).status_code in (403, 405)
    client.post(url(sample_lesson), {"more": "3"})
    assert not Question.objects.exists()
    client.force_login(student)
    response = client.post(url(sample_lesson), {"more": "3"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Question.objects.exists()
