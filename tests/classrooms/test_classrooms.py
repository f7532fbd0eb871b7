"""Classes: joining, rosters and slips, assignments (due, late, closed), the gradebook and where
a class struggled, each teacher seeing only their own classes."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import one_time
from classrooms import gradebook, roster
from classrooms.assigned import assigned_to
from classrooms.models import Assignment, Classroom, Enrolment
from quiz import attempts
from quiz.grading import Answer
from quiz.models import Attempt, QuizSettings
from tests.factories import make_lesson, make_question, make_student, make_teacher

pytestmark = pytest.mark.django_db


def make_class(teacher, name="Year 9 English", students=()):
    classroom = Classroom.objects.create(name=name)
    classroom.teachers.add(teacher)
    for student in students:
        Enrolment.objects.create(classroom=classroom, student=student)
    return classroom


def two_question_lesson(**kwargs):
    lesson = make_lesson(**kwargs)
    make_question(lesson, position=1, prompt="Which insect dances?")
    make_question(lesson, position=2, prompt="Who won the prize?", paragraph=3)
    QuizSettings.objects.create(lesson=lesson, shuffle_questions=False, shuffle_choices=False)
    return lesson


def take(student, lesson, right: set[int], *, finished_at=None):
    """A finished graded attempt with the questions at positions `right` answered right."""
    attempt, _ = attempts.start_or_resume(student, lesson)
    for item in attempt.items.select_related("question", "attempt"):
        choices = list(item.question.choices.all())
        choice = next(c for c in choices if c.is_correct == (item.position in right))
        attempts.record_answer(item, Answer(choice=choice))
    attempts.finish(attempt)
    if finished_at:
        Attempt.objects.filter(pk=attempt.pk).update(finished_at=finished_at)
    return attempt


# ---------------------------------------------------------------------------------------------
# Joining by code


def test_student_joins_with_a_code_in_any_case(client, student, teacher):
    classroom = make_class(teacher)
    client.force_login(student)
    page = client.get(f"/join/{classroom.join_code.lower()}/")
    assert page.status_code == 200 and classroom.join_code in page.content.decode()
    done = client.post("/join/", {"code": f" {classroom.join_code.lower()} "}, follow=True)
    assert f"You joined {classroom.name}." in done.content.decode()
    assert list(classroom.students.all()) == [student]
    again = client.post("/join/", {"code": classroom.join_code}, follow=True)
    assert "already in" in again.content.decode() and classroom.enrolments.count() == 1


def test_wrong_or_closed_code_is_a_clear_message(client, student, teacher):
    classroom = make_class(teacher)
    client.force_login(student)
    wrong = client.post("/join/", {"code": "ZZZZZZ"})
    assert wrong.status_code == 400 and "No class has that code" in wrong.content.decode()
    Classroom.objects.filter(pk=classroom.pk).update(joining_open=False)
    closed = client.post("/join/", {"code": classroom.join_code})
    assert closed.status_code == 400 and "not taking new students" in closed.content.decode()
    assert not Enrolment.objects.exists()


def test_anonymous_visitor_signs_in_first_and_comes_back(client, teacher):
    classroom = make_class(teacher)
    response = client.get(f"/join/{classroom.join_code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/join/")


# ---------------------------------------------------------------------------------------------
# Roster, slips and one-time passwords


def test_parse_names_takes_both_orders_and_drops_repeats():
    text = "Maria Lopez\n\nLopez, Maria\n  Ana  María   de la Cruz \nCher\nSmith, John\t\n"
    assert roster.parse_names(text) == [
        ("Maria", "Lopez"),
        ("Ana María de la", "Cruz"),
        ("Cher", ""),
        ("John", "Smith"),
    ]
    assert roster.username_base("Zoë", "Ångström-Ébert") == "zoe.angstromebert"


def test_teacher_pastes_names_and_prints_slips(client, teacher):
    classroom = make_class(teacher)
    User.objects.create_user(username="maria.lopez")  # an older account elsewhere
    client.force_login(teacher)
    url = reverse("admin:classrooms_roster", args=[classroom.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"names": "Maria Lopez\nTom Brown\n"})
    html = page.content.decode()
    assert page.status_code == 200 and "Print this page now" in html
    assert "maria.lopez2" in html and "tom.brown" in html and 'class="slip"' in html
    maria = User.objects.get(username="maria.lopez2")
    assert (maria.first_name, maria.last_name) == ("Maria", "Lopez")
    assert one_time.is_required(maria) and classroom.students.count() == 2
    # The printed password works once, then the student must choose their own.
    password = html.split("maria.lopez2</dd>")[1].split('slip__code">')[1].split("<")[0]
    client.logout()
    signed_in = client.post("/accounts/login/", {"username": "Maria.Lopez2", "password": password})
    assert signed_in.status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/password/new/")


def test_empty_roster_is_refused_in_place(client, teacher):
    classroom = make_class(teacher)
    client.force_login(teacher)
    page = client.post(reverse("admin:classrooms_roster", args=[classroom.pk]), {"names": " \n"})
    assert "Paste at least one name" in page.content.decode()
    assert not classroom.students.exists()


def test_teacher_gives_a_new_one_time_password(client, teacher):
    sam = make_student("sam")
    outsider = make_student("olly")
    classroom = make_class(teacher, students=[sam])
    client.force_login(teacher)
    page = client.post(
        reverse("admin:classrooms_slips", args=[classroom.pk]),
        {"student": [sam.pk, outsider.pk]},
    )
    html = page.content.decode()
    assert "New one-time password" in html and "sam" in html and "olly" not in html
    sam.refresh_from_db()
    assert one_time.is_required(sam) and not one_time.is_required(outsider)


# ---------------------------------------------------------------------------------------------
# Assignments: due dates, late work, closed assignments


def test_assigned_lessons_come_first_with_due_dates_and_states(client, student, teacher):
    lesson = two_question_lesson()
    classroom = make_class(teacher, students=[student])
    due = timezone.now() + timedelta(days=3)
    Assignment.objects.create(classroom=classroom, lesson=lesson, due_at=due)
    client.force_login(student)
    home = client.get("/").content.decode()
    assert "Assigned to you" in home and lesson.title in home
    # Before the course list.
    assert home.index("Assigned to you") < home.index('href="/courses/science-reading/"')
    assert "Not started" in home and "due " in home
    take(student, lesson, right={1, 2})
    assert "Mastered" in client.get("/").content.decode()


def test_work_after_the_due_date_is_late_not_refused(student, teacher):
    lesson = two_question_lesson()
    classroom = make_class(teacher, students=[student])
    due = timezone.now() - timedelta(days=1)
    Assignment.objects.create(classroom=classroom, lesson=lesson, due_at=due)
    [item] = assigned_to(student)
    assert item.overdue and not item.late
    take(student, lesson, right={1})
    [item] = assigned_to(student)
    assert item.late and not item.overdue


def test_a_closed_assignment_refuses_new_attempts_after_the_due_date(client, student, teacher):
    lesson = two_question_lesson()
    classroom = make_class(teacher, students=[student])
    Assignment.objects.create(
        classroom=classroom, lesson=lesson, due_at=timezone.now() - timedelta(hours=1), closed=True
    )
    client.force_login(student)
    start = reverse("quiz:start", args=[lesson.course.slug, lesson.slug])
    page = client.post(start, follow=True).content.decode()
    assert "closed this assignment" in page and not Attempt.objects.exists()
    # Another learner, in no class, may still take the lesson.
    client.force_login(make_student("free"))
    client.post(start)
    assert Attempt.objects.count() == 1


def test_an_assignment_opens_on_its_date(student, teacher):
    lesson = two_question_lesson()
    classroom = make_class(teacher, students=[student])
    Assignment.objects.create(
        classroom=classroom, lesson=lesson, opens_at=timezone.now() + timedelta(days=1)
    )
    assert assigned_to(student) == []


def test_assignment_is_a_lesson_or_a_course():
    from django.core.exceptions import ValidationError

    lesson = make_lesson()
    classroom = Classroom.objects.create(name="A")
    with pytest.raises(ValidationError):
        Assignment(classroom=classroom, lesson=lesson, course=lesson.course).full_clean()
    with pytest.raises(ValidationError):
        Assignment(classroom=classroom).full_clean()


# ---------------------------------------------------------------------------------------------
# Gradebook


def test_gradebook_grid_totals_sorting_and_late(client, teacher):
    lesson = two_question_lesson()
    ana, ben, cy = make_student("ana"), make_student("ben"), make_student("cy")
    for user, first in ((ana, "Ana"), (ben, "Ben"), (cy, "Cy")):
        User.objects.filter(pk=user.pk).update(first_name=first, last_name="Reader")
    classroom = make_class(teacher, students=[ana, ben, cy])
    due = timezone.now() + timedelta(days=1)
    Assignment.objects.create(classroom=classroom, lesson=lesson, due_at=due)
    take(ana, lesson, right={1, 2})
    take(ben, lesson, right={1}, finished_at=due + timedelta(hours=2))
    book = gradebook.build(classroom, order="-average")
    assert [r.name for r in book.rows] == ["Ana Reader", "Ben Reader", "Cy Reader"]
    assert [(c.status, c.grade, c.late) for r in book.rows for c in r.cells] == [
        ("mastered", 100, False),
        ("not_passed", 50, True),
        ("not_started", None, False),
    ]
    assert book.column_totals() == [{"passed": 1, "late": 1, "average": 75}]
    assert [r.username for r in gradebook.build(classroom, order="-name").rows] == [
        "cy",
        "ben",
        "ana",
    ]
    client.force_login(teacher)
    page = client.get(reverse("admin:classrooms_gradebook", args=[classroom.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Ana Reader" in html and "late</span>" in html
    assert "Not passed yet" in html and "1 passed · average 75%" in html


def test_gradebook_csv_opens_in_excel_and_guards_formulas(client, teacher):
    lesson = two_question_lesson()
    evil = make_student("evil")
    User.objects.filter(pk=evil.pk).update(first_name="=HYPERLINK(1)", last_name="")
    classroom = make_class(teacher, students=[evil])
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    client.force_login(teacher)
    response = client.get(reverse("admin:classrooms_gradebook_csv", args=[classroom.pk]))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff") and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Student", "Username"] and rows[1][0].startswith("'=")


def test_student_drill_down(client, teacher):
    lesson = two_question_lesson()
    ana = make_student("ana")
    classroom = make_class(teacher, students=[ana])
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    attempt = take(ana, lesson, right={1})
    client.force_login(teacher)
    page = client.get(reverse("admin:classrooms_student", args=[classroom.pk, ana.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and f"/admin/quiz/attempt/{attempt.pk}/change/" in html
    outsider = make_student("olly")
    assert (
        client.get(reverse("admin:classrooms_student", args=[classroom.pk, outsider.pk]))
    ).status_code == 403


def test_where_the_class_struggled(client, teacher):
    lesson = two_question_lesson()
    students = [make_student(f"s{i}") for i in range(4)]
    classroom = make_class(teacher, students=students)
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    for student in students:
        take(student, lesson, right={1})  # everyone misses the question on paragraph 3
    take(make_student("outsider"), lesson, right=set())  # not in the class: not counted
    paragraphs = {p.position: p for p in gradebook.paragraph_misses(classroom, lesson)}
    assert (paragraphs[1].asked, paragraphs[1].missed, paragraphs[1].shade) == (4, 0, 1)
    assert (paragraphs[3].asked, paragraphs[3].missed, paragraphs[3].shade) == (4, 4, 4)
    assert paragraphs[2].rate is None and paragraphs[2].shade == 0
    client.force_login(teacher)
    html = client.get(
        reverse("admin:classrooms_paragraphs", args=[classroom.pk, lesson.pk])
    ).content.decode()
    assert "100% missed" in html and "struggle--4" in html and "Who won the prize?" in html


def gradebook_queries(client, teacher, n_students: int) -> int:
    lesson = two_question_lesson(course=None)
    classroom = make_class(teacher, name=f"Class {n_students}")
    Assignment.objects.create(classroom=classroom, lesson=lesson)
    Assignment.objects.create(classroom=classroom, course=lesson.course)
    users = User.objects.bulk_create(User(username=f"u{n_students}-{i}") for i in range(n_students))
    Enrolment.objects.bulk_create(Enrolment(classroom=classroom, student=u) for u in users)
    for user in users[:3]:
        take(user, lesson, right={1})
    client.force_login(teacher)
    counts = []
    for name in ("classrooms_gradebook", "classrooms_gradebook_csv"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"admin:{name}", args=[classroom.pk]))
            assert response.status_code == 200
            assert response.content  # read to the end: the CSV's queries run as it streams
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:classrooms_paragraphs", args=[classroom.pk, lesson.pk]))
    counts.append(len(queries))
    lesson.course.delete()
    return counts


def test_gradebook_queries_are_constant_in_class_size(client, teacher):
    small = gradebook_queries(client, teacher, 30)
    large = gradebook_queries(client, teacher, 300)
    assert small == large, (small, large)
    # Pinned. Gradebook and CSV: session, user, first-password check, class, assignments,
    # course lessons, students, progress, first finished attempts, permission check.
    assert small == [10, 10, 9], small


# ---------------------------------------------------------------------------------------------
# Each teacher manages only their own classes


def test_teachers_see_only_their_own_classes(client):
    tess, tom = make_teacher("tess"), make_teacher("tom")
    mine = make_class(tess, name="Tess's class")
    theirs = make_class(tom, name="Tom's class")
    client.force_login(tess)
    listing = client.get(reverse("admin:classrooms_classroom_changelist")).content.decode()
    assert "Tess&#x27;s class" in listing and "Tom" not in listing
    for name in (
        "classrooms_gradebook",
        "classrooms_gradebook_csv",
        "classrooms_roster",
        "classrooms_classroom_change",
    ):
        assert client.get(reverse(f"admin:{name}", args=[theirs.pk])).status_code in (302, 404)
        assert client.get(reverse(f"admin:{name}", args=[mine.pk])).status_code == 200
    assert (
        client.post(
            reverse("admin:classrooms_roster", args=[theirs.pk]), {"names": "Eve Spy"}
        ).status_code
        == 404
    )
    assert not User.objects.filter(username="eve.spy").exists()


def test_the_teacher_who_creates_a_class_teaches_it(client):
    tess = make_teacher("tess")
    client.force_login(tess)
    response = client.post(
        reverse("admin:classrooms_classroom_add"),
        {
            "name": "Year 10",
            "joining_open": "on",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
            "enrolments-TOTAL_FORMS": "0",
            "enrolments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Classroom.objects.get(name="Year 10").teachers.all()) == [tess]


def test_class_pages_for_students_are_valid_html(client, student, teacher, tmp_path):
    from tests.test_html_valid import validate

    lesson = two_question_lesson()
    classroom = make_class(teacher)
    Assignment.objects.create(
        classroom=classroom, lesson=lesson, due_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(student)
    pages = {
        "join": client.get("/join/").content,
        "join-error": client.post("/join/", {"code": "nope"}).content,
        # Joining lands on the home page with a message and "Assigned to you" (overdue).
        "home-assigned": client.post("/join/", {"code": classroom.join_code}, follow=True).content,
    }
    assert b"Assigned to you" in pages["home-assigned"] and b"You joined" in pages["home-assigned"]
    result = validate(tmp_path, pages)
    assert result.returncode == 0, result.stdout + result.stderr
