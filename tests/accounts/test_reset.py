import re

import pytest
from django.core import mail

from accounts import one_time

pytestmark = pytest.mark.django_db

NEW = "my-own-quiet-river"
LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def test_reset_form_page_mentions_students_without_e_mail(client):
    page = client.get("/accounts/password/reset/").content.decode()
    assert "<h1>Forgot your password?</h1>" in page
    assert "Ask your teacher for a new one-time password." in page
    assert 'autocomplete="email"' in page


def test_reset_by_e_mail_end_to_end(client, student, settings):
    settings.DEFAULT_FROM_EMAIL = "Reading lessons <noreply@localhost>"
    student.email = "sam@example.org"
    student.first_name = "Sam"
    student.save()
    one_time.issue(student)  # a reset also replaces a one-time password
    response = client.post("/accounts/password/reset/", {"email": "SAM@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert message.from_email == "Reading lessons <noreply@localhost>"
    assert message.subject == "Reset your Reading lessons password"
    assert "Hello Sam," in message.body and "Your username is: sam" in message.body
    link = LINK.search(message.body)[1]

    form_page = client.get(link)
    assert form_page.status_code == 302  # Django moves the token out of the URL
    set_url = form_page["Location"]
    page = client.get(set_url)
    assert "<h1>Choose a new password</h1>" in page.content.decode()
    weak = client.post(set_url, {"new_password1": "12345", "new_password2": "12345"})
    assert weak.content.decode().count('id="id_new_password1_error"') == 1
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/complete/"
    assert "Your new password is saved" in client.get(done["Location"]).content.decode()
    assert not one_time.is_required(student)

    response = client.post("/accounts/login/", {"username": "sam", "password": NEW})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    # The link works once.
    client.post("/accounts/logout/")
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_no_e_mail_without_a_matching_address(client, student):
    # The student has no e-mail address; the page does not say whether an account matched.
    response = client.post("/accounts/password/reset/", {"email": "sam@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    student.email = "sam@example.org"
    student.save()
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert mail.outbox == []


def test_reset_lifts_a_lockout(client, student):
    student.email = "sam@example.org"
    student.save()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
    client.post("/accounts/password/reset/", {"email": "sam@example.org"})
    set_url = client.get(LINK.search(mail.outbox[0].body)[1])["Location"]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    response = client.post("/accounts/login/", {"username": "sam", "password": NEW})
    assert response.status_code == 302
