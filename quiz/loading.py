"""What the question page and the answer load: the app's hot path, in prepared queries.

Every query here always has the same shape, so each is compiled once per process
(config.prepared) rather than on every request: building and compiling the wide join below
cost more CPU than SQLite took to run it. Attempts are always looked up through the learner,
so another learner's attempt is a 404.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from config.prepared import INTEGER, PreparedQuery

from . import review
from .models import AcceptedAnswer, AttemptItem, Choice, QuestionType

# The columns the question page and the answer round trip use: naming them keeps the one
# joined query small to read.
ITEM_PAGE_COLUMNS = [
    "position",
    "choice_order",
    "question_id",
    *(
        f"attempt__{f}"
        for f in (
            "learner_id",
            "lesson_id",
            "number",
            "is_practice",
            "feedback_mode",
            "pass_mark",
            "retry_penalty",
            "finished_at",
            "correct_count",
            "marks",
            "answered_count",
            "question_total",
        )
    ),
    "attempt__lesson__title",
    "attempt__lesson__slug",
    "attempt__lesson__published",
    *(f"attempt__lesson__quiz_settings__review_{part}" for part in review.DEFAULT_TIMINGS),
    "attempt__lesson__course_id",
    "attempt__lesson__course__slug",
    *(
        f"question__{f}"
        for f in (
            "lesson_id",
            "type",
            "prompt",
            "explanation",
            "evidence_paragraph",
            "evidence_start",
            "evidence_end",
            "evidence_quote",
            "evidence_missing",  # these two decide whether the link highlights the sentence
            "evidence_check",
        )
    ),
    *(
        f"response__{f}"
        for f in ("item_id", "choice_id", "text", "order", "is_correct", "tries", "first_try")
    ),
    "response__choice__text",
    "response__choice__is_correct",
]


def item_page_queryset():
    return AttemptItem.objects.select_related(
        "attempt__lesson__course",
        "attempt__lesson__quiz_settings",
        "question",
        "response__choice",
    ).only(*ITEM_PAGE_COLUMNS)


_item = PreparedQuery(
    lambda attempt, learner, position: item_page_queryset().filter(
        attempt_id=attempt, attempt__learner_id=learner, position=position
    ),
    attempt=INTEGER,
    learner=INTEGER,
    position=INTEGER,
)

# Item n and the next item still open after it, in the one joined query (one more row).
_item_and_following = PreparedQuery(
    lambda attempt, learner, position: (
        item_page_queryset()
        .filter(attempt_id=attempt, attempt__learner_id=learner)
        .filter(Q(position=position) | Q(position__gt=position, response__isnull=True))
        .order_by("position")[:2]
    ),
    attempt=INTEGER,
    learner=INTEGER,
    position=INTEGER,
)

# The options of one or two questions (the same id twice for one): a fixed shape, unlike
# prefetch_related's IN list.
_choices = PreparedQuery(
    lambda first, second: Choice.objects.filter(question_id__in=[first, second]),
    first=INTEGER,
    second=INTEGER,
)
_accepted = PreparedQuery(
    lambda first, second: AcceptedAnswer.objects.filter(question_id__in=[first, second]),
    first=INTEGER,
    second=INTEGER,
)

_map = PreparedQuery(
    lambda attempt: (
        AttemptItem.objects.filter(attempt_id=attempt)
        .order_by("position")
        .values_list("position", "response__id", "response__is_correct")
    ),
    attempt=INTEGER,
    flat_tuples=True,
)


def items_for_map(attempt) -> list[tuple[int, bool, bool | None]]:
    """(position, answered, correct) of every item: one small query for the question map."""
    return [
        (position, response is not None, correct)
        for position, response, correct in _map(attempt=attempt.pk)
    ]


def _attach(questions, name: str, query: PreparedQuery) -> None:
    ids = [q.pk for q in questions]
    rows = query(first=ids[0], second=ids[-1])
    for question in questions:
        # What prefetch_related leaves: `question.<name>.all()` serves these rows with no
        # query, while a .filter() on it still asks the database, scoped to this question.
        question.__dict__.get("_prefetched_objects_cache", {}).pop(name, None)
        cached = getattr(question, name).get_queryset()
        cached._result_cache = [row for row in rows if row.question_id == question.pk]
        cached._prefetch_done = True
        question._prefetched_objects_cache = {
            **getattr(question, "_prefetched_objects_cache", {}),
            name: cached,
        }


def load_options(questions) -> None:
    """Only what each type of question uses: its choices or its accepted answers (one query
    for each kind present, for one or two questions)."""
    blanks = [q for q in questions if q.type == QuestionType.FILL_BLANK]
    others = [q for q in questions if q.type != QuestionType.FILL_BLANK]
    if blanks:
        _attach(blanks, "accepted_answers", _accepted)
    if others:
        _attach(others, "choices", _choices)


def item_for_learner(learner, attempt_id: int, n: int) -> AttemptItem:
    rows = _item(attempt=attempt_id, learner=learner.pk, position=n)
    if not rows:
        raise Http404("No such question in your attempts.")
    item = rows[0]
    item.question.lesson = item.attempt.lesson  # already loaded: evidence links need no query
    load_options([item.question])
    return item


def items_for_answer(learner, attempt_id: int, n: int) -> tuple[AttemptItem, AttemptItem | None]:
    """Item `n` and the next item still open after it (None: none is), and both questions'
    options in one query more."""
    rows = _item_and_following(attempt=attempt_id, learner=learner.pk, position=n)
    if not rows or rows[0].position != n:
        raise Http404("No such question in your attempts.")
    item, following = rows[0], (rows[1] if len(rows) > 1 else None)
    item.question.lesson = item.attempt.lesson
    questions = [item.question]
    if following is not None:
        following.attempt = item.attempt  # the same attempt, whose counts this answer changes
        following.question.lesson = item.attempt.lesson
        if following.question.type != QuestionType.FILL_BLANK:  # a blank's form needs none
            questions.append(following.question)
    load_options(questions)
    return item, following
