from django.contrib import admin
from django.db.models import Count

from quiz.models import QuizSettings

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
    fields = [
        ("feedback_mode", "pass_mark"),
        ("question_count", "max_attempts"),
        ("shuffle_questions", "shuffle_choices"),
        "grading_method",
    ]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "course",
        "position",
        "author_name",
        "published",
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

    @admin.display(description="reading time (minutes)")
    def reading_minutes(self, obj):
        return obj.reading_minutes

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Paragraph edits change the text that questions were made from: refresh the fingerprint.
        lesson = form.instance
        lesson.refresh_text_stats()
        Lesson.objects.filter(pk=lesson.pk).update(
            word_count=lesson.word_count, text_hash=lesson.text_hash
        )
