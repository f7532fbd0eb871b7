"""What a class costs: server CPU and throughput per answered question, against /hello/.

Usage:
    .venv/bin/python benchmarks/class_cost.py [--databases sqlite,postgres] [--duration 15]
        [--concurrency 8] [--workers 4] [--class-size 50] [--root /tmp/baseline]

For each database asked (a fresh SQLite file in a temp dir, or a fresh PostgreSQL database
bench_<pid> on --postgres-url, dropped at the end) it prepares the demo lesson, signed-in
students and pre-opened attempts (in a child process that imports the code of --root), starts
gunicorn (production settings, --workers sync workers, the code of --root) and measures, each
closed loop with --concurrency clients for --duration s after a short warm-up that is not
counted:

  1. hello: GET /hello/ (a trivial view through the whole middleware stack): requests/s and
     server CPU ms per request.
  2. htmx: every client answers the questions of a pre-opened attempt as a browser with htmx
     does: the question page (a full page), then per question the answer POST (HX-Request);
     if the answer's response carries the next question's card (a <template id="next-card">
     holding its form) it answers that without a request, else it follows the "Next question"
     link (an htmx GET, HX-Request) as a click would. Then the next pre-opened attempt.
  3. no-JS: the same learner without JavaScript: plain form POSTs, every redirect followed
     (one request each), the pages a learner sees, until the next question's form.
  4. class: --class-size signed-in students press Start within one second and answer with
     --think-min..--think-max s of think time (the htmx flow of 2.), then summary, finish and
     results: answer p50/p95/p99 and failures.

Figures: answers/s (answered questions per second), server CPU ms per answered question (CPU
seconds of the gunicorn master and workers, from /proc, over the loop ÷ answered questions;
for PostgreSQL also its backends serving this database), requests per answer, answers/s ÷
hello req/s, and PostgreSQL ÷ SQLite answers/s. Writes
benchmarks/results/class-cost-<timestamp>.json, prints a table, exits 1 when any request
failed (5xx, timeouts, unexpected answers), 2 if the run broke. Everything is bounded:
per-request timeouts, an overall --deadline, servers stopped and temp databases dropped in
`finally`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

MAIN = Path(__file__).resolve().parents[1]
if str(MAIN) not in sys.path:
    sys.path.insert(0, str(MAIN))

from benchmarks.common import (  # noqa: E402
    ATTEMPT_URL,
    NET_ERRORS,
    Client,
    Database,
    Reply,
    Server,
    Stopwatch,
    Workdir,
    answer_from_page,
    cpu_seconds,
    free_port,
    git_state,
    install_sigterm_as_interrupt,
    log,
    log_problems,
    log_size,
    machine_busy_seconds,
    production_env,
)
from benchmarks.load import Recorder  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
REDIRECTS = (301, 302, 303, 307, 308)

# --------------------------------------------------------------------------------------------
# What the pages say (pure functions: tests/test_class_cost_benchmark.py)

NEXT_CARD = re.compile(r'<template\b[^>]*\bid="next-card"[^>]*>(.*?)</template\s*>', re.S | re.I)
FORM_TAG = re.compile(r"<form\b[^>]*>", re.S | re.I)
ATTRIBUTE = re.compile(r'([\w:.-]+)\s*=\s*"([^"]*)"')
NEXT_TEXTS = ("Next question", "Move on")  # the feedback card's way on ("Move on": retry offered)


def url_path(url: str) -> str:
    """The path of a URL or Location header (Django redirects are relative, but be sure)."""
    return urlsplit(url).path or url


def is_question_url(url: str) -> bool:
    return ATTEMPT_URL.search(url_path(url)) is not None


def next_card(body: str) -> str | None:
    """The content of `<template id="next-card">` in an answer's response, None if none.

    The agreed rule: when the answer POST's response carries this element, the next question's
    form is in it, and a browser shows it on "Next" without any request."""
    match = NEXT_CARD.search(body)
    return match[1] if match else None


def answer_form_action(html: str) -> str | None:
    """Where the first answer form of `html` posts to (a question URL); a second-try form
    (`answer-form--retry`) does not count: our learner moves on rather than trying again."""
    for tag in FORM_TAG.findall(html):
        attrs = {name.lower(): unescape(value) for name, value in ATTRIBUTE.findall(tag)}
        classes = attrs.get("class", "").split()
        action = attrs.get("action", "")
        if "answer-form--retry" not in classes and is_question_url(action):
            return url_path(action)
    return None


class _Anchors(HTMLParser):
    """Every <a> outside <template> elements: (attributes, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict, str]] = []
        self._open: tuple[dict, list[str]] | None = None
        self._template_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self._template_depth += 1
        elif tag == "a" and not self._template_depth:
            self._open = ({k: v or "" for k, v in attrs}, [])

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth = max(0, self._template_depth - 1)
        elif tag == "a" and self._open is not None:
            attrs, text = self._open
            self.anchors.append((attrs, " ".join("".join(text).split())))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)


def next_link(html: str, *, htmx: bool) -> tuple[str, bool] | None:
    """The link a learner clicks to go on after the feedback: (url, sent with HX-Request).

    With htmx a link carrying data-hx-get (or hx-get) is an htmx request to that URL; a plain
    link (or any link, without JavaScript) is a full page load of its href."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    for attrs, text in parser.anchors:
        if text not in NEXT_TEXTS:
            continue
        hx_url = attrs.get("data-hx-get") or attrs.get("hx-get")
        if htmx and hx_url:
            return url_path(hx_url), True
        if attrs.get("href"):
            return url_path(attrs["href"]), False
    return None


@dataclass(frozen=True)
class Next:
    """What a browser with htmx does after an answer's response.

    kind "card": the next question's form came with the response (no request);
    "get": request `url` (with HX-Request if `hx`); "done": no next question."""

    kind: str
    url: str = ""
    hx: bool = False
    html: str = ""


def after_htmx_answer(body: str) -> Next:
    card = next_card(body)
    if card is not None and answer_form_action(card):
        return Next("card", html=card)
    link = next_link(body, htmx=True)
    if link and is_question_url(link[0]):
        return Next("get", url=link[0], hx=link[1])
    return Next("done")


def is_htmx_answer_ok(reply: Reply) -> bool:
    """The answer was stored now: the feedback card, not "you had already answered"."""
    return (
        reply.status == 200
        and 'class="feedback' in reply.body
        and "already answered" not in reply.body
    )


def cpu_ms_per(cpu_s: float | None, count: int) -> float | None:
    """Milliseconds of CPU per unit of work: CPU seconds over a loop ÷ what it completed."""
    if cpu_s is None or count <= 0:
        return None
    return round(cpu_s * 1000 / count, 2)


def ratio(numerator: float | None, denominator: float | None, digits: int = 3) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, digits)


def auto_pool(concurrency: int, duration: float, warm_up: float, questions: int = 5) -> int:
    """Pre-opened attempts for the two answer loops and their warm-ups: concurrency x 40, or
    enough for 300 answers/s over all of them, whichever is more (the demo quiz asks 5
    questions per attempt; a pool that runs out breaks the run: its loop measured nothing)."""
    seconds = 2 * (duration + warm_up)
    return max(concurrency * 40, math.ceil(seconds * 300 / questions) + 2 * concurrency)


# --------------------------------------------------------------------------------------------
# Counting


class Tally(Recorder):
    """Latencies and failures per step (load.py's Recorder) plus requests and answers."""

    def __init__(self):
        super().__init__()
        self.requests: Counter = Counter()
        self.answers = 0
        self.answers_in_window = 0
        self.inline_cards = 0
        self.attempts_done = 0

    def sent(self, step: str) -> None:
        with self.lock:
            self.requests[step] += 1

    def answered(self, window_end: float | None) -> None:
        with self.lock:
            self.answers += 1
            if window_end is None or time.monotonic() <= window_end:
                self.answers_in_window += 1

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class StepFailed(Exception):
    pass


class Learner:
    """One browser: a cookie jar, and every request counted in the tally."""

    def __init__(self, port: int, cookies: dict, tally: Tally, timeout: float, window_end=None):
        self.client = Client(port, timeout=timeout, cookies=dict(cookies))
        self.tally = tally
        self.window_end = window_end

    def send(self, step: str, method: str, path: str, data=None, *, hx: bool = False) -> Reply:
        self.tally.sent(step)
        try:
            reply = self.client.request(method, path, data, hx=hx)
        except NET_ERRORS as error:  # timeouts included
            self.tally.fail(step, f"{method} {path}: {error!r}")
            raise StepFailed(step) from error
        if reply.status >= 500:
            self.tally.fail(step, f"{method} {path}: HTTP {reply.status}")
            raise StepFailed(step)
        return reply

    def expect(self, step: str, reply: Reply, ok, detail: str = "") -> None:
        if ok:
            self.tally.ok(step, reply.elapsed)
            return
        self.tally.fail(step, f"HTTP {reply.status} {detail or reply.body[:100]!r}".strip())
        raise StepFailed(step)

    def require(self, step: str, reply: Reply, ok, detail: str = "") -> None:
        """A further check of a reply whose latency is already recorded."""
        if not ok:
            self.tally.fail(step, f"HTTP {reply.status} {detail or reply.body[:100]!r}".strip())
            raise StepFailed(step)

    def browse(self, step: str, path: str, stop) -> Reply:
        """A full page load (no JavaScript involved): GET, following redirects."""
        return self.follow(step, self.send(step, "GET", path), stop)

    def follow(self, step: str, reply: Reply, stop) -> Reply:
        """Follow redirects as a browser does, each one a request of its own."""
        hops = 0
        while reply.status in REDIRECTS:
            hops += 1
            if hops > 5 or not reply.location:
                self.tally.fail(step, f"redirect loop or no Location after {reply.status}")
                raise StepFailed(step)
            reply = self.send(step, "GET", url_path(reply.location))
        self.expect(step, reply, reply.status == 200)
        return reply


def htmx_attempt(learner: Learner, first_url: str, rng, stop, think=None) -> bool:
    """One attempt as a browser with htmx: True when its last question was answered."""
    if stop():
        return False
    page = learner.browse("question page", first_url, stop)
    card = page.body
    while True:
        action, data = answer_form_action(card), answer_from_page(card, rng)
        if action is None or data is None:
            learner.tally.fail("question page", "no answer form")
            raise StepFailed("question page")
        if think:
            time.sleep(rng.uniform(*think))
        if stop():
            return False
        reply = learner.send("answer", "POST", action, data, hx=True)
        learner.expect("answer", reply, is_htmx_answer_ok(reply))
        learner.tally.answered(learner.window_end)
        step = after_htmx_answer(reply.body)
        if step.kind == "done":
            return True
        if step.kind == "card":
            learner.tally.count("inline_cards")
            card = step.html
            continue
        if stop():
            return False
        if step.hx:
            page = learner.send("next question", "GET", step.url, hx=True)
            learner.expect("next question", page, page.status == 200)
        else:  # a plain link, e.g. "Move on" when a second try is offered: a page load
            page = learner.browse("next question", step.url, stop)
        learner.require("next question", page, answer_form_action(page.body), "no answer form")
        card = page.body


def nojs_attempt(learner: Learner, first_url: str, rng, stop) -> bool:
    """One attempt without JavaScript: form POSTs, redirects followed, the pages seen."""
    if stop():
        return False
    card = learner.browse("question page", first_url, stop).body
    while True:
        action, data = answer_form_action(card), answer_from_page(card, rng)
        if action is None or data is None:
            learner.tally.fail("question page", "no answer form")
            raise StepFailed("question page")
        if stop():
            return False
        reply = learner.send("answer", "POST", action, data)
        learner.expect(
            "answer",
            reply,
            reply.status in REDIRECTS and is_question_url(reply.location),
            f"to {reply.location!r}",
        )
        learner.tally.answered(learner.window_end)
        page = learner.follow("after answer", reply, stop)
        following = answer_form_action(page.body)
        if following and following != action:  # the server sent us straight on
            card = page.body
            continue
        link = next_link(page.body, htmx=False)
        if link is None or not is_question_url(link[0]):
            return True
        if stop():
            return False
        page = learner.browse("next question", link[0], stop)
        learner.require("next question", page, answer_form_action(page.body), "no answer form")
        card = page.body


# --------------------------------------------------------------------------------------------
# CPU


def database_backends(db: Database) -> list[int]:
    """The PostgreSQL backends serving this run's database (by their process title)."""
    if db.kind != "postgresql":
        return []
    marker = f" {db.name} ".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(b"postgres:") and marker in cmdline:
            pids.append(int(entry.name))
    return pids


class Meter:
    """CPU seconds so far of our client, the gunicorn processes, the PostgreSQL backends of
    this database, and the whole machine. Backends come and go (the server's connections are
    recycled after CONN_MAX_AGE), so a thread samples each one's CPU every 0.25 s and keeps
    the last value seen: an exited backend still counts, less at most its last 0.25 s."""

    def __init__(self, server: Server, db: Database):
        self.server, self.db = server, db
        self.seen: dict[int, float] = {}
        self.lock = threading.Lock()
        self.done = threading.Event()
        if db.kind == "postgresql":
            self.sample()
            threading.Thread(target=self._sampler, daemon=True).start()

    def _sampler(self) -> None:
        while not self.done.wait(0.25):
            self.sample()

    def sample(self) -> None:
        values = {pid: cpu_seconds([pid]) for pid in database_backends(self.db)}
        with self.lock:
            for pid, value in values.items():
                if value >= self.seen.get(pid, 0.0):
                    self.seen[pid] = value

    def database_cpu(self) -> float:
        if self.db.kind != "postgresql":
            return 0.0
        self.sample()
        with self.lock:
            return sum(self.seen.values())

    def close(self) -> None:
        self.done.set()

    def snapshot(self) -> dict:
        return {
            "client": time.process_time(),
            "server": cpu_seconds(self.server.pids()),
            "database": self.database_cpu(),
            "busy": machine_busy_seconds(),
        }

    @staticmethod
    def delta(before: dict, after: dict) -> dict:
        d = {k: after[k] - before[k] for k in before}
        other = d["busy"] - d["client"] - d["server"] - d["database"]
        return {
            "client_cpu_s": round(d["client"], 2),
            "server_cpu_s": round(d["server"], 2),
            "database_cpu_s": round(d["database"], 2),
            # what every other process on this shared machine took meanwhile: > 0 means noise
            "other_processes_cpu_s": round(max(0.0, other), 1),
            "_server": d["server"],
            "_database": d["database"],
        }


# --------------------------------------------------------------------------------------------
# The parts


class Pool:
    """The pre-opened attempts, handed out one at a time."""

    def __init__(self, plans: list[dict]):
        self.plans = deque(plans)
        self.lock = threading.Lock()
        self.exhausted = False

    def take(self) -> dict | None:
        with self.lock:
            if self.plans:
                return self.plans.popleft()
            self.exhausted = True
            return None


def closed_loop(args, name: str, unit: str, meter: Meter, watch: Stopwatch, duration: float, body):
    """`args.concurrency` threads running body(index, tally, stop, window_end) for `duration`
    s. Every answer (or hello) completed counts for the CPU per unit, including those whose
    request was sent just before the end; the rate counts those completed within the window."""
    tally = Tally()
    started = time.monotonic()
    window_end = started + min(duration, max(1.0, watch.left() - 15))

    def stop() -> bool:
        return watch.stop.is_set() or time.monotonic() >= window_end

    def run(index: int) -> None:
        try:
            body(index, tally, stop, window_end)
        except Exception as error:  # a bug in the client must show, not hang the run
            tally.fail("client", repr(error))

    before = meter.snapshot()
    threads = [
        threading.Thread(target=run, args=(i,), daemon=True) for i in range(args.concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, window_end - time.monotonic()) + 3 * args.timeout + 5)
    ended = time.monotonic()
    cpu = Meter.delta(before, meter.snapshot())
    window = min(ended, window_end) - started
    done = tally.answers
    requests = sum(tally.requests.values())
    out = tally.summary()
    out.update(
        {
            "unit": unit,
            "concurrency": args.concurrency,
            "seconds": round(window, 2),
            f"{unit}s": done,
            f"{unit}s_in_window": tally.answers_in_window,
            "requests": requests,
            "requests_by_step": dict(tally.requests),
            "errors": sum(tally.failures.values()),
            f"{unit}s_per_second": round(tally.answers_in_window / window, 1) if window else 0.0,
            f"server_cpu_ms_per_{unit}": cpu_ms_per(cpu["_server"], done),
        }
    )
    if meter.db.kind == "postgresql":
        out[f"database_cpu_ms_per_{unit}"] = cpu_ms_per(cpu["_database"], done)
        out[f"server_and_database_cpu_ms_per_{unit}"] = cpu_ms_per(
            cpu["_server"] + cpu["_database"], done
        )
    if unit != "request":
        out[f"requests_per_{unit}"] = ratio(requests, done, 2)
        out["next_cards_in_answer_response"] = tally.inline_cards
        out["attempts_completed"] = tally.attempts_done
    out.update({k: v for k, v in cpu.items() if not k.startswith("_")})
    log(
        f"{name}: {out[f'{unit}s_per_second']} {unit}s/s, "
        f"{out[f'server_cpu_ms_per_{unit}']} ms CPU each, {out['errors']} errors, "
        f"other processes {out['other_processes_cpu_s']} CPU-s"
    )
    return out


def hello_body(args, port):
    def body(index, tally, stop, window_end):
        while not stop():
            learner = Learner(port, {}, tally, args.timeout, window_end)
            try:
                reply = learner.send("hello", "GET", "/hello/")
                learner.expect("hello", reply, reply.status == 200 and reply.body == "hello")
            except StepFailed:
                continue
            tally.answered(window_end)

    return body


def attempts_body(args, port, pool: Pool, flow):
    def body(index, tally, stop, window_end):
        rng = random.Random(args.seed * 100 + index)
        while not stop():
            plan = pool.take()
            if plan is None:
                return
            learner = Learner(port, plan["cookies"], tally, args.timeout, window_end)
            try:
                if flow(learner, plan["first_url"], rng, stop):
                    tally.count("attempts_done")
            except StepFailed:
                pass

    return body


def class_part(args, port: int, prep: dict, meter: Meter, watch: Stopwatch) -> dict:
    """The class with think time: everyone presses Start within a second, then answers."""
    tally = Tally()
    finished = Counter()
    students = prep["class"]
    lesson_url = prep["lesson_url"]
    limit = time.monotonic() + min(watch.left() - 10, 30 + 12 * args.think_max * 1.5)

    def stop() -> bool:
        return watch.stop.is_set() or time.monotonic() >= limit

    go = time.monotonic() + 1.0

    def student(i: int, cookies: dict) -> None:
        rng = random.Random(args.seed * 1000 + i)
        learner = Learner(port, cookies, tally, args.timeout)
        time.sleep(max(0.0, go + rng.uniform(0, 1) - time.monotonic()))
        try:
            reply = learner.send("start", "POST", lesson_url + "quiz/")
            match = ATTEMPT_URL.search(url_path(reply.location))
            learner.expect("start", reply, reply.status == 302 and match, reply.location)
            think = (args.think_min, args.think_max)
            if not htmx_attempt(learner, url_path(reply.location), rng, stop, think):
                tally.fail("class", "time limit reached before the last answer")
                return
            attempt = match[1]
            reply = learner.send("summary", "GET", f"/attempts/{attempt}/summary/")
            learner.expect("summary", reply, reply.status == 200)
            reply = learner.send("finish", "POST", f"/attempts/{attempt}/finish/")
            learner.expect("finish", reply, reply.status == 302 and "results" in reply.location)
            reply = learner.send("results", "GET", url_path(reply.location))
            learner.expect("results", reply, reply.status == 200)
            with tally.lock:
                finished["students"] += 1
        except StepFailed:
            pass
        except Exception as error:
            tally.fail("client", repr(error))

    started = time.monotonic()
    before = meter.snapshot()
    threads = [
        threading.Thread(target=student, args=(i, s["cookies"]), daemon=True)
        for i, s in enumerate(students)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, limit - time.monotonic()) + 2 * args.timeout)
    cpu = Meter.delta(before, meter.snapshot())
    out = tally.summary()
    out.update(
        {
            "students": len(students),
            "students_finished": finished["students"],
            "answers": tally.answers,
            "requests": sum(tally.requests.values()),
            "errors": sum(tally.failures.values()),
            "seconds": round(time.monotonic() - started, 1),
            "server_cpu_ms_per_answer": cpu_ms_per(cpu["_server"], tally.answers),
        }
    )
    out.update({k: v for k, v in cpu.items() if not k.startswith("_")})
    answer = out["latency"].get("answer", {})
    log(
        f"class: {finished['students']}/{len(students)} finished, answer p99 "
        f"{answer.get('p99_ms')} ms, {out['errors']} failures"
    )
    return out


# --------------------------------------------------------------------------------------------
# Preparing a database with the code of --root

# Runs in a child process whose cwd and PYTHONPATH put the root first: Django and the apps are
# the root's (its models, its migrations), the helpers are this checkout's benchmarks/common.py
# loaded from its file (under another name, so the root's own benchmarks package is untouched).
PREPARE = r"""
import importlib, importlib.util, json, os, sys, time
main, out_path, class_size, pool_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path.append(main)  # last, and so common.py puts nothing of its own before the root
spec = importlib.util.spec_from_file_location("class_cost_common", main + "/benchmarks/common.py")
common = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = common
spec.loader.exec_module(common)
began = time.monotonic()
common.setup_django(dict(os.environ))
lesson_url = common.prepare_demo()
class_users = common.create_students("ccclass", class_size)
pool_users = common.create_students("ccpool", pool_size)
class_cookies = common.make_sessions(class_users)
pool_cookies = common.make_sessions(pool_users)
plans = common.open_attempts(pool_users, lesson_url)
common.close_db_connections()
modules = ["config.settings", "config.wsgi", "quiz.views", "benchmarks.settings", "benchmarks.urls"]
files = {name: importlib.import_module(name).__file__ for name in modules}
import django
files["django"] = django.__file__
json.dump({
    "lesson_url": lesson_url,
    "class": [{"learner_id": u.pk, "cookies": class_cookies[u.pk]} for u in class_users],
    "pool": [
        {
            "learner_id": p.learner_id,
            "attempt_id": p.attempt_id,
            "questions": len(p.items),
            "first_url": f"/attempts/{p.attempt_id}/{p.items[0][0]}/",
            "cookies": pool_cookies[p.learner_id],
        }
        for p in plans
        if p.items
    ],
    "imported_from": files,
    "sys_path_head": sys.path[:3],
    "seconds": round(time.monotonic() - began, 1),
}, open(out_path, "w"))
"""


def root_env(env: dict, root: Path) -> dict:
    """The server's environment with `root` first on PYTHONPATH (this venv's Python)."""
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    return env


def prepare(env: dict, root: Path, workdir: Path, class_size: int, pool: int, timeout: float):
    out = workdir / "prepared.json"
    command = [sys.executable, "-c", PREPARE, str(MAIN), str(out), str(class_size), str(pool)]
    with open(workdir / "prepare.log", "wb") as logfile:
        proc = subprocess.run(
            command, cwd=root, env=env, stdout=logfile, stderr=subprocess.STDOUT, timeout=timeout
        )
    if proc.returncode != 0:
        tail = (workdir / "prepare.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"preparing the database failed ({proc.returncode}):\n{tail}")
    return json.loads(out.read_text())


def outside_root(files: dict, root: Path) -> list[str]:
    """The project modules (all but django) that were not imported from `root`."""
    return [
        f"{name}: {path}"
        for name, path in files.items()
        if name != "django" and not Path(path).resolve().is_relative_to(root)
    ]


def server_probe(server: Server, root: Path) -> dict:
    """Where the running gunicorn really is: the master's cwd, every worker's PYTHONPATH."""
    out: dict = {"problems": []}
    try:
        out["master_cwd"] = os.readlink(f"/proc/{server.proc.pid}/cwd")
    except OSError as error:
        out["master_cwd"] = repr(error)
    if Path(out["master_cwd"]).resolve() != root:
        out["problems"].append(f"master cwd {out['master_cwd']}")
    paths = []
    for pid in server.worker_pids():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        value = next((e[11:].decode() for e in environ if e.startswith(b"PYTHONPATH=")), "")
        paths.append(value)
        if Path(value.split(os.pathsep)[0] or "/nonexistent").resolve() != root:
            out["problems"].append(f"worker {pid} PYTHONPATH {value!r}")
    out["worker_pythonpaths"] = sorted(set(paths))
    out["workers_checked"] = len(paths)
    return out


# --------------------------------------------------------------------------------------------


def run_database(args, kind: str, root: Path, watch: Stopwatch) -> dict:
    result: dict = {}
    with Workdir() as workdir:
        db = Database(workdir, args.postgres_url if kind == "postgresql" else None)
        result["database"] = db.label
        server = meter = None
        try:
            began = time.monotonic()
            db.create()
            env = root_env(production_env(db, workdir), root)
            pool_size = args.pool or auto_pool(args.concurrency, args.duration, args.warm_up)
            log(f"{db.label}: preparing the demo, {args.class_size} + {pool_size} students")
            prep = prepare(env, root, workdir, args.class_size, pool_size, args.prepare_timeout)
            result["prepared_seconds"] = round(time.monotonic() - began, 1)
            result["attempt_pool"] = len(prep["pool"])
            result["questions_per_attempt"] = dict(Counter(p["questions"] for p in prep["pool"]))
            result["imported_from"] = prep["imported_from"]
            wrong = outside_root(prep["imported_from"], root)
            if wrong:
                raise RuntimeError(f"code not imported from {root}: {wrong}")

            server = Server(
                env, free_port(), workdir / "gunicorn.log", workers=args.workers, root=root
            )
            server.start()
            result["server"] = server.describe()
            result["server_probe"] = server_probe(server, root)
            if result["server_probe"]["problems"]:
                raise RuntimeError(f"server not running from {root}: {result['server_probe']}")
            log(f"{server.describe()} on 127.0.0.1:{server.port}, code from {root}")
            meter = Meter(server, db)
            pool = Pool(prep["pool"])
            port = server.port
            hello = hello_body(args, port)
            htmx = attempts_body(args, port, pool, htmx_attempt)
            nojs = attempts_body(args, port, pool, nojs_attempt)

            warm = {}  # fresh workers compile templates and load word lists: not counted
            warm["hello"] = closed_loop(args, "warm-up hello", "request", meter, watch, 2.0, hello)
            if args.warm_up:
                warm["htmx"] = closed_loop(
                    args, "warm-up htmx", "answer", meter, watch, args.warm_up, htmx
                )
                warm["nojs"] = closed_loop(
                    args, "warm-up no-JS", "answer", meter, watch, args.warm_up, nojs
                )
            result["warm_up"] = {
                k: {"errors": v["errors"], "failure_examples": v["failure_examples"]}
                for k, v in warm.items()
            }
            log_start = log_size(server.log_path)
            if not watch.over():
                result["hello"] = closed_loop(
                    args, "hello", "request", meter, watch, args.duration, hello
                )
            if not watch.over():
                result["htmx"] = closed_loop(
                    args, "htmx answer loop", "answer", meter, watch, args.duration, htmx
                )
            if not watch.over():
                result["nojs"] = closed_loop(
                    args, "no-JS answer loop", "answer", meter, watch, args.duration, nojs
                )
            result["attempt_pool_exhausted"] = pool.exhausted
            result["attempt_pool_left"] = len(pool.plans)
            hello_rate = (result.get("hello") or {}).get("requests_per_second")
            hello_cpu = (result.get("hello") or {}).get("server_cpu_ms_per_request")
            for loop in ("htmx", "nojs"):
                if loop in result:
                    result[loop]["ratio_to_hello"] = ratio(
                        result[loop]["answers_per_second"], hello_rate
                    )
                    # an answered question costs this many /hello/ requests of server CPU
                    # (both inflate under contention: meant to cancel part of that)
                    result[loop]["cpu_in_hellos"] = ratio(
                        result[loop]["server_cpu_ms_per_answer"], hello_cpu, 1
                    )
            if args.class_size and not watch.over():
                log(f"class: {args.class_size} students, think {args.think_min}-{args.think_max} s")
                result["class"] = class_part(args, port, prep, meter, watch)
            result["server_log"] = log_problems(server.log_path, log_start)
            if result["server_log"].get("tracebacks"):
                result["server_log_tail"] = server.log_path.read_text(errors="replace")[-3000:]
            if watch.over():
                result["deadline_reached"] = True
        except KeyboardInterrupt:
            result["broken"] = "interrupted"
            raise
        except Exception as error:  # this database's run broke: clean up, report, go on
            result["broken"] = repr(error)
            log(f"{kind}: run broke: {error!r}")
            if server is not None and server.log_path.exists():
                print(server.log_path.read_text(errors="replace")[-3000:])
        finally:
            if meter is not None:
                meter.close()
            if server is not None:
                server.stop()
            with contextlib.suppress(Exception):
                db.drop()
    return result


def failures_of(result: dict) -> int:
    """Failed requests of one database's run, warm-ups included."""
    parts = [result.get(part) or {} for part in ("hello", "htmx", "nojs", "class")]
    parts += (result.get("warm_up") or {}).values()
    return sum(part.get("errors", 0) for part in parts)


def compare(databases: dict) -> dict:
    sqlite, pg = databases.get("sqlite"), databases.get("postgresql")
    if not sqlite or not pg:
        return {}
    out = {}
    for loop in ("htmx", "nojs"):
        a = (pg.get(loop) or {}).get("answers_per_second")
        b = (sqlite.get(loop) or {}).get("answers_per_second")
        out[f"{loop}_postgresql_over_sqlite_answers_per_second"] = ratio(a, b)
    a = (pg.get("hello") or {}).get("requests_per_second")
    b = (sqlite.get("hello") or {}).get("requests_per_second")
    out["hello_postgresql_over_sqlite"] = ratio(a, b)
    return out


def print_table(results: dict) -> None:
    dbs = results["databases"]
    names = list(dbs)
    code = results["code"]
    print()
    print(
        f"== what a class costs: code {results['root']} (commit {code.get('commit') or '?'}, "
        f"{len(code.get('uncommitted_files', []))} uncommitted files), "
        f"{results['args']['workers']} sync workers, c={results['args']['concurrency']}, "
        f"{results['args']['duration']} s per loop =="
    )

    def get(db: dict, part: str, key: str):
        value = (db.get(part) or {}).get(key)
        return "–" if value is None else value

    rows = [
        ("hello: requests/s", "hello", "requests_per_second"),
        ("hello: server CPU ms / request", "hello", "server_cpu_ms_per_request"),
        ("hello: other processes CPU-s", "hello", "other_processes_cpu_s"),
    ]
    for loop, label in (("htmx", "htmx loop"), ("nojs", "no-JS loop")):
        rows += [
            (f"{label}: answers/s", loop, "answers_per_second"),
            (f"{label}: server CPU ms / answer", loop, "server_cpu_ms_per_answer"),
            (
                f"{label}: + PostgreSQL CPU ms / answer",
                loop,
                "server_and_database_cpu_ms_per_answer",
            ),
            (f"{label}: requests / answer", loop, "requests_per_answer"),
            (f"{label}: answers/s ÷ hello req/s", loop, "ratio_to_hello"),
            (f"{label}: CPU / answer ÷ CPU / hello", loop, "cpu_in_hellos"),
            (f"{label}: errors", loop, "errors"),
            (f"{label}: other processes CPU-s", loop, "other_processes_cpu_s"),
        ]
    print(f"{'':44}" + "".join(f"{n:>16}" for n in names))
    for label, part, key in rows:
        print(f"{label:44}" + "".join(f"{get(dbs[n], part, key)!s:>16}" for n in names))
    for n in names:
        cls = dbs[n].get("class")
        if cls:
            lat = cls["latency"].get("answer", {})
            print(
                f"class ({n}): {cls['students_finished']}/{cls['students']} finished, answer "
                f"p50/p95/p99/max {lat.get('p50_ms')}/{lat.get('p95_ms')}/{lat.get('p99_ms')}/"
                f"{lat.get('max_ms')} ms, {cls['errors']} failures, "
                f"other processes {cls['other_processes_cpu_s']} CPU-s"
            )
    for key, value in results.get("comparison", {}).items():
        print(f"{key}: {value}")
    for n in names:
        for part in ("hello", "htmx", "nojs", "class"):
            for example in (dbs[n].get(part) or {}).get("failure_examples", [])[:5]:
                print(f"  {n} {part}: {example}")
        if dbs[n].get("broken"):
            print(f"  {n}: BROKEN {dbs[n]['broken']}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="a local server")
    parser.add_argument(
        "--root", default=str(MAIN), help="checkout whose code the server runs (default: this)"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="s per closed loop")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--warm-up", type=float, default=3.0, help="s of each answer loop first")
    parser.add_argument("--pool", type=int, default=0, help="pre-opened attempts (0: auto)")
    parser.add_argument("--class-size", type=int, default=50, help="students (0: no class part)")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=float, default=30.0, help="s per HTTP request")
    parser.add_argument("--prepare-timeout", type=float, default=240.0)
    parser.add_argument("--deadline", type=float, default=600.0, help="s for the whole run")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    kinds = []
    for name in args.databases.split(","):
        name = name.strip().lower()
        if name in ("postgres", "postgresql", "pg"):
            kinds.append("postgresql")
        elif name == "sqlite":
            kinds.append("sqlite")
        elif name:
            parser.error(f"unknown database {name!r} (sqlite, postgres)")
    args.kinds = list(dict.fromkeys(kinds))
    return args


def main() -> int:
    args = parse_args()
    install_sigterm_as_interrupt()
    root = Path(args.root).resolve()
    for needed in ("manage.py", "config/wsgi.py", "benchmarks/settings.py", "benchmarks/urls.py"):
        if not (root / needed).is_file():
            print(f"--root {root}: no {needed} (a checkout of this project with /hello/?)")
            return 2
    watch = Stopwatch(args.deadline)
    began = time.monotonic()
    results: dict = {
        "args": dict(vars(args)),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "root": str(root),
        "code": git_state(root),
        "benchmark_code": git_state() if root != MAIN else "same as code",
        "python": sys.executable,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "databases": {},
    }
    busy_before = machine_busy_seconds()
    broken = None
    try:
        for kind in args.kinds:
            if watch.over():
                results["databases"][kind] = {"broken": "deadline reached before this database"}
                continue
            results["databases"][kind] = run_database(args, kind, root, watch)
    except KeyboardInterrupt:
        broken = "interrupted"
        log("interrupted: cleaned up")
    finally:
        watch.stop.set()
    results["comparison"] = compare(results["databases"])
    results["seconds"] = round(time.monotonic() - began, 1)
    results["load_average_after"] = os.getloadavg()
    results["machine_busy_cpu_s"] = round(machine_busy_seconds() - busy_before, 1)
    broken = broken or "; ".join(
        f"{k}: {v['broken']}" for k, v in results["databases"].items() if v.get("broken")
    )
    broken = broken or "; ".join(
        f"{k}: the pre-opened attempts ran out (a loop measured too little); raise --pool"
        for k, v in results["databases"].items()
        if v.get("attempt_pool_exhausted")
    )
    if broken:
        results["broken"] = broken
    failed = sum(failures_of(r) for r in results["databases"].values())
    results["failed_requests"] = failed
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"class-cost-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nwhole run {results['seconds']} s; machine busy {results['machine_busy_cpu_s']} CPU-s")
    print(f"JSON summary: {out}")
    if broken:
        print(f"RUN BROKEN: {broken}")
        return 2
    if failed:
        print(f"FAILED REQUESTS: {failed}")
        return 1
    print("no failed requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
