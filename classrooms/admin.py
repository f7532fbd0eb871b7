"""Classes in the admin: members, assignments, roster and sign-in slips, the gradebook."""

from collections.abc import Iterator

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from courses.models import Lesson
from quiz.reports import CsvResponse, safe_cell

from . import gradebook, roster
from .models import Assignment, Classroom, Enrolment


def gradebook_csv_rows(classroom: Classroom, columns: list) -> Iterator[list[str]]:
    """Header, then one row per student (by name): every cell through the formula guard."""
    header = ["Student", "Username"]
    for column in columns:
        header += [f"{column.title}: {part}" for part in ("state", "grade %", "late")]
    yield [safe_cell(h) for h in [*header, "Passed", "Average %", "Late"]]
    for row in gradebook.csv_rows(classroom, columns):
        cells = [row.name, row.username]
        for cell in row.cells:
            cells += [cell.label, "" if cell.grade is None else cell.grade, "late" * cell.late]
        cells += [row.passed, "" if row.average is None else row.average, row.late]
        yield [safe_cell(c) for c in cells]


def toggled(order: str, key: str) -> str:
    """The ?o= value a column heading links to: descending first (names ascending), then the
    other way round when it is already the order."""
    first = key if key == "name" else f"-{key}"
    return (key if first.startswith("-") else f"-{key}") if order == first else first


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ["name", "username", "joined_at"]
    readonly_fields = ["name", "username", "joined_at"]
    extra = 0
    verbose_name_plural = "students (tick “Delete” to take a student out of the class)"

    def has_add_permission(self, request, obj=None):
        return False  # students come in with the code or the roster, never by picking users

    @admin.display(description="name")
    def name(self, obj):
        return f"{obj.student.first_name} {obj.student.last_name}".strip() or "—"

    @admin.display(description="username")
    def username(self, obj):
        return obj.student.username

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["lesson", "course", "opens_at", "due_at", "closed"]
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lesson":
            kwargs["queryset"] = Lesson.objects.select_related("course").order_by(
                "course__position", "position"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "join_code", "student_count", "assignment_count", "gradebook_link"]
    search_fields = ["name", "join_code"]
    readonly_fields = ["join_code", "created_at"]
    inlines = [AssignmentInline, EnrolmentInline]

    def get_fields(self, request, obj=None):
        fields = ["name", "join_code", "joining_open"]
        if request.user.is_superuser:
            fields.append("teachers")
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "teachers":
            kwargs["queryset"] = User.objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .taught_by(request.user)
            .annotate(
                students_n=Count("enrolments", distinct=True),
                assignments_n=Count("assignments", distinct=True),
            )
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.teachers.exists():
            form.instance.teachers.add(request.user)  # whoever creates a class teaches it

    @admin.display(description="students", ordering="students_n")
    def student_count(self, obj):
        return obj.students_n

    @admin.display(description="assignments", ordering="assignments_n")
    def assignment_count(self, obj):
        return obj.assignments_n

    @admin.display(description="gradebook")
    def gradebook_link(self, obj):
        return format_html(
            '<a href="{}">Gradebook</a>', reverse("admin:classrooms_gradebook", args=[obj.pk])
        )

    # -- pages of one class ------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<id:pk>/roster/", view(self.roster_view), name="classrooms_roster"),
            path("<id:pk>/slips/", view(self.slips_view), name="classrooms_slips"),
            path("<id:pk>/gradebook/", view(self.gradebook_view), name="classrooms_gradebook"),
            path(
                "<id:pk>/gradebook.csv", view(self.gradebook_csv), name="classrooms_gradebook_csv"
            ),
            path(
                "<id:pk>/students/<id:student_id>/",
                view(self.student_view),
                name="classrooms_student",
            ),
            path(
                "<id:pk>/lessons/<id:lesson_id>/paragraphs/",
                view(self.paragraphs_view),
                name="classrooms_paragraphs",
            ),
            *super().get_urls(),
        ]

    def classroom_for(self, request, pk: int, *, change: bool = False) -> Classroom:
        """One of the teacher's own classes (another teacher's is a 404)."""
        classroom = get_object_or_404(Classroom.objects.taught_by(request.user), pk=pk)
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request, classroom):
            raise PermissionDenied
        return classroom

    def page(self, request, classroom, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/classrooms/classroom/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": classroom,
                "classroom": classroom,
                "title": title,
                **context,
            },
        )

    def roster_view(self, request, pk: int):
        classroom = self.classroom_for(request, pk, change=True)
        error = ""
        text = request.POST.get("names", "") if request.method == "POST" else ""
        if request.method == "POST":
            try:
                slips = roster.add_students(classroom, text)
            except ValueError as problem:
                error = str(problem)
            else:
                return self.slips_page(request, classroom, slips, new=True)
        return self.page(
            request,
            classroom,
            "roster.html",
            f"Add students to {classroom}",
            names=text,
            error=error,
            limit=roster.MAX_NAMES,
        )

    def slips_view(self, request, pk: int):
        """POST only: new one-time passwords for the ticked students (a teacher's reset)."""
        classroom = self.classroom_for(request, pk, change=True)
        if request.method != "POST":
            return redirect("admin:classrooms_classroom_change", classroom.pk)
        ids = [int(i) for i in request.POST.getlist("student") if i.isdigit()]
        slips = roster.new_passwords(classroom, ids)
        if not slips:
            messages.warning(request, "Tick at least one student to give a new password.")
            return redirect("admin:classrooms_gradebook", classroom.pk)
        return self.slips_page(request, classroom, slips, new=False)

    def slips_page(self, request, classroom, slips, *, new: bool):
        return self.page(
            request,
            classroom,
            "slips.html",
            f"Sign-in slips for {classroom}",
            slips=slips,
            new=new,
            site=request.build_absolute_uri("/"),
            login_url=request.build_absolute_uri(reverse("login")),
        )

    def gradebook_view(self, request, pk: int):
        classroom = self.classroom_for(request, pk)
        order = request.GET.get("o", "name")
        book = gradebook.build(classroom, order=order)
        return self.page(
            request,
            classroom,
            "gradebook.html",
            f"Gradebook: {classroom}",
            book=book,
            order=order,
            headers=[
                (column, toggled(order, f"lesson-{column.lesson_id}")) for column in book.columns
            ],
            sort_links={key: toggled(order, key) for key in ("name", "passed", "average", "late")},
            totals=book.column_totals(),
            can_reset=self.has_change_permission(request, classroom),
        )

    def gradebook_csv(self, request, pk: int):
        """The gradebook as CSV, streamed: students by name, a chunk of them at a time."""
        classroom = self.classroom_for(request, pk)
        columns = gradebook.columns_for(classroom)
        # A BOM, so Excel reads the file as UTF-8.
        return CsvResponse(
            gradebook_csv_rows(classroom, columns), f"gradebook-{classroom.pk}.csv", bom=True
        )

    def student_view(self, request, pk: int, student_id: int):
        classroom = self.classroom_for(request, pk)
        book = gradebook.build(classroom, student_id=student_id)
        if not book.rows:
            raise PermissionDenied  # not a student of this class
        row = book.rows[0]
        attempts = gradebook.attempts_of(student_id, [c.lesson_id for c in book.columns])
        return self.page(
            request,
            classroom,
            "student.html",
            f"{row.name} in {classroom}",
            book=book,
            row=row,
            lines=[
                (column, cell, attempts.get(column.lesson_id, []))
                for column, cell in zip(book.columns, row.cells, strict=True)
            ],
        )

    def paragraphs_view(self, request, pk: int, lesson_id: int):
        classroom = self.classroom_for(request, pk)
        lesson = get_object_or_404(Lesson, pk=lesson_id)
        paragraphs = gradebook.paragraph_misses(classroom, lesson)
        return self.page(
            request,
            classroom,
            "paragraphs.html",
            f"Where {classroom} struggled: {lesson.title}",
            lesson=lesson,
            paragraphs=paragraphs,
            answered=any(p.asked for p in paragraphs),
        )
