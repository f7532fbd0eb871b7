from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from quiz import exchange
from quiz.generation import GenerationError, generate_for_lesson, llm_configured, queue_generation
from quiz.models import QuizSettings, Status

from .forms import ArticleImportForm, QuestionImportForm
from .importing import import_article
from .models import Course, Lesson, Paragraph

NO_QUIZ_WARNING = (
    "“{}”: Published, but its quiz has no published questions yet: students will see the "
    "article without a quiz."
)


def warn_if_no_quiz(request: HttpRequest, lesson: Lesson) -> None:
    """Publishing is the teacher's call; say so when students would get no questions."""
    if lesson.published and not lesson.questions.filter(status=Status.PUBLISHED).exists():
        messages.warning(request, NO_QUIZ_WARNING.format(lesson.title))


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["position", "title", "published"]
    show_change_link = True
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "position", "lesson_total"]
    list_editable = ["position"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_total=Count("lessons"))

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Lesson:
            for lesson_form in formset.forms:
                if "published" in lesson_form.changed_data and lesson_form.instance.pk:
                    warn_if_no_quiz(request, lesson_form.instance)

    @admin.display(description="lessons", ordering="lesson_total")
    def lesson_total(self, obj):
        return obj.lesson_total


class ParagraphInline(admin.StackedInline):
    model = Paragraph
    fields = ["position", "text"]
    extra = 0
    ordering = ["position"]


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


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
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
    list_filter = ["published", "course"]
    list_select_related = ["course"]
    search_fields = ["title", "author_name", "column", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["word_count", "reading_minutes", "source_name", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["course", "position", "title", "slug", "published"]}),
        ("Author", {"fields": ["author_name", "author_credentials", "column"]}),
        ("Text", {"fields": ["summary"]}),
        ("Details", {"fields": readonly_fields, "classes": ["collapse"]}),
    ]
    inlines = [QuizSettingsInline, ParagraphInline]
    actions = [
        "publish_action",
        "unpublish_action",
        "generate_questions_action",
        "generate_with_llm_action",
    ]

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

    @admin.display(description="reading time (minutes)")
    def reading_minutes(self, obj):
        return obj.reading_minutes

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "published" in form.changed_data:
            warn_if_no_quiz(request, obj)

    @admin.action(description="Publish selected lessons", permissions=["change"])
    def publish_action(self, request, queryset):
        drafts = list(queryset.filter(published=False))
        Lesson.objects.filter(pk__in=[lesson.pk for lesson in drafts]).update(published=True)
        for lesson in drafts:
            lesson.published = True
            warn_if_no_quiz(request, lesson)
        messages.success(request, f"Published {len(drafts)} lessons.")

    @admin.action(description="Unpublish selected lessons (back to draft)", permissions=["change"])
    def unpublish_action(self, request, queryset):
        count = queryset.filter(published=True).update(published=False)
        messages.success(request, f"{count} lessons are drafts again: students no longer see them.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Paragraph edits change the text that questions were made from: refresh the fingerprint.
        lesson = form.instance
        lesson.refresh_text_stats()
        Lesson.objects.filter(pk=lesson.pk).update(
            word_count=lesson.word_count, text_hash=lesson.text_hash
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "llm_configured": llm_configured()}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="courses_lesson_import",
            ),
            path(
                "<int:pk>/export.gift",
                self.admin_site.admin_view(self.export_view),
                {"fmt": "gift"},
                name="courses_lesson_export_gift",
            ),
            path(
                "<int:pk>/export.xml",
                self.admin_site.admin_view(self.export_view),
                {"fmt": "xml"},
                name="courses_lesson_export_xml",
            ),
            path(
                "<int:pk>/import-questions/",
                self.admin_site.admin_view(self.import_questions_view),
                name="courses_lesson_import_questions",
            ),
            path(
                "<int:pk>/generate/",
                self.admin_site.admin_view(require_POST(self.generate_view)),
                name="courses_lesson_generate",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest):
        """Add lesson from article: the same importer as `manage.py import_article`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            lesson, created = import_article(
                form.parsed,
                data["course"],
                title=data["title"],
                source_name=data["source_name"],
                published=data["publish"],
            )
            verb = "Imported" if created else "Updated"
            state = (
                "It is published."
                if lesson.published
                else "It is a draft: students see it once you publish it."
            )
            messages.success(
                request,
                f"{verb} “{lesson.title}”: {lesson.paragraphs.count()} paragraphs, "
                f"{lesson.word_count} words. {state} Next: generate its questions.",
            )
            if created:
                warn_if_no_quiz(request, lesson)
            return HttpResponseRedirect(reverse("admin:courses_lesson_change", args=[lesson.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Add lesson from article",
        }
        return TemplateResponse(request, "admin/courses/lesson/import_article.html", context)

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
        """Questions from a GIFT or Moodle XML file, as drafts; errors listed line by line."""
        if not request.user.has_perm("quiz.add_question"):
            raise PermissionDenied
        lesson = get_object_or_404(Lesson, pk=pk)
        form = QuestionImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            importer = (
                exchange.import_moodle_xml if form.cleaned_data["is_xml"] else exchange.import_gift
            )
            result = importer(form.cleaned_data["content"], lesson)
            if result.ok:
                messages.success(request, result.message(lesson.title))
                return HttpResponseRedirect(
                    reverse("admin:quiz_question_changelist") + f"?lesson__id__exact={lesson.pk}"
                )
            errors = result.errors
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": lesson,
            "form": form,
            "errors": errors,
            "title": f"Import questions into “{lesson.title}”",
        }
        return TemplateResponse(request, "admin/courses/lesson/import_questions.html", context)

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

    def _generate_with_llm(self, request, lessons):
        """Language-model runs go to the background queue: the page never waits for the model."""
        for lesson in lessons:
            try:
                run = queue_generation(lesson, "llm", replace_drafts=True, user=request.user)
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
