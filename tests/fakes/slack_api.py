"""A local Slack Web API for tests: records every call, answers as scripted.

``slack_sdk.WebClient(base_url=fake.url)`` talks to it over real HTTP (urllib), so retry
handlers, form/JSON encoding and error handling run exactly as in production. Every request
is recorded with its method, bearer token and parsed body, including posts to the fake
``response_url`` (``fake.response_url()``), so tests assert on channel, text and blocks.
Responses are scripted per method (429 with Retry-After, ``invalid_auth``...), first in first
out, falling back to a plausible success.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from bot.chat.client import BOT_SCOPES
from tests.fakes.local_server import LocalServer

RESPONSE_URL_PREFIX = "/response_url/"


@dataclass(frozen=True)
class SlackCall:
    """One request the fake received: ``method`` is ``chat.postMessage`` or ``response_url``."""

    method: str
    token: str | None
    body: dict[str, Any]
    path: str = ""

    def blocks(self) -> list[dict[str, Any]]:
        raw = self.body.get("blocks")
        if isinstance(raw, str):
            raw = json.loads(raw)
        return list(raw or [])

    def view(self) -> dict[str, Any]:
        raw = self.body.get("view")
        if isinstance(raw, str):
            raw = json.loads(raw)
        return dict(raw or {})

    def all_text(self) -> str:
        """Every text of the message: fallback text plus the blocks, for substring checks."""
        return (
            str(self.body.get("text", ""))
            + json.dumps(self.blocks(), ensure_ascii=False)
            + json.dumps(self.view(), ensure_ascii=False)
        )


Scripted = tuple[int, dict[str, str], dict[str, Any]]


def _default_response(method: str, body: dict[str, Any], counter: Iterator[int]) -> dict[str, Any]:
    n = next(counter)
    if method == "auth.test":
        return {
            "ok": True,
            "url": "https://northstar-test.slack.com/",
            "team": "Northstar Test",
            "user": "northstar",
            "team_id": "T0TEST",
            "user_id": "U0BOT",
            "bot_id": "B0BOT",
        }
    if method == "conversations.open":
        users = str(body.get("users", "U0"))
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("UW")}}
    if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        return {
            "ok": True,
            "channel": body.get("channel", "C0"),
            "ts": body.get("ts") or f"1700000000.{n:06d}",
            "message": {"text": body.get("text", "")},
        }
    if method in ("views.open", "views.publish", "views.update", "views.push"):
        return {"ok": True, "view": {"id": f"V{n:08d}"}}
    if method == "usergroups.users.list":
        return {"ok": True, "users": []}
    return {"ok": True}


@dataclass
class FakeSlackState:
    """What the fake saw and what it will answer; shared with the handler threads."""

    calls: list[SlackCall] = field(default_factory=list)
    scripted: dict[str, list[Scripted]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    #: the bot token's scopes, sent as ``auth.test``'s ``x-oauth-scopes`` header as Slack does
    scopes: tuple[str, ...] = BOT_SCOPES
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def record(self, call: SlackCall) -> None:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    def script(self, method: str, *responses: Scripted) -> None:
        """Answer the next calls of ``method`` with these (status, headers, json), in order."""
        with self.lock:
            self.scripted.setdefault(method, []).extend(responses)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer ``method`` with ``{"ok": false, "error": error}`` ``times`` times."""
        self.script(method, *[(200, {}, {"ok": False, "error": error})] * times)

    def rate_limit(self, method: str, retry_after: int = 0, times: int = 1) -> None:
        self.script(
            method,
            *[(429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"})]
            * times,
        )

    def answer(self, method: str, body: dict[str, Any]) -> Scripted:
        with self.lock:
            queue = self.scripted.get(method)
            if queue:
                return queue.pop(0)
        if method == "usergroups.users.list":
            group = str(body.get("usergroup", ""))
            with self.lock:
                if group in self.usergroups:
                    return 200, {}, {"ok": True, "users": list(self.usergroups[group])}
            return 200, {}, {"ok": False, "error": "no_such_subteam"}
        if method == "auth.test":
            headers = {"x-oauth-scopes": ",".join(self.scopes)}
            return 200, headers, _default_response(method, body, self._ids)
        return 200, {}, _default_response(method, body, self._ids)

    def calls_to(self, method: str) -> list[SlackCall]:
        with self.lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[SlackCall], bool] | None = None,
    ) -> list[SlackCall]:
        """Block until ``count`` matching calls arrived (or fail after ``timeout`` seconds).

        Lazy listeners answer on another thread; polling with a deadline (as bolt's tests do)
        keeps tests fast and free of fixed sleeps.
        """
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [
                    call
                    for call in self.calls
                    if call.method == method and (where is None or where(call))
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [call.method for call in self.calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s; got "
                        f"{len(found)}; all calls: {seen}"
                    )
                self.changed.wait(remaining)


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8")
    if "json" in content_type:
        parsed = json.loads(text)
        return parsed if isinstance(parsed, dict) else {"_": parsed}
    return dict(parse_qsl(text, keep_blank_values=True))


def _handler_for(state: FakeSlackState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
            return

        def _reply(self, status: int, headers: dict[str, str], payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            body = _parse_body(raw, self.headers.get("Content-Type", ""))
            if "?" in self.path:
                body.update(dict(parse_qsl(self.path.split("?", 1)[1])))
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
            if token is None and "token" in body:
                token = str(body["token"])
            if path.startswith(RESPONSE_URL_PREFIX):
                state.record(SlackCall("response_url", token, body, path))
                status, headers, payload = state.answer("response_url", body)
                if status == 200 and payload == {"ok": True}:
                    data = b"ok"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._reply(status, headers, payload)
                return
            method = path.strip("/").split("/")[-1]
            state.record(SlackCall(method, token, body, path))
            status, headers, payload = state.answer(method, body)
            self._reply(status, headers, payload)

        def do_POST(self) -> None:
            self._handle()

        def do_GET(self) -> None:
            self._handle()

    return Handler


class FakeSlackServer(LocalServer):
    """``with FakeSlackServer() as slack: WebClient(base_url=slack.url)``."""

    def __init__(self) -> None:
        self.state = FakeSlackState()
        super().__init__(_handler_for(self.state))
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self._responses = itertools.count(1)

    def response_url(self) -> str:
        """A fresh ``response_url`` on this fake (posts to it are recorded as ``response_url``)."""
        return f"http://127.0.0.1:{self.port}{RESPONSE_URL_PREFIX}{next(self._responses)}"
