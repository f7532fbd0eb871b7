"""Courses and lessons in the admin: text, order and publishing.

Nothing here knows about quizzes; quiz.lesson_admin extends LessonAdmin with the question
tools and reacts to publishing through `after_publish`.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .forms import ArticleImportForm
from .importing import import_article
from .models import Course, Lesson, Paragraph


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
                lesson = lesson_form.instance
                if "published" in lesson_form.changed_data and lesson.pk and lesson.published:
                    # The same reaction as publishing on the lesson's own page.
                    lesson_admin = self.admin_site.get_model_admin(Lesson)
                    if isinstance(lesson_admin, LessonAdmin):
                        lesson_admin.after_publish(request, lesson)

    @admin.display(description="lessons", ordering="lesson_total")
    def lesson_total(self, obj):
        return obj.lesson_total


class ParagraphInline(admin.StackedInline):
    model = Paragraph
    fields = ["position", "text"]
    extra = 0
    ordering = ["position"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "position", "published", "word_count", "updated_at"]
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
    inlines = [ParagraphInline]
    actions = ["publish_action", "unpublish_action"]

    def after_publish(self, request: HttpRequest, lesson: Lesson) -> None:
        """Called for each lesson that has just become visible to students (the change form,
        the publish action, the course page, the article import); subclasses add checks."""

    @admin.display(description="reading time (minutes)")
    def reading_minutes(self, obj):
        return obj.reading_minutes

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.first_published_at is not None:
            fields.append("slug")  # students may have links to it
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.first_published_at is not None:
            return {}  # the slug is read-only now
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.published and (not change or "published" in form.changed_data):
            self.after_publish(request, obj)

    @admin.action(description="Publish selected lessons", permissions=["change"])
    def publish_action(self, request, queryset):
        drafts = list(queryset.filter(published=False))
        now = timezone.now()
        # update() skips Lesson.save(): record the first publication here too.
        Lesson.objects.filter(pk__in=[lesson.pk for lesson in drafts]).update(
            published=True, first_published_at=Coalesce("first_published_at", now)
        )
        for lesson in drafts:
            lesson.published = True
            lesson.first_published_at = lesson.first_published_at or now
            self.after_publish(request, lesson)
        messages.success(request, f"Published {len(drafts)} lessons.")

    @admin.action(description="Unpublish selected lessons (back to draft)", permissions=["change"])
    def unpublish_action(self, request, queryset):
        count = queryset.filter(published=True).update(published=False)
        messages.success(request, f"{count} lessons are drafts again: students no longer see them.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Paragraph edits change the text that questions were made from: refresh the fingerprint.
        form.instance.text_saved()

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="courses_lesson_import",
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
            if created and lesson.published:
                self.after_publish(request, lesson)
            return HttpResponseRedirect(reverse("admin:courses_lesson_change", args=[lesson.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Add lesson from article",
        }
        return TemplateResponse(request, "admin/courses/lesson/import_article.html", context)
