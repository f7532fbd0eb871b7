import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.factories import make_student

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase"


def log_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_axes_comes_first_then_case_insensitive_backend():
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "accounts.backends.CaseInsensitiveModelBackend",
    ]


@pytest.mark.parametrize("typed", ["maria", "MARIA", "Maria"])
def test_log_in_in_any_case(client, typed):
    maria = make_student("maria")
    response = log_in(client, typed)
    assert response.status_code == 302
    assert client.get("/").context["user"] == maria


def test_wrong_password_still_fails(client):
    make_student("maria")
    response = log_in(client, "MARIA", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_legacy_accounts_differing_in_case_need_the_exact_name(client):
    upper = make_student("Maria", "upper-case-password")
    lower = make_student("maria", "lower-case-password")
    assert log_in(client, "Maria", "upper-case-password").status_code == 302
    assert client.get("/").context["user"] == upper
    client.post("/accounts/logout/")
    assert log_in(client, "maria", "lower-case-password").status_code == 302
    assert client.get("/").context["user"] == lower
    client.post("/accounts/logout/")
    assert log_in(client, "MARIA", "upper-case-password").status_code == 200
    assert log_in(client, "MARIA", "lower-case-password").status_code == 200


def test_inactive_user_cannot_log_in(client):
    User.objects.create_user("maria", password=PASSWORD, is_active=False)
    assert log_in(client, "MARIA").status_code == 200


def test_login_page_username_input_and_reset_link(client):
    page = client.get("/accounts/login/").content.decode()
    username = re.search(r'<input[^>]*name="username"[^>]*>', page)[0]
    assert 'autocapitalize="none"' in username and 'autocorrect="off"' in username
    assert 'autocomplete="username"' in username
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in page


def test_case_variants_share_one_lockout(client, student):
    for typed in ["SAM", "Sam", "sAm", "saM"]:
        assert log_in(client, typed, "wrong").status_code == 200
    assert log_in(client, "SaM", "wrong").status_code == 429
    assert log_in(client, "sam").status_code == 429


def test_lockout_page_says_how_to_get_help(client, student):
    for _ in range(5):
        response = log_in(client, "sam", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed log-ins" in page
    assert "Wait 15 minutes" in page
    assert "ask your teacher to reset your password" in page
    assert "one-time password" in page
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in page
    assert "e-mail" in page


def test_case_variants_share_one_lockout_on_the_admin_log_in_too(client, teacher):
    for typed in ["TESS", "Tess", "tEss", "teSS", "tesS"]:
        client.post("/admin/login/", {"username": typed, "password": "wrong"})
    locked = client.post("/admin/login/", {"username": "tess", "password": "a-long-pass-phrase"})
    assert locked.status_code == 429
