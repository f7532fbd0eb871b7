"""One settings module, driven by environment variables.

Development needs none of them. Production sets at least DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS
and (for PostgreSQL) DATABASE_URL; `manage.py check --deploy --fail-level WARNING` must pass.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-dev-only-not-secret")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "accounts",
    "courses",
    "quiz",
    "classrooms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CsrfViewMiddleware, the first to parse a body: size caps, no files but staff's.
    "config.middleware.RequestBodyGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.IdleSessionTimeoutMiddleware",  # signed out after SESSION_IDLE_MINUTES
    "accounts.middleware.FirstPasswordMiddleware",  # one-time password: choose your own first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, header built once
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# Request bodies (config.middleware.RequestBodyGuardMiddleware answers 413 above the caps before
# Django reads the body). Files are taken from signed-in staff only: Word/PDF articles up to
# 10 MB (courses.importing.MAX_DOCUMENT_BYTES), so their cap leaves room for that and the form.
MAX_REQUEST_BYTES = int(float(os.environ.get("DJANGO_MAX_REQUEST_MB", "3")) * 1_000_000)
MAX_STAFF_REQUEST_BYTES = max(
    int(float(os.environ.get("DJANGO_MAX_STAFF_REQUEST_MB", "12")) * 1_000_000), MAX_REQUEST_BYTES
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the non-file fields of a request (Django's default)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # smaller uploads stay in memory, never on disk

# A strict Content-Security-Policy: our own scripts and styles only, nothing inline, no eval,
# no framing. htmx is configured (base.html) to need nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}

# Log-in throttling (admin included): 5 failures for one username from one address lock it
# for 15 minutes; a successful log-in resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CaseInsensitiveModelBackend",  # ModelBackend, username in any case
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"  # "MARIA" = "maria"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# And 20 failures from one address over any usernames (a password spray) pause every log-in
# from that address for 15 minutes (accounts/lockout.py; axes has one limit for all).
AXES_HANDLER = "accounts.lockout.AxesHandler"
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(
    os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20")
)
# DJANGO_BEHIND_PROXY: how many reverse proxies stand in front of the app (0 or unset: none,
# the app is reached directly). The old switch values "true"/"yes"/"on" mean 1. Behind N
# proxies the client's address is the Nth from the right of X-Forwarded-For; with none the
# header is ignored (a client could forge it). Also trusts the proxy's X-Forwarded-Proto.
_behind_proxy = os.environ.get("DJANGO_BEHIND_PROXY", "").strip().lower()
if _behind_proxy in {"true", "yes", "on"}:
    TRUSTED_PROXY_COUNT = 1
elif _behind_proxy in {"", "false", "no", "off"}:
    TRUSTED_PROXY_COUNT = 0
elif _behind_proxy.isdigit():
    TRUSTED_PROXY_COUNT = int(_behind_proxy)
else:
    raise ValueError(f"DJANGO_BEHIND_PROXY must be a number of proxies, not {_behind_proxy!r}")
# django-ipware with our proxy count (axes' AXES_IPWARE_* path cannot turn off ipware's strict
# mode, which drops a header holding one forged entry too many and falls back to REMOTE_ADDR).
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"

# Outgoing e-mail (password reset links). The console backend prints messages to the log;
# production sets e.g. django.core.mail.backends.smtp.EmailBackend.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Reading lessons <noreply@localhost>"
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default, tuned for many concurrent writers (a class answering at once):
# WAL lets readers proceed during a write, IMMEDIATE takes the write lock at BEGIN so two
# transactions never deadlock upgrading a read lock, and the timeout waits for the lock
# instead of failing with "database is locked". No ATOMIC_REQUESTS: writes are explicit.
# The same tuning whichever way the file is named: the default, DJANGO_SQLITE_PATH, or
# DATABASE_URL=sqlite:///relative/path (sqlite:////absolute/path).
SQLITE_PATH = Path(os.environ.get("DJANGO_SQLITE_PATH", BASE_DIR / "db.sqlite3"))
SQLITE_TIMEOUT = float(os.environ.get("DJANGO_SQLITE_TIMEOUT", "20"))  # seconds


def sqlite_database(name) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Reuse the connection across requests: opening one runs the PRAGMAs below.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_TIMEOUT,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={int(SQLITE_TIMEOUT * 1000)};"
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"] = sqlite_database(DATABASES["default"]["NAME"])
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Like SQLite's busy timeout: a request never waits forever on a lock; past the limit
        # the learner gets "not saved — try again" (config.middleware) instead of a hung page.
        lock_ms = int(float(os.environ.get("DJANGO_DB_LOCK_TIMEOUT", "10")) * 1000)
        # jit=off: the app's queries are short, but a query with a per-row subquery (the
        # report's answer lines, built only for open attempts) is costed as if it ran for
        # every row, and JIT-compiling it took 200 ms of a 230 ms query.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c lock_timeout={lock_ms} -c statement_timeout={lock_ms * 3} -c jit=off"
        )
        # The hot path's fixed statements (config.prepared) are prepared on the server, once
        # per connection: planning them cost PostgreSQL more than running them. Everything
        # else stays client-side bound, never prepared. DJANGO_DB_PREPARE=0 turns it off, as
        # a PgBouncer in transaction pooling mode needs (docs/deployment.md).
        if env_bool("DJANGO_DB_PREPARE", default=True):
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 0
        # DJANGO_DB_POOL=MIN[,MAX]: a psycopg_pool of MIN..MAX connections per app process
        # (docs/deployment.md). The pool keeps the connections, so CONN_MAX_AGE must be 0; a
        # request waits at most the lock timeout for a free one, then "not saved — try again".
        if os.environ.get("DJANGO_DB_POOL", "").strip():
            _pool = os.environ["DJANGO_DB_POOL"].replace(":", ",").split(",")
            sizes = [int(n) if n.strip().isdigit() else -1 for n in _pool]
            if len(sizes) not in (1, 2) or min(sizes) < 0 or sizes[-1] < max(sizes[0], 1):
                raise ValueError(f"DJANGO_DB_POOL must be MIN or MIN,MAX connections, not {_pool}")
            DATABASES["default"]["CONN_MAX_AGE"] = 0
            DATABASES["default"]["OPTIONS"]["pool"] = {
                "min_size": sizes[0],
                "max_size": sizes[-1],
                "timeout": lock_ms / 1000,
            }
else:
    DATABASES = {"default": sqlite_database(SQLITE_PATH)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "courses:course_list"
LOGOUT_REDIRECT_URL = "courses:course_list"

LANGUAGE_CODE = "en-gb"  # British date formats; the app is written in English only,
TIME_ZONE = "UTC"
USE_I18N = False  # so no translation machinery on every rendered variable
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            else "config.storage.StaticFilesStorage"  # WhiteNoise's, URLs memoised
        )
    },
}
# Tests and `runserver` serve straight from the finders, so no collectstatic is needed there.
WHITENOISE_USE_FINDERS = env_bool("DJANGO_STATIC_FINDERS", default=DEBUG)

# Security: safe defaults everywhere; HTTPS-only settings switch on with DJANGO_SECURE.
SECURE = env_bool("DJANGO_SECURE", default=not DEBUG and "DJANGO_SECRET_KEY" in os.environ)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
if TRUSTED_PROXY_COUNT:  # DJANGO_BEHIND_PROXY, see the log-in throttling
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Sessions on shared classroom computers: the session cookie ends when the browser closes
# (DJANGO_SESSION_REMEMBER=1 keeps it for SESSION_COOKIE_AGE, two weeks), and a signed-in
# session unused for DJANGO_SESSION_IDLE_MINUTES is signed out on its next request
# (config.middleware.IdleSessionTimeoutMiddleware; 0 turns that off). 60 minutes: longer than
# a lesson period spent reading one page without a click, so nobody is signed out mid-lesson,
# yet a browser left open over lunch or after school does not stay signed in.
SESSION_EXPIRE_AT_BROWSER_CLOSE = not env_bool("DJANGO_SESSION_REMEMBER")
SESSION_IDLE_MINUTES = float(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "60"))

# Cache and session store. Without REDIS_URL: a local-memory cache (per process, for things
# that may be a few seconds stale) and sessions in the database only. A per-process cache
# must never hold sessions: with several workers a log-out in one would leave the session
# alive in the others' caches. With REDIS_URL (e.g. redis://127.0.0.1:6379/0, one Redis every
# app server shares): the Redis cache, and sessions read from it and written through to the
# database ("cached_db"), which saves the session query of every request; a log-out deletes
# both. Redis then is a required service, like the database (docs/deployment.md).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "reading",
            # A Redis that does not answer fails the request in a second, never hangs it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "config.sessions.cached"  # Django's cached_db, its row read prepared
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "config.sessions"  # Django's db sessions, the row read compiled once

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Optional question authoring with a language model (quiz/authoring/llm.py). Nothing reaches the
# network unless LLM_BASE_URL and LLM_MODEL are set; the offline generator stays the default.
LLM_BASE_URL = os.environ.get("LLM_BASE_URL", "")  # e.g. http://127.0.0.1:11434/v1 (Ollama)
LLM_MODEL = os.environ.get("LLM_MODEL", "")  # e.g. llama3.1
LLM_API_KEY = os.environ.get("LLM_API_KEY", "")  # local servers need none
LLM_TIMEOUT = float(os.environ.get("LLM_TIMEOUT", "60"))  # seconds per request
LLM_MAX_TOKENS = int(os.environ.get("LLM_MAX_TOKENS", "4096"))  # cap on each reply
LLM_MAX_RETRIES = int(os.environ.get("LLM_MAX_RETRIES", "1"))  # client retries on 5xx/network

# Background generation runs (django-tasks backport). "immediate" runs in the request, as
# before; "database" queues runs for `manage.py db_worker`. Default: database only when a
# language model is configured (its runs take tens of seconds).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS_BACKEND = os.environ.get(
    "DJANGO_TASKS_BACKEND", "database" if LLM_BASE_URL and LLM_MODEL else "immediate"
)
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}
