"""DJANGO_DB_POOL: pooled PostgreSQL connections (psycopg_pool) for several app servers.

The settings are read from config/settings.py itself with the environment each test sets; the
real pooled connection is made when the test database is PostgreSQL.
"""

import runpy
from pathlib import Path

import pytest
from django.db import connection

SETTINGS = Path(__file__).resolve().parents[1] / "config" / "settings.py"
POSTGRES = "postgres://reading@db.internal:5432/reading"


def settings_with(monkeypatch, **env: str) -> dict:
    for name in ("DATABASE_URL", "DJANGO_DB_POOL", "DJANGO_DB_LOCK_TIMEOUT", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_no_pool_unless_asked(monkeypatch):
    db = settings_with(monkeypatch, DATABASE_URL=POSTGRES)["DATABASES"]["default"]
    assert "pool" not in db["OPTIONS"]
    assert db["CONN_MAX_AGE"] == 60  # persistent connections without a pool


@pytest.mark.parametrize(
    ("value", "sizes"), [("4", (4, 4)), ("2,8", (2, 8)), ("0:3", (0, 3)), (" 1, 2 ", (1, 2))]
)
def test_pool_sizes_and_no_persistent_connections(monkeypatch, value, sizes):
    db = settings_with(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_POOL=value)["DATABASES"]
    default = db["default"]
    assert default["OPTIONS"]["pool"] == {
        "min_size": sizes[0],
        "max_size": sizes[1],
        "timeout": 10.0,  # waits for a free connection as long as for a lock
    }
    assert default["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert "lock_timeout=10000" in default["OPTIONS"]["options"]  # the timeouts stay
    assert "jit=off" in default["OPTIONS"]["options"]  # and JIT stays off


def test_pool_wait_follows_the_lock_timeout(monkeypatch):
    env = {"DATABASE_URL": POSTGRES, "DJANGO_DB_POOL": "2", "DJANGO_DB_LOCK_TIMEOUT": "3"}
    db = settings_with(monkeypatch, **env)["DATABASES"]["default"]
    assert db["OPTIONS"]["pool"]["timeout"] == 3.0


@pytest.mark.parametrize("value", ["8,2", "0", "a", "1,2,3", "-1,2"])
def test_bad_pool_sizes_are_refused(monkeypatch, value):
    with pytest.raises(ValueError, match="DJANGO_DB_POOL"):
        settings_with(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_POOL=value)


def test_sqlite_has_no_pool(monkeypatch):
    db = settings_with(monkeypatch, DJANGO_DB_POOL="4")["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3" and "pool" not in db["OPTIONS"]


@pytest.mark.django_db
def test_pool_setting_gives_a_working_connection(monkeypatch):
    options = settings_with(monkeypatch, DATABASE_URL=POSTGRES, DJANGO_DB_POOL="1,2")
    pool_options = options["DATABASES"]["default"]["OPTIONS"]["pool"]
    if connection.vendor != "postgresql":
        return  # the settings above are all SQLite can check; CI runs this on PostgreSQL too
    from django.db.backends.postgresql.base import DatabaseWrapper

    settings_dict = {
        **connection.settings_dict,  # the test database, its timeouts
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": dict(pool_options)},
    }
    pooled = DatabaseWrapper(settings_dict, alias="pool_probe")
    try:
        assert pooled.pool is not None and pooled.pool.max_size == 2
        for _ in range(3):  # taken from the pool, given back, taken again
            with pooled.cursor() as cursor:
                cursor.execute("SHOW lock_timeout")
                assert cursor.fetchone()[0] == "10s"
                cursor.execute("SHOW jit")  # short queries: never worth compiling
                assert cursor.fetchone()[0] == "off"
                cursor.execute("SELECT count(*) FROM django_migrations")
                assert cursor.fetchone()[0] > 0
            first = pooled.connection
            pooled.close()  # back to the pool, not closed
            assert not first.closed
        assert pooled.pool.get_stats()["pool_size"] >= 1
    finally:
        pooled.close()
        pooled.close_pool()
