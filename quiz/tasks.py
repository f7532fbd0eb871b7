"""Background work (django-tasks): generation runs that may take tens of seconds.

With the immediate backend (tests, and the default without a language model) a task runs at
once in the caller; with the database backend `manage.py db_worker` runs it.
"""

import logging

from django_tasks import task

from courses.models import Lesson

from .generation import (
    GenerationError,
    _check_backend,
    _check_more,
    _new_run,
    generate_for_lesson,
    llm_config,
)
from .models import GenerationBackend, GenerationRun, RunStatus

logger = logging.getLogger(__name__)


@task()
def generate_questions_task(run_id: int) -> dict:
    """Carry out the queued GenerationRun `run_id`; its row shows progress and the result."""
    run = GenerationRun.objects.select_related("lesson").filter(pk=run_id).first()
    if run is None:
        return {"run": run_id, "status": "missing"}
    if run.status != RunStatus.QUEUED:
        return {"run": run_id, "status": run.status}  # already picked up (e.g. a retry)
    try:
        result = generate_for_lesson(
            run.lesson,
            count=run.requested_count,
            replace_drafts=run.replace_drafts,
            publish=run.publish,
            backend=run.backend,
            run=run,
            more=run.more,
        )
    except GenerationError as exc:
        # Expected failures (server down, timeout, not configured): the run says why.
        logger.warning("generation run %s failed: %s", run_id, exc)
        return {"run": run_id, "status": RunStatus.FAILED, "error": str(exc)}
    return {
        "run": run_id,
        "status": RunStatus.DONE,
        "created": len(result.created),
        "rejected": len(result.rejected),
    }


def queue_generation(
    lesson: Lesson,
    backend: str = "offline",
    *,
    count: int | None = None,
    replace_drafts: bool | None = None,
    publish: bool = False,
    user=None,
    more: int | None = None,
) -> GenerationRun:
    """Record a queued run and hand it to the background task below.

    With the immediate task backend (tests, and the default without a language model) the run
    has finished when this returns; with the database backend `manage.py db_worker` picks it
    up. Raises LLMNotConfigured (one line) for "llm" without settings, before queueing
    anything. Backend failures never raise here: they end up in `run.status`/`run.error`.
    Untouched drafts are replaced unless `replace_drafts=False` or `more` is given (see
    generate_for_lesson).
    """
    _check_backend(backend)
    if replace_drafts is None:
        replace_drafts = more is None
    _check_more(more, replace_drafts)
    if backend == GenerationBackend.LLM:
        llm_config()
    run = _new_run(
        lesson,
        backend,
        count=count,
        replace_drafts=replace_drafts,
        publish=publish,
        user=user,
        status=RunStatus.QUEUED,
        more=more,
    )
    task_result = generate_questions_task.enqueue(run.pk)
    GenerationRun.objects.filter(pk=run.pk).update(task_id=str(task_result.id)[:64])
    run.refresh_from_db()
    return run
