"""Shared pieces of benchmarks/load.py and benchmarks/fault.py.

- `Client`: a tiny cookie-keeping HTTP client on http.client (stdlib: nothing to install, and
  cheap enough in CPU that the load generator leaves the two cores to the server). One TCP
  connection per request, always to 127.0.0.1, always with a timeout.
- `Database`: a fresh throw-away database: an SQLite file in a temp dir (named to the server
  by DJANGO_SQLITE_PATH, or by DATABASE_URL=sqlite:///… when the URL given is `sqlite:`), or a
  PostgreSQL database `bench_<pid>` created on the server of DATABASE_URL and dropped afterwards.
- `Server`: gunicorn with production settings on 127.0.0.1:<free port>, in its own process
  group, with start / graceful stop / `kill -9` of master and workers.
- In-process Django helpers (after `setup_django`): the demo, student accounts created in bulk
  with one password hash, ready-made sessions, open attempts and their answer plans.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # the only address these benchmarks ever send traffic to
NET_ERRORS = (OSError, http.client.HTTPException)
STUDENT_PASSWORD = "bench-read-and-learn"
COURSE = "south-caucasus-geopolitics"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def install_sigterm_as_interrupt() -> None:
    """SIGTERM behaves like Ctrl+C, so every `finally` (servers, temp DBs) still runs."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    out = {"count": len(ms)}
    for name, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        value = percentile(ms, p)
        out[f"{name}_ms"] = None if value is None else round(value, 1)
    return out


# --------------------------------------------------------------------------------------------
# HTTP client


@dataclass
class Reply:
    status: int
    headers: dict
    body: str
    elapsed: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Client:
    """One simulated browser: its cookies, and requests with a hard timeout."""

    port: int
    timeout: float = 15.0
    cookies: dict = field(default_factory=dict)

    def request(
        self, method: str, path: str, data: dict | None = None, *, hx: bool = False
    ) -> Reply:
        headers = {"Host": f"{HOST}:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            data = dict(data or {})
            data.setdefault("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if hx:  # what htmx (and static/js/app.js) send
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = f"http://{HOST}:{self.port}{path}"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            elapsed = time.perf_counter() - start
            for value in response.headers.get_all("Set-Cookie") or []:
                self._keep_cookie(value)
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()
        return Reply(response.status, reply_headers, raw.decode("utf-8", "replace"), elapsed)

    def _keep_cookie(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] in ("0", 0) or "1970" in (morsel["expires"] or ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, *, hx: bool = False) -> Reply:
        return self.request("GET", path, hx=hx)

    def post(self, path: str, data: dict | None = None, *, hx: bool = False) -> Reply:
        return self.request("POST", path, data, hx=hx)

    def login(self, username: str, password: str) -> Reply:
        page = self.get("/accounts/login/")
        if page.status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"login page: HTTP {page.status}")
        reply = self.post(
            "/accounts/login/", {"username": username, "password": password, "next": "/"}
        )
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in refused: HTTP {reply.status}")
        return reply


# --------------------------------------------------------------------------------------------
# Question pages and answers

ATTEMPT_URL = re.compile(r"/attempts/(\d+)/(\d+)/$")
TOTAL = re.compile(r'class="quiz__of">of (\d+)<')
CHOICE = re.compile(r'name="choice" value="(\d+)"')
PLACE = re.compile(r'name="place_(\d+)"')


def answer_from_page(html: str, rng: random.Random) -> dict | None:
    """Form data answering the question on `html` as a student would; None if no form."""
    choices = CHOICE.findall(html)
    if choices:
        return {"choice": rng.choice(choices)}
    places = sorted({int(n) for n in PLACE.findall(html)})
    if places:
        order = list(range(1, len(places) + 1))
        rng.shuffle(order)
        return {f"place_{n}": str(p) for n, p in zip(places, order, strict=True)}
    if 'name="text"' in html:
        return {"text": rng.choice(["Baku", "Tehran", "sanctions", "the corridor", "no idea"])}
    return None


def answer_from_plan(qtype: str, n_choices: int, rng: random.Random) -> dict:
    """The same, from the item's question type and choice count (no page needed)."""
    if qtype == "fill_blank":
        return {"text": rng.choice(["Baku", "Tehran", "sanctions", "the corridor"])}
    if qtype == "sequence":
        order = list(range(1, n_choices + 1))
        rng.shuffle(order)
        return {f"place_{n}": str(p) for n, p in enumerate(order, start=1)}
    return {"choice": str(rng.randint(1, max(1, n_choices)))}


def is_feedback(reply: Reply) -> bool:
    """The htmx answer partial: the feedback card (answer stored, or already stored)."""
    return reply.status == 200 and 'class="feedback' in reply.body and "live-region" in reply.body


def is_prg_ack(reply: Reply, attempt_id: int, position: int) -> bool:
    """Without htmx a stored answer is a 302 back to the same question (Post/Redirect/Get)."""
    return reply.status == 302 and reply.location.endswith(f"/attempts/{attempt_id}/{position}/")


# --------------------------------------------------------------------------------------------
# Databases


class Database:
    """A fresh database for one run. `url` None: SQLite file in `workdir`, named to the server
    by DJANGO_SQLITE_PATH. `url` sqlite:…: the same fresh file, named by DATABASE_URL (any path
    in the URL is ignored: a run never touches an existing database)."""

    def __init__(self, workdir: Path, url: str | None):
        self.admin_url = url
        self.created = False
        self.via_url = bool(url)
        if url and urlsplit(url).scheme == "sqlite":
            url = None
        if url:
            parts = urlsplit(url)
            host = unquote(parts.hostname or "")
            # Loopback, or a Unix socket's directory (postgres://USER@%2Fvar%2Frun%2Fpostgresql/…).
            if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
                raise SystemExit(f"refusing a database server that is not local: {host}")
            self.kind = "postgresql"
            self.name = f"bench_{os.getpid()}"
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self.sqlite_path = None
        else:
            self.kind = "sqlite"
            self.name = "bench.sqlite3"
            self.sqlite_path = workdir / self.name
            # sqlite:////abs/path: three slashes, then the absolute path's own.
            self.url = f"sqlite:///{self.sqlite_path}" if self.via_url else None

    @property
    def label(self) -> str:
        """How results name this run: sqlite, sqlite-url (named by DATABASE_URL), postgresql."""
        return "sqlite-url" if self.kind == "sqlite" and self.via_url else self.kind

    def create(self) -> None:
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.created = True

    def drop(self) -> None:
        if self.kind == "postgresql" and self.created:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False

    def env(self) -> dict:
        if self.url:
            return {"DATABASE_URL": self.url}
        return {"DJANGO_SQLITE_PATH": str(self.sqlite_path)}


def production_env(db: Database, workdir: Path) -> dict:
    """The environment of a production-like server (DEBUG off, real secret key, plain http)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",  # plain http on loopback: no secure cookies, no SSL redirect
            "DJANGO_LOG_LEVEL": "WARNING",
            "BENCH_STATIC_ROOT": str(workdir / "static"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(db.env())
    return env


class Workdir:
    """A temp dir removed on exit (with whatever SQLite files and logs it holds)."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="bench-"))
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# gunicorn


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:  # fields[0] is the state, fields[1] the parent pid
            found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (each one's own, from /proc)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Server:
    """gunicorn serving config.wsgi with benchmarks.settings on 127.0.0.1:port."""

    def __init__(
        self,
        env: dict,
        port: int,
        log_path: Path,
        *,
        workers: int = 4,
        worker_class: str = "sync",
        threads: int = 1,
        timeout: int = 30,
        root: Path | None = None,
    ):
        self.env, self.port, self.log_path = env, port, log_path
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.timeout = timeout
        # The checkout whose code is served (--chdir and cwd); the caller puts it first on the
        # env's PYTHONPATH too. Default: this one.
        self.root = Path(root) if root else ROOT
        self.proc: subprocess.Popen | None = None

    def describe(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}"

    def start(self, wait: float = 40.0) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--timeout", str(self.timeout),
            "--graceful-timeout", "5",
            "--backlog", "2048",
            "--chdir", str(self.root),
            "--error-logfile", "-",
        ]  # fmt: skip
        logfile = open(self.log_path, "ab")  # noqa: SIM115 (kept open by the child)
        self.proc = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a Ctrl+C here is ours to handle
        )
        logfile.close()
        deadline = time.monotonic() + wait
        probe = Client(self.port, timeout=5)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see its log")
            try:
                if probe.get("/hello/").status == 200 and len(self.worker_pids()) >= 1:
                    return
            except NET_ERRORS:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not answering on port {self.port} after {wait:.0f} s")

    def pids(self) -> list[int]:
        if self.proc is None or self.proc.poll() is not None:
            return []
        return [self.proc.pid, *self.worker_pids()]

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc else []

    def kill9(self) -> list[int]:
        """`kill -9` the master and every worker at once, as a crash would. Returns the pids."""
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.proc = None
        return pids

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL for whatever of its group is left."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the group gunicorn leads: its workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def log_problems(log_path: Path, since: int = 0) -> dict:
    """Counts of tracebacks / 'database is locked' / worker timeouts in the server log."""
    try:
        text = log_path.read_bytes()[since:].decode("utf-8", "replace")
    except OSError:
        return {}
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "database_is_locked": text.count("database is locked"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }


def log_size(log_path: Path) -> int:
    try:
        return log_path.stat().st_size
    except OSError:
        return 0


# --------------------------------------------------------------------------------------------
# In-process Django (the orchestrator prepares the database before the server starts)


def setup_django(env: dict) -> None:
    for name in ("DATABASE_URL", "DJANGO_SQLITE_PATH"):
        os.environ.pop(name, None)
    os.environ.update(env)
    import django

    django.setup()


def prepare_demo() -> str:
    """collectstatic (DEBUG is off) and setup_demo; returns the lesson's URL."""
    from django.core.management import call_command

    from courses.models import Lesson

    call_command("collectstatic", interactive=False, verbosity=0)
    # DEBUG is off here: the throw-away database gets the demo accounts as `make run` does.
    call_command("setup_demo", demo_accounts=True, verbosity=0)
    return Lesson.objects.get(course__slug=COURSE).get_absolute_url()


def create_students(prefix: str, count: int) -> list:
    """`count` students named <prefix>001…, created in one query with one password hash."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    password = make_password(STUDENT_PASSWORD)  # PBKDF2 once, not once per student
    User.objects.bulk_create(
        [User(username=f"{prefix}{n:03d}", password=password) for n in range(1, count + 1)]
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("username"))


def make_sessions(users: list) -> dict[int, dict]:
    """A signed-in session per user, written straight to the session table: the cookies a
    browser would hold after logging in (sessionid, csrftoken), without 0.5 s of PBKDF2 each."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    backends = settings.AUTHENTICATION_BACKENDS
    backend = "django.contrib.auth.backends.ModelBackend"
    backend = backend if backend in backends else backends[-1]
    store = SessionStore()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, cookies = [], {}
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cookies[user.pk] = {"sessionid": key, "csrftoken": get_random_string(32)}
    Session.objects.bulk_create(rows)
    return cookies


@dataclass
class Plan:
    """An open attempt and, per position, what its question needs as an answer."""

    learner_id: int
    attempt_id: int
    items: list[tuple[int, str, int]]  # (position, question type, number of choices)


def open_attempts(users: list, lesson_url: str) -> list[Plan]:
    from courses.models import Lesson
    from quiz import attempts
    from quiz.models import AttemptItem

    lesson = Lesson.objects.get(course__slug=COURSE)
    assert lesson.get_absolute_url() == lesson_url
    by_attempt: dict[int, Plan] = {}
    for user in users:
        attempt, _ = attempts.start_or_resume(user, lesson)
        by_attempt[attempt.pk] = Plan(user.pk, attempt.pk, [])
    rows = (
        AttemptItem.objects.filter(attempt_id__in=by_attempt)
        .select_related("question")
        .order_by("attempt_id", "position")
    )
    for item in rows:
        by_attempt[item.attempt_id].items.append(
            (item.position, item.question.type, len(item.choice_order))
        )
    return list(by_attempt.values())


def close_db_connections() -> None:
    from django.db import connections

    connections.close_all()


class Stopwatch:
    """A shared overall deadline: every loop checks it, so nothing runs away."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds
        self.stop = threading.Event()

    def left(self) -> float:
        return self.end - time.monotonic()

    def over(self) -> bool:
        return self.stop.is_set() or time.monotonic() >= self.end


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, all processes), from
    /proc/stat: with our own client's and server's CPU subtracted, what other processes took."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def git_state(root: Path | None = None) -> dict:
    """Which code was measured (read-only git commands), in this checkout or in `root`."""

    def run(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "--no-optional-locks", *args],  # never rewrites the index
                cwd=root or ROOT,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = [line[3:] for line in run("status", "--porcelain").splitlines()]
    return {"commit": run("rev-parse", "--short", "HEAD").strip(), "uncommitted_files": dirty}
