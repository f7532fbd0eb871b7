"""Django glue for question authoring: run a backend on a lesson and store its drafts.

The generators themselves (quiz.authoring: the offline one, and the optional language-model
one in quiz.authoring.llm) know nothing about the database; this module turns a lesson into
their input, and their candidates into Question rows, keeping every question a teacher has
touched. Every run is recorded as a GenerationRun (backend, model, version, timing, accepted
and rejected items with reasons, raw replies), and every question points at its run.
"""

import logging
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz

from courses.models import Lesson
from quiz import authoring
from quiz.authoring import ArticleText, Candidate, UnsupportedLanguage
from quiz.authoring import llm as llm_backend
from quiz.authoring.checks import fill_in_answers
from quiz.authoring.llm import LLMConfig, LLMError, LLMNotConfigured, LLMUnavailable
from quiz.authoring.ranking import SCORE_FLOOR, select

from .feedback import rejection_penalties
from .models import (
    AcceptedAnswer,
    Choice,
    GenerationBackend,
    GenerationRun,
    Question,
    QuestionType,
    RunStatus,
    Status,
)

logger = logging.getLogger(__name__)
BACKENDS = tuple(GenerationBackend.values)  # ("offline", "llm")
DUPLICATE_REASON = "near-duplicate of an existing question"
# What a caller catches to tell the teacher (each has a one-line message): the language model
# failed, or the article is not one the generator can write questions for.
GenerationError = (LLMError, UnsupportedLanguage)

__all__ = [
    "BACKENDS",
    "GenerationError",
    "GenerationResult",
    "LLMNotConfigured",
    "LLMUnavailable",
    "generate_for_lesson",
    "llm_config",
    "llm_configured",
]

NEAR_DUPLICATE = 90  # rapidfuzz ratio of two prompts above which they ask the same thing


@dataclass
class GenerationResult:
    lesson: Lesson
    created: list[Question] = field(default_factory=list)
    replaced: int = 0
    skipped_duplicates: int = 0
    run: GenerationRun | None = None
    rejected: list[dict] = field(default_factory=list)  # {"prompt", "type", "reasons", ...}
    more: int | None = None  # "generate more": how many new drafts were asked for
    existing: int = 0  # questions the lesson had (rejected ones left out) before this run

    @property
    def exhausted(self) -> bool:
        """A "generate more" run that found fewer new questions than asked for."""
        return self.more is not None and len(self.created) < self.more

    @property
    def by_type(self) -> Counter:
        return Counter(question.get_type_display() for question in self.created)


def article_for(lesson: Lesson) -> ArticleText:
    return ArticleText(
        paragraphs=tuple(p.text for p in lesson.paragraphs.order_by("position")),
        summary=tuple(lesson.summary_paragraphs),
        title=lesson.title,
    )


def llm_config() -> LLMConfig:
    """The language-model settings; raises LLMNotConfigured (one line) when they are missing."""
    return LLMConfig.from_values(
        base_url=getattr(settings, "LLM_BASE_URL", ""),
        model=getattr(settings, "LLM_MODEL", ""),
        api_key=getattr(settings, "LLM_API_KEY", ""),
        timeout=getattr(settings, "LLM_TIMEOUT", None),
        max_tokens=getattr(settings, "LLM_MAX_TOKENS", None),
        max_retries=getattr(settings, "LLM_MAX_RETRIES", None),
    )


def llm_configured() -> bool:
    try:
        llm_config()
    except LLMNotConfigured:
        return False
    return True


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")


def _check_more(more: int | None, replace_drafts: bool) -> None:
    if more is None:
        return
    if isinstance(more, bool) or not isinstance(more, int) or more < 1:
        raise ValueError(f"more must be a whole number from 1 (got {more!r})")
    if replace_drafts:
        raise ValueError("more adds beside the existing questions; it never replaces drafts")


def _new_run(
    lesson, backend, *, count, replace_drafts, publish, user, status, more=None
) -> GenerationRun:
    return GenerationRun.objects.create(
        lesson=lesson,
        backend=backend,
        status=status,
        requested_count=count,
        replace_drafts=replace_drafts,
        more=more,
        publish=publish,
        requested_by=user if user is not None and user.is_authenticated else None,
    )


def generate_for_lesson(
    lesson: Lesson,
    *,
    count: int | None = None,
    replace_drafts: bool = False,
    publish: bool = False,
    backend: str = "offline",
    run: GenerationRun | None = None,
    user=None,
    config: LLMConfig | None = None,
    more: int | None = None,
) -> GenerationResult:
    """Generate questions for `lesson` and store them as drafts (or published).

    Teacher-edited, published and rejected questions are never touched. With `replace_drafts`
    the untouched drafts of earlier runs are replaced; otherwise new candidates that repeat an
    existing question are skipped, so running twice adds nothing.

    `backend` is "offline" (default, no network) or "llm" (needs LLM_BASE_URL and LLM_MODEL).
    The run is recorded in `run` (a queued GenerationRun) or in a new one. A GenerationError
    (the model not configured, unreachable, timing out or failing; an article not in English)
    marks the run failed, leaves every existing question as it was, and is re-raised with a
    one-line message. The offline ranking lowers the kinds of question teachers keep rejecting.

    With `more=N` ("generate more") no existing question changes, whatever its status: the
    backend is asked for more than the set it would choose (offline: its whole checked pool;
    the language model: N), anything that repeats an existing question (rejected ones too, so
    they never come back) is skipped, and at most N new drafts are stored after the others.
    `result.exhausted` says when the text offered fewer than N. `count` is ignored then.
    """
    _check_backend(backend)
    _check_more(more, replace_drafts)
    if backend == GenerationBackend.LLM and config is None:
        try:
            config = llm_config()  # without settings: nothing is recorded, nothing changes
        except LLMNotConfigured as exc:
            if run is not None:  # a queued run (e.g. a worker without LLM_* settings)
                run.status, run.error, run.finished_at = RunStatus.FAILED, str(exc), timezone.now()
                run.save()
            raise
    if run is None:
        run = _new_run(
            lesson,
            backend,
            count=count,
            replace_drafts=replace_drafts,
            publish=publish,
            user=user,
            status=RunStatus.RUNNING,
            more=more,
        )
    run.backend = backend
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    if backend == GenerationBackend.LLM:
        run.model, run.base_url = config.model[:200], config.base_url[:300]
        run.prompt_version = llm_backend.PROMPT_VERSION
    else:
        run.model, run.base_url = "", ""
        run.prompt_version = authoring.GENERATOR_VERSION
    run.save()
    started = time.perf_counter()
    result = GenerationResult(lesson=lesson, run=run, more=more)
    try:
        # The slow part, outside the transaction.
        article = article_for(lesson)
        if backend == GenerationBackend.LLM:
            wanted = count if count is not None else authoring.default_count(article)
            if more is not None:
                wanted = more
            outcome = llm_backend.generate(article, wanted, config)
            candidates = outcome.candidates
            result.rejected = [r.as_dict() for r in outcome.rejected]
            run.raw_response = outcome.raw_response
            origin, origin_version = f"llm:{config.model}"[:40], llm_backend.PROMPT_VERSION
        else:
            penalties = rejection_penalties()
            if more is None:
                candidates = authoring.generate(article, count=count, penalties=penalties)
            else:
                existing = list(lesson.questions.values_list("prompt", "fact"))
                candidates, repeats = _more_candidates(article, existing, more, penalties)
                result.skipped_duplicates += repeats
            origin, origin_version = authoring.GENERATOR_NAME, authoring.GENERATOR_VERSION
        _store(result, lesson, candidates, replace_drafts, publish, origin, origin_version, more)
    except BaseException as exc:
        run.status = RunStatus.FAILED
        run.error = str(exc) if isinstance(exc, GenerationError) else f"{type(exc).__name__}: {exc}"
        run.error = " ".join(run.error.split())[:1000]
        try:
            _finish(run, result, started)
        except Exception:  # e.g. inside a caller's broken transaction: keep the real error
            logger.exception("could not record the failure of generation run %s", run.pk)
        raise
    run.status = RunStatus.DONE
    _finish(run, result, started)
    return result


def _more_candidates(article, existing, more, penalties) -> tuple[list[Candidate], int]:
    """For "generate more": a balanced set of `more` chosen among the checked pool's
    candidates that are not in the quiz yet, then the rest of them, best first (to make up
    the number when the balance rules leave it short). Also how many repeated the quiz."""
    pool = authoring.candidates(article, penalties)
    fresh = [c for c in pool if not is_duplicate(c, existing)]
    chosen = select(fresh, more)
    picked = {id(c) for c in chosen}
    rest = [c for c in fresh if id(c) not in picked and c.score >= SCORE_FLOOR]
    return chosen + rest, len(pool) - len(fresh)


def _store(
    result, lesson, candidates, replace_drafts, publish, origin, origin_version, limit=None
) -> None:
    run = result.run
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if replace_drafts:
            _, deleted = lesson.questions.untouched_drafts().delete()
            result.replaced = deleted.get("quiz.Question", 0)
        result.existing = lesson.questions.exclude(status=Status.REJECTED).count()
        kept = list(lesson.questions.values_list("prompt", "fact"))
        position = max((q.position for q in lesson.questions.all()), default=0)
        for candidate in candidates:
            if limit is not None and len(result.created) >= limit:
                break
            if is_duplicate(candidate, kept):
                result.skipped_duplicates += 1
                result.rejected.append(
                    {
                        "prompt": candidate.prompt,
                        "type": candidate.type,
                        "reasons": [DUPLICATE_REASON],
                        "attempts": 1,
                    }
                )
                continue
            position += 1
            question = store_candidate(
                lesson,
                candidate,
                position=position,
                status=Status.PUBLISHED if publish else Status.DRAFT,
                origin=origin,
                origin_version=origin_version,
                run=run,
            )
            kept.append((question.prompt, question.fact))
            result.created.append(question)


def _finish(run: GenerationRun, result: GenerationResult, started: float) -> None:
    run.finished_at = timezone.now()
    run.duration = round(time.perf_counter() - started, 3)
    run.accepted_count = len(result.created)
    run.rejected_count = len(result.rejected)
    run.replaced_count = result.replaced
    run.accepted = [
        {
            "question": q.pk,
            "type": q.type,
            "skill": q.skill,
            "prompt": q.prompt,
            "evidence": q.evidence_quote,
            "paragraph": q.evidence_paragraph,
        }
        for q in result.created
    ]
    run.rejected = result.rejected
    run.save()


def is_duplicate(candidate: Candidate, existing: list[tuple[str, str]]) -> bool:
    return any(
        (candidate.fact and candidate.fact == fact)
        or fuzz.ratio(candidate.prompt, prompt) >= NEAR_DUPLICATE
        for prompt, fact in existing
    )


def store_candidate(
    lesson: Lesson,
    candidate: Candidate,
    *,
    position: int,
    status: str,
    origin: str = authoring.GENERATOR_NAME,
    origin_version: str = authoring.GENERATOR_VERSION,
    run: GenerationRun | None = None,
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
        origin=origin,
        origin_version=origin_version,
        run=run,
        position=position,
        rank_score=candidate.score,
        fact=candidate.fact[:200],
        kind=candidate.kind[:20],
    )
    ordered = candidate.type == QuestionType.SEQUENCE
    drafts = list(candidate.choices)
    if not ordered:
        # The generator's order is reproducible from its code; the stored one (seen when a
        # teacher turns shuffling off) and the rows' ids must not tell where the key is.
        secrets.SystemRandom().shuffle(drafts)
    Choice.objects.bulk_create(
        Choice(
            question=question,
            text=choice.text[:500],
            # Order questions keep their key in `position`; "correct" marks single answers only.
            is_correct=choice.correct and not ordered,
            rationale=choice.rationale[:500],
            position=i,
        )
        for i, choice in enumerate(drafts, start=1)
    )
    AcceptedAnswer.objects.bulk_create(
        AcceptedAnswer(question=question, text=text[:200])
        # Unique, in order; only other names of the key itself (grading accepts only these).
        for text in dict.fromkeys(fill_in_answers(candidate.accepted_answers))
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
        kind=question.kind,
    )
