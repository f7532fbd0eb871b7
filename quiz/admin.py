from django.contrib import admin, messages
from django.utils.html import format_html

from .models import AcceptedAnswer, Choice, Question, Status


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "text", "is_correct", "rationale"]
    extra = 0


class AcceptedAnswerInline(admin.TabularInline):
    model = AcceptedAnswer
    fields = ["text"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["short_prompt", "type", "lesson", "status", "skill", "difficulty", "position"]
    list_filter = ["status", "type", "skill", "origin", "lesson"]
    list_select_related = ["lesson"]
    search_fields = ["prompt", "explanation", "evidence_quote", "choices__text"]
    readonly_fields = ["evidence_in_context", "origin", "origin_version", "teacher_edited"]
    fieldsets = [
        (None, {"fields": ["lesson", "type", "prompt", "explanation", "status", "position"]}),
        ("Evidence", {"fields": ["evidence_in_context", "evidence_quote"]}),
        ("Classification", {"fields": ["skill", "difficulty", "origin", "origin_version"]}),
        (
            "Location of the evidence",
            {
                "fields": ["evidence_paragraph", "evidence_start", "evidence_end"],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [ChoiceInline, AcceptedAnswerInline]
    actions = ["publish", "unpublish", "reject"]

    @admin.display(description="question", ordering="prompt")
    def short_prompt(self, obj):
        return str(obj)

    @admin.display(description="evidence in its paragraph")
    def evidence_in_context(self, obj):
        paragraph = obj.lesson.paragraphs.filter(position=obj.evidence_paragraph).first()
        if paragraph is None:
            return "The evidence paragraph no longer exists: this question is stale."
        text = paragraph.text
        return format_html(
            "<p>¶{} — {}<mark>{}</mark>{}</p>",
            obj.evidence_paragraph,
            text[: obj.evidence_start],
            text[obj.evidence_start : obj.evidence_end],
            text[obj.evidence_end :],
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Any edit, to the question or its choices, protects it from regeneration.
        edited = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if change and edited and not form.instance.teacher_edited:
            Question.objects.filter(pk=form.instance.pk).update(teacher_edited=True)

    def _set_status(self, request, queryset, status, verb):
        updated = queryset.update(status=status)
        self.message_user(request, f"{updated} question(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publish selected questions", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "published")

    @admin.action(description="Return selected questions to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "returned to draft")

    @admin.action(description="Reject selected questions", permissions=["change"])
    def reject(self, request, queryset):
        self._set_status(request, queryset, Status.REJECTED, "rejected")
