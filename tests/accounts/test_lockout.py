"""Log-in lockout can't be aimed at a victim, and a password spray from one address is stopped.

django-axes counts failures per username + client address (5 in 15 minutes lock that pair),
and `accounts.lockout.AxesHandler` adds a limit per address over all usernames (20). The
client address is `REMOTE_ADDR`, or, behind `DJANGO_BEHIND_PROXY` = N trusted proxies, the Nth
address from the right of X-Forwarded-For (`accounts.lockout.client_ip_address`).

Addresses: 198.51.100.66 the attacker, 203.0.113.10 the teacher, 10.0.0.2 the reverse proxy.
"""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import F
from django.test import Client, RequestFactory, override_settings

from accounts import one_time
from accounts.lockout import client_ip_address
from tests.factories import make_student, make_teacher
from tests.test_html_valid import validate
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase"
ATTACKER = "198.51.100.66"
TEACHER = "203.0.113.10"
PROXY = "10.0.0.2"
LOCKED = 429

no_proxy = override_settings(TRUSTED_PROXY_COUNT=0)
one_proxy = override_settings(TRUSTED_PROXY_COUNT=1)


def log_in(username, password=PASSWORD, *, address, forwarded=None, path="/accounts/login/"):
    """POST the log-in form from a fresh browser at `address` (REMOTE_ADDR)."""
    meta = {"REMOTE_ADDR": address}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(path, {"username": username, "password": password}, **meta)


def let_time_pass(minutes):
    """Move every recorded failure `minutes` into the past (axes compares attempt_time)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


# The client's address


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "expected"),
    [
        (0, ATTACKER, None, ATTACKER),
        (0, ATTACKER, TEACHER, ATTACKER),  # no proxy configured: the header is ignored
        (0, PROXY, f"{TEACHER}, {ATTACKER}", PROXY),
        (1, PROXY, TEACHER, TEACHER),
        (1, PROXY, f"{TEACHER}, {ATTACKER}", ATTACKER),  # forged left entry ignored
        (1, PROXY, f"not-an-address, {TEACHER}", TEACHER),
        (1, PROXY, None, PROXY),  # not through the proxy: its own address
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
        (2, PROXY, f"{ATTACKER}, {TEACHER}, 10.0.0.9", TEACHER),  # 2nd from the right
        (2, PROXY, TEACHER, PROXY),  # too few entries for 2 proxies: not trusted
    ],
)
def test_client_address_is_the_nth_from_the_right_behind_n_proxies(
    proxies, remote_addr, forwarded, expected
):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().post("/accounts/login/", **meta)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip_address(request) == expected


def test_axes_reads_the_address_through_our_callable():
    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.lockout.client_ip_address"
    assert settings.AXES_HANDLER == "accounts.lockout.AxesHandler"


def test_behind_proxy_is_a_number_of_proxies_and_accepts_the_old_switch_values():
    code = (
        "import config.settings as s;"
        "print(s.TRUSTED_PROXY_COUNT, getattr(s, 'SECURE_PROXY_SSL_HEADER', None) is not None)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    expected = {
        None: "0 False",
        "": "0 False",
        "0": "0 False",
        "false": "0 False",
        "1": "1 True",
        "true": "1 True",
        "Yes": "1 True",
        "2": "2 True",
    }
    for value, printed in expected.items():
        env = clean if value is None else {**clean, "DJANGO_BEHIND_PROXY": value}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.stdout.strip() == printed, (value, result.stderr)
    env = {**clean, "DJANGO_BEHIND_PROXY": "the proxy"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True)
    assert result.returncode != 0 and b"number of proxies" in result.stderr


# (a) No proxy configured: X-Forwarded-For changes nothing


@no_proxy
def test_without_proxy_a_forged_header_neither_frees_the_attacker_nor_locks_the_victim():
    make_teacher()
    forged = [TEACHER, "192.0.2.1", "192.0.2.2", f"{TEACHER}, 192.0.2.3", "192.0.2.4"]
    statuses = [
        log_in("tess", "guess", address=ATTACKER, forwarded=value).status_code for value in forged
    ]
    assert statuses == [200, 200, 200, 200, LOCKED]
    # A new forged address does not give the attacker fresh tries, even with the password.
    assert log_in("tess", address=ATTACKER, forwarded="192.0.2.99").status_code == LOCKED
    # The teacher, whose address he wrote in the header, logs in from it.
    assert log_in("tess", address=TEACHER).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


# (b) One proxy: two clients behind it share REMOTE_ADDR


@one_proxy
def test_behind_a_proxy_the_attacker_locks_himself_out_not_the_teacher():
    make_teacher()
    statuses = [
        log_in("tess", "guess", address=PROXY, forwarded=ATTACKER).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, LOCKED]
    assert log_in("tess", address=PROXY, forwarded=ATTACKER).status_code == LOCKED
    assert log_in("tess", address=PROXY, forwarded=TEACHER).status_code == 302


@one_proxy
def test_behind_a_proxy_a_forged_leftmost_entry_is_ignored():
    """The proxy appends the address it saw; only that right-most entry counts."""
    make_teacher()
    for _ in range(5):
        response = log_in("tess", "guess", address=PROXY, forwarded=f"{TEACHER}, {ATTACKER}")
    assert response.status_code == LOCKED
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # His own counter: dropping or changing the forged part does not free him ...
    assert log_in("tess", address=PROXY, forwarded=ATTACKER).status_code == LOCKED
    assert log_in("tess", address=PROXY, forwarded=f"192.0.2.5, {ATTACKER}").status_code == 429
    # ... and the teacher, whose address he forged, is not locked.
    assert log_in("tess", address=PROXY, forwarded=TEACHER).status_code == 302


# (c) A password spray from one address is stopped; many addresses failing a little are not


def test_a_spray_over_many_accounts_from_one_address_is_stopped():
    limit = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    assert settings.AXES_FAILURE_LIMIT > 4 and limit < 40  # the default configuration
    for n in range(10):
        make_student(f"learner{n}")
    statuses = [
        log_in(f"learner{n}", f"guess{g}", address=ATTACKER).status_code
        for n in range(10)
        for g in range(4)  # 4 guesses each: under the per-account limit of 5
    ]
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[limit - 1 :] == [LOCKED] * (40 - limit + 1)
    # Everyone at that address is paused, even with the right password ...
    paused = log_in("learner9", address=ATTACKER)
    assert paused.status_code == LOCKED
    assert "from this network" in paused.content.decode()
    # ... on the admin log-in too, but not elsewhere.
    make_teacher()
    assert log_in("tess", address=ATTACKER, path="/admin/login/").status_code == LOCKED
    assert log_in("learner9", address=TEACHER).status_code == 302


@one_proxy
def test_a_spray_behind_the_proxy_pauses_the_sprayer_only():
    for n in range(10):
        make_student(f"learner{n}")
    for n in range(10):
        for g in range(4):
            log_in(f"learner{n}", f"guess{g}", address=PROXY, forwarded=ATTACKER)
    assert log_in("learner0", address=PROXY, forwarded=ATTACKER).status_code == LOCKED
    assert log_in("learner0", address=PROXY, forwarded=TEACHER).status_code == 302


def test_thirty_addresses_failing_twice_each_are_not_locked():
    for n in range(30):
        make_student(f"learner{n}")
    for n in range(30):
        address = f"192.0.2.{n + 1}"
        assert log_in(f"learner{n}", "oops", address=address).status_code == 200
        assert log_in(f"learner{n}", "oops", address=address).status_code == 200
    for n in range(30):
        assert log_in(f"learner{n}", address=f"192.0.2.{n + 1}").status_code == 302


def test_a_class_behind_one_school_address_that_mistypes_is_not_locked():
    """A failure followed by a successful log-in is forgotten (AXES_RESET_ON_SUCCESS), so 30
    learners behind one NAT address, each mistyping once, never add up to the limit."""
    for n in range(30):
        make_student(f"learner{n}")
    for batch in range(3):
        learners = [f"learner{n}" for n in range(batch * 10, batch * 10 + 10)]
        for name in learners:
            assert log_in(name, "oops", address=TEACHER).status_code == 200
        for name in learners:
            assert log_in(name, address=TEACHER).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_the_per_address_limit_is_a_setting():
    for name in ["amy", "ben", "cal"]:
        make_student(name)
    assert log_in("amy", "x", address=ATTACKER).status_code == 200
    assert log_in("ben", "x", address=ATTACKER).status_code == 200
    assert log_in("cal", "x", address=ATTACKER).status_code == LOCKED


# (d) The locked-out page


def assert_strict_page(response):
    page = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert " style=" not in page and "<style" not in page and " onclick=" not in page
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page))
    return page


def test_locked_account_page_says_what_to_do(tmp_path):
    make_student()
    for _ in range(5):
        response = log_in("sam", "wrong", address=ATTACKER)
    assert response.status_code == LOCKED
    page = assert_strict_page(response)
    assert "Too many failed log-ins" in page
    assert "paused for 15 minutes" in page
    assert "Wait 15 minutes, then try again." in page
    assert "ask your teacher to reset your password" in page
    assert "one-time password, which works straight away" in page
    assert '<a href="/accounts/login/">Back to the log-in page</a>' in page
    address_paused = None
    with override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=1):
        make_student("amy")
        address_paused = log_in("amy", "wrong", address=TEACHER)
    assert address_paused.status_code == LOCKED
    address_page = assert_strict_page(address_paused)
    assert "logging in from here is paused for 15 minutes" in address_page
    assert "the school's administrator can lift the pause" in address_page
    assert '<a href="/accounts/login/">Back to the log-in page</a>' in address_page
    result = validate(tmp_path, {"locked": response.content, "paused": address_paused.content})
    assert result.returncode == 0, result.stdout + result.stderr


# (e) Back in after the cool-off, or when it is lifted


def test_log_in_works_again_once_the_lock_has_expired():
    make_student()
    for _ in range(5):
        log_in("sam", "wrong", address=ATTACKER)
    let_time_pass(14)
    assert log_in("sam", address=ATTACKER).status_code == LOCKED  # renews the lock
    let_time_pass(16)
    assert log_in("sam", address=ATTACKER).status_code == 302
    assert not AccessAttempt.objects.exists()  # the success reset the count


def test_the_per_address_pause_expires_too():
    for n in range(10):
        make_student(f"learner{n}")
    for n in range(10):
        for g in range(2):
            log_in(f"learner{n}", f"guess{g}", address=ATTACKER)
    assert log_in("learner0", address=ATTACKER).status_code == LOCKED
    let_time_pass(16)
    assert log_in("learner0", address=ATTACKER).status_code == 302


def test_a_teachers_one_time_password_unlocks_the_account_at_once():
    learner = make_student()
    for _ in range(5):
        log_in("sam", "wrong", address=ATTACKER)
    assert log_in("sam", address=ATTACKER).status_code == LOCKED
    slip_password = one_time.issue(learner)
    assert log_in("sam", slip_password, address=ATTACKER).status_code == 302


def test_the_administrator_lifts_a_per_address_pause_by_resetting_the_address():
    for n in range(10):
        make_student(f"learner{n}")
    for n in range(10):
        for g in range(2):
            log_in(f"learner{n}", f"guess{g}", address=ATTACKER)
    assert log_in("learner0", address=ATTACKER).status_code == LOCKED
    reset(ip=ATTACKER)  # what `manage.py axes_reset_ip` and the admin's delete do
    assert log_in("learner0", address=ATTACKER).status_code == 302


# One counter for both log-in forms


def test_the_student_and_admin_log_in_forms_share_one_counter():
    """Decision: one counter per username + address across /accounts/login/ and /admin/login/.

    Separate counters would give an attacker 5 guesses on each form, i.e. 10 per 15 minutes
    for the same password. The learner sees the same locked-out page on either form.
    """
    make_teacher()
    for _ in range(3):
        log_in("tess", "guess", address=ATTACKER)
    log_in("tess", "guess", address=ATTACKER, path="/admin/login/")
    last = log_in("tess", "guess", address=ATTACKER, path="/admin/login/")
    assert last.status_code == LOCKED
    assert log_in("tess", address=ATTACKER).status_code == LOCKED
    assert log_in("tess", address=TEACHER, path="/admin/login/").status_code == 302
