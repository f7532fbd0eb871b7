"""A read-only record of generation runs: what ran, with which model, what it kept and why it
dropped the rest. Runs are made by the generator (command, admin action, background task),
never by hand."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import GenerationRun, Question, RunStatus


@admin.register(GenerationRun)
class GenerationRunAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "lesson",
        "backend",
        "model",
        "status",
        "progress",
        "accepted_count",
        "rejected_count",
        "duration_display",
        "created_at",
    ]
    list_filter = ["status", "backend", "model", "lesson"]
    list_select_related = ["lesson", "requested_by"]
    search_fields = ["lesson__title", "model", "error"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "lesson",
                    "status",
                    "progress",
                    "error",
                    "backend",
                    "model",
                    "base_url",
                    "prompt_version",
                    "requested_by",
                    ("requested_count", "replace_drafts", "publish"),
                    ("created_at", "started_at", "finished_at", "duration_display"),
                    ("accepted_count", "rejected_count", "replaced_count"),
                ]
            },
        ),
        ("Accepted items", {"fields": ["accepted_items"]}),
        ("Rejected items", {"fields": ["rejected_items"]}),
        ("Raw response", {"classes": ["collapse"], "fields": ["raw_response_block", "task_id"]}),
    ]
    readonly_fields = [
        "lesson",
        "status",
        "progress",
        "error",
        "backend",
        "model",
        "base_url",
        "prompt_version",
        "requested_by",
        "requested_count",
        "replace_drafts",
        "publish",
        "created_at",
        "started_at",
        "finished_at",
        "duration_display",
        "accepted_count",
        "rejected_count",
        "replaced_count",
        "accepted_items",
        "rejected_items",
        "raw_response_block",
        "task_id",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only: the record of a run is never edited

    @admin.display(description="progress")
    def progress(self, run: GenerationRun) -> str:
        if run.status == RunStatus.QUEUED:
            return "Waiting for a worker (manage.py db_worker)…"
        if run.status == RunStatus.RUNNING:
            return "Writing questions… reload this page to follow it."
        if run.status == RunStatus.FAILED:
            return f"Failed: {run.error}" if run.error else "Failed"
        return f"{run.accepted_count} stored, {run.rejected_count} rejected"

    @admin.display(description="seconds", ordering="duration")
    def duration_display(self, run: GenerationRun) -> str:
        return "—" if run.duration is None else f"{run.duration:.1f}"

    @admin.display(description="accepted")
    def accepted_items(self, run: GenerationRun) -> str:
        if not run.accepted:
            return "—"
        live = set(
            Question.objects.filter(pk__in=[a.get("question") for a in run.accepted]).values_list(
                "pk", flat=True
            )
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    format_html('<a href="{}">{}</a>', _question_url(a["question"]), a["prompt"])
                    if a.get("question") in live
                    else a.get("prompt", ""),
                    a.get("type", ""),
                    a.get("skill", ""),
                    a.get("evidence", ""),
                )
                for a in run.accepted
            ),
        )
        return format_html(
            "<table><thead><tr><th>question</th><th>type</th><th>skill</th><th>evidence</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="rejected, with reasons")
    def rejected_items(self, run: GenerationRun) -> str:
        if not run.rejected:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.get("prompt") or "(unreadable item)",
                    r.get("type", ""),
                    "; ".join(r.get("reasons", [])),
                    r.get("attempts", 1),
                )
                for r in run.rejected
            ),
        )
        return format_html(
            "<table><thead><tr><th>item</th><th>type</th><th>reasons</th><th>tries</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="raw response")
    def raw_response_block(self, run: GenerationRun) -> str:
        if not run.raw_response:
            return "—"
        return format_html(
            '<pre class="raw-response">{}</pre>',
            run.raw_response,
        )


def _question_url(pk: int) -> str:
    return reverse("admin:quiz_question_change", args=[pk])
