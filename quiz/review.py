"""What a learner may see of their marked answers, and when: the teacher's review options.

Pure functions over loaded rows (no queries), so every page that could show a key asks the same
question the same way: the question card, the map, results, practice and the preview.
"""

from dataclasses import dataclass

from .models import (
    PASSED_STATUSES,
    Attempt,
    FeedbackMode,
    LessonProgress,
    QuizSettings,
    ReviewTiming,
)


@dataclass(frozen=True)
class Shown:
    """Which parts of the review a page may show for one attempt."""

    correctness: bool = False  # right or wrong
    evidence: bool = False  # "Show me where in the article"
    answer: bool = False  # the key
    explanation: bool = False  # why the key is right, with the quoted sentence


NOTHING = Shown()

# The defaults when a lesson has no settings row yet (they match the model's defaults).
DEFAULT_TIMINGS = {
    "correctness": ReviewTiming.DURING,
    "evidence": ReviewTiming.DURING,
    "answer": ReviewTiming.FINAL,
    "explanation": ReviewTiming.FINAL,
}


def timings(settings: QuizSettings | None) -> dict[str, str]:
    if settings is None:
        return dict(DEFAULT_TIMINGS)
    return {part: getattr(settings, f"review_{part}") for part in DEFAULT_TIMINGS}


def concluded(
    progress: LessonProgress | None, settings: QuizSettings | None, *, open_attempt: bool
) -> bool:
    """The learner has passed, or has no graded attempt left: the "final" review opens.

    Never while a graded attempt is open, or an earlier attempt's review would answer it.
    """
    if open_attempt or progress is None:
        return False
    if progress.status in PASSED_STATUSES:
        return True
    max_attempts = settings.max_attempts if settings else None
    return max_attempts is not None and progress.attempts_count >= max_attempts


def shown(attempt: Attempt, settings: QuizSettings | None, *, concluded: bool = False) -> Shown:
    """What may be shown now for the answered items of `attempt`."""
    if not attempt.is_finished:
        if attempt.feedback_mode == FeedbackMode.END:
            return NOTHING  # marked only at the end: nothing is shown while it is open
        open_to = {ReviewTiming.DURING}
    else:
        open_to = {ReviewTiming.DURING, ReviewTiming.AFTER}
        if concluded:
            open_to.add(ReviewTiming.FINAL)
    return Shown(**{part: timing in open_to for part, timing in timings(settings).items()})


def when_text(timing: str) -> str:
    """The learner's words for a timing, after "You will see the right answer …"."""
    return {
        ReviewTiming.DURING: "after each answer",
        ReviewTiming.AFTER: "when you finish",
        ReviewTiming.FINAL: "once you pass or have no attempt left",
        ReviewTiming.NEVER: "",
    }[timing]


def may_retry(attempt: Attempt, question, response) -> bool:
    """A second try is offered after a wrong first answer in interactive mode.

    Not where one other option is left (true or false, two choices): that try answers itself.
    """
    if question.is_single_answer and len(question.choices.all()) < 3:
        return False
    return (
        attempt.feedback_mode == FeedbackMode.INTERACTIVE
        and not attempt.is_finished
        and response is not None
        and not response.is_correct
        and response.tries == 1
    )
