"""The llm backend through the Django glue: storage, provenance, command, tasks and admin."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quiz.authoring import llm
from quiz.generation import (
    LLMNotConfigured,
    LLMUnavailable,
    generate_for_lesson,
)
from quiz.models import GenerationRun, Question, RunStatus
from quiz.tasks import generate_questions_task, queue_generation
from tests.factories import make_lesson, make_question
from tests.llm import recorded
from tests.llm.conftest import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(db):
    return make_lesson()


def test_llm_run_stores_grounded_items_with_provenance(fake_llm, lesson):
    fake_llm.script(
        recorded.reply(*recorded.GOOD, recorded.QUOTE_NOT_IN_ARTICLE, recorded.DISTRACTOR_IS_KEY),
        recorded.reply(recorded.QUOTE_NOT_IN_ARTICLE, recorded.DISTRACTOR_IS_KEY),
    )
    result = generate_for_lesson(lesson, count=6, backend="llm")
    assert len(result.created) == 4
    run = result.run
    assert run.backend == "llm" and run.model == "fake-model" and run.status == RunStatus.DONE
    assert run.prompt_version == llm.PROMPT_VERSION and run.base_url == fake_llm.base_url
    assert run.accepted_count == 4 and run.rejected_count == 2
    assert run.duration is not None and run.started_at and run.finished_at
    assert "Ultraviolet light" in run.raw_response
    reasons = {r["prompt"]: r["reasons"] for r in run.rejected}
    assert reasons[recorded.QUOTE_NOT_IN_ARTICLE["prompt"]] == [
        "evidence quote not found in the article"
    ]
    assert "duplicate options" in reasons[recorded.DISTRACTOR_IS_KEY["prompt"]]
    for q in Question.objects.filter(lesson=lesson).with_options():
        assert q.run == run and q.origin == "llm:fake-model"
        assert q.origin_version == llm.PROMPT_VERSION
        text = lesson.paragraphs.get(position=q.evidence_paragraph).text
        assert text[q.evidence_start : q.evidence_end] == q.evidence_quote
        assert q.source_hash == lesson.text_hash
        if q.is_single_answer:
            assert sum(c.is_correct for c in q.choices.all()) == 1
    assert {a["question"] for a in run.accepted} == {q.pk for q in result.created}


def test_near_duplicates_of_existing_questions_are_rejected(fake_llm, lesson):
    make_question(lesson, prompt=recorded.LITERAL_MC["prompt"], status="published")
    fake_llm.script(recorded.reply(recorded.LITERAL_MC, recorded.FILL_BLANK))
    result = generate_for_lesson(lesson, count=2, backend="llm")
    assert [q.type for q in result.created] == ["fill_blank"]
    assert result.run.rejected[0]["reasons"] == ["near-duplicate of an existing question"]


@pytest.mark.parametrize(
    "reply, message",
    [
        (Reply(status=500), "HTTP 500"),
        (Reply(content="{}", delay=2), "did not answer within"),
    ],
)
def test_a_failing_server_leaves_existing_questions_untouched(
    fake_llm, settings, lesson, reply, message
):
    settings.LLM_TIMEOUT = 0.5
    draft = make_question(lesson, status="draft", origin="offline", prompt="An old draft?")
    fake_llm.script(reply)
    with pytest.raises(LLMUnavailable, match=message):
        generate_for_lesson(lesson, backend="llm", replace_drafts=True)
    assert list(Question.objects.filter(lesson=lesson)) == [draft]
    run = GenerationRun.objects.get()
    assert run.status == RunStatus.FAILED and message in run.error and "\n" not in run.error


def test_offline_runs_are_recorded_too(sample_lesson):
    # The sample article: the offline generator writes nothing for the three-paragraph one.
    result = generate_for_lesson(sample_lesson)
    run = result.run
    assert run.backend == "offline" and run.status == RunStatus.DONE and run.model == ""
    assert run.accepted_count == len(result.created) > 0
    assert set(run.questions.all()) == set(result.created)
    assert all(q.origin == "offline" for q in result.created)


def test_command_llm_stores_grounded_items_and_reports_rejections(fake_llm, lesson, capsys):
    fake_llm.script(
        recorded.reply(recorded.LITERAL_MC, recorded.FILL_BLANK, recorded.QUOTE_NOT_IN_ARTICLE),
        recorded.reply(recorded.QUOTE_NOT_IN_ARTICLE),
    )
    call_command("generate_questions", str(lesson.pk), "--backend", "llm", "--count", "3")
    out = capsys.readouterr().out
    assert Question.objects.filter(lesson=lesson).count() == 2
    assert "2 new questions in" in out and "1 rejected" in out
    assert (
        "rejected: What can bees see that people cannot? — evidence quote not found in the "
        "article" in out
    )
    assert "2 questions for 1 lessons" in out


def test_command_llm_without_settings_is_one_clear_line(no_llm, sample_lesson):
    with pytest.raises(CommandError) as info:
        call_command("generate_questions", str(sample_lesson.pk), "--backend", "llm")
    message = str(info.value)
    assert "No language model is configured: set LLM_BASE_URL and LLM_MODEL" in message
    assert "\n" not in message
    assert not Question.objects.exists() and not GenerationRun.objects.exists()
    # The default backend is untouched by all this.
    call_command("generate_questions", str(sample_lesson.pk))
    assert Question.objects.filter(origin="offline").exists()


def test_command_llm_with_a_dead_server_is_one_clear_line(fake_llm, lesson):
    fake_llm.script(Reply(status=500))
    with pytest.raises(CommandError, match="The language model server failed"):
        call_command("generate_questions", str(lesson.pk), "--backend", "llm")
    assert not Question.objects.exists()


def test_command_rejects_unknown_backend(lesson):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("generate_questions", str(lesson.pk), "--backend", "magic")


def test_queue_generation_runs_at_once_with_the_immediate_backend(fake_llm, lesson, teacher):
    fake_llm.script(recorded.reply(*recorded.GOOD))
    run = queue_generation(lesson, "llm", count=4, user=teacher)
    assert run.status == RunStatus.DONE and run.accepted_count == 4
    assert run.requested_by == teacher and run.replace_drafts and run.task_id
    assert run.questions.count() == 4


def test_queue_generation_records_a_failure_instead_of_raising(fake_llm, lesson):
    fake_llm.script(Reply(status=500))
    run = queue_generation(lesson, "llm")
    assert run.status == RunStatus.FAILED and "HTTP 500" in run.error


def test_queue_generation_without_settings_raises_before_queueing(no_llm, lesson):
    with pytest.raises(LLMNotConfigured):
        queue_generation(lesson, "llm")
    assert not GenerationRun.objects.exists()


def test_queued_run_waits_for_a_worker(fake_llm, settings, sample_lesson):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    run = queue_generation(sample_lesson, "offline")
    assert run.status == RunStatus.QUEUED and not Question.objects.exists()
    # What the worker does when it picks the task up:
    outcome = generate_questions_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and outcome["created"] == run.accepted_count > 0
    assert generate_questions_task.call(run.pk)["status"] == RunStatus.DONE  # not run twice


def test_a_worker_without_settings_fails_the_run(no_llm, settings, lesson):
    run = GenerationRun.objects.create(lesson=lesson, backend="llm")
    outcome = generate_questions_task.call(run.pk)
    run.refresh_from_db()
    assert outcome["status"] == run.status == RunStatus.FAILED
    assert "No language model is configured" in run.error


def test_admin_shows_runs_read_only_with_reasons(fake_llm, lesson, admin_client):
    fake_llm.script(
        recorded.reply(recorded.FILL_BLANK, recorded.QUOTE_NOT_IN_ARTICLE),
        recorded.reply(recorded.QUOTE_NOT_IN_ARTICLE),
    )
    run = generate_for_lesson(lesson, count=2, backend="llm").run
    listing = admin_client.get(reverse("admin:quiz_generationrun_changelist"))
    assert listing.status_code == 200
    assert "fake-model" in listing.text and "1 stored, 1 rejected" in listing.text
    page = admin_client.get(reverse("admin:quiz_generationrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "evidence quote not found in the article" in page.text
    assert "What can bees see that people cannot?" in page.text
    assert "Ultraviolet light" in page.text  # the raw response, kept for review
    assert reverse("admin:quiz_question_change", args=[run.questions.get().pk]) in page.text
    assert admin_client.get(reverse("admin:quiz_generationrun_add")).status_code == 403


def test_teachers_may_view_runs(teacher):
    assert teacher.has_perm("quiz.view_generationrun")
    assert not teacher.has_perm("quiz.change_generationrun")


def test_lesson_admin_generates_with_the_language_model(fake_llm, lesson, client, teacher):
    fake_llm.script(
        recorded.reply(*recorded.GOOD, recorded.QUOTE_NOT_IN_ARTICLE),
        recorded.reply(recorded.QUOTE_NOT_IN_ARTICLE),
    )
    client.force_login(teacher)
    page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/").content.decode()
    assert "Generate with the language model" in page
    response = client.post(
        f"/admin/courses/lesson/{lesson.pk}/generate/", {"backend": "llm"}, follow=True
    )
    html = response.content.decode()
    assert "the language model wrote" in html and "See the run" in html
    run = GenerationRun.objects.get(backend="llm")
    assert run.accepted_count == Question.objects.filter(run=run).count() > 0


def test_lesson_admin_hides_llm_without_settings(no_llm, lesson, client, teacher):
    client.force_login(teacher)
    page = client.get(f"/admin/courses/lesson/{lesson.pk}/change/").content.decode()
    assert "Generate with the language model" not in page
    response = client.post(
        f"/admin/courses/lesson/{lesson.pk}/generate/", {"backend": "llm"}, follow=True
    )
    assert "language model" in response.content.decode()  # a clear refusal, nothing stored
    assert not Question.objects.filter(lesson=lesson).exists()
