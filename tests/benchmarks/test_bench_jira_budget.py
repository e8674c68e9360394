"""Jira requests per cycle on a 10,000-issue backlog, against the budgets of issue 13.

A synthetic backlog of 10,000 open issues (keys BIG-1.., value inputs drawn with a fixed seed)
sits on a scrum board of the stateful fake Jira Cloud, which counts every request. After a
first sync, score and reorder, the figures are: an incremental sync with nothing changed
(budget 2), a ``reorder`` dry run with nothing to do (budget 2) and a cycle that re-scores k
issues, ``sync`` + ``score`` + ``reorder --apply`` (budget 2 + k + the optimal rank calls + 4).
Run: ``.venv/bin/pytest tests/benchmarks/test_bench_jira_budget.py --benchmark-only -p
no:randomly -s`` (the table is printed at the end).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from connectors.sample import SAFE_SCALE
from rules.model import Item
from tests.e2e.conftest import BOARD, Run, cloud_settings, load_items, runner, write_config
from tests.fakes.jira_server import FakeJiraServer

SIZE = 10_000
HOUR = timedelta(hours=1)


def big_backlog() -> list[Item]:
    rng = random.Random(13)
    return [
        Item(
            key=f"BIG-{n}",
            summary=f"Story {n}",
            cost=rng.choice([1, 2, 3, 5, 8, 13]),
            business_value=rng.choice(SAFE_SCALE),
            time_criticality=rng.choice(SAFE_SCALE),
            risk_reduction=rng.choice(SAFE_SCALE),
        )
        for n in range(1, SIZE + 1)
    ]


class Site:
    def __init__(self, jira: FakeJiraServer, folder: Path) -> None:
        self.jira = jira
        self.folder = folder
        self.northstar = runner(write_config(folder))
        self.rows: list[tuple[str, int, str]] = []

    def run(self, *args: str) -> Run:
        with mock.patch.dict(os.environ, cloud_settings(self.jira, self.folder)):
            result = self.northstar(*args)
        assert result.code == 0, f"{args}: exit {result.code}\n{result.out}\n{result.err}"
        return result

    def counted(self, *args: str) -> tuple[Run, int]:
        self.jira.state.clear_log()
        result = self.run(*args)
        return result, len(self.jira.state.requests)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with FakeJiraServer() as jira:
        load_items(jira, big_backlog())
        site = Site(jira, tmp_path_factory.mktemp("jira-budget"))
        site.run("sync")
        site.run("score")
        site.run("reorder", "--apply")
        jira.state.age(HOUR)
        site.run("sync")
        jira.state.age(HOUR)
        yield site
        print(f"\nJira requests on {len(jira.state.backlog(BOARD))} issues in the backlog")  # noqa: T201
        for label, made, budget in site.rows:
            print(f"{label:<48} | {made:>6} | budget {budget}")  # noqa: T201


def test_bench_unchanged_sync(benchmark: Any, site: Site) -> None:
    _, made = benchmark.pedantic(site.counted, args=("sync",), rounds=1, iterations=1)
    site.rows.append(("incremental sync, nothing changed", made, "2"))
    benchmark.extra_info["requests"] = made
    site.jira.state.age(HOUR)


def test_bench_reorder_dry_run_with_nothing_to_do(benchmark: Any, site: Site) -> None:
    result, made = benchmark.pedantic(
        site.counted, args=("reorder", "--json"), rounds=1, iterations=1
    )
    assert result.json()["calls"] == 0
    site.rows.append(("reorder dry run, nothing to do", made, "2"))
    benchmark.extra_info["requests"] = made
    site.jira.state.age(HOUR)


@pytest.mark.parametrize("share", [0.01, 0.10], ids=["1pct", "10pct"])
def test_bench_cycle_rescoring_k_issues(benchmark: Any, site: Site, share: float) -> None:
    state = site.jira.state
    keys = state.backlog(BOARD)
    rng = random.Random(f"budget-{share}")
    chosen = rng.sample(keys, round(len(keys) * share))
    for key in chosen:
        current = state.value(key, "Business Value")
        state.set_field(key, "Business Value", rng.choice([v for v in SAFE_SCALE if v != current]))

    def cycle() -> tuple[int, int, int, int, int]:
        _, sync = site.counted("sync")
        _, score = site.counted("score")
        written = len(state.writes)  # counted() starts each command with an empty log
        applied, reorder = site.counted("reorder", "--apply", "--json")
        report = applied.json()
        assert report["verified"]
        return sync, score, written, reorder, int(report["calls"])

    sync, score, written, reorder, calls = benchmark.pedantic(cycle, rounds=1, iterations=1)
    made = sync + score + reorder
    label = f"cycle re-scoring {len(chosen)} (sync {sync} + score {score} + reorder {reorder})"
    site.rows.append((label, made, f"2 + {written} + {calls} + 4 = {2 + written + calls + 4}"))
    benchmark.extra_info.update(requests=made, written=written, rank_calls=calls)
    state.age(HOUR)
