"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, replaying scripted replies.

No test in this package reaches the network: the server binds a random free local port, and
the LLM_* settings point at it for the duration of one test.

Question requests take the scripted replies in order. Answer-check requests (recognised from
the body: the `answer_check` schema name, or the check's system prompt in plain JSON mode) are
answered by a simulated student instead, unless `check_replies` scripts them: it remembers the
key of every item the fake has served, answers it right when given the article and wrong (and
"guessing") without it; `blind_right` and `misread` hold prompts for which it does the
opposite.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from quiz.authoring import llm


@dataclass
class Reply:
    content: str | None = None  # the assistant message (JSON text, or anything)
    status: int = 200
    body: dict | None = None  # raw body for error statuses
    delay: float = 0.0
    reject_json_schema: bool = False  # answer 400 to response_format json_schema


@dataclass
class FakeLLM:
    base_url: str = ""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)  # question requests only
    check: Any = None  # optional callable(request_body) run in the server thread, every request
    errors: list[BaseException] = field(default_factory=list)
    # The answer check
    answer_checks: list[dict] = field(default_factory=list)  # the check requests received
    check_replies: list[Reply] = field(default_factory=list)  # scripted, used up in order
    keys: dict[str, str] = field(default_factory=dict)  # prompt -> key text, of served items
    blind_right: set[str] = field(default_factory=set)  # prompts answered right without article
    misread: set[str] = field(default_factory=set)  # prompts answered wrong with the article

    def script(self, *replies: Reply | str | dict) -> None:
        self.replies = [
            r if isinstance(r, Reply) else Reply(content=r if isinstance(r, str) else json.dumps(r))
            for r in replies
        ]

    def next_reply(self) -> Reply:
        # The last reply repeats once the script runs out.
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    @property
    def messages(self) -> list[list[dict]]:
        return [r["messages"] for r in self.requests]

    def remember_keys(self, content: str) -> None:
        """Note the key of every choice item in a reply the fake serves."""
        text = content.strip().removeprefix("```json").removesuffix("```")
        try:
            data = json.loads(text)
        except ValueError:
            return
        items = data.get("items", []) if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("choices"), list):
                for choice in item["choices"]:
                    if isinstance(choice, dict) and choice.get("correct") is True:
                        self.keys[str(item.get("prompt", "")).strip()] = str(choice["text"])

    def answer(self, body: dict) -> str:
        """A simulated student's reply to an answer-check request."""
        user = body["messages"][-1]["content"]
        with_article = llm.ARTICLE_START in user
        start = user.rindex("Questions (JSON):\n") + len("Questions (JSON):\n")
        questions, _ = json.JSONDecoder().raw_decode(user[start:])
        answers = []
        for q in questions:
            prompt = next((p for p in self.keys if q["question"].endswith(p)), None)
            key = self.keys.get(prompt)
            right = next((letter for letter, text in q["options"].items() if text == key), "A")
            wrong = next(letter for letter in q["options"] if letter != right)
            if with_article:
                letter, guessing = (wrong if prompt in self.misread else right), False
            elif prompt in self.blind_right:
                letter, guessing = right, False
            else:
                letter, guessing = wrong, True
            answers.append({"id": q["id"], "letter": letter, "guessing": guessing})
        return json.dumps({"answers": answers})


def is_answer_check(body: dict) -> bool:
    schema = (body.get("response_format") or {}).get("json_schema") or {}
    system = (body.get("messages") or [{}])[0].get("content", "")
    return schema.get("name") == llm.ANSWER_CHECK_SCHEMA_NAME or system == llm.CHECK_SYSTEM_PROMPT


def completion(content: str, model: str = "fake-model") -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _handler(fake: FakeLLM):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/chat/completions"):
                return self._send(404, {"error": {"message": "not found"}})
            checking = is_answer_check(body)
            (fake.answer_checks if checking else fake.requests).append(body)
            if fake.check is not None:
                try:
                    fake.check(body)
                except BaseException as exc:  # reported to the test, not lost in the thread
                    fake.errors.append(exc)
            if checking:
                reply = fake.check_replies.pop(0) if fake.check_replies else Reply()
                if reply.content is None and reply.status == 200:
                    try:
                        reply = Reply(content=fake.answer(body), delay=reply.delay)
                    except Exception as exc:  # a request the fake cannot read: fail the test
                        fake.errors.append(exc)
                        reply = Reply(status=500)
            else:
                reply = fake.next_reply()
                if reply.status == 200 and reply.content:
                    fake.remember_keys(reply.content)
            if reply.delay:
                time.sleep(reply.delay)
            fmt = (body.get("response_format") or {}).get("type")
            if reply.reject_json_schema and fmt == "json_schema":
                return self._send(
                    400,
                    {"error": {"message": "response_format json_schema is not supported"}},
                )
            if reply.status != 200:
                return self._send(reply.status, reply.body or {"error": {"message": "boom"}})
            return self._send(200, completion(reply.content or "", body.get("model", "")))

    return Handler


@pytest.fixture
def fake_llm(settings, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.LLM_BASE_URL = fake.base_url
    settings.LLM_MODEL = "fake-model"
    settings.LLM_API_KEY = "test-key"
    settings.LLM_TIMEOUT = 5.0
    settings.LLM_MAX_TOKENS = 2000
    settings.LLM_MAX_RETRIES = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield fake
    server.shutdown()
    server.server_close()
    if fake.errors:
        raise fake.errors[0]


@pytest.fixture
def no_llm(settings):
    settings.LLM_BASE_URL = ""
    settings.LLM_MODEL = ""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
