import re

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Maria",
    "last_name": "López",
    "username": "maria",
    "password1": "quiet-river-42",
    "password2": "quiet-river-42",
}


def test_sign_up_stores_names_and_logs_in(client, sample_lesson):
    next_url = sample_lesson.get_absolute_url()
    response = client.post("/accounts/signup/", {**FORM, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    user = User.objects.get(username="maria")
    assert (user.first_name, user.last_name) == ("Maria", "López")
    assert client.get("/").context["user"] == user


def test_sign_up_welcomes_the_learner_who_then_sees_their_name(client):
    response = client.post("/accounts/signup/", FORM, follow=True)
    page = response.content.decode()
    assert "Welcome, Maria! Your account is ready" in page
    assert "You log in as “maria”." in page
    signed_in = '<span class="visually-hidden">Signed in as </span>Maria López</li>'
    assert signed_in in page
    assert "Welcome, Maria" not in client.get("/").content.decode()  # said once


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_sign_up_needs_both_names(client, missing):
    response = client.post("/accounts/signup/", {**FORM, missing: "   "})
    assert response.status_code == 200
    assert not User.objects.exists()
    page = response.content.decode()
    assert re.search(rf'id="id_{missing}_error">This field is required.</p>', page)


def test_sign_up_page_labels_and_autocomplete(client):
    page = client.get("/accounts/signup/", {"next": "/me/"}).content.decode()
    assert ">First name:</label>" in page and ">Last name:</label>" in page
    assert page.index('name="first_name"') < page.index('name="last_name"')
    assert page.index('name="last_name"') < page.index('name="username"')
    assert page.index('name="username"') < page.index('name="password1"')
    for name, autocomplete in [
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("username", "username"),
        ("password1", "new-password"),
        ("password2", "new-password"),
    ]:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)[0]
        assert f'autocomplete="{autocomplete}"' in tag, tag
    username = re.search(r'<input[^>]*name="username"[^>]*>', page)[0]
    assert 'autocapitalize="none"' in username and 'autocorrect="off"' in username
    assert '<input type="hidden" name="next" value="/me/">' in page


def test_username_differing_only_in_case_is_refused(client):
    User.objects.create_user("Maria", password="x-long-password-1")
    response = client.post("/accounts/signup/", FORM)
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == ["Maria"]


def test_password_rule_errors_sit_under_the_password_field_once(client):
    response = client.post(
        "/accounts/signup/", {**FORM, "password1": "12345", "password2": "12345"}
    )
    page = response.content.decode()
    assert not User.objects.exists()
    assert page.count('id="id_password1_error"') == 1
    assert 'id="id_password2_error"' not in page
    error = re.search(r'<p class="field__error" id="id_password1_error">(.*?)</p>', page)[1]
    assert "too short" in error and "entirely numeric" in error and "<br>" in error
    password1 = re.search(r'<input[^>]*name="password1"[^>]*>', page)[0]
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in password1
    assert 'aria-invalid="true"' in password1


def test_mismatch_is_reported_on_the_confirmation(client):
    response = client.post("/accounts/signup/", {**FORM, "password2": "other-river-42"})
    page = response.content.decode()
    assert "The two password fields didn’t match." in page
    assert 'id="id_password2_error"' in page and 'id="id_password1_error"' not in page
