"""Background work (django-tasks): generation runs that may take tens of seconds.

With the immediate backend (tests, and the default without a language model) a task runs at
once in the caller; with the database backend `manage.py db_worker` runs it.
"""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def generate_questions_task(run_id: int) -> dict:
    """Carry out the queued GenerationRun `run_id`; its row shows progress and the result."""
    from .generation import GenerationError, generate_for_lesson
    from .models import GenerationRun, RunStatus

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
