"""Settings behave as documented for production-like environments."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef!",
    "DJANGO_ALLOWED_HOSTS": "reading.example.org",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_development_defaults():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the dev-only secret key can't ship


def test_debug_is_off_unless_set():
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert run_manage("shell", "-v0", "-c", code).stdout.strip() == "False"
    assert run_manage("shell", "-v0", "-c", code, DJANGO_DEBUG="1").stdout.strip() == "True"


def test_database_url_selects_postgresql():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'])"
    )
    result = run_manage(
        "shell", "-v0", "-c", code, DATABASE_URL="postgres://postgres@127.0.0.1:5432/reading"
    )
    assert result.stdout.strip() == "django.db.backends.postgresql reading"


def test_sqlite_default_is_tuned_for_concurrent_writers(settings):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return  # the suite may run against PostgreSQL; this only concerns the SQLite default
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5
    assert not db.get("ATOMIC_REQUESTS")


def test_whitenoise_directly_after_security_middleware(settings):
    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1
    )
