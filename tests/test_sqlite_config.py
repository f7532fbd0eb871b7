"""One SQLite configuration, whichever way the file is named (default, DJANGO_SQLITE_PATH,
DATABASE_URL=sqlite:///…): the same WAL / IMMEDIATE / busy-timeout tuning every time.

Settings are imported once per process, so each naming is loaded in a fresh subprocess.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PRINT_DATABASE = (
    "import json; from django.conf import settings;"
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)
OPEN_AND_READ_PRAGMAS = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
    "    c.execute('PRAGMA busy_timeout'); busy = c.fetchone()[0]\n"
    "    c.execute('PRAGMA foreign_keys'); fks = c.fetchone()[0]\n"
    "print(mode, busy, fks)"
)


def run_shell(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def database(**env: str) -> dict:
    return json.loads(run_shell(PRINT_DATABASE, **env).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def namings(tmp_path_factory) -> dict[str, dict]:
    path = tmp_path_factory.mktemp("sqlite") / "named.sqlite3"
    return {
        "default": database(),
        "DJANGO_SQLITE_PATH": database(DJANGO_SQLITE_PATH=str(path)),
        "DATABASE_URL": database(DATABASE_URL=f"sqlite:///{path}"),  # sqlite:////tmp/…
        "path": {"NAME": str(path)},
    }


def test_every_naming_gets_the_same_sqlite_options(namings):
    default = namings["default"]
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in default["OPTIONS"]["init_command"]
    assert "PRAGMA busy_timeout=" in default["OPTIONS"]["init_command"]
    for naming in ("DJANGO_SQLITE_PATH", "DATABASE_URL"):
        named = namings[naming]
        assert {k: v for k, v in named.items() if k != "NAME"} == {
            k: v for k, v in default.items() if k != "NAME"
        }, naming


def test_both_namings_point_at_the_named_file(namings):
    assert namings["DJANGO_SQLITE_PATH"]["NAME"] == namings["path"]["NAME"]
    assert namings["DATABASE_URL"]["NAME"] == namings["path"]["NAME"]
    assert namings["default"]["NAME"] == str(ROOT / "db.sqlite3")


def test_sqlite_timeout_applies_to_a_database_url_too(tmp_path):
    named = database(DATABASE_URL=f"sqlite:///{tmp_path}/t.sqlite3", DJANGO_SQLITE_TIMEOUT="3")
    assert named["OPTIONS"]["timeout"] == 3.0
    assert "PRAGMA busy_timeout=3000;" in named["OPTIONS"]["init_command"]


def test_a_real_connection_through_database_url_is_tuned(tmp_path):
    path = tmp_path / "real.sqlite3"
    result = run_shell(OPEN_AND_READ_PRAGMAS, DATABASE_URL=f"sqlite:///{path}")
    mode, busy, foreign_keys = result.stdout.split()[-3:]
    assert mode == "wal"
    assert int(busy) == 20_000  # DJANGO_SQLITE_TIMEOUT's 20 s, not the driver's default 5 s
    assert foreign_keys == "1"
    assert path.exists()  # the file named in the URL, not the default db.sqlite3
