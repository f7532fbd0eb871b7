"""Student-facing quiz views: thin, with the htmx branch in plain sight.

Attempts are always looked up through the signed-in learner, so another learner's attempt is
a 404, never a permission check someone could forget.
"""

import dataclasses
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from courses.models import Course, Lesson

from . import attempts, question_map, review
from .draft_editing import DraftEditor, refusal
from .forms import AnswerForm
from .grading import correct_order, is_correct, key_text
from .loading import item_for_learner, items_for_answer, items_for_map
from .models import (
    Attempt,
    AttemptItem,
    Choice,
    FeedbackMode,
    LessonProgress,
    Question,
    QuestionType,
    QuizSettings,
    RejectionReason,
    ReviewTiming,
    Status,
)


def wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def learner_required(view):
    """Like login_required, but an htmx request gets a 401 the page can explain ("not saved:
    log in again") instead of a log-in page swapped into the question card."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            return HttpResponse("Your session has expired: log in again.", status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


def quiz_view(view):
    """The decorators every attempt page shares: learner only, no caching, varies on htmx."""
    return learner_required(never_cache(vary_on_headers("HX-Request")(view)))


def response_of(item: AttemptItem):
    try:
        return item.response
    except AttemptItem.response.RelatedObjectDoesNotExist:
        return None


def quiz_settings(lesson) -> QuizSettings | None:
    try:
        return lesson.quiz_settings
    except QuizSettings.DoesNotExist:
        return None


def question_context(
    item: AttemptItem,
    form: AnswerForm | None = None,
    *,
    with_map: bool = True,
    retry_form: AnswerForm | None = None,
    **extra,
) -> dict:
    attempt = item.attempt
    response = response_of(item)
    question = item.question
    settings = quiz_settings(attempt.lesson)
    # While the attempt is open the "final" review never applies (review.concluded).
    shown = review.shown(attempt, settings)
    retry = review.may_retry(attempt, question, response)
    if retry:
        # Whatever the review options, a question still open to a second try keeps its key.
        shown = dataclasses.replace(shown, answer=False, explanation=False)
    # After an answer only this item's map entry changes (htmx out-of-band), so the answer
    # response skips the query for the whole map.
    if with_map:
        rows = items_for_map(attempt)
    else:
        rows = [(item.position, response is not None, response and response.is_correct)]
    entries = question_map.entries(attempt.pk, rows, item.position, shown.correctness)
    own_url = question_map.question_url(attempt.pk, item.position)
    context = {
        "attempt": attempt,
        "lesson": attempt.lesson,
        "item": item,
        "question": question,
        "response": response,
        "form": form if response is None else None,
        "shown": shown,
        "answer_when": review.when_text(review.timings(settings)["answer"]),
        "map": entries if with_map else [],
        "map_entry": entries[item.position - 1] if with_map else entries[0],
        "question_url": own_url,  # where its forms post
        "next_url": next_url(attempt, item.position),
        "has_next_question": item.position < attempt.question_total,
        "evidence_href": question.evidence_url(back=own_url),
        "retry_credit": 100 - attempt.retry_penalty,
        **extra,
    }
    if retry:
        context["retry_form"] = retry_form or AnswerForm(item, prefix="retry")
    # The key enters the context only once it may be shown.
    if response is not None and shown.answer:
        context["key"] = key_text(question)
    if response is not None:
        context["given"] = given_text(item, response)
        if response.first_try:
            context["first_given"] = given_text(item, response, first=True)
    return context


def given_text(item: AttemptItem, response, *, first: bool = False) -> str:
    """The learner's answer in words (`first`: their wrong first try, kept after a second)."""
    given = response.first_try if first else {"text": response.text, "order": response.order}
    if item.question.type == QuestionType.FILL_BLANK:
        return given["text"]
    by_id = {c.pk: c.text for c in item.question.choices.all()}
    if item.question.type == QuestionType.SEQUENCE:
        return " → ".join(by_id.get(pk, "(removed)") for pk in given["order"] or [])
    if first:
        return by_id.get(given["choice"], "(a choice since removed)")
    return response.choice.text if response.choice else "(a choice since removed)"


def next_url(attempt: Attempt, position: int) -> str:
    if position < attempt.question_total:
        return question_map.question_url(attempt.pk, position + 1)
    return reverse("quiz:summary", args=[attempt.pk])


@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    """GET: what the quiz is, with a Start/Resume button. POST: start or resume, then go."""
    lesson_obj = get_object_or_404(
        Lesson.objects.published().select_related("course"), course__slug=course, slug=lesson
    )
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("quiz:start", args=[course, lesson]))
    if request.method == "POST":
        try:
            attempt, _ = attempts.start_or_resume(request.user, lesson_obj)
        except attempts.QuizError as error:
            messages.error(request, str(error))
            return redirect(lesson_obj.get_absolute_url() + "#quiz")
        return redirect(first_open_question(attempt))
    return TemplateResponse(request, "quiz/start.html", start_context(request.user, lesson_obj))


def start_context(user, lesson: Lesson) -> dict:
    settings = attempts.settings_for(lesson)
    return {
        "lesson": lesson,
        "course": lesson.course,
        "settings": settings,
        "question_count": lesson.questions.published().count(),
        "open_attempt": Attempt.objects.filter(
            learner=user, lesson=lesson, is_practice=False, finished_at__isnull=True
        ).first(),
        "attempts_left": attempts.attempts_left(user, lesson, settings),
        "retry_credit": 100 - settings.retry_penalty,
        "answer_when": review.when_text(settings.review_answer),
    }


def first_open_question(attempt: Attempt) -> str:
    position = (
        attempt.items.filter(response__isnull=True)
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )
    if position is None:
        return reverse("quiz:summary", args=[attempt.pk])
    return question_map.question_url(attempt.pk, position)


WITHDRAWN = "Your teacher has taken this lesson down for now: your answers so far are saved."


@require_http_methods(["GET", "HEAD", "POST"])
@quiz_view
def question(request: HttpRequest, attempt_id: int, n: int) -> HttpResponse:
    if request.method == "POST":  # only a POST is an answer
        return answer(request, attempt_id, n)
    item = item_for_learner(request.user, attempt_id, n)
    attempt = item.attempt
    if attempt.is_finished:
        return redirect("quiz:results", attempt.pk)
    if not attempt.lesson.published:
        return withdrawn(request, attempt)
    template = "quiz/question_swap.html" if wants_partial(request) else "quiz/question.html"
    form = AnswerForm(item) if response_of(item) is None else None
    return TemplateResponse(request, template, question_context(item, form))


def answer(request: HttpRequest, attempt_id: int, n: int) -> HttpResponse:
    # The next open question comes with the item, for the answer's "Next" (see answered).
    item, following = items_for_answer(request.user, attempt_id, n)
    attempt = item.attempt
    if attempt.is_finished:
        return refuse(request, item, "This attempt is finished: your answers can no longer change.")
    if not attempt.lesson.published:
        return refuse(request, item, WITHDRAWN, then=request.path)
    response = response_of(item)
    if response is not None:
        if request.POST.get("try") == "2" and review.may_retry(attempt, item.question, response):
            return second_try(request, item, response, following)
        return answered(request, item, following, already=True)
    form = AnswerForm(item, request.POST)
    if not form.is_valid():
        # Re-render the same card with the error, status 200 so htmx swaps it in.
        template = "quiz/question.html"
        if request.htmx:
            template += "#question-card"
        return TemplateResponse(request, template, question_context(item, form))
    try:
        recorded = attempts.record_answer(item, form.answer())
    except attempts.AttemptClosed as error:
        return refuse(request, item, str(error))
    item.response = recorded.response
    return answered(request, item, following, already=not recorded.created)


def second_try(request: HttpRequest, item: AttemptItem, response, following) -> HttpResponse:
    form = AnswerForm(item, request.POST, prefix="retry")
    if not form.is_valid():
        template = "quiz/question.html"
        if request.htmx:
            template += "#question-card"
        return TemplateResponse(request, template, question_context(item, retry_form=form))
    try:
        recorded = attempts.record_second_try(item, response, form.answer())
    except attempts.QuizError as error:
        return refuse(request, item, str(error))
    item.response = recorded.response
    return answered(request, item, following, already=not recorded.created)


def withdrawn(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    return TemplateResponse(
        request,
        "quiz/withdrawn.html",
        {"attempt": attempt, "lesson": attempt.lesson, "message": WITHDRAWN},
    )


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST the browser GETs the next page (a reload never resends)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def step_after(attempt: Attempt, following: AttemptItem | None) -> str:
    """Where "Next" leads after an answer: the next question still open, else the summary."""
    if following is not None:
        return question_map.question_url(attempt.pk, following.position)
    return reverse("quiz:summary", args=[attempt.pk])


def answered(
    request: HttpRequest, item: AttemptItem, following: AttemptItem | None, *, already: bool
) -> HttpResponse:
    attempt = item.attempt
    if not request.htmx:
        own_page = question_map.question_url(attempt.pk, item.position)
        if already:
            messages.info(request, "You had already answered this question; here is your answer.")
            return see_other(own_page + "#feedback")
        if review.shown(attempt, quiz_settings(attempt.lesson)) == review.NOTHING:
            # Marked at the end: no feedback to show, so straight on to the next question.
            messages.success(request, f"Your answer to question {item.position} is saved.")
            return see_other(step_after(attempt, following))
        # Post/Redirect/Get to the feedback, the page opening at the verdict.
        return see_other(own_page + "#feedback")
    context = question_context(item, with_map=False, already=already, oob=True)
    if "retry_form" not in context:  # a second try offered: the learner stays here
        context.update(next_step(request, item, following))
    return TemplateResponse(request, "quiz/answer_response.html", context)


def next_step(request: HttpRequest, item: AttemptItem, following: AttemptItem | None) -> dict:
    """What "Next" shows, rendered now so that it needs no request (app.js swaps it in from
    <template id="next-card">): the next open question's card as a GET of it renders it, with
    the title and the two map entries that change, or after the last one the summary."""
    attempt, lesson = item.attempt, item.attempt.lesson
    step = {"next_url": step_after(attempt, following), "has_next_question": bool(following)}
    if following is not None:
        context = question_context(following, AnswerForm(following), with_map=False)
        rows = [
            (item.position, True, response_of(item).is_correct),
            (following.position, False, None),
        ]
        context["map_entries"] = question_map.entries(
            attempt.pk, rows, following.position, context["shown"].correctness
        )
        step["next_card"] = render_to_string("quiz/_next_card.html", context, request)
        step["next_title"] = f"Question {following.position} · {lesson.title}"
        return step
    if attempt.answered_count >= attempt.question_total:
        unanswered = []  # every question answered: no query for the list
    else:
        unanswered = list(
            attempt.items.filter(response__isnull=True)
            .order_by("position")
            .values("position", "question__prompt")
        )
    step["next_card"] = render_to_string(
        "quiz/summary.html#summary-page",
        {"attempt": attempt, "lesson": lesson, "unanswered": unanswered},
        request,
    )
    step["next_title"] = f"Review · {lesson.title}"
    step["next_replace"] = "quiz-area"
    return step


def refuse(request: HttpRequest, item: AttemptItem, message: str, then: str = "") -> HttpResponse:
    """A clear message and no change, with 409 Conflict (app.js swaps it in for htmx)."""
    if not request.htmx:
        messages.error(request, message)
        return see_other(then or reverse("quiz:results", args=[item.attempt_id]))
    return TemplateResponse(
        request, "quiz/refused.html", {"message": message, "item": item}, status=409
    )


def attempt_for_learner(request: HttpRequest, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("lesson__course", "lesson__quiz_settings"),
        pk=attempt_id,
        learner=request.user,
    )


@require_safe
@quiz_view
def summary(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = attempt_for_learner(request, attempt_id)
    if attempt.is_finished:
        return redirect("quiz:results", attempt.pk)
    if not attempt.lesson.published:
        return withdrawn(request, attempt)
    items = list(
        attempt.items.order_by("position").values("position", "question__prompt", "response__id")
    )
    unanswered = [item for item in items if item["response__id"] is None]
    return TemplateResponse(
        request,
        "quiz/summary.html",
        {"attempt": attempt, "lesson": attempt.lesson, "unanswered": unanswered, "map": items},
    )


@require_POST
@quiz_view
def finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = attempt_for_learner(request, attempt_id)
    if not attempt.lesson.published and not attempt.is_finished:
        messages.error(request, WITHDRAWN)
        return redirect("quiz:summary", attempt.pk)
    attempt = attempts.finish(attempt)
    return redirect("quiz:results", attempt.pk)


@require_safe
@quiz_view
def results(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = attempt_for_learner(request, attempt_id)
    if not attempt.is_finished:
        return redirect("quiz:summary", attempt.pk)
    lesson = attempt.lesson
    settings = quiz_settings(lesson)
    progress = LessonProgress.objects.filter(learner=request.user, lesson=lesson).first()
    used, open_attempt = attempts.graded_attempts(request.user, lesson)
    shown = review.shown(
        attempt, settings, concluded=review.concluded(progress, settings, open_attempt=open_attempt)
    )
    items = list(
        attempt.items.select_related("question", "response__choice")
        .prefetch_related(
            Prefetch("question__choices", queryset=Choice.objects.order_by("position", "pk")),
            "question__accepted_answers",
        )
        .order_by("position")
    )
    rows = []
    for item in items:
        item.question.lesson = lesson  # loaded already: evidence links need no query
        response = response_of(item)
        rows.append(
            {
                "item": item,
                "question": item.question,
                "response": response,
                "given": given_text(item, response) if response else "",
                "evidence_href": item.question.evidence_url(back=request.path),
                # The key enters the context only when the review options allow it.
                "key": key_text(item.question) if shown.answer else "",
            }
        )
    missed = sum(1 for row in rows if not (row["response"] and row["response"].is_correct))
    rows_total = len(rows)
    # "Only my mistakes": a plain link (no JavaScript), and only once right or wrong may show.
    only_mistakes = request.GET.get("only") == "mistakes" and shown.correctness and missed > 0
    if only_mistakes:
        rows = [row for row in rows if not (row["response"] and row["response"].is_correct)]
    max_attempts = settings.max_attempts if settings else None
    left = None if max_attempts is None else max(0, max_attempts - used)
    return TemplateResponse(
        request,
        "quiz/results.html",
        {
            "attempt": attempt,
            "lesson": lesson,
            "rows": rows,
            "rows_total": rows_total,
            "only_mistakes": only_mistakes,
            "missed": missed,
            "shown": shown,
            "progress": progress,
            "attempts_left": left,
            "answer_when": review.when_text(review.timings(settings)["answer"]),
        },
    )


@require_POST
@quiz_view
def practice(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = attempt_for_learner(request, attempt_id)
    try:
        practice_attempt = attempts.start_practice(request.user, attempt)
    except attempts.QuizError as error:
        messages.info(request, str(error))
        return redirect("quiz:results", attempt.pk)
    return redirect("quiz:question", practice_attempt.pk, 1)


@require_safe
@learner_required
def my_learning(request: HttpRequest) -> HttpResponse:
    progress = list(
        LessonProgress.objects.filter(learner=request.user)
        .select_related("lesson__course")
        .order_by("-last_activity")
    )
    course_ids = {p.lesson.course_id for p in progress}
    courses = list(
        Course.objects.filter(pk__in=course_ids).with_published_lesson_counts().order_by("position")
    )
    open_attempts, past_attempts = {}, {}
    for a in Attempt.objects.filter(learner=request.user, is_practice=False):
        if a.is_finished:
            past_attempts.setdefault(a.lesson_id, []).append(a)
        else:
            open_attempts[a.lesson_id] = a
    by_course: dict[int, list] = {course.pk: [] for course in courses}
    for p in progress:
        p.open_attempt = open_attempts.get(p.lesson_id)
        p.past_attempts = past_attempts.get(p.lesson_id, [])
        by_course[p.lesson.course_id].append(p)
    for course in courses:
        course.progress_rows = sorted(by_course[course.pk], key=lambda p: p.lesson.position)
        course.passed = sum(1 for p in course.progress_rows if p.is_passed)
    latest = progress[0] if progress else None
    if latest is None:
        continue_url = None
    elif latest.lesson_id in open_attempts:
        continue_url = first_open_question(open_attempts[latest.lesson_id])
    else:
        continue_url = latest.lesson.get_absolute_url()
    return TemplateResponse(
        request,
        "quiz/my_learning.html",
        {
            "courses": courses,
            "latest": latest,
            "continue_url": continue_url,
            "open_lessons": set(open_attempts),
        },
    )


def teacher_required(view):
    """Staff with the right to see questions; others are sent to the admin's log-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
        if not request.user.has_perm("quiz.view_question"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@never_cache
@teacher_required
def worksheet(request: HttpRequest, lesson_id: int, answers: bool = False) -> HttpResponse:
    """The lesson and its published questions on paper; `answers`: the teacher's key."""
    lesson = get_object_or_404(Lesson.objects.for_reading_page(), pk=lesson_id)
    questions = list(
        lesson.questions.published()
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")),
            "accepted_answers",
        )
        .order_by("position", "pk")
    )
    rows = []
    for question in questions:
        choices = list(question.choices.all())
        if question.type == QuestionType.SEQUENCE and len(choices) > 1:
            choices = choices[1:] + choices[:1]  # never printed already in order
        row = {"question": question, "choices": choices}
        if answers:
            row["key"] = key_text(question)
            row["letter"] = next((chr(65 + i) for i, c in enumerate(choices) if c.is_correct), "")
            if question.type == QuestionType.SEQUENCE:
                place = {pk: n for n, pk in enumerate(correct_order(question), start=1)}
                row["places"] = [place[c.pk] for c in choices]
        rows.append(row)
    template = "quiz/answer_key.html" if answers else "quiz/worksheet.html"
    return TemplateResponse(
        request,
        template,
        {"lesson": lesson, "paragraphs": lesson.paragraphs.all(), "rows": rows},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@teacher_required
def review_drafts(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """All drafts of a lesson on one page: each in its paragraph, with its options; publish or
    reject (with why) in one click. Without JavaScript a plain form and a redirect; with htmx
    only the question's card is swapped."""
    lesson = get_object_or_404(Lesson.objects.for_reading_page(), pk=lesson_id)
    if request.method == "POST":
        if not request.user.has_perm("quiz.change_question"):
            raise PermissionDenied
        question = get_object_or_404(lesson.questions, pk=request.POST.get("question", "0"))
        status, reason = request.POST.get("status"), request.POST.get("reason", "")
        if status not in (Status.PUBLISHED, Status.REJECTED) or (
            status == Status.REJECTED and reason not in RejectionReason.values
        ):
            return HttpResponse("Choose publish, or a reason to reject.", status=400)
        lesson.questions.filter(pk=question.pk).review(status, reason)
        if not request.htmx:
            return redirect(reverse("quiz:review_drafts", args=[lesson.pk]) + "#drafts")
        question.refresh_from_db()
        row = draft_context(lesson, [question])[0]
        return TemplateResponse(request, "quiz/review_drafts.html#draft-card", {"row": row})
    drafts = list(
        lesson.questions.filter(status=Status.DRAFT)
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")),
            "accepted_answers",
        )
        .order_by("position", "pk")
    )
    return TemplateResponse(
        request,
        "quiz/review_drafts.html",
        {
            "lesson": lesson,
            "rows": draft_context(lesson, drafts),
            "published_count": lesson.questions.published().count(),
            "reasons": RejectionReason.choices,
        },
    )


def draft_context(lesson: Lesson, questions) -> list[dict]:
    """Each question with its evidence inside its paragraph (before / marked / after)."""
    texts = {p.position: p.text for p in lesson.paragraphs.all()}
    rows = []
    for question in questions:
        text = texts.get(question.evidence_paragraph, "")
        start, end = question.evidence_start, question.evidence_end
        found = text[start:end] == question.evidence_quote
        rows.append(
            {
                "question": question,
                "lesson": lesson,
                "parts": (text[:start], text[start:end], text[end:]) if found else None,
                "reasons": RejectionReason.choices,
            }
        )
    return rows


def review_url(lesson_id: int, question_id: int) -> str:
    return reverse("quiz:review_drafts", args=[lesson_id]) + f"#draft-{question_id}"


def card_response(request: HttpRequest, lesson_id: int, question_id: int) -> TemplateResponse:
    """The question's card of the review page, as it is now (the htmx answer)."""
    lesson = get_object_or_404(Lesson.objects.for_reading_page(), pk=lesson_id)
    question = get_object_or_404(
        lesson.questions.prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")),
            "accepted_answers",
        ),
        pk=question_id,
    )
    row = draft_context(lesson, [question])[0]
    return TemplateResponse(request, "quiz/review_drafts.html#draft-card", {"row": row})


@require_safe
@never_cache
@vary_on_headers("HX-Request")
@teacher_required
def draft_card(request: HttpRequest, lesson_id: int, question_id: int) -> HttpResponse:
    """One card of the review page (Cancel in the in-place editor); a page load goes to it."""
    if not wants_partial(request):
        return redirect(review_url(lesson_id, question_id))
    return card_response(request, lesson_id, question_id)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@vary_on_headers("HX-Request")
@teacher_required
def edit_draft(request: HttpRequest, lesson_id: int, question_id: int) -> HttpResponse:
    """A draft's prompt, explanation and answer key: a page of its own without JavaScript,
    the card's place on the review page with htmx. Saved whole or not at all."""
    if not request.user.has_perm("quiz.change_question"):
        raise PermissionDenied
    question = get_object_or_404(
        Question.objects.select_related("lesson__course"), pk=question_id, lesson_id=lesson_id
    )
    partial = wants_partial(request)
    context = {"lesson": question.lesson, "question": question, "in_place": partial}
    refused = refusal(question)
    if refused:
        template = "quiz/edit_draft.html" + ("#draft-refused" if partial else "")
        return TemplateResponse(request, template, {**context, "refused": refused}, status=409)
    editor = DraftEditor(question, request.POST if request.method == "POST" else None)
    if request.method == "POST" and editor.save():
        if not partial:
            messages.success(request, f"Saved: “{question}”.")
            return redirect(review_url(lesson_id, question.pk))
        return card_response(request, lesson_id, question.pk)
    # GET, or refused: the form again with the teacher's input and the reasons next to it
    # (status 200, so htmx swaps it into the card's place).
    template = "quiz/edit_draft.html" + ("#draft-editor" if partial else "")
    return TemplateResponse(request, template, {**context, "editor": editor})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@teacher_required
def preview(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Teachers see the lesson and try its questions as a student would; nothing is recorded."""
    lesson = get_object_or_404(Lesson.objects.for_reading_page(), pk=lesson_id)
    questions = list(
        lesson.questions.exclude(status__in=[Status.REJECTED, Status.RETIRED])
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")),
            "accepted_answers",
        )
        .order_by("position", "pk")
    )
    checked_id = request.POST.get("question") if request.method == "POST" else None
    settings = quiz_settings(lesson)
    # What a student sees right after an answer under this lesson's settings.
    as_student = review.shown(
        Attempt(feedback_mode=settings.feedback_mode if settings else FeedbackMode.IMMEDIATE),
        settings,
    )
    rows = []
    for n, question in enumerate(questions, start=1):
        question.lesson = lesson
        order = [c.pk for c in question.choices.all()]
        if question.type == QuestionType.SEQUENCE and len(order) > 1:
            order = order[1:] + order[:1]  # never shown already in order
        item = AttemptItem(question=question, position=n, choice_order=order)
        prefix = f"q{question.pk}"
        row = {
            "question": question,
            "n": n,
            "form": AnswerForm(item, prefix=prefix),
            "heading_id": f"{prefix}-prompt",
        }
        if checked_id == str(question.pk):
            form = AnswerForm(item, request.POST, prefix=prefix)
            row["form"] = form
            if form.is_valid():
                answer = form.answer()
                row["result"] = is_correct(question, answer)
                row["key"] = key_text(question)  # the teacher's, labelled as hidden from students
        rows.append(row)
    return TemplateResponse(
        request,
        "quiz/preview.html",
        {
            "lesson": lesson,
            "course": lesson.course,
            "paragraphs": lesson.paragraphs.all(),
            "rows": rows,
            "settings": settings,
            "shown": as_student,
            "published_count": sum(1 for q in questions if q.status == "published"),
            # In the teacher's words ("once passed or out of attempts").
            "timings": {
                part: ReviewTiming(timing).label.lower()
                for part, timing in review.timings(settings).items()
            },
        },
    )
