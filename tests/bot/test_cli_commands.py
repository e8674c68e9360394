"""The commands that reach Slack, run a process or change the database, through the CLI.

`digest`, `remind` and `checkin` run in-process through Typer's CliRunner against the local
Slack fake and a temporary SQLite database, at the sample backlog's Monday; `db upgrade` builds
the schema; `serve` and `scheduler` are started as real processes and stopped with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy
import time_machine
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.storage.tables import VERSION_TABLE
from tests.bot.scheduling.support import BERLIN, UploadReceiver, allow_uploads
from tests.fakes.slack_api import FakeSlackServer

REPO = Path(__file__).resolve().parents[2]
PYTHONPATH = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
#: Monday of the sample backlog's week, 09:00 in Berlin (the example config's payments team).
MONDAY_0900 = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)
CHANNEL = "C0PAYMENTS"
STAKEHOLDERS = ["U0111", "U0222", "U0333"]


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    with FakeSlackServer() as server, UploadReceiver() as receiver:
        allow_uploads(server.state, receiver, count=5)
        yield server


@pytest.fixture
def env(tmp_path: Path, slack: FakeSlackServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings as an admin sets them; the example config (sample backlogs) is used."""
    monkeypatch.chdir(tmp_path)  # no .env of the developer's is read
    return {
        "NORTHSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'northstar.db'}",
        "NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-cli-test",
        "NORTHSTAR_SLACK_SIGNING_SECRET": "cli-test-signing-secret",
        "NORTHSTAR_SLACK_API_URL": slack.url,
    }


def northstar(env: dict[str, str], *args: str) -> Result:
    with time_machine.travel(MONDAY_0900, tick=False):
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def channel_posts(slack: FakeSlackServer) -> list:
    return [c for c in slack.state.calls_to("chat.postMessage") if c.body["channel"] == CHANNEL]


def test_digest_previews_the_digest_without_posting_or_drawing_a_chart(env, slack):
    result = northstar(env, "digest", "--team", "payments")

    assert result.exit_code == 0, result.output
    assert "Weekly value digest: payments, 2026-W44" in result.output
    assert slack.state.calls == []


def test_digest_post_posts_the_digest_and_its_chart_to_the_channel(env, slack):
    result = northstar(env, "digest", "--team", "payments", "--post")

    assert result.exit_code == 0, result.output
    assert f"weekly_digest for payments (2026-W45): posted, posted to {CHANNEL}" in result.output
    [post] = channel_posts(slack)
    assert "Weekly value digest: payments, 2026-W44" in post.all_text()
    assert len(slack.state.calls_to("files.completeUploadExternal")) == 1


def test_remind_posts_the_reminder_of_the_active_sprint_once(env, slack):
    first = northstar(env, "remind", "--team", "payments")
    second = northstar(env, "remind", "--team", "payments")

    assert first.exit_code == 0, first.output
    assert "sprint_start_reminder for payments (sprint-1394): posted" in first.output
    assert "no new active sprint" in second.output
    [post] = channel_posts(slack)
    assert "PAY Sprint 24" in post.all_text()


def test_checkin_dms_each_stakeholder_about_the_one_item_asked(env, slack):
    assert northstar(env, "sync", "--team", "payments").exit_code == 0  # the snapshot it asks about
    result = northstar(env, "checkin", "--team", "payments", "--item", "PAY-342")

    assert result.exit_code == 0, result.output
    assert "Check-in round 1 started." in result.output
    opened = [call.body["users"] for call in slack.state.calls_to("conversations.open")]
    assert opened == STAKEHOLDERS
    dms = slack.state.calls_to("chat.postMessage")
    assert len(dms) == len(STAKEHOLDERS)
    assert all("PAY-342" in dm.all_text() for dm in dms)


def test_db_upgrade_creates_the_schema(env, tmp_path):
    result = northstar(env, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "Database schema is up to date." in result.output
    engine = sqlalchemy.create_engine(env["NORTHSTAR_DATABASE_URL"])
    try:
        tables = set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {VERSION_TABLE, "job_runs", "checkin_rounds", "snapshot_items"} <= tables


# ---------------------------------------------------------------- long-running commands


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    code = f"from bot.cli import main; main({list(args)!r})"
    return subprocess.Popen(  # noqa: S603 - our own interpreter and entry point
        [sys.executable, "-c", code],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": PYTHONPATH},
    )


def stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM, then what the process wrote to stderr until it exited."""
    process.send_signal(signal.SIGTERM)
    try:
        _, remaining = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    return remaining or ""


@pytest.mark.slow
def test_scheduler_starts_its_jobs_and_stops_cleanly_on_sigterm(env):
    process = start(env, "scheduler")
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "scheduler started" in line:
            break
    else:
        pytest.fail("the scheduler never started:\n" + "".join(seen))

    remaining = stop(process)

    assert process.returncode == 0, remaining
    assert "scheduler stopped" in remaining


@pytest.mark.slow
def test_serve_http_answers_health_checks_and_stops_cleanly_on_sigterm(env):
    port = free_port()
    process = start(env, "serve", "--http", "--port", str(port), "--workers", "1")
    status = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=1) as answer:
                status = answer.status
                break
        except OSError:
            time.sleep(0.1)

    remaining = stop(process)

    assert status == 200, remaining
    assert process.returncode == 0, remaining


def test_serve_needs_exactly_one_mode(env):
    result = CliRunner().invoke(app, ["serve"], env=env)

    assert result.exit_code != 0
    assert "choose one of --http or --socket" in str(result.exception)
