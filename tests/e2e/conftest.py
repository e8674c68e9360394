"""End-to-end fixtures: a fake Jira loaded with the sample backlog, and the CLI run against it.

Northstar is driven only through its public interface: ``bot.cli.main([...])`` with settings
in the environment and a ``northstar.toml`` in the test's folder, as an admin would run it.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from connectors.sample import generate_backlog
from rules.model import Item
from tests.fakes.jira_server import API_TOKEN, EMAIL, PAT, FakeJiraServer

BOARD = 42
#: Small enough to keep each run well under a second of fake traffic, large enough to page.
BACKLOG_SIZE = 80

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


def load_items(server: FakeJiraServer, items: Sequence[Item]) -> None:
    """``items`` in their order on board 42, whose project is that of the first key."""
    server.state.add_board(BOARD, items[0].key.rsplit("-", 1)[0])
    server.state.add_items(items, board=BOARD)


def load_sample(server: FakeJiraServer, size: int = BACKLOG_SIZE) -> None:
    """The generated ``payments`` backlog (PAY-, sprints, done work, incidents) on board 42."""
    load_items(server, generate_backlog("payments", size=size).items)


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


def cloud_settings(server: FakeJiraServer, folder: Path) -> dict[str, str]:
    """Environment for Jira Cloud: email + API token, and a SQLite file in ``folder``."""
    return {
        "NORTHSTAR_JIRA_URL": server.url,
        "NORTHSTAR_JIRA_EMAIL": EMAIL,
        "NORTHSTAR_JIRA_API_TOKEN": API_TOKEN,
        "NORTHSTAR_DATABASE_URL": f"sqlite:///{folder / 'northstar.db'}",
    }


def data_center_settings(server: FakeJiraServer, folder: Path) -> dict[str, str]:
    """Environment for Jira Data Center: a personal access token, and a SQLite file."""
    return {
        "NORTHSTAR_JIRA_URL": server.url,
        "NORTHSTAR_JIRA_PAT": PAT,
        "NORTHSTAR_DATABASE_URL": f"sqlite:///{folder / 'northstar.db'}",
    }


def set_env(monkeypatch: pytest.MonkeyPatch, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def runner(config: Path) -> Northstar:
    """``northstar(*args)``: run the CLI with ``--config`` and return its exit code and output.

    Output is captured by swapping ``sys.stdout``/``sys.stderr``, which is what the CLI's Rich
    consoles and log handler write to, so module-scoped fixtures (benchmarks) can use it too.
    """

    def run(*args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["--config", str(config), *args])
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
        return Run(code=code, out=out.getvalue(), err=err.getvalue())

    return run


@pytest.fixture
def northstar(jira: FakeJiraServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Northstar:
    """The CLI wired to the Cloud fake (email + API token), a SQLite file and board 42."""
    set_env(monkeypatch, cloud_settings(jira, tmp_path))
    return runner(write_config(tmp_path))
