"""CPU cost of one question GET and one answer POST, in-process, through the whole stack.

Usage: .venv/bin/python benchmarks/request_profile.py [--n 500] [--redis] [--top 0] [--demo]
       .venv/bin/python benchmarks/request_profile.py --compare [--n 1000]   (A/B, see below)

Sets up a fresh temporary database (SQLite in a temp dir; with DATABASE_URL=postgres://… a
throw-away `bench_<pid>` database on that server, dropped afterwards), a signed-in learner with
an open attempt at a 5-question quiz, then times N question GETs (full page and htmx partial)
and N htmx answer POSTs through `django.test.Client`, which runs every middleware. Each answer
is removed again (untimed) so every POST answers the same fresh item of an unchanged attempt.

`--demo` profiles the demo lesson (the sample article, its 5 questions and feedback settings)
instead of a small factory quiz, and adds the no-JavaScript steps: the plain answer POST (its
303) and the page of a question's feedback.

Printed per request kind: CPU ms (time.process_time), queries, and a breakdown:
- each middleware's own time (probes between the middleware; a middleware that first touches
  request.user or the session carries the session and user rows),
- from cProfile: ORM compile (SQLCompiler.as_sql), queryset building (filter/select_related…),
  database execute (cursor.execute), template render (Template.render).
`--orm-answer` records answers through the ORM on PostgreSQL too (as before the one-statement
answer). `--redis` sets REDIS_URL=redis://127.0.0.1:6379/15 (Redis cache + cached_db sessions).
`--compare`: one process, interleaved rounds, app CPU medians of an htmx GET + answer POST for
the stack as before this work (django-csp's middleware, the old FirstPasswordMiddleware order,
answers through the ORM), as now but answers through the ORM, as now, and as now with Redis
sessions; plus the PostgreSQL backend's and Redis server's CPU per loop (/proc, clock ticks).
The test client skips the CSRF token check (CsrfViewMiddleware still runs).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--n", type=int, default=500, help="requests of each kind (default 500)")
parser.add_argument("--redis", action="store_true", help="Redis cache and cached_db sessions")
parser.add_argument(
    "--orm-answer",
    action="store_true",
    help="record answers through the ORM path on PostgreSQL too (the old way, to compare)",
)
parser.add_argument(
    "--compare",
    action="store_true",
    help="A/B in one process, rounds interleaved: the stack as before this work, as now with "
    "the ORM answer, as now, and as now with Redis sessions (htmx GET + answer POST, CPU ms)",
)
parser.add_argument(
    "--stack-before",
    action="store_true",
    help="probe the middleware as before this work (django-csp's CSPMiddleware, the old "
    "FirstPasswordMiddleware order)",
)
parser.add_argument(
    "--demo",
    action="store_true",
    help="profile the demo lesson (setup_demo: the sample article, its feedback settings) "
    "instead of a small factory quiz, and the no-JavaScript steps too",
)
parser.add_argument("--top", type=int, default=0, help="also print the top N functions")
parser.add_argument("--json", help="write the figures to this file too")
parser.add_argument("--pstats", help="dump each kind's cProfile stats to PREFIX-<kind>.pstats")
ARGS = parser.parse_args() if __name__ == "__main__" else parser.parse_args([])

_tmp = tempfile.TemporaryDirectory()
_db = None
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    from benchmarks.common import Database

    _db = Database(Path(_tmp.name), os.environ["DATABASE_URL"])
    _db.create()
    os.environ["DATABASE_URL"] = _db.url
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/profile.sqlite3"
if ARGS.redis:
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_PLAIN_STATIC", "1")
os.environ.setdefault("DJANGO_STATIC_FINDERS", "1")
os.environ.setdefault("DJANGO_SECURE", "0")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

# Probes between the middleware: probe k sees the request just before middleware k (the last
# one just before the view). A middleware's own time = its probe's span minus the next one's.
PROBE_SPANS: dict[int, float] = {}


def _probe(k: int):
    class Probe:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            start = time.process_time()
            try:
                return self.get_response(request)
            finally:
                PROBE_SPANS[k] = PROBE_SPANS.get(k, 0.0) + time.process_time() - start

    Probe.__name__ = Probe.__qualname__ = f"Probe{k}"
    return Probe


BEFORE = {
    "config.middleware.ContentSecurityPolicyMiddleware": "csp.middleware.CSPMiddleware",
    "accounts.middleware.FirstPasswordMiddleware": f"{__name__}.OldFirstPasswordMiddleware",
}
REAL_MIDDLEWARE = list(settings.MIDDLEWARE)
if ARGS.stack_before:
    REAL_MIDDLEWARE = [BEFORE.get(m, m) for m in REAL_MIDDLEWARE]
_probed = []
for _k, _path in enumerate(REAL_MIDDLEWARE):
    globals()[f"Probe{_k}"] = _probe(_k)
    _probed += [f"{__name__}.Probe{_k}", _path]
globals()[f"Probe{len(REAL_MIDDLEWARE)}"] = _probe(len(REAL_MIDDLEWARE))
_probed.append(f"{__name__}.Probe{len(REAL_MIDDLEWARE)}")
settings.MIDDLEWARE = _probed
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

HX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


def build():
    from django.contrib.auth.models import User

    from quiz import attempts
    from quiz.models import QuizSettings
    from tests.factories import make_quiz

    call_command("migrate", verbosity=0)
    if ARGS.demo:
        from courses.models import Lesson

        call_command("setup_demo", verbosity=0)
        lesson = Lesson.objects.published().get()
        QuizSettings.objects.update_or_create(lesson=lesson, defaults={"shuffle_questions": False})
    else:
        lesson, _ = make_quiz()
        QuizSettings.objects.create(lesson=lesson, shuffle_questions=False)
    learner = User.objects.create_user("learner", password="a-long-pass-phrase")
    attempt, _ = attempts.start_or_resume(learner, lesson)
    # Question 2 stays answered: the page of its feedback is what a learner sees after answering.
    item = attempt.items.select_related("attempt", "question").get(position=2)
    attempts.record_answer(item, answer_for(item.question))
    client = Client()
    client.force_login(learner)
    return attempt, client


def answer_for(question):
    from quiz.grading import Answer, correct_order
    from quiz.models import QuestionType

    if question.type == QuestionType.FILL_BLANK:
        return Answer(text=question.accepted_answers.first().text)
    if question.type == QuestionType.SEQUENCE:
        return Answer(order=tuple(correct_order(question)))
    return Answer(choice=question.choices.filter(is_correct=True).first())


def reset(attempt) -> None:
    """Untimed: take the answer back so the next POST answers the same fresh item."""
    from quiz.models import Attempt, Response

    Response.objects.filter(item__attempt=attempt, item__position=1).delete()
    Attempt.objects.filter(pk=attempt.pk).update(answered_count=0, correct_count=0, marks=0)


def make_steps(attempt, client):
    url = f"/attempts/{attempt.pk}/1/"

    def get_full():
        reply = client.get(url)
        assert reply.status_code == 200, reply.status_code
        reply.content  # noqa: B018

    def get_hx():
        reply = client.get(url, headers=HX)
        assert reply.status_code == 200, reply.status_code

    def post_hx():
        reply = client.post(url, {"choice": "1"}, headers=HX)
        assert reply.status_code == 200 and b"feedback" in reply.content, reply.status_code

    steps = {"GET question (page)": get_full, "GET question (htmx)": get_hx, "POST answer": post_hx}
    if ARGS.demo:

        def post_plain():
            reply = client.post(url, {"choice": "1"})
            assert reply.status_code == 303, reply.status_code

        def get_feedback():
            reply = client.get(f"/attempts/{attempt.pk}/2/")
            assert reply.status_code == 200 and b'id="feedback"' in reply.content

        steps |= {"POST answer (no JS)": post_plain, "GET feedback (page)": get_feedback}
    return steps


def function_cumtime(stats: pstats.Stats, match) -> float:
    """Cumulative seconds of the functions `match(file, name)` picks, outermost calls only."""
    total = 0.0
    for (file, _line, name), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        if not match(file, name):
            continue
        # Only the part not already inside another matching function (recursion, nesting).
        inner = sum(
            c[3] for caller, c in callers.items() if match(caller[0], caller[2])
        )  # callers[caller] = (cc, nc, tt, ct)
        total += ct - inner
    return total


def is_compile(file, name):
    return file.endswith(os.path.join("models", "sql", "compiler.py")) and name == "as_sql"


def is_build(file, name):
    return file.endswith(os.path.join("db", "models", "query.py")) and name in {
        "filter",
        "exclude",
        "select_related",
        "only",
        "order_by",
        "values",
        "values_list",
        "prefetch_related",
        "annotate",
    }


def is_execute(file, name):
    return file.endswith(os.path.join("backends", "utils.py")) and name == "_execute"


def is_render(file, name):
    return file.endswith(os.path.join("template", "base.py")) and name == "render"


def measure(name, step, attempt, n):
    is_post = name.startswith("POST")
    for _ in range(20):  # warm up: templates, URL resolver, connection
        step()
        if is_post:
            reset(attempt)
    with CaptureQueriesContext(connection) as queries:
        step()
    sql = [q["sql"] for q in queries.captured_queries]
    if is_post:
        reset(attempt)
    PROBE_SPANS.clear()
    cpu = []
    for _ in range(n):
        start = time.process_time()
        step()
        cpu.append(time.process_time() - start)
        if is_post:
            reset(attempt)
    spans = dict(PROBE_SPANS)
    profiler = cProfile.Profile()
    for _ in range(n):
        profiler.enable()
        step()
        profiler.disable()
        if is_post:
            reset(attempt)
    stats = pstats.Stats(profiler)
    if ARGS.pstats:
        stats.dump_stats(f"{ARGS.pstats}-{name.split()[0].lower()}{len(name)}.pstats")
    total_profiled = sum(tt for (_cc, _nc, tt, _ct, _c) in stats.stats.values())
    middleware = {}
    for k, path in enumerate(REAL_MIDDLEWARE):
        own = spans.get(k, 0.0) - spans.get(k + 1, 0.0)
        middleware[path.rsplit(".", 1)[-1]] = round(own / n * 1000, 3)
    inner = spans.get(len(REAL_MIDDLEWARE), 0.0) / n * 1000
    result = {
        "cpu_ms_mean": round(statistics.fmean(cpu) * 1000, 3),
        "cpu_ms_median": round(statistics.median(cpu) * 1000, 3),
        "queries": len(sql),
        "sql": sql,
        "middleware_own_ms": middleware,
        "middleware_total_ms": round(sum(middleware.values()), 3),
        "view_and_inner_hooks_ms": round(inner, 3),  # view, process_view hooks, rendering
        "profile_share": {
            label: round(function_cumtime(stats, match) / total_profiled, 3)
            for label, match in (
                ("orm_compile", is_compile),
                ("queryset_build", is_build),
                ("db_execute", is_execute),
                ("template_render", is_render),
            )
        },
    }
    if ARGS.top:
        print(f"--- {name}: top {ARGS.top} by own time")
        stats.sort_stats("tottime").print_stats(ARGS.top)
    return result


def old_first_password_middleware():
    """FirstPasswordMiddleware as it was: the path check (three reverse()) before the mark."""
    from accounts import one_time
    from accounts.middleware import FirstPasswordMiddleware

    class OldFirstPasswordMiddleware(FirstPasswordMiddleware):
        def __call__(self, request):
            user = request.user
            if (
                user.is_authenticated
                and not self.exempt(request.path)
                and one_time.session_requires_change(request)
            ):
                return self.choose_password_first(request)
            return self.get_response(request)

    return OldFirstPasswordMiddleware


SERVER_PIDS: list[int] = []


def server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend and of the local Redis server
    (/proc, in clock ticks: summed over many requests the rounding averages out)."""
    from benchmarks.common import cpu_seconds

    if not SERVER_PIDS:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                SERVER_PIDS.append(cursor.fetchone()[0])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if (entry / "comm").read_text().strip() == "redis-server":
                        SERVER_PIDS.append(int(entry.name))
                except OSError:
                    pass
    return cpu_seconds(SERVER_PIDS)


def compare(attempt, rounds: int = 10) -> dict:
    import socket

    from django.test import override_settings

    from quiz import attempts

    real_receivers = attempts._has_save_receivers
    before_mw = [BEFORE.get(m, m) for m in REAL_MIDDLEWARE]
    db_sessions = {
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    }
    variants = {
        "before (stock CSP, old FirstPassword order, db sessions, ORM answer)": (
            before_mw,
            db_sessions,
            True,
        ),
        "now, but answers through the ORM": (REAL_MIDDLEWARE, db_sessions, True),
        "now (db sessions)": (REAL_MIDDLEWARE, db_sessions, False),
    }
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        redis = {
            "SESSION_ENGINE": "config.sessions.cached",
            "CACHES": {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://127.0.0.1:6379/15",
                    "KEY_PREFIX": f"profile-{os.getpid()}",
                }
            },
        }
        variants["now + Redis sessions (cached_db)"] = (REAL_MIDDLEWARE, redis, False)
    except OSError:
        print("no Redis on 127.0.0.1:6379: its variant is left out")
    clients, cpu = {}, {name: {"get": [], "post": []} for name in variants}
    for name, (mw, overrides, _orm) in variants.items():
        with override_settings(MIDDLEWARE=mw, **overrides):
            clients[name] = Client()
            clients[name].force_login(attempt.learner)
    url = f"/attempts/{attempt.pk}/1/"
    per_round = max(1, ARGS.n // rounds)
    server = dict.fromkeys(variants, 0.0)  # PostgreSQL backend + Redis server CPU seconds
    try:
        for _ in range(rounds + 1):  # the first round warms up and is not counted
            for name, (mw, overrides, orm) in variants.items():
                attempts._has_save_receivers = (lambda model: True) if orm else real_receivers
                client = clients[name]
                with override_settings(MIDDLEWARE=mw, **overrides):
                    for _ in range(per_round):
                        server_before = server_cpu()
                        start = time.process_time()
                        assert client.get(url, headers=HX).status_code == 200
                        middle = time.process_time()
                        reply = client.post(url, {"choice": "1"}, headers=HX)
                        end = time.process_time()
                        assert reply.status_code == 200
                        server[name] += server_cpu() - server_before
                        reset(attempt)
                        cpu[name]["get"].append(middle - start)
                        cpu[name]["post"].append(end - middle)
            if not clients.get("_warmed"):
                clients["_warmed"] = True
                cpu = {name: {"get": [], "post": []} for name in variants}
                server = dict.fromkeys(variants, 0.0)
    finally:
        attempts._has_save_receivers = real_receivers
    out = {}
    for name, kinds in cpu.items():
        get = statistics.median(kinds["get"]) * 1000
        post = statistics.median(kinds["post"]) * 1000
        loops = len(kinds["get"])
        db_ms = server[name] / loops * 1000 if loops else 0.0
        out[name] = {
            "get_ms": round(get, 3),
            "post_ms": round(post, 3),
            "loop_ms": round(get + post, 3),
            "server_ms_per_loop": round(db_ms, 3),
        }
        print(
            f"{name}: GET {get:.2f} ms, POST {post:.2f} ms, loop {get + post:.2f} ms "
            f"(app CPU medians); database+Redis server CPU {db_ms:.2f} ms per loop"
        )
    return out


def main() -> None:
    if ARGS.orm_answer:
        from quiz import attempts

        attempts._has_save_receivers = lambda model: True  # as if: the ORM path everywhere
    globals()["OldFirstPasswordMiddleware"] = old_first_password_middleware()
    attempt, client = build()
    if ARGS.compare:
        print(f"database {connection.vendor}, N={ARGS.n} of each, interleaved rounds")
        results = compare(attempt)
        if ARGS.json:
            Path(ARGS.json).write_text(json.dumps(results, indent=2))
        return
    results = {
        "database": connection.vendor,
        "session_engine": settings.SESSION_ENGINE,
        "cache": settings.CACHES["default"]["BACKEND"],
        "n": ARGS.n,
    }
    for name, step in make_steps(attempt, client).items():
        results[name] = measure(name, step, attempt, ARGS.n)
    print(
        f"database {results['database']}, sessions {results['session_engine']}, "
        f"cache {results['cache']}, N={ARGS.n}"
    )
    for name in make_steps(attempt, client):
        r = results[name]
        print(
            f"\n{name}: {r['cpu_ms_mean']} ms CPU mean ({r['cpu_ms_median']} median), "
            f"{r['queries']} queries; middleware {r['middleware_total_ms']} ms, view+inner "
            f"{r['view_and_inner_hooks_ms']} ms (CPU, probes)"
        )
        print(
            "  middleware own ms: "
            + ", ".join(f"{k} {v}" for k, v in r["middleware_own_ms"].items())
        )
        print(
            "  share of profiled time: "
            + ", ".join(f"{k} {v:.0%}" for k, v in r["profile_share"].items())
        )
        for q in r["sql"]:
            print(f"    SQL: {q[:150]}")
    loop = results["GET question (htmx)"]["cpu_ms_mean"] + results["POST answer"]["cpu_ms_mean"]
    print(f"\nanswer loop (htmx GET + POST): {loop:.2f} ms CPU")
    if ARGS.json:
        Path(ARGS.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    try:
        main()
    finally:
        from django.db import connections

        connections.close_all()
        if _db is not None:
            _db.drop()
        _tmp.cleanup()
