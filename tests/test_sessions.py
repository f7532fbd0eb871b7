"""Sessions on shared classroom computers: gone at browser close, signed out when left idle.

The idle timeout (config.middleware.IdleSessionTimeoutMiddleware) reads the clock through
config.middleware.idle_clock, which these tests move with monkeypatch.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from config import middleware
from tests.factories import make_student

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-pass-phrase"
MINUTE = 60


class Clock:
    def __init__(self, monkeypatch):
        self.now = int(time.time())  # log-ins set last_login from the real clock
        monkeypatch.setattr(middleware, "idle_clock", lambda: self.now)

    def advance(self, minutes: float) -> None:
        self.now += minutes * MINUTE


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def signed_in(client, clock):
    student = make_student("maria")
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200  # the first request stamps the session
    return student


@pytest.fixture
def session_saves(monkeypatch):
    saves = []
    real_save = SessionStore.save

    def counting_save(self, *args, **kwargs):
        saves.append(dict(self._session))
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(SessionStore, "save", counting_save)
    return saves


def settings_value(name: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# -- settings ----------------------------------------------------------------------------------


def test_sessions_end_at_browser_close_unless_remembered():
    assert settings_value("SESSION_EXPIRE_AT_BROWSER_CLOSE") == "True"
    assert settings_value("SESSION_EXPIRE_AT_BROWSER_CLOSE", DJANGO_SESSION_REMEMBER="1") == "False"


def test_idle_minutes_default_and_env():
    assert settings_value("SESSION_IDLE_MINUTES") == "60.0"
    assert settings_value("SESSION_IDLE_MINUTES", DJANGO_SESSION_IDLE_MINUTES="15") == "15.0"


def test_idle_middleware_after_auth_and_messages(settings):
    order = settings.MIDDLEWARE
    idle = order.index("config.middleware.IdleSessionTimeoutMiddleware")
    assert idle > order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert idle > order.index("django.contrib.messages.middleware.MessageMiddleware")


def test_log_in_sets_a_browser_session_cookie(client, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    make_student("maria")
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes


def test_remembered_sessions_keep_a_persistent_cookie(client, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    make_student("maria")
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD})
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) > 0


# -- the idle timeout --------------------------------------------------------------------------


def test_idle_session_is_signed_out_with_a_message(client, clock, signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 60
    old_key = client.session.session_key
    clock.advance(61)
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fme%2F"
    assert not Session.objects.filter(session_key=old_key).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert not page.context["user"].is_authenticated
    html = page.content.decode()
    assert "Log in" in html
    assert "You were signed out because this computer was not used for 60 minutes" in html
    # Signed out for good: the next page is anonymous too.
    assert client.get("/me/").status_code == 302


def test_active_session_stays_signed_in(client, clock, signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 60
    for _ in range(8):  # four hours, a request every 30 minutes
        clock.advance(30)
        response = client.get("/me/")
        assert response.status_code == 200
        assert response.context["user"] == signed_in


def test_just_under_the_limit_is_still_signed_in(client, clock, signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 60
    clock.advance(59)
    assert client.get("/me/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(client, clock, signed_in, session_saves):
    for _ in range(10):  # ten requests within 50 seconds: no session write at all
        clock.advance(5 / MINUTE)
        assert client.get("/me/").status_code == 200
    assert session_saves == []
    clock.advance(15 / MINUTE)  # 65 s after the stamp: one write, with the new time
    assert client.get("/me/").status_code == 200
    assert client.get("/me/").status_code == 200
    assert len(session_saves) == 1
    assert session_saves[0][middleware.IdleSessionTimeoutMiddleware.LAST_SEEN] == clock.now


def test_htmx_request_of_an_idle_session_redirects_the_page(client, clock, signed_in):
    clock.advance(120)
    response = client.get(
        "/me/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/me/?x=1"}
    )
    assert response.status_code == 403
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fme%2F%3Fx%3D1"
    assert "Signed out" in response.content.decode()


def test_idle_post_lands_on_the_log_in_page(client, clock, signed_in):
    clock.advance(120)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_zero_minutes_turns_the_timeout_off(client, clock, signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 0
    clock.advance(60 * 24 * 7)
    response = client.get("/me/")
    assert response.status_code == 200
    assert response.context["user"] == signed_in


def test_anonymous_visitors_get_no_session_write(client, clock, session_saves):
    assert client.get("/").status_code == 200
    assert session_saves == []


def test_the_page_after_log_in_writes_no_session(client, clock, session_saves):
    client.force_login(make_student("maria"))  # no stamp yet: last_login stands in
    saves_of_log_in = len(session_saves)
    assert client.get("/me/").status_code == 200
    assert len(session_saves) == saves_of_log_in
    clock.advance(2)
    assert client.get("/me/").status_code == 200
    assert client.session[middleware.IdleSessionTimeoutMiddleware.LAST_SEEN] == clock.now


def test_an_unstamped_session_long_after_its_log_in_is_signed_out(client, clock):
    student = make_student("maria")
    client.force_login(student)
    type(student).objects.filter(pk=student.pk).update(
        last_login=student.last_login - timedelta(hours=2)
    )
    assert client.get("/me/").status_code == 302


def test_an_unstamped_session_without_last_login_is_stamped(client, clock):
    student = make_student("maria")
    client.force_login(student)  # like benchmarks/common.py make_sessions
    type(student).objects.filter(pk=student.pk).update(last_login=None)
    assert client.get("/me/").status_code == 200
    assert client.session[middleware.IdleSessionTimeoutMiddleware.LAST_SEEN] == clock.now
