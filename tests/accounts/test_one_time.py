import re

import pytest
from django.contrib.auth.models import User

from accounts import one_time
from accounts.models import PasswordChange
from tests.factories import make_student

pytestmark = pytest.mark.django_db

NEW = "my-own-quiet-river"
CHANGE = "/accounts/password/new/"


def log_in(client, username, password):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return response


def test_issue_sets_a_readable_password_and_the_mark(student):
    assert not one_time.is_required(student)
    password = one_time.issue(student)
    assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", password)
    assert not set(password) & set("0o1li")
    student.refresh_from_db()
    assert student.check_password(password)
    assert not student.check_password("a-long-pass-phrase")
    assert one_time.is_required(student)
    mark = PasswordChange.objects.get(user=student)
    assert mark.required and mark.issued_at
    assert one_time.issue(student) != password  # random each time
    assert PasswordChange.objects.count() == 1


def test_issue_works_for_a_new_account_without_password():
    user = User.objects.create_user("new.student", first_name="New", last_name="Student")
    password = one_time.issue(user)
    assert User.objects.get(username="new.student").check_password(password)
    assert one_time.is_required(user)


def test_every_page_sends_to_the_change_page(client, student, sample_lesson):
    log_in(client, "sam", one_time.issue(student))
    for url in ["/", sample_lesson.get_absolute_url(), "/me/", "/accounts/signup/", "/nope/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(CHANGE + "?next="), url
    assert client.get("/me/")["Location"] == CHANGE + "?next=%2Fme%2F"
    response = client.post(sample_lesson.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == CHANGE


def test_staff_are_sent_there_from_the_admin_too(client, teacher):
    password = one_time.issue(teacher)
    client.post("/admin/login/", {"username": teacher.username, "password": password})
    for url in ["/admin/", "/admin/auth/user/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(CHANGE), url


def test_change_page_log_out_and_static_files_stay_reachable(client, student):
    log_in(client, "sam", one_time.issue(student))
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert "<h1>Choose your own password</h1>" in page.content.decode()
    assert "Old password" not in page.content.decode()
    assert client.get("/static/css/app.css").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").context["user"].is_anonymous


def test_htmx_request_gets_a_one_line_403(client, student):
    log_in(client, "sam", one_time.issue(student))
    response = client.get(
        "/me/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/me/"}
    )
    assert response.status_code == 403
    assert response.content.decode() == "Choose a new password first."
    assert response["HX-Redirect"] == CHANGE + "?next=%2Fme%2F"


def test_choosing_a_password_clears_the_mark_and_keeps_the_session(client, student):
    one_time_password = one_time.issue(student)
    log_in(client, "SAM", one_time_password)
    response = client.post(CHANGE, {"new_password1": NEW, "new_password2": NEW, "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert not one_time.is_required(student)
    assert PasswordChange.objects.get(user=student).changed_at
    home = client.get("/")
    assert home.status_code == 200 and home.context["user"] == student
    assert "Your new password is saved" in home.content.decode()
    assert client.get("/me/").status_code == 200
    client.post("/accounts/logout/")
    assert (
        client.post(
            "/accounts/login/", {"username": "sam", "password": one_time_password}
        ).status_code
        == 200
    )
    log_in(client, "sam", NEW)
    assert client.get("/me/").status_code == 200


def test_change_goes_home_without_next_and_ignores_offsite_next(client, student):
    log_in(client, "sam", one_time.issue(student))
    data = {"new_password1": NEW, "new_password2": NEW, "next": "https://evil.example/"}
    response = client.post(CHANGE, data)
    assert response.status_code == 302 and response["Location"] == "/"


def test_password_rules_apply_and_show_under_the_new_password(client, student):
    log_in(client, "sam", one_time.issue(student))
    response = client.post(CHANGE, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('id="id_new_password1_error"') == 1
    assert 'id="id_new_password2_error"' not in page
    assert one_time.is_required(student)


def test_change_page_without_the_mark_sends_home(client, student):
    client.force_login(student)
    response = client.get(CHANGE)
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post(CHANGE, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.check_password(NEW)


def test_change_page_needs_a_log_in(client, db):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_force_login_after_issue_is_also_sent_there(client, student):
    one_time.issue(student)
    client.force_login(student)
    assert client.get("/")["Location"].startswith(CHANGE)


def test_issue_ends_open_sessions(client, student):
    client.force_login(student)
    assert client.get("/me/").status_code == 200
    one_time.issue(student)
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_session_without_the_cached_mark_asks_the_database(client, student):
    one_time.issue(student)
    client.force_login(student)
    session = client.session
    del session[one_time.SESSION_KEY]
    session.save()
    assert client.get("/")["Location"].startswith(CHANGE)


def test_issue_lifts_a_lockout(client, student):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
    password = one_time.issue(student)
    log_in(client, "sam", password)


def test_other_users_are_not_affected(client, student):
    one_time.issue(make_student("other"))
    client.force_login(student)
    assert client.get("/me/").status_code == 200
