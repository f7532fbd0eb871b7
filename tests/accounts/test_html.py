"""The account pages validate as HTML (same validator and helper as tests/test_html_valid.py)."""

import re

import pytest
from django.core import mail

from accounts import one_time
from tests.test_html_valid import validate

pytestmark = pytest.mark.django_db

NEW = "my-own-quiet-river"


def test_account_pages_are_valid_html(client, student, tmp_path):
    pages = {
        "login": client.get("/accounts/login/?next=/me/").content,
        "login-errors": client.post(
            "/accounts/login/", {"username": "sam", "password": "wrong"}
        ).content,
        "signup-errors": client.post(
            "/accounts/signup/", {"username": "x", "password1": "123", "password2": "123"}
        ).content,
        "reset": client.get("/accounts/password/reset/").content,
        "reset-errors": client.post("/accounts/password/reset/", {"email": "nope"}).content,
        "reset-done": client.get("/accounts/password/reset/done/").content,
        "reset-bad-link": client.get("/accounts/password/reset/xx/bad-token/").content,
        "reset-complete": client.get("/accounts/password/reset/complete/").content,
    }
    student.email = "sam@example.org"
    student.save()
    client.post("/accounts/password/reset/", {"email": "sam@example.org"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body)[1]
    set_url = client.get(link)["Location"]
    pages["reset-confirm"] = client.get(set_url).content
    pages["reset-confirm-errors"] = client.post(
        set_url, {"new_password1": "123", "new_password2": "1234"}
    ).content

    for _ in range(5):
        locked = client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
    assert locked.status_code == 429
    pages["locked-out"] = locked.content

    password = one_time.issue(student)  # also lifts the lockout
    client.post("/accounts/login/", {"username": "sam", "password": password})
    pages["first-password"] = client.get("/accounts/password/new/?next=/me/").content
    assert b"<h1>Choose your own password</h1>" in pages["first-password"]
    pages["first-password-errors"] = client.post(
        "/accounts/password/new/", {"new_password1": "12345", "new_password2": "12345"}
    ).content
    client.post("/accounts/password/new/", {"new_password1": NEW, "new_password2": NEW})
    # (The success message is left out: base.html puts role="status" on its <ul>, which the
    # validator refuses; base.html is not part of the accounts work.)
    assert "Your new password is saved" in client.get("/").content.decode()

    result = validate(tmp_path, pages)
    assert result.returncode == 0, result.stdout + result.stderr
