"""setup_demo: demo accounts (published passwords) only with DEBUG on or --demo-accounts."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from classrooms.management.commands.setup_demo import DEMO_USERS
from classrooms.models import Classroom
from courses.models import Lesson

pytestmark = pytest.mark.django_db


def setup_demo(*args: str) -> str:
    out = StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


def test_debug_off_loads_the_lesson_but_refuses_the_demo_accounts(settings):
    settings.DEBUG = False
    output = setup_demo()
    assert Lesson.objects.filter(course__slug="south-caucasus-geopolitics").exists()
    assert not User.objects.filter(username__in=DEMO_USERS).exists()
    assert not Classroom.objects.filter(name="Demo class").exists()
    refusals = [line for line in output.splitlines() if "Demo accounts not created" in line]
    assert len(refusals) == 1
    assert "DEBUG is off" in refusals[0] and "--demo-accounts" in refusals[0]
    for password, *_ in DEMO_USERS.values():
        assert password not in output


def test_debug_off_with_the_flag_creates_the_demo_accounts(settings):
    settings.DEBUG = False
    output = setup_demo("--demo-accounts")
    assert_demo_accounts(output)


def test_debug_on_creates_the_demo_accounts(settings):
    settings.DEBUG = True
    output = setup_demo()
    assert_demo_accounts(output)


def test_flag_after_a_refusal_adds_the_accounts_and_nothing_twice(settings):
    settings.DEBUG = False
    setup_demo()
    lessons = Lesson.objects.count()
    setup_demo("--demo-accounts")
    setup_demo("--demo-accounts")
    assert Lesson.objects.count() == lessons
    assert User.objects.filter(username__in=DEMO_USERS).count() == len(DEMO_USERS)
    assert Classroom.objects.filter(name="Demo class").count() == 1


def assert_demo_accounts(output: str) -> None:
    assert "Demo accounts not created" not in output
    for username, (password, *_) in DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert f"password: {password}" in output
    classroom = Classroom.objects.get(name="Demo class")
    assert classroom.teachers.filter(username="teacher").exists()
    assert classroom.assignments.exists()
