"""Shared helpers for the scheduler tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from tests.fakes.slack_api import FakeSlackState

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


class FakeTime:
    """A monotonic clock and a sleep that advances it instantly: pacing without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


class UploadReceiver:
    """Plays files.slack.com for ``files_upload_v2``: accepts the bytes a client uploads.

    The shared Slack fake parses bodies as text, and a PNG is not text; until it takes binary
    uploads, :func:`allow_uploads` points ``files.getUploadURLExternal`` at this receiver.
    """

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append((self.path, self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/upload/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> UploadReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def allow_uploads(state: FakeSlackState, receiver: UploadReceiver, count: int = 5) -> None:
    """Script ``count`` successful ``files_upload_v2`` round trips on the Slack fake."""
    for number in range(1, count + 1):
        file_id = f"F{number:04d}"
        state.script(
            "files.getUploadURLExternal",
            (200, {}, {"ok": True, "upload_url": receiver.url + file_id, "file_id": file_id}),
        )
        state.script(
            "files.completeUploadExternal",
            (200, {}, {"ok": True, "files": [{"id": file_id, "title": "chart"}]}),
        )
