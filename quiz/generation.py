"""Django glue for question authoring: run a backend on a lesson and store its drafts.

The generator itself (quiz.authoring) knows nothing about the database; this module turns a
lesson into its input, and its candidates into Question rows, keeping every question a teacher
has touched.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from rapidfuzz import fuzz

from courses.models import Lesson
from quiz import authoring
from quiz.authoring import ArticleText, Candidate

from .models import AcceptedAnswer, Choice, Question, QuestionType, Status

NEAR_DUPLICATE = 90  # rapidfuzz ratio of two prompts above which they ask the same thing


@dataclass
class GenerationResult:
    lesson: Lesson
    created: list[Question] = field(default_factory=list)
    replaced: int = 0
    skipped_duplicates: int = 0

    @property
    def by_type(self) -> Counter:
        return Counter(question.get_type_display() for question in self.created)


def article_for(lesson: Lesson) -> ArticleText:
    return ArticleText(
        paragraphs=tuple(p.text for p in lesson.paragraphs.order_by("position")),
        summary=tuple(lesson.summary_paragraphs),
        title=lesson.title,
    )


def generate_for_lesson(
    lesson: Lesson,
    *,
    count: int | None = None,
    replace_drafts: bool = False,
    publish: bool = False,
) -> GenerationResult:
    """Generate questions for `lesson` and store them as drafts (or published).

    Teacher-edited, published and rejected questions are never touched. With `replace_drafts`
    the untouched drafts of earlier runs are replaced; otherwise new candidates that repeat an
    existing question are skipped, so running twice adds nothing.
    """
    article = article_for(lesson)
    candidates = authoring.generate(article, count=count)  # slow part: outside the transaction
    result = GenerationResult(lesson=lesson)
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if replace_drafts:
            _, deleted = lesson.questions.untouched_drafts().delete()
            result.replaced = deleted.get("quiz.Question", 0)
        kept = list(lesson.questions.values_list("prompt", "fact"))
        position = max((q.position for q in lesson.questions.all()), default=0)
        for candidate in candidates:
            if is_duplicate(candidate, kept):
                result.skipped_duplicates += 1
                continue
            position += 1
            question = store_candidate(
                lesson,
                candidate,
                position=position,
                status=Status.PUBLISHED if publish else Status.DRAFT,
            )
            kept.append((question.prompt, question.fact))
            result.created.append(question)
    return result


def is_duplicate(candidate: Candidate, existing: list[tuple[str, str]]) -> bool:
    return any(
        (candidate.fact and candidate.fact == fact)
        or fuzz.ratio(candidate.prompt, prompt) >= NEAR_DUPLICATE
        for prompt, fact in existing
    )


def store_candidate(
    lesson: Lesson, candidate: Candidate, *, position: int, status: str
) -> Question:
    question = Question.objects.create(
        lesson=lesson,
        type=candidate.type,
        prompt=candidate.prompt,
        explanation=candidate.explanation,
        evidence_paragraph=candidate.paragraph + 1,
        evidence_start=candidate.start,
        evidence_end=candidate.end,
        evidence_quote=candidate.evidence,
        source_hash=lesson.text_hash,
        skill=candidate.skill,
        difficulty=candidate.difficulty,
        status=status,
        origin=authoring.GENERATOR_NAME,
        origin_version=authoring.GENERATOR_VERSION,
        position=position,
        rank_score=candidate.score,
        fact=candidate.fact[:200],
    )
    ordered = candidate.type == QuestionType.SEQUENCE
    Choice.objects.bulk_create(
        Choice(
            question=question,
            text=choice.text[:500],
            # Order questions keep their key in `position`; "correct" marks single answers only.
            is_correct=choice.correct and not ordered,
            rationale=choice.rationale[:500],
            position=i,
        )
        for i, choice in enumerate(candidate.choices, start=1)
    )
    AcceptedAnswer.objects.bulk_create(
        AcceptedAnswer(question=question, text=text[:200])
        for text in dict.fromkeys(candidate.accepted_answers)  # unique, in order
    )
    return question


def candidate_from_question(question: Question) -> Candidate:
    """A stored question in the generator's terms, so the same checks can evaluate it."""
    ordered = question.type == QuestionType.SEQUENCE
    return Candidate(
        type=question.type,
        prompt=question.prompt,
        explanation=question.explanation,
        skill=question.skill,
        difficulty=question.difficulty,
        paragraph=question.evidence_paragraph - 1,
        start=question.evidence_start,
        end=question.evidence_end,
        evidence=question.evidence_quote,
        choices=[
            authoring.ChoiceDraft(c.text, c.is_correct or ordered, c.rationale)
            for c in question.choices.all()
        ],
        accepted_answers=[a.text for a in question.accepted_answers.all()],
        score=question.rank_score,
        fact=question.fact,
    )
