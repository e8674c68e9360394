"""Serving the Slack app: HTTP behind gunicorn (scales out), or Socket Mode (no public URL).

HTTP routes: ``POST /slack/events`` (commands, interactivity, events: one Request URL),
``GET /slack/install`` and ``GET /slack/oauth_redirect`` when OAuth is configured,
``GET /healthz`` (the process is up), ``GET /readyz`` (the database answers) and
``GET /metrics`` (Prometheus). Web processes never start a scheduler: that is
``northstar scheduler``'s job, run once.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import ConfigError
from bot.metrics import ACK_LATENCY, SLACK_REQUESTS
from bot.metrics import render as render_metrics
from bot.slack.app import build_app, oauth_configured
from bot.slack.workqueue import requests_in_flight
from bot.wiring import Services

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
#: seconds a gunicorn worker may spend on one request before it is restarted; acks are fast
#: and slow work runs on lazy listener threads, so this only guards against a stuck request
WORKER_TIMEOUT = 60


def _plain(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def database_ready(svc: Services) -> bool:
    """Whether the database answers a trivial query right now."""
    try:
        with svc.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as e:
        logger.warning("readiness check: database unreachable: %s", type(e).__name__)
        return False
    return True


def _request_kind(environ: WSGIEnvironment) -> str:
    """command, interaction or event, from a peek at the body (which is put back)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    if body.startswith(b"{"):
        return "event"
    if body.startswith(b"payload=") or b"&payload=" in body:
        return "interaction"
    return "command" if b"command=" in body else "other"


def _observe(kind: str, status: str, seconds: float) -> None:
    ACK_LATENCY.observe(seconds)
    outcome = "ok" if status.startswith("2") else status.split(" ", 1)[0]
    SLACK_REQUESTS.labels(kind=kind, outcome=outcome).inc()


class _AfterSending:
    """A response body that runs ``then`` when the server closes it, after sending it.

    The metrics are recorded there, so no request waits for them: the server calls ``close``
    once the acknowledgement is on its way (PEP 3333).
    """

    def __init__(self, body: Iterable[bytes], then: Callable[[], None]):
        self._body = body
        self._then = then

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._then()


def create_wsgi_app(svc: Services, *, app: App | None = None) -> WSGIApplication:
    """The WSGI application gunicorn (or a test) serves; builds the Bolt app unless given."""
    bolt = app if app is not None else build_app(svc, oauth=oauth_configured(svc))
    slack = SlackRequestHandler(bolt, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET" and path == "/healthz":
            return _plain(start_response, "200 OK", "ok")
        if method == "GET" and path == "/readyz":
            if database_ready(svc):
                return _plain(start_response, "200 OK", "ready")
            return _plain(start_response, "503 Service Unavailable", "database unreachable")
        if method == "GET" and path == "/metrics":
            body, content_type = render_metrics()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        if path != EVENTS_PATH:
            return slack(environ, start_response)
        started = time.perf_counter()
        requests_in_flight.enter()
        try:
            kind = _request_kind(environ)
            seen: dict[str, str] = {}

            def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
                seen["status"] = status
                return start_response(status, headers, exc_info)

            result = slack(environ, recording_start_response)
        finally:
            requests_in_flight.leave()
        return _AfterSending(
            result,
            lambda: _observe(kind, seen.get("status", "500"), time.perf_counter() - started),
        )

    return application


def _gunicorn_application(wsgi: WSGIApplication, options: dict[str, Any]) -> Any:
    from gunicorn.app.base import BaseApplication

    class NorthstarGunicorn(BaseApplication):  # type: ignore[misc]
        def __init__(self) -> None:
            self.options = options
            self.application = wsgi
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApplication:
            return self.application

    return NorthstarGunicorn()


def serve_http(
    svc: Services,
    port: int = 3000,
    *,
    workers: int = 2,
    threads: int = 8,
    host: str = "0.0.0.0",  # noqa: S104 - a server in a container listens on all interfaces
) -> None:
    """Run gunicorn (threaded workers) serving :func:`create_wsgi_app` until stopped."""
    wsgi = create_wsgi_app(svc)

    def post_fork(server: Any, worker: Any) -> None:
        # connections opened before the fork must not be shared between processes
        svc.store.engine.dispose(close=False)

    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": 30,
        "accesslog": None,
        "post_fork": post_fork,
    }
    logger.info("serving Slack over HTTP on %s:%d (%d worker(s))", host, port, workers)
    _gunicorn_application(wsgi, options).run()


def serve_socket(svc: Services) -> None:
    """Run the app over Socket Mode with ``NORTHSTAR_SLACK_APP_TOKEN`` (xapp-...).

    Raises:
        ConfigError: the app-level token is not set.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = svc.settings.slack_app_token
    if token is None:
        raise ConfigError(
            "Socket Mode needs NORTHSTAR_SLACK_APP_TOKEN (an app-level token, xapp-..., with "
            "the connections:write scope)"
        )
    app = build_app(svc, oauth=oauth_configured(svc))
    logger.info("serving Slack over Socket Mode")
    SocketModeHandler(app, token.get_secret_value()).start()  # type: ignore[no-untyped-call]
