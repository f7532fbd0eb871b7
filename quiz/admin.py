from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from courses.models import Lesson

from . import charts, evidence, feedback, reports, scoping
from .admin_forms import (
    AcceptedAnswerFormSet,
    ChoiceFormSet,
    QuestionAdminForm,
    clear_changed_keys,
)
from .generation import GenerationError, generate_for_lesson
from .models import (
    AcceptedAnswer,
    Attempt,
    Choice,
    EvidenceCheck,
    LessonProgress,
    Question,
    RejectionReason,
    Response,
    Status,
)
from .regrade import apply_regrade, regrade_preview


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ["position", "text", "is_correct", "rationale"]
    extra = 0


class AcceptedAnswerInline(admin.TabularInline):
    model = AcceptedAnswer
    formset = AcceptedAnswerFormSet
    fields = ["text"]
    extra = 0


class StaleFilter(admin.SimpleListFilter):
    title = "evidence"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", "To check (the text was edited)"), ("no", "Checked")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(evidence_check="")
        if self.value() == "no":
            return queryset.filter(evidence_check="")
        return queryset


def _reason_text(reason: RejectionReason) -> str:
    return reason.label[0].lower() + reason.label[1:]


def _reject_action(reason: RejectionReason):
    """A change-list action that rejects with one reason: asking why costs no extra click."""

    def action(modeladmin, request, queryset):
        modeladmin._review(request, queryset, Status.REJECTED, reason)

    # "Other" keeps the old action's name, so a plain "reject" still works.
    action.__name__ = "reject" if reason == RejectionReason.OTHER else f"reject_{reason}"
    text = "other reason" if reason == RejectionReason.OTHER else _reason_text(reason)
    return admin.action(description=f"Reject: {text}", permissions=["change"])(action)


REJECT_ACTIONS = [_reject_action(reason) for reason in RejectionReason]

RIGHT_ANSWER = "right answer"  # marks the key in the report's choice charts and lists
REPORT_PAGE_SIZE = 50  # learners per page of a lesson's report

HAS_ANSWERS_MESSAGE = (
    "This question has learners' answers: reject it or retire it instead of deleting it."
)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "short_prompt",
        "type",
        "kind",
        "lesson",
        "status",
        "rejection_reason",
        "skill",
        "difficulty",
        "position",
        "stale_flag",
        "evidence_missing",
        "teacher_edited",
    ]
    list_filter = [
        "status",
        "evidence_missing",
        "rejection_reason",
        "type",
        "kind",
        "skill",
        "origin",
        "teacher_edited",
        StaleFilter,
        "lesson",
        "run",
    ]
    form = QuestionAdminForm
    list_select_related = ["lesson"]
    list_editable = ["position"]
    list_per_page = 50
    search_fields = ["prompt", "explanation", "evidence_quote", "lesson__title"]
    readonly_fields = [
        "preview_link",
        "evidence_in_context",
        "run",
        "kind",
        "origin",
        "origin_version",
        "teacher_edited",
        "stale_flag",
        "evidence_missing",
    ]
    autocomplete_fields = ["lesson"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "lesson",
                    "type",
                    "prompt",
                    "explanation",
                    "status",
                    "rejection_reason",
                    "position",
                    "preview_link",
                ]
            },
        ),
        (
            "Evidence",
            {
                "fields": [
                    "evidence_in_context",
                    "evidence_sentence",
                ]
            },
        ),
        (
            "Classification",
            {
                "fields": [
                    "kind",
                    "skill",
                    "difficulty",
                    "origin",
                    "origin_version",
                    "run",
                    "teacher_edited",
                ]
            },
        ),
    ]
    inlines = [ChoiceInline, AcceptedAnswerInline]
    actions = [
        "publish",
        "unpublish",
        *REJECT_ACTIONS,
        "retire",
        "mark_checked",
        "regenerate_drafts",
    ]

    @admin.display(description="question", ordering="prompt")
    def short_prompt(self, obj):
        return str(obj)

    @admin.display(description="see it as a student")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save the question first."
        url = reverse("quiz:preview", args=[obj.lesson_id]) + f"#q-{obj.pk}"
        return format_html('<a href="{}">Preview as a student</a> (records nothing)', url)

    @admin.display(description="evidence to check", boolean=True)
    def stale_flag(self, obj):
        return obj.is_stale

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.evidence_check != EvidenceCheck.CHANGED:
            return fieldsets
        # "Mark as checked" only where there is something to check.
        name, options = fieldsets[1]
        fields = list(options["fields"])
        fields.insert(fields.index("evidence_sentence") + 1, "mark_checked")
        return [fieldsets[0], (name, {**options, "fields": fields}), *fieldsets[2:]]

    @admin.display(description="saved evidence")
    def evidence_in_context(self, obj):
        """The sentence, and what to do when the text's edits or an import left it in doubt;
        the picker below shows it in its paragraph."""
        if obj.pk is None:
            return "Pick the sentence below once the lesson is chosen."
        lost = obj.evidence_missing or obj.evidence_check == EvidenceCheck.NOT_FOUND
        if lost or not _evidence_in_text(obj):
            why = (
                "It was imported with an evidence sentence that is not in this lesson's text"
                if obj.evidence_missing
                else "The lesson text was edited and this evidence is no longer in it"
            )
            return format_html(
                '<div class="evidence-context"><p class="evidence-context__flag">{}. It read:</p>'
                "<blockquote>{}</blockquote><p>Pick the sentence that proves the answer below."
                "</p></div>",
                why,
                obj.evidence_was or obj.evidence_quote,
            )
        flag = ""
        if obj.evidence_check == EvidenceCheck.CHANGED:
            flag = format_html(
                '<p class="evidence-context__flag">The lesson text was edited and this sentence '
                "changed. It read:</p><blockquote>{}</blockquote><p>Check that the question and "
                "its answer still match it as it reads now, then tick “Mark as checked” (or pick "
                "another sentence).</p>",
                obj.evidence_was,
            )
        return format_html(
            '<div class="evidence-context">{}<p>Now: ¶{} — <mark>{}</mark></p>'
            '<p><a href="{}" target="_blank" rel="noopener">Open in the article</a></p></div>',
            flag,
            obj.evidence_paragraph,
            obj.evidence_quote,
            obj.evidence_url(),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.origin = "teacher"
            obj.source_hash = obj.lesson.text_hash
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Choice:
            clear_changed_keys(formset)
        super().save_formset(request, form, formset, change)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self.delete_unanswered, name, description)
        return actions

    def delete_unanswered(self, modeladmin, request, queryset):
        """Django's "Delete selected", refused when a selected question has answers."""
        answered = queryset.with_answers().count()
        if answered:
            self.message_user(
                request,
                f"Nothing deleted: {answered} of the selected questions have learners' "
                "answers. Reject them or retire them instead of deleting them.",
                messages.ERROR,
            )
            return None
        return delete_selected(modeladmin, request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        if _has_answers(object_id):
            self.message_user(request, HAS_ANSWERS_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:quiz_question_change", args=[object_id]))
        return super().delete_view(request, object_id, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        # Any edit, to the question or its choices, protects it from regeneration.
        edited = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if change and edited and not question.teacher_edited:
            Question.objects.filter(pk=question.pk).update(teacher_edited=True)
        if change and regrade_preview(question, scoping.visible_learners(request.user)):
            url = reverse("admin:quiz_question_regrade", args=[question.pk])
            messages.warning(
                request,
                format_html(
                    "Learners have answered this question and the new key changes some of "
                    'their marks. <a href="{}">Preview and re-grade their answers</a>.',
                    url,
                ),
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        reasons = [(reason, _reason_text(reason)) for reason in RejectionReason]
        has_answers = _has_answers(object_id)
        extra_context = {
            **(extra_context or {}),
            "rejection_reasons": reasons,
            "has_answers": has_answers,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        own = [
            path(
                "rejections/",
                self.admin_site.admin_view(self.rejections_view),
                name="quiz_question_rejections",
            ),
            path(
                "<id:pk>/review/",
                self.admin_site.admin_view(require_POST(self.review_view)),
                name="quiz_question_review",
            ),
            path(
                "report/<id:lesson_id>/",
                self.admin_site.admin_view(self.report_view),
                name="quiz_lesson_report",
            ),
            path(
                "report/<id:lesson_id>/grades.csv",
                self.admin_site.admin_view(self.grades_csv_view),
                name="quiz_lesson_grades_csv",
            ),
            path(
                "report/<id:lesson_id>/responses.csv",
                self.admin_site.admin_view(self.responses_csv_view),
                name="quiz_lesson_responses_csv",
            ),
            path(
                "<id:pk>/regrade/",
                self.admin_site.admin_view(self.regrade_view),
                name="quiz_question_regrade",
            ),
        ]
        return own + super().get_urls()

    def rejections_view(self, request: HttpRequest):
        """What teachers reject, per kind of generated question: what the ranking learns from."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Rejections by kind",
            "rows": feedback.rejections_by_kind(),
            "reasons": RejectionReason.labels,
            "min_reviewed": feedback.MIN_REVIEWED,
        }
        return TemplateResponse(request, "admin/quiz/question/rejections.html", context)

    def review_view(self, request: HttpRequest, pk: int):
        """The change page's buttons: publish, return to draft, or reject with a reason."""
        question = get_object_or_404(Question, pk=pk)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        status, reason = request.POST.get("status"), request.POST.get("reason", "")
        if status not in Status.values or (
            status == Status.REJECTED and reason not in RejectionReason.values
        ):
            return HttpResponseBadRequest("Choose publish, draft, or a reason to reject.")
        reason = RejectionReason(reason) if status == Status.REJECTED else None
        self._review(request, Question.objects.filter(pk=pk), status, reason)
        return HttpResponseRedirect(reverse("admin:quiz_question_change", args=[pk]))

    def _report_lesson(self, request, lesson_id: int) -> Lesson:
        if not request.user.has_perm("quiz.view_lessonprogress"):
            raise PermissionDenied
        return get_object_or_404(Lesson.objects.select_related("course"), pk=lesson_id)

    def report_view(self, request: HttpRequest, lesson_id: int):
        """How the class is doing on one lesson: figures, histogram, item analysis, learners.

        The figures and the item analysis are over every learner the user may see; the
        learners' rows come a page at a time (``?page=``, ``?q=`` part of a username)."""
        lesson = self._report_lesson(request, lesson_id)
        learners = scoping.visible_learners(request.user)  # None: every learner
        search = request.GET.get("q", "").strip()[:150]
        page = reports.learner_page(
            lesson,
            learners,
            page=request.GET.get("page"),
            per_page=REPORT_PAGE_SIZE,
            search=search,
        )
        given = reports.answer_groups(lesson, learners)  # read once, for all three
        summary = reports.lesson_summary(lesson, learners=learners, given=given)
        stats = reports.question_stats(lesson, learners=learners, given=given)
        stale = reports.stale_questions(lesson, learners=learners, given=given)
        rows = [
            {
                "stat": stat,
                "chart": charts.bar_svg(
                    [(c.text, c.share) for c in stat.choices],
                    title=f"How often each choice of question {stat.position} was chosen",
                    chart_id=f"choices-{stat.question_id}",
                    highlight=frozenset(i for i, c in enumerate(stat.choices) if c.is_correct),
                    highlight_note=RIGHT_ANSWER,
                )
                if stat.choices
                else "",
            }
            for stat in stats
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Report: {lesson.title}",
            "lesson": lesson,
            "summary": summary,
            "histogram": charts.histogram_svg(
                summary.histogram,
                summary.histogram_labels,
                title="Learners by grade",
                chart_id="grade-histogram",
            ),
            "stats": rows,
            "learners": page.object_list,
            "learner_page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "search": search,
            "answers_url": reverse("admin:quiz_response_changelist"),
            "stale": stale,
            "right_answer": RIGHT_ANSWER,
        }
        return TemplateResponse(request, "admin/quiz/report.html", context)

    def _csv(self, rows, filename: str) -> reports.CsvResponse:
        """Streamed: rows leave as they come from the database, never all in memory."""
        return reports.CsvResponse(rows, filename)

    def grades_csv_view(self, request: HttpRequest, lesson_id: int):
        lesson = self._report_lesson(request, lesson_id)
        learners = scoping.visible_learners(request.user)
        return self._csv(
            reports.grades_csv_rows(lesson, learners=learners), f"grades-{lesson.slug}.csv"
        )

    def responses_csv_view(self, request: HttpRequest, lesson_id: int):
        lesson = self._report_lesson(request, lesson_id)
        learners = scoping.visible_learners(request.user)
        return self._csv(
            reports.responses_csv_rows(lesson, learners=learners), f"responses-{lesson.slug}.csv"
        )

    def regrade_view(self, request: HttpRequest, pk: int):
        question = get_object_or_404(Question.objects.with_options(), pk=pk)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        # A teacher sees, and re-grades, the answers of their own learners only.
        learners = scoping.visible_learners(request.user)
        if request.method == "POST":
            changed = apply_regrade(question, learners)
            messages.success(
                request, f"Re-graded {changed} answer(s); scores and progress updated."
            )
            return HttpResponseRedirect(reverse("admin:quiz_question_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Re-grade answers",
            "question": question,
            "changes": regrade_preview(question, learners),
            "scoped": learners is not None,
        }
        return TemplateResponse(request, "admin/quiz/question/regrade.html", context)

    def _review(self, request, queryset, status, reason: RejectionReason | None = None):
        updated = queryset.review(status, reason or "")
        if reason is not None:
            done = f"rejected ({_reason_text(reason)})"
        else:
            done = {
                Status.PUBLISHED: "published",
                Status.RETIRED: "retired: kept for their answers, no longer asked",
            }.get(status, "returned to draft")
        self.message_user(request, f"{updated} question(s) {done}.", messages.SUCCESS)

    @admin.action(description="Publish selected questions", permissions=["change"])
    def publish(self, request, queryset):
        self._review(request, queryset, Status.PUBLISHED)

    @admin.action(description="Return selected questions to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        self._review(request, queryset, Status.DRAFT)

    @admin.action(description="Retire: keep for its answers, no longer ask", permissions=["change"])
    def retire(self, request, queryset):
        self._review(request, queryset, Status.RETIRED)

    @admin.action(
        description="Mark as checked: the edited evidence still proves the answer",
        permissions=["change"],
    )
    def mark_checked(self, request, queryset):
        # A sentence no longer in the text cannot be checked: it has to be picked again.
        cleared = queryset.filter(evidence_check=EvidenceCheck.CHANGED).update(
            evidence_check="",
            evidence_was="",
            source_hash=Subquery(
                Lesson.objects.filter(pk=OuterRef("lesson_id")).values("text_hash")[:1]
            ),
        )
        messages.success(request, f"{cleared} questions marked as checked.")
        missing = queryset.filter(evidence_check=EvidenceCheck.NOT_FOUND).count()
        if missing:
            messages.warning(
                request,
                f"{missing} questions lost their evidence sentence in the edit: open each and "
                "pick the sentence that proves the answer.",
            )

    @admin.action(
        description="Regenerate untouched drafts of the selected questions' lessons",
        permissions=["add"],
    )
    def regenerate_drafts(self, request, queryset):
        lessons = Lesson.objects.filter(pk__in=queryset.values("lesson_id"))
        for lesson in lessons:
            try:
                result = generate_for_lesson(lesson, replace_drafts=True)
            except GenerationError as error:
                self.message_user(request, f"“{lesson.title}”: {error}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"“{lesson.title}”: replaced {result.replaced} untouched drafts with "
                f"{len(result.created)} new ones; edited, published, rejected and answered "
                "questions kept.",
                messages.SUCCESS,
            )


def _has_answers(object_id) -> bool:
    """Whether the admin's question `object_id` was shown in an attempt (False if no such id)."""
    try:
        return Question.objects.filter(pk=unquote(object_id)).with_answers().exists()
    except (ValueError, ValidationError):
        return False


def _evidence_in_text(question: Question) -> bool:
    texts = dict(
        question.lesson.paragraphs.filter(position=question.evidence_paragraph).values_list(
            "position", "text"
        )
    )
    return evidence.at(
        texts,
        question.evidence_paragraph,
        question.evidence_start,
        question.evidence_end,
        question.evidence_quote,
    )


class LearnerFilter(admin.RelatedOnlyFieldListFilter):
    """Learners who have rows here, among those the user may see (the change list's own,
    already scoped queryset): never a list of every account."""


class ReadOnlyAdmin(admin.ModelAdmin):
    """Learners' work: teachers may look, never change.

    Every row belongs to a learner (`learner_field`): a user sees the rows of the learners
    quiz.scoping lets them see, in the list, its filters, search and counts, and on change,
    delete and history pages (another learner's row "doesn't exist" for them).
    """

    learner_field = "learner"

    def get_queryset(self, request):
        return scoping.scope(super().get_queryset(request), request.user, self.learner_field)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(LessonProgress)
class LessonProgressAdmin(ReadOnlyAdmin):
    list_display = [
        "learner",
        "lesson",
        "status",
        "attempts_count",
        "best_score",
        "latest_score",
        "grade",
        "last_activity",
    ]
    list_filter = ["status", "lesson__course", "lesson", ("learner", LearnerFilter)]
    list_select_related = ["learner", "lesson"]
    search_fields = ["learner__username", "lesson__title"]


class ResponseInline(admin.TabularInline):
    model = Response
    fields = ["item", "choice", "text", "is_correct", "answered_at"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = [
        "learner",
        "lesson",
        "number",
        "is_practice",
        "score",
        "answered_count",
        "question_total",
        "started_at",
        "finished_at",
    ]
    list_filter = ["is_practice", "lesson__course", "lesson", ("learner", LearnerFilter)]
    list_select_related = ["learner", "lesson"]
    search_fields = ["learner__username", "lesson__title"]

    @admin.display(description="score (%)")
    def score(self, obj):
        return obj.score_percent if obj.is_finished else "—"


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    learner_field = "item__attempt__learner"
    list_display = ["learner", "question", "given", "is_correct", "answered_at"]
    # The learner filter also makes `item__attempt__learner__id__exact` a lookup the admin
    # accepts: the report's "See answers" links use it (a search for a username would also
    # find "otherwise" for "wise").
    list_filter = [
        "is_correct",
        "item__attempt__lesson",
        ("item__attempt__learner", LearnerFilter),
    ]
    list_select_related = ["item__attempt__learner", "item__question", "choice"]
    search_fields = ["item__attempt__learner__username", "item__question__prompt", "text"]

    # Deleting a stored answer (superusers only) also drops its attempt's kept answer lines,
    # so the class report reads that attempt's answers again (quiz.answer_lines).
    def delete_model(self, request, obj):
        with transaction.atomic():
            Attempt.objects.filter(pk=obj.item.attempt_id).update(answer_lines=None)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            attempts = list(queryset.values_list("item__attempt_id", flat=True))
            Attempt.objects.filter(pk__in=attempts).update(answer_lines=None)
            super().delete_queryset(request, queryset)

    @admin.display(description="learner", ordering="item__attempt__learner__username")
    def learner(self, obj):
        return obj.item.attempt.learner

    @admin.display(description="question")
    def question(self, obj):
        return obj.item.question

    @admin.display(description="answer")
    def given(self, obj):
        if obj.choice_id:
            return obj.choice.text
        return obj.text or ("order given" if obj.order else "—")


from . import admin_runs, lesson_admin  # noqa: E402,F401
