"""HTTP requests Northstar makes against Jira, counted on a real backlog in the fake Jira.

A real project's backlog (Spring XD, about 3,500 issues: see ``dataset.py``) is loaded into the
stateful fake Jira Cloud, and the CLI runs as an admin would. Every figure is a count of HTTP
requests the fake received (time is recorded by pytest-benchmark, but the counts are the
point): a full sync, an incremental sync with nothing changed, and a re-score of 1%, 10% and
100% of the backlog (their Business Value changed in Jira, then ``sync``, ``score`` and
``reorder --apply``). Rank calls made are shown beside the planner's optimum, one call per
moved issue, and re-ranking everything (ceil(N/50)).

Runs are put an hour apart with ``state.age`` so one scenario's writes do not show up as
changes in the next. Run: ``.venv/bin/pytest tests/benchmarks/test_bench_jira_requests.py
--benchmark-only -p no:randomly -s`` (the table is printed at the end).
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from connectors.sample import SAFE_SCALE
from tests.benchmarks.dataset import Backlog, load_backlog
from tests.e2e.conftest import BOARD, Northstar, Run, cloud_settings, load_items, runner
from tests.e2e.conftest import write_config as write_e2e_config
from tests.fakes.jira_server import FakeJiraServer

HOUR = timedelta(hours=1)
COLUMNS = (
    "scenario",
    "requests",
    "sync",
    "score",
    "reorder",
    "fetched",
    "score writes",
    "rank calls made",
    "optimum",
    "one per issue",
    "ceil(N/50)",
)


@dataclass
class Site:
    jira: FakeJiraServer
    backlog: Backlog
    folder: Path
    northstar: Northstar
    rows: list[dict[str, Any]] = field(default_factory=list)

    @contextmanager
    def env(self) -> Iterator[None]:
        with mock.patch.dict(os.environ, cloud_settings(self.jira, self.folder)):
            yield

    def run(self, *args: str) -> Run:
        with self.env():
            result = self.northstar(*args)
        assert result.code == 0, f"{args}: exit {result.code}\n{result.out}\n{result.err}"
        return result

    def requests(self) -> int:
        return len(self.jira.state.requests)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The backlog in Jira, synced, scored and reordered once (the state a team lives in)."""
    backlog = load_backlog()
    folder = tmp_path_factory.mktemp("jira-bench")
    with FakeJiraServer() as jira:
        load_items(jira, backlog.items)
        site = Site(jira, backlog, folder, runner(write_e2e_config(folder)))
        site.run("sync")
        site.run("score")
        jira.state.clear_log()
        report = site.run("reorder", "--apply", "--json").json()
        site.rows.append(rank_row("first reorder --apply (key order to value order)", site, report))
        jira.state.age(HOUR)
        yield site
    print_table(site)


def rank_row(
    label: str, site: Site, report: dict[str, Any], made: dict[str, int] | None = None
) -> dict[str, Any]:
    state = site.jira.state
    size = len(state.backlog(BOARD))
    return {
        "scenario": label,
        "requests": site.requests(),
        **(made or {}),
        "score writes": len(state.writes),
        "rank calls made": len([call for call in state.rank_calls if call.moved]),
        "optimum": report["calls"],
        "one per issue": report["moved"],
        "ceil(N/50)": math.ceil(size / 50),
    }


def print_table(site: Site) -> None:
    size = len(site.jira.state.backlog(BOARD))
    columns = [name for name in COLUMNS if any(name in row for row in site.rows)]
    widths = {
        name: max(len(name), *(len(str(row.get(name, ""))) for row in site.rows))
        for name in columns
    }
    lines = [
        f"\nJira requests on {site.backlog.name}; {size} in the board's backlog.",
        "re-score rows: sync + score + reorder --apply, requests split by command",
        " | ".join(name.ljust(widths[name]) for name in columns),
        "-|-".join("-" * widths[name] for name in columns),
        *(
            " | ".join(str(row.get(name, "")).ljust(widths[name]) for name in columns)
            for row in site.rows
        ),
    ]
    print("\n".join(lines))  # noqa: T201 - the table is what this benchmark is run for


def test_bench_full_sync(benchmark: Any, site: Site) -> None:
    site.jira.state.clear_log()
    result = benchmark.pedantic(site.run, args=("sync", "--full", "--json"), rounds=1, iterations=1)
    [report] = result.json()
    figures = {"scenario": "full sync", "requests": site.requests(), "fetched": report["fetched"]}
    site.rows.append(figures)
    benchmark.extra_info.update(figures)
    assert report["fetched"] == len(site.jira.state.backlog(BOARD))


def test_bench_incremental_sync_with_nothing_changed(benchmark: Any, site: Site) -> None:
    site.run("sync")
    site.jira.state.age(HOUR)
    site.jira.state.clear_log()
    result = benchmark.pedantic(site.run, args=("sync", "--json"), rounds=1, iterations=1)
    [report] = result.json()
    figures = {
        "scenario": "incremental sync, nothing changed",
        "requests": site.requests(),
        "fetched": report["fetched"],
    }
    site.rows.append(figures)
    benchmark.extra_info.update(figures)
    assert report["fetched"] == 0


def rescore(site: Site, share: float) -> tuple[dict[str, Any], dict[str, int]]:
    """Change the Business Value of ``share`` of the backlog in Jira, then sync/score/apply.

    Returns the apply report and the requests each command made.
    """
    state = site.jira.state
    keys = state.backlog(BOARD)
    rng = random.Random(f"rescore-{share}")
    for key in rng.sample(keys, max(1, round(len(keys) * share))):
        current = state.value(key, "Business Value")
        state.set_field(key, "Business Value", rng.choice([v for v in SAFE_SCALE if v != current]))
    state.clear_log()
    made: dict[str, int] = {}
    site.run("sync")
    made["sync"] = site.requests()
    site.run("score")
    made["score"] = site.requests() - made["sync"]
    report: dict[str, Any] = site.run("reorder", "--apply", "--json").json()
    made["reorder"] = site.requests() - made["sync"] - made["score"]
    assert report["verified"]
    return report, made


@pytest.mark.parametrize("share", [0.01, 0.10, 1.0], ids=["1pct", "10pct", "100pct"])
def test_bench_rescore_and_reorder(benchmark: Any, site: Site, share: float) -> None:
    site.jira.state.age(HOUR)
    report, made = benchmark.pedantic(rescore, args=(site, share), rounds=1, iterations=1)
    figures = rank_row(f"re-score {share:.0%}", site, report, made)
    site.rows.append(figures)
    benchmark.extra_info.update(figures)
    assert figures["rank calls made"] == figures["optimum"]
