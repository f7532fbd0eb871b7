"""Fault-tolerance benchmark: the app server killed mid-quiz, and a database locked too long.

Usage:
    .venv/bin/python benchmarks/fault.py [--students 30]
                                         [--database-url postgres://postgres@127.0.0.1:5432/postgres]

The database, as in load.py: a fresh SQLite file in a temp dir, named to the server by
DJANGO_SQLITE_PATH (default) or, with --database-url sqlite: / DATABASE_URL=sqlite:///, by
DATABASE_URL=sqlite:///<temp dir>/bench.sqlite3; or a fresh PostgreSQL database bench_<pid>.

Part 1, crash (SQLite temp file, or a fresh PostgreSQL database bench_<pid>): gunicorn with
production settings; N students log in, start the quiz and answer (half through htmx, half with
plain form posts) with short think times. Every answer the client saw acknowledged (htmx: 200
feedback; plain: 302 back to the same question) is recorded. When --kill-at of all answers are
acknowledged, master and workers get `kill -9` at once; after --down s the server is started
again on the same port and database. Every student then presses Start again, which must resume
the same attempt at its first unanswered question, answers the rest and finishes. Checks: every
acknowledged answer is stored (attempt id + position, and the same answer), `PRAGMA
integrity_check` is ok (SQLite), no learner ever has two open attempts, everyone finished.

Part 2, database locked (SQLite only): a fresh server with a short busy timeout
(DJANGO_SQLITE_TIMEOUT); another connection holds the write lock longer than that timeout while
a learner posts two answers (htmx and plain). Both must get 503 with "Not saved — try again"
(never a 500 or a traceback), nothing may be stored, and the same answers must be saved once the
lock is gone.

Prints PASS/FAIL per check, writes benchmarks/results/fault-<db>-<timestamp>.json, exits 1 if a
check fails (2 if the run broke). Bounded: request timeouts, an overall --deadline, and servers
and temp databases removed in `finally`, Ctrl+C included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from benchmarks.common import (
    ATTEMPT_URL,
    COURSE,
    NET_ERRORS,
    ROOT,
    STUDENT_PASSWORD,
    Client,
    Database,
    Server,
    Stopwatch,
    Workdir,
    answer_from_page,
    answer_from_plan,
    close_db_connections,
    create_students,
    free_port,
    git_state,
    install_sigterm_as_interrupt,
    is_feedback,
    is_prg_ack,
    log,
    log_problems,
    log_size,
    make_sessions,
    open_attempts,
    prepare_demo,
    production_env,
    setup_django,
)

RESULTS = Path(__file__).resolve().parent / "results"


PER_ATTEMPT = 12  # questions in one attempt: set from the demo lesson once it is prepared


def questions_per_attempt() -> int:
    """How many questions an attempt at the demo lesson asks (the generator writes what passes
    its checks, so the count follows the generator, not a constant)."""
    from courses.models import Lesson

    lesson = Lesson.objects.get(course__slug=COURSE)
    published = lesson.questions.published().count()
    wanted = lesson.quiz_settings.question_count if hasattr(lesson, "quiz_settings") else None
    return min(published, wanted) if wanted else published


class ServerDown(Exception):
    """No answer, or a 5xx: the server is down or restarting."""


class Student:
    def __init__(self, index: int, username: str, port: int, args, hx: bool):
        self.index, self.username, self.args, self.hx = index, username, args, hx
        self.client = Client(port, timeout=args.timeout)
        self.rng = random.Random(args.seed * 1000 + index)
        self.attempt_id: int | None = None
        self.total = PER_ATTEMPT
        self.acked: dict[int, dict] = {}  # position -> the answer the server acknowledged
        self.resumes: list[dict] = []  # each Start pressed again: which attempt, where
        self.interruptions = 0
        self.finished = False
        self.error: str | None = None
        self.generation_seen = 0


class Crash:
    """Part 1: the class, the kill -9, the restart."""

    def __init__(self, args, server: Server, lesson_url: str, users: list, watch: Stopwatch):
        self.args, self.server, self.lesson_url, self.watch = args, server, lesson_url, watch
        self.students = [
            Student(i, u.username, server.port, args, hx=i % 2 == 0) for i, u in enumerate(users)
        ]
        self.lock = threading.Lock()
        self.acked_total = 0
        self.generation = 0  # bumped by every restart: each student then resumes once
        self.up = threading.Event()
        self.up.set()

    # -- one student --------------------------------------------------------------------------

    def call(self, student: Student, method: str, path: str, data=None, hx=False):
        try:
            reply = student.client.request(method, path, data, hx=hx)
        except NET_ERRORS as error:
            raise ServerDown(repr(error)) from error
        if reply.status >= 500:
            raise ServerDown(f"HTTP {reply.status}")
        return reply

    def wait_for_server(self) -> None:
        while not self.watch.over():
            if self.up.wait(timeout=0.5):
                return

    def press_start(self, student: Student) -> int | str:
        """Start (or resume): returns the position to answer next, or "summary"."""
        reply = self.call(student, "POST", self.lesson_url + "quiz/")
        match = ATTEMPT_URL.search(reply.location)
        if reply.status == 302 and match:
            attempt_id, position = int(match[1]), int(match[2])
        elif reply.status == 302 and reply.location.endswith("/summary/"):
            attempt_id = int(reply.location.rstrip("/").split("/")[-2])
            position = "summary"
        else:
            raise RuntimeError(f"start: HTTP {reply.status} {reply.location}")
        if student.attempt_id is None:
            student.attempt_id = attempt_id
        else:
            student.resumes.append(
                {
                    "attempt_id": attempt_id,
                    "same": attempt_id == student.attempt_id,
                    "at": position,
                }
            )
            if attempt_id != student.attempt_id:
                raise RuntimeError(f"resume gave attempt {attempt_id}, not {student.attempt_id}")
        return position

    def run(self, student: Student) -> None:
        args = self.args
        try:
            time.sleep(args.ramp * student.index / len(self.students))
            while True:  # log in (the server may be down already)
                try:
                    student.client.login(student.username, STUDENT_PASSWORD)
                    break
                except (*NET_ERRORS, RuntimeError) as error:
                    if self.watch.over():
                        raise
                    student.interruptions += 1
                    log(f"{student.username}: log-in retry after {error!r}")
                    self.wait_for_server()
            position = None
            need_start = True
            while not self.watch.over():
                try:
                    if need_start or student.generation_seen < self.generation:
                        student.generation_seen = self.generation
                        position = self.press_start(student)
                        need_start = False
                    if position == "summary":
                        self.finish(student)
                        return
                    position = self.answer(student, position)
                except ServerDown:
                    student.interruptions += 1
                    need_start = True
                    self.wait_for_server()
                    time.sleep(self.rng_delay(student))
            student.error = "overall deadline reached"
        except Exception as error:
            student.error = repr(error)

    def rng_delay(self, student: Student) -> float:
        return student.rng.uniform(0.05, 0.5)

    def answer(self, student: Student, position: int) -> int | str:
        path = f"/attempts/{student.attempt_id}/{position}/"
        page = self.call(student, "GET", path)
        if page.status != 200:
            raise RuntimeError(f"question {position}: HTTP {page.status} {page.location}")
        total = page.body.split('class="quiz__of">of ', 1)
        if len(total) == 2:
            student.total = int(total[1].split("<", 1)[0])
        data = answer_from_page(page.body, student.rng)
        if data is None:
            raise RuntimeError(f"question {position}: no answer form (answered already?)")
        time.sleep(student.rng.uniform(self.args.think_min, self.args.think_max))
        reply = self.call(student, "POST", path, data, hx=student.hx)
        acked = (
            is_feedback(reply) if student.hx else is_prg_ack(reply, student.attempt_id, position)
        )
        if not acked:
            raise RuntimeError(f"answer {position}: HTTP {reply.status} {reply.body[:100]!r}")
        with self.lock:
            student.acked[position] = data
            self.acked_total += 1
        return position + 1 if position < student.total else "summary"

    def finish(self, student: Student) -> None:
        reply = self.call(student, "GET", f"/attempts/{student.attempt_id}/summary/")
        if reply.status != 200:
            raise RuntimeError(f"summary: HTTP {reply.status}")
        reply = self.call(student, "POST", f"/attempts/{student.attempt_id}/finish/")
        if reply.status != 302 or "results" not in reply.location:
            raise RuntimeError(f"finish: HTTP {reply.status} {reply.location}")
        reply = self.call(student, "GET", reply.location)
        if reply.status != 200:
            raise RuntimeError(f"results: HTTP {reply.status}")
        student.finished = True

    # -- the class and the crash ----------------------------------------------------------------

    def go(self) -> dict:
        args = self.args
        expected = len(self.students) * PER_ATTEMPT
        threads = [threading.Thread(target=self.run, args=(s,), daemon=True) for s in self.students]
        for thread in threads:
            thread.start()
        kill_at = int(expected * args.kill_at)
        while self.acked_total < kill_at and not self.watch.over():
            if not any(t.is_alive() for t in threads):
                break
            time.sleep(0.02)
        acked_before = self.acked_total
        self.up.clear()
        killed = self.server.kill9()
        killed_at = time.monotonic()
        log(
            f"kill -9 of gunicorn master and {len(killed) - 1} workers at "
            f"{acked_before}/{expected} acknowledged answers"
        )
        open_during_downtime = open_attempt_counts()
        time.sleep(args.down)
        self.server.start()
        ready_after = time.monotonic() - killed_at
        with self.lock:
            self.generation += 1
        self.up.set()
        log(f"restarted; answering again {ready_after:.1f} s after the kill")
        for thread in threads:
            thread.join(timeout=max(0.1, self.watch.left()))
        return {
            "students": len(self.students),
            "expected_answers": expected,
            "acknowledged_before_kill": acked_before,
            "killed_pids": len(killed),
            "seconds_down": round(ready_after, 1),
            "max_open_attempts_per_learner_during_downtime": max(
                open_during_downtime.values(), default=0
            ),
        }


def open_attempt_counts() -> Counter:
    from quiz.models import Attempt

    counts = Counter(
        Attempt.objects.filter(is_practice=False, finished_at__isnull=True).values_list(
            "learner_id", flat=True
        )
    )
    close_db_connections()
    return counts


def verify_crash(crash: Crash, db: Database) -> tuple[dict, list]:
    """Compare what the clients saw acknowledged with what the database holds."""
    from django.contrib.auth.models import User

    from quiz.models import Attempt, AttemptItem, Response

    checks = []
    by_name = {s.username: s for s in crash.students}
    users = {u.pk: u.username for u in User.objects.filter(username__in=by_name)}
    items = {
        (i.attempt_id, i.position): i
        for i in AttemptItem.objects.filter(attempt__learner_id__in=users).select_related(
            "response"
        )
    }
    acknowledged = missing = different = 0
    for student in crash.students:
        for position, data in student.acked.items():
            acknowledged += 1
            item = items.get((student.attempt_id, position))
            response = getattr(item, "response", None) if item else None
            if response is None:
                missing += 1
            elif not same_answer(item, response, data):
                different += 1
    stored = Response.objects.filter(item__attempt__learner_id__in=users).count()
    attempts = Counter(
        Attempt.objects.filter(learner_id__in=users, is_practice=False).values_list(
            "learner_id", flat=True
        )
    )
    open_now = Counter(
        Attempt.objects.filter(
            learner_id__in=users, is_practice=False, finished_at__isnull=True
        ).values_list("learner_id", flat=True)
    )
    finished_in_db = Attempt.objects.filter(
        learner_id__in=users,
        is_practice=False,
        finished_at__isnull=False,
        answered_count=PER_ATTEMPT,
    ).count()
    close_db_connections()

    print(f"answers acknowledged: {acknowledged}, stored: {stored}, missing: {missing}")
    checks.append(
        (
            "every acknowledged answer stored",
            missing == 0,
            f"acknowledged {acknowledged}, stored {stored}, missing {missing}",
        )
    )
    checks.append(
        ("stored answers are the ones acknowledged", different == 0, f"{different} differ")
    )
    if db.kind == "sqlite":
        with sqlite3.connect(db.sqlite_path, timeout=10) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        conn.close()
        checks.append(
            (
                "PRAGMA integrity_check",
                integrity == "ok" and not fk,
                f"{integrity}, {len(fk)} foreign key problems",
            )
        )
    several = sum(1 for c in attempts.values() if c > 1)
    checks.append(
        (
            "one attempt per learner, never two open",
            several == 0
            and max(open_now.values(), default=0) <= 1
            and crash.downtime_open_max <= 1,
            f"{several} learners with several attempts",
        )
    )
    resumed = [s for s in crash.students if s.resumes]
    same = sum(1 for s in resumed if all(r["same"] for r in s.resumes))
    checks.append(
        (
            "everyone resumed the same attempt after the restart",
            len(resumed) == len(crash.students) and same == len(resumed),
            f"{same}/{len(crash.students)}",
        )
    )
    finished = sum(1 for s in crash.students if s.finished)
    checks.append(
        (
            f"everyone finished ({PER_ATTEMPT} answers, attempt closed)",
            finished == len(crash.students) and finished_in_db == len(crash.students),
            f"{finished}/{len(crash.students)} clients, {finished_in_db} in the database"
            + "".join(f"; {s.username}: {s.error}" for s in crash.students if s.error),
        )
    )
    figures = {
        "acknowledged": acknowledged,
        "stored": stored,
        "missing": missing,
        "different": different,
        "stored_not_acknowledged": stored - acknowledged + missing,
        "interruptions_seen_by_clients": sum(s.interruptions for s in crash.students),
        "students_finished": finished,
    }
    return figures, checks


def same_answer(item, response, data: dict) -> bool:
    if "choice" in data:
        return response.choice_id == item.choice_order[int(data["choice"]) - 1]
    if "text" in data:
        return response.text == data["text"].strip()
    return True  # sequence: order stored as choice ids, compared via is_correct elsewhere


# --------------------------------------------------------------------------------------------
# Part 2: the database locked for longer than the busy timeout


def lock_test(args, env: dict, db: Database, workdir: Path, lesson_url: str) -> tuple[dict, list]:
    from django.conf import settings

    honoured = "DJANGO_SQLITE_TIMEOUT" in (ROOT / "config" / "settings.py").read_text()
    if honoured:
        busy = args.sqlite_timeout
        env = {**env, "DJANGO_SQLITE_TIMEOUT": str(busy)}
    else:
        busy = float(settings.DATABASES["default"]["OPTIONS"].get("timeout", 5))
    hold = busy + args.lock_margin
    users = create_students("locked", 1)
    cookies = make_sessions(users)[users[0].pk]
    plan = open_attempts(users, lesson_url)[0]
    close_db_connections()

    server = Server(
        env,
        free_port(),
        workdir / "gunicorn-lock.log",
        workers=args.workers,
        timeout=int(hold + 30),
    )
    checks, figures = (
        [],
        {"busy_timeout_s": busy, "lock_held_s": hold, "timeout_from_env": honoured},
    )
    try:
        server.start()
        log_start = log_size(server.log_path)
        rng = random.Random(args.seed)
        posts = [(plan.items[0], True), (plan.items[1], False)]  # htmx, then a plain form post
        answers = [answer_from_plan(qtype, n, rng) for (_, qtype, n), _ in posts]
        replies: dict[bool, object] = {}

        def post(index: int) -> None:
            (position, _, _), hx = posts[index]
            client = Client(server.port, timeout=hold + 30, cookies=dict(cookies))
            try:
                replies[hx] = client.post(
                    f"/attempts/{plan.attempt_id}/{position}/", answers[index], hx=hx
                )
            except NET_ERRORS as error:
                replies[hx] = error

        log(f"holding the SQLite write lock for {hold:.0f} s (busy timeout {busy:g} s)")
        locker = sqlite3.connect(db.sqlite_path, timeout=10, isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            locker.execute("UPDATE quiz_attempt SET answered_count = answered_count WHERE 0")
            held_from = time.monotonic()
            threads = [threading.Thread(target=post, args=(i,), daemon=True) for i in (0, 1)]
            for thread in threads:
                thread.start()
            time.sleep(max(0.0, hold - (time.monotonic() - held_from)))
        finally:
            locker.rollback()
            locker.close()
        for thread in threads:
            thread.join(timeout=hold + 30)
        for hx, label in ((True, "htmx"), (False, "plain form")):
            reply = replies.get(hx)
            if isinstance(reply, Exception) or reply is None:
                figures[label] = {"error": repr(reply)}
                checks.append(
                    (
                        f"locked DB, {label} answer: 503 'not saved — try again'",
                        False,
                        f"no response: {reply!r}",
                    )
                )
                continue
            text = reply.body.lower()
            says = "not saved" in text and "try again" in text
            figures[label] = {
                "status": reply.status,
                "seconds": round(reply.elapsed, 2),
                "says_not_saved": says,
                "body_start": reply.body[:160],
            }
            ok = reply.status == 503 and says and "traceback" not in text
            checks.append(
                (
                    f"locked DB, {label} answer: 503 'not saved — try again'",
                    ok,
                    f"HTTP {reply.status} after {reply.elapsed:.1f} s"
                    + ("" if says else ", no 'not saved — try again' message"),
                )
            )
        from quiz.models import Response

        stored = Response.objects.filter(item__attempt_id=plan.attempt_id).count()
        checks.append(
            ("locked DB: nothing stored while 'not saved'", stored == 0, f"{stored} stored")
        )
        # The lock is gone: the same answers are saved on a retry.
        retried = 0
        for index, ((position, _, _), hx) in enumerate(posts):
            client = Client(server.port, timeout=args.timeout, cookies=dict(cookies))
            reply = client.post(f"/attempts/{plan.attempt_id}/{position}/", answers[index], hx=hx)
            ok = is_feedback(reply) if hx else is_prg_ack(reply, plan.attempt_id, position)
            retried += ok
        stored = Response.objects.filter(item__attempt_id=plan.attempt_id).count()
        close_db_connections()
        checks.append(
            (
                "lock released: the retried answers are saved",
                retried == 2 and stored == 2,
                f"{retried}/2 acknowledged, {stored} stored",
            )
        )
        figures["server_log"] = log_problems(server.log_path, log_start)
        if figures["server_log"].get("tracebacks"):
            figures["server_log_tail"] = server.log_path.read_text(errors="replace")[-2500:]
    finally:
        server.stop()
    return figures, checks


# --------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="postgres://… (a local server), or sqlite: for the temp SQLite file named to the "
        "server by DATABASE_URL instead of DJANGO_SQLITE_PATH (default: DATABASE_URL, else "
        "SQLite by DJANGO_SQLITE_PATH)",
    )
    parser.add_argument(
        "--kill-at",
        type=float,
        default=0.4,
        help="fraction of all answers acknowledged when the server is killed",
    )
    parser.add_argument("--down", type=float, default=2.0, help="s before restarting")
    parser.add_argument("--ramp", type=float, default=5.0, help="s over which students log in")
    parser.add_argument("--think-min", type=float, default=0.3)
    parser.add_argument("--think-max", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=15.0, help="s per HTTP request")
    parser.add_argument(
        "--sqlite-timeout",
        type=float,
        default=2.0,
        help="DJANGO_SQLITE_TIMEOUT for the lock test server",
    )
    parser.add_argument(
        "--lock-margin", type=float, default=3.0, help="s the lock is held beyond the busy timeout"
    )
    parser.add_argument("--skip-lock-test", action="store_true")
    parser.add_argument("--deadline", type=float, default=300.0, help="s for the whole run")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    install_sigterm_as_interrupt()
    watch = Stopwatch(args.deadline)
    began = time.monotonic()
    results: dict = {
        "args": vars(args),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code": git_state(),
        "load_average_before": os.getloadavg(),
    }
    checks: list = []
    broken = None
    with Workdir() as workdir:
        db = Database(workdir, args.database_url)
        results["database"] = db.label
        server = None
        try:
            log(f"database: {db.label} ({db.name}); the demo and {args.students} students")
            db.create()
            env = production_env(db, workdir)
            setup_django(env)
            lesson_url = prepare_demo()
            global PER_ATTEMPT
            PER_ATTEMPT = questions_per_attempt()
            users = create_students("crash", args.students)
            close_db_connections()
            server = Server(env, free_port(), workdir / "gunicorn.log", workers=args.workers)
            server.start()
            log(f"{server.describe()} on 127.0.0.1:{server.port}; part 1: kill -9 mid-quiz")
            crash = Crash(args, server, lesson_url, users, watch)
            results["crash"] = crash.go()
            crash.downtime_open_max = results["crash"][
                "max_open_attempts_per_learner_during_downtime"
            ]
            results["crash"]["server_log"] = log_problems(server.log_path)
            server.stop()
            figures, part_checks = verify_crash(crash, db)
            results["crash"].update(figures)
            checks += part_checks
            if db.kind == "sqlite" and not args.skip_lock_test and not watch.over():
                log("part 2: the database locked for longer than the busy timeout")
                results["locked"], part_checks = lock_test(args, env, db, workdir, lesson_url)
                checks += part_checks
            elif db.kind != "sqlite":
                results["locked"] = "skipped: the lock test is SQLite's busy timeout"
        except KeyboardInterrupt:
            broken = "interrupted"
            log("interrupted: cleaning up")
        except Exception as error:  # still clean up, still report
            broken = repr(error)
            log(f"run broke: {error!r}")
            if server is not None and server.log_path.exists():
                print(server.log_path.read_text(errors="replace")[-3000:])
        finally:
            watch.stop.set()
            if server is not None:
                server.stop()
            with contextlib.suppress(Exception):
                close_db_connections()
            db.drop()
    results["seconds"] = round(time.monotonic() - began, 1)
    results["load_average_after"] = os.getloadavg()
    results["checks"] = checks
    if broken:
        results["broken"] = broken
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"fault-{results['database']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\n== fault benchmark: {results['database']}, {results['seconds']} s ==")
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name:58} {detail}")
    print(f"\nJSON summary: {out}")
    if broken:
        print(f"RUN BROKEN: {broken}")
        return 2
    failed = [name for name, ok, _ in checks if not ok]
    print("ALL CHECKS PASSED" if not failed else f"CHECKS FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
