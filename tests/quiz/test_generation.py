import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from courses.importing import decode_article, import_article, parse_article
from courses.models import Paragraph
from quiz.generation import generate_for_lesson
from quiz.models import Choice, Question, Status
from tests.factories import ARTICLES, make_course

pytestmark = pytest.mark.django_db
FIXTURES = sorted(p.name for p in ARTICLES.glob("*.txt"))


def import_fixture(name: str, course=None):
    course = course or make_course()
    parsed = parse_article(decode_article((ARTICLES / name).read_bytes()))
    lesson, _ = import_article(parsed, course, source_name=name)
    return lesson


def test_there_are_four_fixture_articles():
    assert len(FIXTURES) == 4 and "iran-azerbaijan-tensions.txt" in FIXTURES


def test_command_stores_drafts_with_evidence(capsys, sample_lesson):
    call_command("generate_questions", str(sample_lesson.pk))
    out = capsys.readouterr().out
    questions = list(Question.objects.filter(lesson=sample_lesson).with_options())
    assert 3 <= len(questions) <= 15  # fewer, better: only what passes the checks
    assert all(q.status == Status.DRAFT and q.origin == "offline" for q in questions)
    assert len({q.kind for q in questions}) >= 2 and all(q.kind for q in questions)
    assert "[1/1] south-caucasus-geopolitics/" in out and "new questions in" in out
    assert f"{len(questions)} questions for 1 lessons" in out
    for q in questions:
        text = sample_lesson.paragraphs.get(position=q.evidence_paragraph).text
        assert text[q.evidence_start : q.evidence_end] == q.evidence_quote
        assert q.source_hash == sample_lesson.text_hash and not q.is_stale
        if q.is_single_answer:
            assert sum(c.is_correct for c in q.choices.all()) == 1
        if q.type == "fill_blank":
            assert q.accepted_answers.exists() and "_____" in q.prompt
        if q.type == "sequence":
            assert q.choices.count() >= 3


def test_generation_is_deterministic(sample_lesson):
    first = [(q.type, q.prompt) for q in generate_for_lesson(sample_lesson).created]
    again = [
        (q.type, q.prompt) for q in generate_for_lesson(sample_lesson, replace_drafts=True).created
    ]
    assert first == again


def test_regeneration_keeps_what_teachers_touched(sample_lesson):
    created = generate_for_lesson(sample_lesson).created
    edited, published, rejected, untouched = created[0], created[1], created[2], created[3:]
    Question.objects.filter(pk=edited.pk).update(teacher_edited=True, prompt="Edited prompt?")
    Question.objects.filter(pk=published.pk).update(status=Status.PUBLISHED)
    Question.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    teacher_own = Question.objects.create(
        lesson=sample_lesson,
        type="true_false",
        prompt="A teacher's own question.",
        evidence_paragraph=1,
        evidence_start=0,
        evidence_end=5,
        evidence_quote="The t",
    )

    # Without --replace-drafts nothing is duplicated.
    assert generate_for_lesson(sample_lesson).created == []

    result = generate_for_lesson(sample_lesson, replace_drafts=True)
    assert result.replaced == len(untouched)
    assert not Question.objects.filter(pk__in=[q.pk for q in untouched]).exists()
    kept = Question.objects.filter(pk__in=[edited.pk, published.pk, rejected.pk, teacher_own.pk])
    assert kept.count() == 4
    assert Question.objects.get(pk=edited.pk).prompt == "Edited prompt?"
    # New drafts never repeat a kept question.
    prompts = [q.prompt for q in result.created]
    assert published.prompt not in prompts and rejected.prompt not in prompts


def test_publish_option_and_counts(capsys, sample_lesson):
    call_command("generate_questions", sample_lesson.slug, "--count", "2", "--publish")
    assert Question.objects.published().count() == 2
    with pytest.raises(CommandError, match="--count must be between 1 and 100"):
        call_command("generate_questions", "--count", "0")
    with pytest.raises(CommandError, match="no lesson 'nope'"):
        call_command("generate_questions", "nope")


def test_only_questions_whose_evidence_went_are_stale_after_a_rewrite(sample_lesson):
    created = generate_for_lesson(sample_lesson).created
    Paragraph.objects.filter(lesson=sample_lesson, position=1).update(text="Rewritten.")
    sample_lesson.text_saved()
    for question in Question.objects.filter(pk__in=[q.pk for q in created]):
        assert question.is_stale == (question.evidence_paragraph == 1), question.evidence_quote
    assert any(q.evidence_paragraph == 1 for q in created)


def test_database_allows_one_correct_choice(sample_lesson):
    question = generate_for_lesson(sample_lesson).created[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.create(question=question, text="Also right", is_correct=True)


@pytest.mark.parametrize("name", FIXTURES)
def test_evaluation_measures_every_fixture_article(name, capsys):
    lesson = import_fixture(name)
    call_command("generate_questions", str(lesson.pk))
    call_command("evaluate_questions", str(lesson.pk))
    out = capsys.readouterr().out
    assert f"== {lesson.course.slug}/{lesson.slug}: " in out and "aim ≤ 15%" in out
    assert "PASSED" not in out and "FAILED" not in out
    assert "evidence_not_found:" not in out  # every stored evidence quote is where it says


def test_evaluate_flags_a_broken_question(capsys, sample_lesson):
    question = generate_for_lesson(sample_lesson).created[0]
    Question.objects.filter(pk=question.pk).update(evidence_quote="Not in the article at all.")
    call_command("evaluate_questions", str(sample_lesson.pk))
    assert "evidence_not_found: the evidence quote is not at its offsets" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no lesson 'nope'"):
        call_command("evaluate_questions", "nope")
