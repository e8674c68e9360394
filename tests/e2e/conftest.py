"""End-to-end fixtures: a fake Jira loaded with the sample backlog, and the CLI run against it.

Northstar is driven only through its public interface: ``bot.cli.main([...])`` with settings
in the environment and a ``northstar.toml`` in the test's folder, as an admin would run it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from connectors.sample import generate_backlog
from tests.fakes.jira_server import API_TOKEN, EMAIL, PAT, FakeJiraServer

BOARD = 42
#: Small enough to keep each run well under a second of fake traffic, large enough to page.
BACKLOG_SIZE = 120

CONFIG = """
[scoring]
model = "wsjf"
default_cost = 5
tolerance = 0.05

[guardrails]
manual_zone = 0
max_move = 0
lock_active_sprint = true

[jira.fields]
cost = "Story point estimate"
business_value = "Business Value"
time_criticality = "Time Criticality"
risk_reduction = "Risk Reduction"
benefit_category = "Benefit Category"
score = "Value Score"
writable = ["score"]

[[teams]]
name = "payments"
source = "jira"
{backlog}
timezone = "UTC"

[[rules]]
name = "Incidents first"
when = "type == 'Incident'"
pin = "top"
"""


@dataclass(frozen=True)
class Run:
    """One CLI invocation: its exit code and what it printed."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def printed(self) -> str:
        return self.out + self.err


Northstar = Callable[..., Run]


def load_sample(server: FakeJiraServer, size: int = BACKLOG_SIZE) -> None:
    """The generated ``payments`` backlog (PAY-, sprints, done work, incidents) on board 42."""
    server.state.add_board(BOARD, "PAY", name="Payments board")
    server.state.add_items(generate_backlog("payments", size=size).items, board=BOARD)


@pytest.fixture
def jira() -> Iterator[FakeJiraServer]:
    """A Jira Cloud site with the sample backlog on board 42."""
    with FakeJiraServer() as server:
        load_sample(server)
        yield server


def write_config(folder: Path, backlog: str = f"board = {BOARD}") -> Path:
    path = folder / "northstar.toml"
    path.write_text(CONFIG.format(backlog=backlog), encoding="utf-8")
    return path


def cloud_env(monkeypatch: pytest.MonkeyPatch, server: FakeJiraServer, folder: Path) -> None:
    monkeypatch.setenv("NORTHSTAR_JIRA_URL", server.url)
    monkeypatch.setenv("NORTHSTAR_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("NORTHSTAR_JIRA_API_TOKEN", API_TOKEN)
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", f"sqlite:///{folder / 'northstar.db'}")


def data_center_env(monkeypatch: pytest.MonkeyPatch, server: FakeJiraServer, folder: Path) -> None:
    monkeypatch.setenv("NORTHSTAR_JIRA_URL", server.url)
    monkeypatch.setenv("NORTHSTAR_JIRA_PAT", PAT)
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", f"sqlite:///{folder / 'northstar.db'}")


def runner(config: Path, capsys: pytest.CaptureFixture[str]) -> Northstar:
    """``northstar(*args)``: run the CLI with ``--config`` and return its exit code and output."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main(["--config", str(config), *args])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        captured = capsys.readouterr()
        return Run(code=code, out=captured.out, err=captured.err)

    return run


@pytest.fixture
def northstar(
    jira: FakeJiraServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Northstar:
    """The CLI wired to the Cloud fake (email + API token), a SQLite file and board 42."""
    cloud_env(monkeypatch, jira, tmp_path)
    return runner(write_config(tmp_path), capsys)
