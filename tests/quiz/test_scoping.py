"""A teacher sees only their own learners, wherever the admin shows learners (quiz.scoping).

Classes are modelled here by auth groups ("class-of-<teacher>"): the registered function is a
subquery over a relation, like the classes app's. Teacher A teaches learner a1, teacher B
learner b1; a superuser sees both. Usernames are distinctive so that "never appears" means it.
"""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quiz import attempts, scoping
from quiz.grading import Answer
from quiz.models import Attempt, Choice, LessonProgress, Response
from tests.factories import make_quiz, make_student, make_teacher

pytestmark = pytest.mark.django_db

A1, B1 = "alice_a1", "bruno_b1"
GONE = "exist. Perhaps it was deleted?"  # Django's "… doesn’t exist. Perhaps it was deleted?"


def taught_by(user):
    """The learners in the teacher's group; None (everyone) for a user without one."""
    return User.objects.filter(groups__name=f"class-of-{user.username}").values("pk")


@pytest.fixture
def classes():
    with scoping.override(taught_by):  # just this one, whatever the project registered
        yield


def enrol(teacher, *learners):
    group, _ = Group.objects.get_or_create(name=f"class-of-{teacher.username}")
    group.user_set.add(*learners)


def take(user, lesson, *, right: bool, finish: bool = True):
    attempt, _ = attempts.start_or_resume(user, lesson)
    for item in attempt.items.select_related("question", "attempt"):
        if item.question.type == "multiple_choice":
            choices = item.question.choices
            choice = choices.get(is_correct=True) if right else choices.get(text="Ants")
            attempts.record_answer(item, Answer(choice=choice))
    return attempts.finish(attempt) if finish else attempt


@pytest.fixture
def school(classes):
    lesson, questions = make_quiz()
    teacher_a, teacher_b = make_teacher("teach_a"), make_teacher("teach_b")
    a1, b1 = make_student(A1), make_student(B1)
    enrol(teacher_a, a1)
    enrol(teacher_b, b1)
    for learner in (a1, b1):
        finished = take(learner, lesson, right=False)
        # An open practice with one answer, to Q2 ("Bees", right).
        practice = attempts.start_practice(learner, finished)
        item = practice.items.select_related("question", "attempt").get(question=questions[1])
        attempts.record_answer(item, Answer(choice=item.question.choices.get(text="Bees")))
    return {
        "lesson": lesson,
        "questions": questions,
        "teachers": {A1: teacher_a, B1: teacher_b},
        "learners": {A1: a1, B1: b1},
    }


def other(name: str) -> str:
    return B1 if name == A1 else A1


def quiz_changelists() -> list[str]:
    return [
        reverse(f"admin:quiz_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label == "quiz"
    ]


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def without_echo(html: str, query: str) -> str:
    """The page without the search it echoes (search box, links that keep the search)."""
    for echo in (f"q={query}", f"q%3D{query}", f'value="{query}"'):
        html = html.replace(echo, "")
    return html


def learner_of(row) -> int | None:
    if isinstance(row, Response):
        return row.item.attempt.learner_id
    return getattr(row, "learner_id", None)


# ---------------------------------------------------------------------------------------------
# The registry


def test_registry(db):
    teacher, learner = make_teacher("teach_x"), make_student("lee")
    root = User.objects.create_superuser("root", password="a-long-pass-phrase")
    with scoping.override():
        assert scoping.visible_learners(teacher) is None  # nothing registered: everyone
        scoping.register(taught_by)
        scoping.register(taught_by)  # once only
        assert scoping._registry == [taught_by]
        assert list(scoping.visible_learners(teacher)) == []
        enrol(teacher, learner)
        assert [row["pk"] for row in scoping.visible_learners(teacher)] == [learner.pk]
        assert scoping.visible_learners(root) is None  # superusers see everyone
        assert list(scoping.visible_learners(AnonymousUser())) == []
        assert list(scoping.visible_learners(None)) == []
        scoping.unregister(taught_by)
        assert scoping.visible_learners(teacher) is None

        # Users, ids in a list, or None ("this function does not restrict") all work.
        stranger = make_student("stranger")
        for returned in (User.objects.filter(pk=learner.pk), [learner.pk], [learner]):
            with scoping.override(lambda user, r=returned: r):
                scope = scoping.scope(User.objects.all(), teacher, "pk")
                assert list(scope) == [learner]
        with scoping.override(lambda user: None):
            assert scoping.visible_learners(teacher) is None
        # Several functions: a learner must be visible under each.
        with scoping.override(taught_by, lambda user: [learner.pk, stranger.pk]):
            assert list(scoping.scope(User.objects.all(), teacher, "pk")) == [learner]
        with scoping.override(taught_by, lambda user: [stranger.pk]):
            assert list(scoping.scope(User.objects.all(), teacher, "pk")) == []
        with scoping.override(taught_by):
            assert scoping.restrict(User.objects.all(), None, "pk").count() == 4
    assert taught_by not in scoping._registry


def test_visible_learners_runs_no_query_of_its_own(classes):
    teacher = make_teacher("teach_x")
    with CaptureQueriesContext(connection) as queries:
        visible = scoping.visible_learners(teacher)
        scoped = scoping.scope(Attempt.objects.all(), teacher, "learner")
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        list(scoped)
    assert len(queries) == 1 and visible is not None


# ---------------------------------------------------------------------------------------------
# The admin, as each teacher


@pytest.mark.parametrize("me", [A1, B1])
def test_changelists_searches_and_filters_show_only_own_learners(client, school, me):
    teacher = school["teachers"][me]
    mine, theirs = school["learners"][me], school["learners"][other(me)]
    # A second learner of one's own: a filter with one choice only is not shown at all.
    second = make_student(f"second_of_{teacher.username}")
    enrol(teacher, second)
    take(second, school["lesson"], right=True)
    client.force_login(teacher)
    learner_lists = {"attempt", "response", "lessonprogress"}
    for url in quiz_changelists():
        page = client.get(url)
        assert page.status_code == 200, url
        assert other(me) not in text(page), url
        if url.rstrip("/").rsplit("/", 1)[-1] in learner_lists:
            assert me in text(page), url
        for query in (me, other(me)[:5], "a", ""):
            found = client.get(url, {"q": query})
            assert found.status_code == 200 and other(me) not in text(found), (url, query)
        # Searching for the other learner: the page echoes the search, never a result.
        found = client.get(url, {"q": other(me)})
        assert other(me) not in without_echo(text(found), other(me)), url
        assert all(learner_of(row) != theirs.pk for row in found.context["cl"].result_list)
        searched = client.get(url, {"q": me})
        if url.rstrip("/").rsplit("/", 1)[-1] in learner_lists:
            assert me in text(searched) and searched.context["cl"].result_count >= 1
        # Every choice of every list filter (the learner filter lists only one's own).
        walked = 0
        for spec in page.context["cl"].filter_specs:
            for choice in spec.choices(page.context["cl"]):
                filtered = client.get(url + choice["query_string"])
                assert filtered.status_code == 200, (url, choice)
                assert other(me) not in text(filtered), (url, choice["query_string"])
                walked += 1
        assert walked or not page.context["cl"].filter_specs
        # Asking for the other learner by id finds nothing.
        for lookup in ("learner__id__exact", "item__attempt__learner__id__exact"):
            asked = client.get(url, {lookup: theirs.pk})
            if asked.status_code == 200:
                assert other(me) not in text(asked)
                assert all(learner_of(row) != theirs.pk for row in asked.context["cl"].result_list)
    # The learner filters list exactly one's own learners.
    for url, field in (
        ("/admin/quiz/attempt/", "learner"),
        ("/admin/quiz/lessonprogress/", "learner"),
        ("/admin/quiz/response/", "item__attempt__learner"),
    ):
        cl = client.get(url, {"_facets": "1"}).context["cl"]
        (spec,) = [s for s in cl.filter_specs if getattr(s, "field_path", "") == field]
        assert sorted(label for _, label in spec.lookup_choices) == sorted([me, second.username])
        assert mine.pk in [pk for pk, _ in spec.lookup_choices]
        assert theirs.pk not in [pk for pk, _ in spec.lookup_choices]


@pytest.mark.parametrize("me", [A1, B1])
def test_other_learners_rows_do_not_exist_for_a_teacher(client, school, me):
    client.force_login(school["teachers"][me])
    mine, theirs = school["learners"][me], school["learners"][other(me)]
    rows = {
        "attempt": (
            Attempt.objects.filter(learner=mine).first(),
            Attempt.objects.filter(learner=theirs).first(),
        ),
        "response": (
            Response.objects.filter(item__attempt__learner=mine).first(),
            Response.objects.filter(item__attempt__learner=theirs).first(),
        ),
        "lessonprogress": (
            LessonProgress.objects.get(learner=mine),
            LessonProgress.objects.get(learner=theirs),
        ),
    }
    for model, (own, foreign) in rows.items():
        page = client.get(reverse(f"admin:quiz_{model}_change", args=[own.pk]))
        assert page.status_code == 200 and me in text(page)
        for view in ("change", "history", "delete"):
            url = reverse(f"admin:quiz_{model}_{view}", args=[foreign.pk])
            response = client.get(url, follow=True)
            assert other(me) not in text(response), url
            if view == "delete":  # teachers may not delete: refused before anything is shown
                assert response.status_code in (403, 404) or GONE in text(response)
            else:
                assert response.redirect_chain and GONE in text(response), url


@pytest.mark.parametrize("me", [A1, B1])
def test_report_and_csvs_show_only_own_learners(client, school, me):
    client.force_login(school["teachers"][me])
    lesson = school["lesson"]
    page = client.get(f"/admin/quiz/question/report/{lesson.pk}/")
    html = text(page)
    assert me in html and other(me) not in html
    summary = page.context["summary"]
    assert (summary.learners, summary.attempts, summary.practice_attempts) == (1, 1, 0)
    assert summary.open_attempts == 1  # one's own learner's open practice
    assert sum(summary.histogram) == 1
    assert all(row["stat"].answers == 1 for row in page.context["stats"])
    assert [row.username for row in page.context["learners"]] == [me]
    # "See answers" leads to one's own learner's answers, and they are there.
    link = reverse("admin:quiz_response_changelist") + (
        f"?item__attempt__lesson__id__exact={lesson.pk}"
        f"&item__attempt__learner__id__exact={school['learners'][me].pk}"
    )
    assert link.replace("&", "&amp;") in html
    answers = client.get(link)
    assert me in text(answers) and answers.context["cl"].result_count == 4  # 3 + 1 practice
    for name in ("grades.csv", "responses.csv"):
        exported = text(client.get(f"/admin/quiz/question/report/{lesson.pk}/{name}"))
        rows = list(csv.reader(io.StringIO(exported)))
        assert me in exported and other(me) not in exported, name
        learner_column = rows[0].index("learner")
        assert {row[learner_column] for row in rows[1:]} == {me}, name


@pytest.mark.parametrize("me", [A1, B1])
def test_regrade_preview_and_regrade_are_scoped(client, school, me):
    client.force_login(school["teachers"][me])
    lesson, question = school["lesson"], school["questions"][0]
    Choice.objects.filter(question=question).update(is_correct=False)
    Choice.objects.filter(question=question, text="Ants").update(is_correct=True)
    url = f"/admin/quiz/question/{question.pk}/regrade/"
    preview = text(client.get(url))
    assert me in preview and other(me) not in preview
    assert "Re-grade 1 answer" in preview and "of your learners" in preview
    # The report says one's own figures are stale; after the re-grade they are not.
    report = f"/admin/quiz/question/report/{lesson.pk}/"
    assert "1 answer would change mark" in text(client.get(report))
    client.post(url)
    assert "out of date" not in text(client.get(report))
    theirs = Response.objects.get(
        item__question=question, item__attempt__learner=school["learners"][other(me)]
    )
    mine = Response.objects.get(
        item__question=question, item__attempt__learner=school["learners"][me]
    )
    assert mine.is_correct and not theirs.is_correct  # their teacher re-grades their own
    client.force_login(school["teachers"][other(me)])
    assert "1 answer would change mark" in text(client.get(report))


def test_saving_a_key_offers_a_regrade_only_for_own_learners(client, school):
    from tests.quiz.test_admin import change_data

    teacher_a = school["teachers"][A1]
    question = school["questions"][0]
    # Both learners chose "Ants", which becomes the key: with a1 out of A's class, only b1's
    # mark changes, and A does not see b1.
    Group.objects.get(name="class-of-teach_a").user_set.clear()
    client.force_login(teacher_a)
    data = change_data(question)
    data.pop("choices-0-is_correct")
    index = [c.text for c in question.choices.order_by("position")].index("Ants")
    data[f"choices-{index}-is_correct"] = "on"
    saved = client.post(f"/admin/quiz/question/{question.pk}/change/", data, follow=True)
    assert saved.status_code == 200
    assert "Preview and re-grade" not in text(saved)  # nobody of A's would change


def test_superuser_sees_everyone(client, school):
    client.force_login(User.objects.create_superuser("root", password="a-long-pass-phrase"))
    lesson = school["lesson"]
    for url in [
        "/admin/quiz/attempt/",
        "/admin/quiz/response/",
        "/admin/quiz/lessonprogress/",
        f"/admin/quiz/question/report/{lesson.pk}/",
        f"/admin/quiz/question/report/{lesson.pk}/grades.csv",
        f"/admin/quiz/question/report/{lesson.pk}/responses.csv",
    ]:
        page = text(client.get(url))
        assert A1 in page and B1 in page, url
    foreign = Attempt.objects.filter(learner__username=B1).first()
    assert client.get(f"/admin/quiz/attempt/{foreign.pk}/change/").status_code == 200
    question = school["questions"][0]
    Choice.objects.filter(question=question).update(is_correct=False)
    Choice.objects.filter(question=question, text="Ants").update(is_correct=True)
    preview = text(client.get(f"/admin/quiz/question/{question.pk}/regrade/"))
    assert A1 in preview and B1 in preview and "Re-grade 2 answers" in preview


def test_nothing_registered_everyone_sees_everyone(client, school):
    with scoping.override():
        client.force_login(school["teachers"][A1])
        page = text(client.get(f"/admin/quiz/question/report/{school['lesson'].pk}/"))
        assert A1 in page and B1 in page
        assert B1 in text(client.get("/admin/quiz/attempt/"))


# ---------------------------------------------------------------------------------------------
# Query counts with scoping on


def test_report_queries_do_not_grow_with_learners_when_scoped(client, classes):
    lesson, _ = make_quiz()
    teacher, colleague = make_teacher("teach_a"), make_teacher("teach_b")

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            learner = User.objects.create(username=f"pupil{i:03}")
            enrol(teacher if i % 5 else colleague, learner)  # one in five is the colleague's
            take(learner, lesson, right=bool(i % 2), finish=i % 7 != 0)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200
            text(response)
        return len(queries)

    urls = [
        f"/admin/quiz/question/report/{lesson.pk}/",
        f"/admin/quiz/question/report/{lesson.pk}/grades.csv",
        f"/admin/quiz/question/report/{lesson.pk}/responses.csv",
    ]
    client.force_login(teacher)
    # Enough finished attempts that the item analysis has its upper and lower groups (one
    # more query from then on, whatever the class size).
    add(0, 10)
    small = [count(url) for url in urls]
    add(10, 50)
    page = client.get(urls[0])
    assert len(page.context["learners"]) == 40 and "pupil000" not in text(page)
    assert [count(url) for url in urls] == small
