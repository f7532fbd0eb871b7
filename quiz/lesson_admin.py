"""The lesson admin with its quiz: settings inline, question counts, generating, exporting and
importing questions, and the warning when a lesson goes public without a quiz.

courses.admin knows nothing of quizzes (courses never imports quiz); this module extends its
LessonAdmin and registers the result in its place.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from courses.admin import LessonAdmin
from courses.forms import QuestionImportForm
from courses.models import Lesson

from . import exchange
from .exchange import preview
from .generation import (
    GenerationError,
    GenerationResult,
    generate_for_lesson,
    llm_configured,
)
from .models import QuizSettings, Status
from .tasks import queue_generation

NO_QUIZ_WARNING = (
    "“{}”: Published, but its quiz has no published questions yet: students will see the "
    "article without a quiz."
)
MORE_MIN, MORE_MAX, MORE_DEFAULT = 1, 20, 5


def warn_if_no_quiz(request: HttpRequest, lesson: Lesson) -> None:
    """Publishing is the teacher's call; say so when students would get no questions."""
    if lesson.published and not lesson.questions.filter(status=Status.PUBLISHED).exists():
        messages.warning(request, NO_QUIZ_WARNING.format(lesson.title))


class GenerateMoreForm(forms.Form):
    more = forms.IntegerField(
        label="How many new questions",
        min_value=MORE_MIN,
        max_value=MORE_MAX,
        initial=MORE_DEFAULT,
        error_messages={
            "required": f"Say how many new questions to write ({MORE_MIN} to {MORE_MAX}).",
            "invalid": f"Give a whole number of new questions ({MORE_MIN} to {MORE_MAX}).",
            "min_value": f"Ask for at least {MORE_MIN} new question.",
            "max_value": f"Ask for at most {MORE_MAX} new questions at a time.",
        },
    )


def more_message(lesson: Lesson, result: GenerationResult) -> str:
    """What "Generate more" did, in a teacher's words."""
    added = len(result.created)
    if added == 0:
        return (
            f"No new questions could be written from “{lesson.title}”: all it offers is "
            "already in the quiz."
        )
    have = f" beside the {result.existing} you have" if result.existing else ""
    noun = "question" if added == 1 else "questions"
    short = ""
    if result.more and added < result.more:
        short = f" (you asked for {result.more}: that is all this text offers for now)"
    return f"“{lesson.title}”: {added} new draft {noun} added{have}{short}; nothing else changed."


class QuizSettingsInline(admin.StackedInline):
    model = QuizSettings
    can_delete = False
    verbose_name_plural = "quiz settings"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("feedback_mode", "retry_penalty"),
                    ("pass_mark", "grading_method"),
                    ("question_count", "max_attempts"),
                    ("shuffle_questions", "shuffle_choices"),
                ]
            },
        ),
        (
            "What learners see of their marked answers, and when",
            {
                "fields": [
                    ("review_correctness", "review_evidence"),
                    ("review_answer", "review_explanation"),
                ]
            },
        ),
    ]


class QuizLessonAdmin(LessonAdmin):
    list_display = [
        "title",
        "course",
        "position",
        "published",
        "published_questions",
        "draft_questions",
        "word_count",
        "updated_at",
    ]
    inlines = [QuizSettingsInline, *LessonAdmin.inlines]
    actions = [
        *LessonAdmin.actions,
        "generate_questions_action",
        "generate_with_llm_action",
    ]

    def after_publish(self, request, lesson):
        super().after_publish(request, lesson)
        warn_if_no_quiz(request, lesson)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_published=Count("questions", filter=Q(questions__status=Status.PUBLISHED)),
                n_drafts=Count("questions", filter=Q(questions__status=Status.DRAFT)),
            )
        )

    @admin.display(description="published questions", ordering="n_published")
    def published_questions(self, obj):
        return obj.n_published

    @admin.display(description="draft questions", ordering="n_drafts")
    def draft_questions(self, obj):
        return obj.n_drafts

    @admin.display(description="report")
    def report_link(self, obj):
        return format_html(
            '<a href="{}">Class report</a>', reverse("admin:quiz_lesson_report", args=[obj.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "quiz_tools": True,  # the template shows the question tools only with the quiz app
            "llm_configured": llm_configured(),
            "more_form": GenerateMoreForm(),
            "more_min": MORE_MIN,
            "more_max": MORE_MAX,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        own = [
            path(
                "<id:pk>/export.gift",
                self.admin_site.admin_view(self.export_view),
                {"fmt": "gift"},
                name="courses_lesson_export_gift",
            ),
            path(
                "<id:pk>/export.xml",
                self.admin_site.admin_view(self.export_view),
                {"fmt": "xml"},
                name="courses_lesson_export_xml",
            ),
            path(
                "<id:pk>/import-questions/",
                self.admin_site.admin_view(self.import_questions_view),
                name="courses_lesson_import_questions",
            ),
            path(
                "<id:pk>/generate/",
                self.admin_site.admin_view(require_POST(self.generate_view)),
                name="courses_lesson_generate",
            ),
            path(
                "<id:pk>/generate-more/",
                self.admin_site.admin_view(require_POST(self.generate_more_view)),
                name="courses_lesson_generate_more",
            ),
        ]
        return own + super().get_urls()

    def export_view(self, request: HttpRequest, pk: int, fmt: str):
        """The lesson's questions (rejected ones left out) as GIFT or Moodle XML for Moodle."""
        if not request.user.has_perm("quiz.view_question"):
            raise PermissionDenied
        lesson = get_object_or_404(Lesson, pk=pk)
        questions = lesson.questions.exclude(status=Status.REJECTED).order_by("position", "pk")
        if fmt == "gift":
            body, content_type, ext = exchange.export_gift(questions), "text/plain", "gift.txt"
        else:
            body, content_type, ext = (
                exchange.export_moodle_xml(questions),
                "application/xml",
                "xml",
            )
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{lesson.slug}-questions.{ext}"'
        return response

    def import_questions_view(self, request: HttpRequest, pk: int):
        """Questions from a GIFT or Moodle XML file, as drafts, in two steps: the upload shows
        a preview (what will be imported with what it loses, what is refused and why, by
        line), and the teacher's confirmation imports it in one transaction."""
        if not request.user.has_perm("quiz.add_question"):
            raise PermissionDenied
        lesson = get_object_or_404(Lesson, pk=pk)
        if request.method == "POST" and "preview" in request.POST:
            return self._confirm_import(request, lesson)
        form = QuestionImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            content, is_xml = form.cleaned_data["content"], form.cleaned_data["is_xml"]
            reading, _origin = preview.read(content, is_xml=is_xml)
            if not reading.errors:
                exchange.mark_duplicates(reading, lesson)
                return self._import_page(
                    request,
                    lesson,
                    "admin/courses/lesson/import_preview.html",
                    title=f"Check the import into “{lesson.title}”",
                    reading=reading,
                    token=preview.sign(content, is_xml=is_xml),
                    file_name=form.cleaned_data["file"].name,
                )
            errors = reading.errors
        return self._import_page(request, lesson, form=form, errors=errors)

    def _confirm_import(self, request: HttpRequest, lesson: Lesson):
        try:
            content, is_xml = preview.unsign(request.POST["preview"])
        except preview.PreviewExpired:
            return self._import_page(
                request,
                lesson,
                form=QuestionImportForm(),
                errors=[
                    "This preview has expired or was changed, so nothing was imported: "
                    "upload the file again."
                ],
                status=400,
            )
        reading, origin = preview.read(content, is_xml=is_xml)
        result = exchange.save_reading(reading, lesson, status=Status.DRAFT, origin=origin)
        if not result.ok:  # cannot happen for a file the preview read; said plainly if it does
            return self._import_page(
                request, lesson, form=QuestionImportForm(), errors=result.errors, status=400
            )
        messages.success(request, result.message(lesson.title))
        return HttpResponseRedirect(
            reverse("admin:quiz_question_changelist") + f"?lesson__id__exact={lesson.pk}"
        )

    def _import_page(
        self,
        request,
        lesson,
        template="admin/courses/lesson/import_questions.html",
        *,
        status=200,
        **context,
    ):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": lesson,
            "title": f"Import questions into “{lesson.title}”",
            **context,
        }
        return TemplateResponse(request, template, context, status=status)

    def generate_view(self, request: HttpRequest, pk: int):
        lesson = get_object_or_404(Lesson, pk=pk)
        if not request.user.has_perm("quiz.add_question"):
            messages.error(request, "You don't have permission to add questions.")
        elif request.POST.get("backend") == "llm":
            self._generate_with_llm(request, [lesson])
        else:
            self._generate(request, [lesson])
        return HttpResponseRedirect(
            reverse("admin:quiz_question_changelist") + f"?lesson__id__exact={lesson.pk}"
        )

    def generate_more_view(self, request: HttpRequest, pk: int):
        """N new drafts beside the lesson's questions, which stay exactly as they are; then
        the one-page draft review (or `next`, a page of this site)."""
        lesson = get_object_or_404(Lesson, pk=pk)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("quiz:review_drafts", args=[lesson.pk])
        form = GenerateMoreForm(request.POST)
        if not request.user.has_perm("quiz.add_question"):
            messages.error(request, "You don't have permission to add questions.")
        elif not form.is_valid():
            messages.error(request, f"“{lesson.title}”: {' '.join(form.errors['more'])}")
        elif request.POST.get("backend") == "llm":
            self._generate_with_llm(request, [lesson], more=form.cleaned_data["more"])
        else:
            try:
                result = generate_for_lesson(lesson, more=form.cleaned_data["more"])
            except GenerationError as error:
                messages.error(request, f"“{lesson.title}”: {error}")
            else:
                level = messages.SUCCESS if result.created else messages.INFO
                messages.add_message(request, level, more_message(lesson, result))
        return HttpResponseRedirect(target)

    def _generate(self, request, lessons):
        for lesson in lessons:
            try:
                result = generate_for_lesson(lesson, replace_drafts=True)
            except GenerationError as error:  # e.g. not English: the run records it too
                messages.error(request, f"“{lesson.title}”: {error}")
                continue
            by_type = ", ".join(
                f"{n} {label.lower()}" for label, n in sorted(result.by_type.items())
            )
            messages.success(
                request,
                f"“{lesson.title}”: {len(result.created)} draft questions"
                f"{' (' + by_type + ')' if by_type else ''}. "
                "Questions you edited, published or rejected were kept. Review the drafts, "
                "then publish them.",
            )

    def _generate_with_llm(self, request, lessons, more=None):
        """Language-model runs go to the background queue: the page never waits for the model."""
        for lesson in lessons:
            try:
                if more is None:
                    run = queue_generation(lesson, "llm", replace_drafts=True, user=request.user)
                else:
                    run = queue_generation(lesson, "llm", more=more, user=request.user)
            except GenerationError as error:
                messages.error(request, f"“{lesson.title}”: {error}")
                continue
            url = reverse("admin:quiz_generationrun_change", args=[run.pk])
            if run.status == "done":
                text = (
                    "“{}”: the language model wrote {} questions that passed the checks; "
                    '{} were rejected. <a href="{}">See the run</a>.'
                )
                args = (lesson.title, run.accepted_count, run.rejected_count, url)
            elif run.status == "failed":
                text = '“{}”: the language model run failed: {} <a href="{}">See the run</a>.'
                args = (lesson.title, run.error, url)
            else:
                text = '“{}”: queued for the language model. <a href="{}">Follow its progress</a>.'
                args = (lesson.title, url)
            level = messages.ERROR if run.status == "failed" else messages.SUCCESS
            messages.add_message(request, level, format_html(text, *args))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not llm_configured():
            actions.pop("generate_with_llm_action", None)
        return actions

    @admin.action(
        description="Generate questions with the language model (in the background)",
        permissions=["change"],
    )
    def generate_with_llm_action(self, request, queryset):
        if not request.user.has_perm("quiz.add_question"):
            messages.error(request, "You don't have permission to add questions.")
            return
        self._generate_with_llm(request, list(queryset))

    @admin.action(
        description="Generate questions (replaces untouched drafts)", permissions=["change"]
    )
    def generate_questions_action(self, request, queryset):
        if not request.user.has_perm("quiz.add_question"):
            messages.error(request, "You don't have permission to add questions.")
            return
        with transaction.atomic():
            self._generate(request, list(queryset))


admin.site.unregister(Lesson)
admin.site.register(Lesson, QuizLessonAdmin)
