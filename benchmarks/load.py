"""Load benchmark: a class taking the quiz, a thundering "Start", and saturation throughput.

Usage:
    .venv/bin/python benchmarks/load.py [--students 50] [--duration 15] [--concurrency 16]
                                        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

With neither --database-url nor DATABASE_URL it runs on a fresh SQLite file in a temp dir,
named to the server by DJANGO_SQLITE_PATH; with `sqlite:` (e.g. DATABASE_URL=sqlite:///) the
same fresh file is named by DATABASE_URL=sqlite:///<temp dir>/bench.sqlite3 instead; with a
postgres:// URL it creates a database bench_<pid> on that server and drops it at the end.
It starts gunicorn (production settings, DEBUG off, plain http) on 127.0.0.1:<free port>, then:

  a. class: N students log in (spread over --ramp s), open the lesson, press Start within one
     second of each other, answer every question with 1-3 s of (seeded) think time through
     htmx, then review, finish and see their results. Target: answer POST p99 <= 100 ms and
     no failures.
  b. thundering start: N other signed-in students press Start within one second, a third of
     them twice (a double click). Target: no failures, and exactly one open attempt each.
  c. saturation: closed loop, no think time, --concurrency clients for --duration s each,
     first on the trivial /hello/ view, then on the answer endpoint (every POST a fresh answer
     to an item of a pre-opened attempt, with HX-Request). Target: no errors (no 5xx, no
     "database is locked"), answers/s >= 0.10 x hello/s.

Prints a table, writes benchmarks/results/load-<db>-<timestamp>.json, exits 1 if a target is
missed (2 if the run itself broke). Everything is bounded: per-request timeouts, an overall
deadline (--deadline), and the server and the temp database are removed in `finally`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from benchmarks.common import (
    ATTEMPT_URL,
    NET_ERRORS,
    STUDENT_PASSWORD,
    TOTAL,
    Client,
    Database,
    Server,
    Stopwatch,
    Workdir,
    answer_from_page,
    answer_from_plan,
    close_db_connections,
    cpu_seconds,
    create_students,
    free_port,
    git_state,
    install_sigterm_as_interrupt,
    is_feedback,
    latency_summary,
    log,
    log_problems,
    log_size,
    machine_busy_seconds,
    make_sessions,
    open_attempts,
    prepare_demo,
    production_env,
    setup_django,
)

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_P99_MS = 100.0
TARGET_RATIO = 0.10


class Recorder:
    """Latencies per step and failures, shared by the simulated students' threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.failures: Counter = Counter()
        self.examples: list[str] = []

    def ok(self, step: str, seconds: float) -> None:
        with self.lock:
            self.latency.setdefault(step, []).append(seconds)

    def fail(self, step: str, what: str) -> None:
        with self.lock:
            self.failures[step] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{step}: {what}")

    def summary(self) -> dict:
        return {
            "latency": {step: latency_summary(v) for step, v in sorted(self.latency.items())},
            "failures": dict(self.failures),
            "failure_examples": self.examples,
        }


class StepFailed(Exception):
    pass


def check(rec: Recorder, step: str, reply, ok: bool, detail: str = "") -> None:
    if ok:
        rec.ok(step, reply.elapsed)
    else:
        rec.fail(step, f"HTTP {reply.status} {detail}".strip())
        raise StepFailed(step)


# --------------------------------------------------------------------------------------------
# warm-up


def warm_up(args, port: int, plans: list, cookies: dict) -> dict:
    """Fresh gunicorn workers pay one-off costs on their first requests (templates compiled,
    grading word lists loaded: up to ~0.5 s for a first fill-in answer). A few learners answer
    a whole attempt each, concurrently, so every worker has seen every kind of question before
    anything is measured. Their latencies are kept apart as the cold-start figure."""
    rec = Recorder()
    rng = random.Random(args.seed)

    def learner(plan) -> None:
        client = Client(port, timeout=args.timeout, cookies=dict(cookies[plan.learner_id]))
        for position, qtype, n_choices in plan.items:
            try:
                reply = client.post(
                    f"/attempts/{plan.attempt_id}/{position}/",
                    answer_from_plan(qtype, n_choices, rng),
                    hx=True,
                )
            except NET_ERRORS as error:
                rec.fail("answer", repr(error))
                continue
            if is_feedback(reply):
                rec.ok("answer", reply.elapsed)
            else:
                rec.fail("answer", f"HTTP {reply.status}")
            client.get(f"/attempts/{plan.attempt_id}/{position}/", hx=True)

    started = time.monotonic()
    threads = [threading.Thread(target=learner, args=(p,), daemon=True) for p in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    out = rec.summary()
    out["learners"] = len(plans)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


# --------------------------------------------------------------------------------------------
# a. the class


def class_scenario(args, port: int, users: list, lesson_url: str, watch: Stopwatch) -> dict:
    rec = Recorder()
    barrier = threading.Barrier(len(users), timeout=args.ramp + 90)
    finished = Counter()
    started = time.monotonic()

    def student(i: int, username: str) -> None:
        rng = random.Random(args.seed * 1000 + i)
        client = Client(port, timeout=args.timeout)
        ready = False
        try:
            time.sleep(args.ramp * i / len(users))  # arrivals spread over the ramp
            start = time.perf_counter()
            client.login(username, STUDENT_PASSWORD)
            rec.ok("login (GET+POST)", time.perf_counter() - start)
            reply = client.get(lesson_url)
            check(rec, "lesson page", reply, reply.status == 200)
            ready = True
        except (StepFailed, RuntimeError, *NET_ERRORS) as error:
            if not isinstance(error, StepFailed):
                rec.fail("login (GET+POST)", repr(error))
        try:
            barrier.wait()  # everyone in: the teacher says "start now"
        except threading.BrokenBarrierError:
            rec.fail("barrier", "class never complete")
            return
        if not ready or watch.over():
            return
        try:
            time.sleep(rng.uniform(0, 1))
            reply = client.post(lesson_url + "quiz/")
            match = ATTEMPT_URL.search(reply.location)
            check(rec, "start", reply, reply.status == 302 and match is not None, reply.location)
            attempt_id, n = int(match[1]), int(match[2])
            page = client.get(reply.location)
            total_match = TOTAL.search(page.body)
            check(rec, "question page", page, page.status == 200 and total_match is not None)
            total = int(total_match[1])
            while True:
                answer = answer_from_page(page.body, rng)
                if answer is None:
                    rec.fail("question page", f"no answer form at {n}")
                    raise StepFailed("question page")
                time.sleep(rng.uniform(args.think_min, args.think_max))
                if watch.over():
                    rec.fail("answer", "overall deadline reached")
                    return
                reply = client.post(f"/attempts/{attempt_id}/{n}/", answer, hx=True)
                check(rec, "answer", reply, is_feedback(reply), reply.body[:80])
                if n >= total:
                    break
                n += 1
                page = client.get(f"/attempts/{attempt_id}/{n}/", hx=True)  # "Next question"
                check(rec, "question page", page, page.status == 200 and 'name="' in page.body)
            reply = client.get(f"/attempts/{attempt_id}/summary/")
            check(rec, "summary", reply, reply.status == 200)
            reply = client.post(f"/attempts/{attempt_id}/finish/")
            check(rec, "finish", reply, reply.status == 302 and "results" in reply.location)
            reply = client.get(reply.location)
            check(rec, "results", reply, reply.status == 200)
            with rec.lock:
                finished["students"] += 1
        except StepFailed:
            pass
        except NET_ERRORS as error:
            rec.fail("network", repr(error))

    threads = [
        threading.Thread(target=student, args=(i, user.username), daemon=True)
        for i, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, watch.left()))
    out = rec.summary()
    out["students"] = len(users)
    out["students_finished"] = finished["students"]
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


# --------------------------------------------------------------------------------------------
# b. thundering start


def thundering_start(args, port: int, users: list, cookies: dict, lesson_url: str) -> dict:
    rec = Recorder()
    seen: dict[int, set] = {user.pk: set() for user in users}
    rng = random.Random(args.seed)
    go = time.monotonic() + 1.0
    presses = []
    for user in users:
        at = go + rng.uniform(0, 1)
        presses.append((user, at))
        if rng.random() < 1 / 3:  # a double click, 20-150 ms later
            presses.append((user, at + rng.uniform(0.02, 0.15)))

    def press(user, at: float) -> None:
        client = Client(port, timeout=args.timeout, cookies=dict(cookies[user.pk]))
        time.sleep(max(0.0, at - time.monotonic()))
        try:
            reply = client.post(lesson_url + "quiz/")
        except NET_ERRORS as error:
            rec.fail("start", repr(error))
            return
        match = ATTEMPT_URL.search(reply.location)
        if reply.status == 302 and match:
            rec.ok("start", reply.elapsed)
            with rec.lock:
                seen[user.pk].add(int(match[1]))
        else:
            rec.fail("start", f"HTTP {reply.status} {reply.location}")

    threads = [threading.Thread(target=press, args=p, daemon=True) for p in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.timeout + 5)
    sent = [at for _, at in presses]

    from quiz.models import Attempt

    open_counts = Counter(
        Attempt.objects.filter(
            learner__in=users, is_practice=False, finished_at__isnull=True
        ).values_list("learner_id", flat=True)
    )
    close_db_connections()
    out = rec.summary()
    out.update(
        {
            "students": len(users),
            "presses": len(presses),
            "double_clicks": len(presses) - len(users),
            "presses_spread_s": round(max(sent) - min(sent), 2),
            "students_with_one_open_attempt": sum(1 for u in users if open_counts[u.pk] == 1),
            "students_with_several_open_attempts": sum(1 for c in open_counts.values() if c > 1),
            "double_clicks_given_two_attempts": sum(1 for ids in seen.values() if len(ids) > 1),
        }
    )
    return out


# --------------------------------------------------------------------------------------------
# c. saturation


def closed_loop(args, port: int, name: str, work, server: Server, watch: Stopwatch) -> dict:
    """`args.concurrency` threads calling work(client_index) back to back for --duration s.
    work returns True (success) / False (error) / None (nothing left to do)."""
    rec = Recorder()
    done = Counter()
    stop_at = time.monotonic() + min(args.duration, max(1.0, watch.left() - 5))
    cpu_before = time.process_time(), cpu_seconds(server.pids()), machine_busy_seconds()
    started = time.monotonic()

    def loop(index: int) -> None:
        while time.monotonic() < stop_at and not watch.stop.is_set():
            try:
                result = work(index, rec)
            except NET_ERRORS as error:
                rec.fail(name, repr(error))
                result = False
            if result is None:
                return
            if time.monotonic() <= stop_at:
                with rec.lock:
                    done["ok" if result else "error"] += 1

    threads = [
        threading.Thread(target=loop, args=(i,), daemon=True) for i in range(args.concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + args.timeout + 5)
    elapsed = min(time.monotonic(), stop_at) - started
    client_cpu = time.process_time() - cpu_before[0]
    server_cpu = cpu_seconds(server.pids()) - cpu_before[1]
    other_cpu = machine_busy_seconds() - cpu_before[2] - client_cpu - server_cpu
    out = rec.summary()
    out.update(
        {
            "concurrency": args.concurrency,
            "seconds": round(elapsed, 2),
            "completed": done["ok"],
            "errors": sum(rec.failures.values()),
            "per_second": round(done["ok"] / elapsed, 1) if elapsed > 0 else 0.0,
            "client_cpu_s": round(client_cpu, 1),
            "server_cpu_s": round(server_cpu, 1),
            # CPU that other processes on this (shared) machine took meanwhile: > 0 means noise
            "other_processes_cpu_s": round(max(0.0, other_cpu), 1),
        }
    )
    return out


def saturation(args, port, server, plans, cookies, watch: Stopwatch) -> dict:
    def hello(index: int, rec: Recorder) -> bool:
        reply = Client(port, timeout=args.timeout).get("/hello/")
        if reply.status == 200 and reply.body == "hello":
            rec.ok("hello", reply.elapsed)
            return True
        rec.fail("hello", f"HTTP {reply.status}")
        return False

    queue = iter(plans)
    queue_lock = threading.Lock()
    current: dict[int, tuple] = {}
    rng = random.Random(args.seed)
    exhausted = threading.Event()

    def answer(index: int, rec: Recorder) -> bool | None:
        state = current.get(index)
        if state is None or not state[2]:
            with queue_lock:
                plan = next(queue, None)
            if plan is None:
                exhausted.set()
                return None
            client = Client(port, timeout=args.timeout, cookies=dict(cookies[plan.learner_id]))
            state = current[index] = (plan, client, list(plan.items))
        plan, client, items = state
        position, qtype, n_choices = items.pop(0)
        data = answer_from_plan(qtype, n_choices, rng)
        reply = client.post(f"/attempts/{plan.attempt_id}/{position}/", data, hx=True)
        if is_feedback(reply) and "already answered" not in reply.body:
            rec.ok("answer", reply.elapsed)
            return True
        rec.fail("answer", f"HTTP {reply.status} {reply.body[:80]!r}")
        return False

    # A short warm-up of /hello/ (every worker imported, templates cached) is not counted.
    warm = argparse.Namespace(**{**vars(args), "duration": 2.0})
    closed_loop(warm, port, "hello", hello, server, watch)
    log_start = log_size(server.log_path)
    out = {"hello": closed_loop(args, port, "hello", hello, server, watch)}
    log(f"hello: {out['hello']['per_second']}/s, errors {out['hello']['errors']}")
    out["answer"] = closed_loop(args, port, "answer", answer, server, watch)
    out["answer"]["attempt_pool_exhausted"] = exhausted.is_set()
    log(f"answer: {out['answer']['per_second']}/s, errors {out['answer']['errors']}")
    out["server_log"] = log_problems(server.log_path, log_start)
    hello_rate = out["hello"]["per_second"]
    out["ratio"] = round(out["answer"]["per_second"] / hello_rate, 3) if hello_rate else 0.0
    return out


# --------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="postgres://… (a local server), or sqlite: for the temp SQLite file named to the "
        "server by DATABASE_URL instead of DJANGO_SQLITE_PATH (default: DATABASE_URL, else "
        "SQLite by DJANGO_SQLITE_PATH)",
    )
    parser.add_argument("--duration", type=float, default=15.0, help="s per saturation run")
    parser.add_argument("--concurrency", type=int, default=16, help="saturation clients")
    parser.add_argument("--pool", type=int, default=0, help="attempts for saturation (0: auto)")
    parser.add_argument("--ramp", type=float, default=20.0, help="s over which students log in")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="per gthread worker")
    parser.add_argument("--timeout", type=float, default=30.0, help="s per HTTP request")
    parser.add_argument("--deadline", type=float, default=330.0, help="s for the whole run")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--warm-up", type=int, default=8, help="learners answering a whole attempt first (0: none)"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["class", "start", "saturation"])
    return parser.parse_args()


def targets(results: dict) -> list[tuple[str, bool, str]]:
    rows = []
    cls = results.get("class")
    if cls:
        p99 = cls["latency"].get("answer", {}).get("p99_ms")
        failures = sum(cls["failures"].values())
        rows.append(
            ("class: answer p99 <= 100 ms", p99 is not None and p99 <= TARGET_P99_MS, f"{p99} ms")
        )
        rows.append(
            (
                "class: no failures, everyone finished",
                failures == 0 and cls["students_finished"] == cls["students"],
                f"{failures} failures, {cls['students_finished']}/{cls['students']} finished",
            )
        )
    start = results.get("thundering_start")
    if start:
        failures = sum(start["failures"].values())
        one_each = start["students_with_one_open_attempt"] == start["students"]
        rows.append(
            (
                "start: no failures, one open attempt each",
                failures == 0 and one_each,
                f"{failures} failures, {start['students_with_one_open_attempt']}/"
                f"{start['students']} with exactly one",
            )
        )
    sat = results.get("saturation")
    if sat:
        errors = sat["hello"]["errors"] + sat["answer"]["errors"]
        problems = sat["server_log"]
        clean = (
            errors == 0
            and not problems.get("tracebacks")
            and not problems.get("database_is_locked")
        )
        rows.append(
            (
                "saturation: zero errors, no 'database is locked'",
                clean,
                f"{errors} errors, server log {problems}",
            )
        )
        rows.append(
            (
                "saturation: answers/s >= 0.10 x hello/s",
                sat["ratio"] >= TARGET_RATIO,
                f"{sat['answer']['per_second']}/{sat['hello']['per_second']} = {sat['ratio']}",
            )
        )
    return rows


def print_table(results: dict) -> None:
    print()
    print(
        f"== load benchmark: {results['database']}, {results['server']}, "
        f"{results['students']} students, {results['seconds']} s =="
    )
    print(
        f"{'scenario / step':34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'fail':>5}"
    )
    for scenario in ("class", "thundering_start"):
        data = results.get(scenario)
        if not data:
            continue
        for step, lat in data["latency"].items():
            fails = data["failures"].get(step, 0)
            print(
                f"{scenario + ': ' + step:34} {lat['count']:>6} {lat['p50_ms']!s:>8} "
                f"{lat['p95_ms']!s:>8} {lat['p99_ms']!s:>8} {lat['max_ms']!s:>8} {fails:>5}"
            )
        for step, fails in data["failures"].items():
            if step not in data["latency"]:
                print(
                    f"{scenario + ': ' + step:34} {0:>6} {'':>8} {'':>8} {'':>8} {'':>8} {fails:>5}"
                )
    sat = results.get("saturation")
    if sat:
        for name in ("hello", "answer"):
            run = sat[name]
            lat = run["latency"].get(name, {})
            print(
                f"{'saturation: ' + name:34} {run['completed']:>6} {lat.get('p50_ms')!s:>8} "
                f"{lat.get('p95_ms')!s:>8} {lat.get('p99_ms')!s:>8} {lat.get('max_ms')!s:>8} "
                f"{run['errors']:>5}   {run['per_second']}/s, c={run['concurrency']}, "
                f"CPU s: client {run['client_cpu_s']}, server {run['server_cpu_s']}, "
                f"other processes {run['other_processes_cpu_s']}"
            )
        print(f"{'saturation: answer/hello ratio':34} {sat['ratio']}")
    print()
    for name, ok, detail in results["targets"]:
        print(f"  {'PASS' if ok else 'FAIL'}  {name:52} {detail}")
    for scenario in ("class", "thundering_start"):
        for example in (results.get(scenario) or {}).get("failure_examples", [])[:5]:
            print(f"    {scenario}: {example}")


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
    busy_before = machine_busy_seconds()
    broken = None
    with Workdir() as workdir:
        db = Database(workdir, args.database_url)
        results["database"] = db.label
        server = None
        try:
            log(f"database: {db.label} ({db.name}); preparing the demo and accounts")
            db.create()
            env = production_env(db, workdir)
            setup_django(env)
            lesson_url = prepare_demo()
            class_users = create_students("class", args.students)
            start_users = create_students("start", args.students)
            start_cookies = make_sessions(start_users)
            auto_pool = max(100, int(args.concurrency * args.duration * 1.5))
            pool = args.warm_up + (args.pool or auto_pool)
            pool_users = create_students("sat", pool)
            pool_cookies = make_sessions(pool_users)
            plans = open_attempts(pool_users, lesson_url)
            close_db_connections()
            results["saturation_attempt_pool"] = len(plans)
            log(f"prepared in {time.monotonic() - began:.1f} s ({len(plans)} saturation attempts)")

            port = free_port()
            server = Server(
                env,
                port,
                workdir / "gunicorn.log",
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
            )
            server.start()
            results["server"] = server.describe()
            log(f"{server.describe()} on 127.0.0.1:{port}")

            if args.warm_up:
                warm_plans, plans = plans[: args.warm_up], plans[args.warm_up :]
                results["warm_up"] = warm_up(args, port, warm_plans, pool_cookies)
                lat = results["warm_up"]["latency"].get("answer", {})
                cold = lat.get("max_ms")
                log(f"warm-up: {args.warm_up} learners x 12 answers, cold max {cold} ms")
            if "class" not in args.skip:
                log(
                    f"a. class: {args.students} students, think {args.think_min}-{args.think_max} s"
                )
                before = time.process_time(), cpu_seconds(server.pids()), machine_busy_seconds()
                results["class"] = class_scenario(args, port, class_users, lesson_url, watch)
                client_cpu = time.process_time() - before[0]
                server_cpu = cpu_seconds(server.pids()) - before[1]
                other = machine_busy_seconds() - before[2] - client_cpu - server_cpu
                results["class"]["cpu_s"] = {
                    "client": round(client_cpu, 1),
                    "server": round(server_cpu, 1),
                    "other_processes": round(max(0.0, other), 1),
                }
            if "start" not in args.skip and not watch.over():
                log(f"b. thundering start: {args.students} students within 1 s")
                results["thundering_start"] = thundering_start(
                    args, port, start_users, start_cookies, lesson_url
                )
            if "saturation" not in args.skip and not watch.over():
                log(f"c. saturation: {args.concurrency} clients x {args.duration} s each")
                results["saturation"] = saturation(args, port, server, plans, pool_cookies, watch)
            results["server_log_whole_run"] = log_problems(server.log_path)
            if results["server_log_whole_run"].get("tracebacks"):
                tail = server.log_path.read_text(errors="replace")[-3000:]
                results["server_log_tail"] = tail
        except KeyboardInterrupt:
            broken = "interrupted"
            log("interrupted: cleaning up")
        except Exception as error:  # the run itself broke: still clean up, still report
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
    results.setdefault("server", "gunicorn (not started)")
    results["students"] = args.students
    results["seconds"] = round(time.monotonic() - began, 1)
    results["load_average_after"] = os.getloadavg()
    results["machine_busy_cpu_s"] = round(machine_busy_seconds() - busy_before, 1)
    results["targets"] = targets(results)
    if broken:
        results["broken"] = broken
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"load-{results['database']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(
        f"\nJSON summary: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}"
    )
    if broken:
        print(f"RUN BROKEN: {broken}")
        return 2
    missed = [name for name, ok, _ in results["targets"] if not ok]
    print("ALL TARGETS MET" if not missed else f"TARGETS MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
