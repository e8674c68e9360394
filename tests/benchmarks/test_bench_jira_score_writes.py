"""The first ``score`` of a real backlog against a Jira 50 ms away: sequential vs the pool.

Spring XD's 3,526 issues (``dataset.py``) are loaded into the fake Jira Cloud with no score,
synced, and then ``northstar score`` writes every score, one ``PUT`` an issue (Jira has no
bulk field write for an API-token client), with ``state.latency`` delaying every answer by
50 ms as a round trip to Jira Cloud would. Once with ``NORTHSTAR_JIRA_WRITE_CONCURRENCY=1``
(what Northstar did before: one write after the other) and once with the default pool of 4;
the goal is under a third of the sequential time. Run: ``.venv/bin/pytest
tests/benchmarks/test_bench_jira_score_writes.py --benchmark-only -p no:randomly -s``.
"""

from __future__ import annotations

import os
import time
from typing import Any
from unittest import mock

import pytest

from tests.benchmarks.dataset import load_backlog
from tests.e2e.conftest import cloud_settings, load_items, runner, write_config
from tests.fakes.jira_server import FakeJiraServer

LATENCY = 0.05
TIMES: dict[int, float] = {}


def first_score(folder: Any, concurrency: int) -> tuple[float, int]:
    """Seconds ``northstar score`` took, and the scores it wrote."""
    items = load_backlog().items
    with FakeJiraServer() as jira:
        load_items(jira, [item.model_copy(update={"score": None}) for item in items])
        northstar = runner(write_config(folder))
        env = {
            **cloud_settings(jira, folder),
            "NORTHSTAR_JIRA_WRITE_CONCURRENCY": str(concurrency),
        }
        with mock.patch.dict(os.environ, env):
            assert northstar("sync").code == 0
            jira.state.latency = LATENCY
            jira.state.clear_log()
            started = time.perf_counter()
            assert northstar("score").code == 0
            elapsed = time.perf_counter() - started
        return elapsed, len(jira.state.writes)


@pytest.mark.parametrize("concurrency", [1, 4], ids=["sequential", "pool_of_4"])
def test_bench_first_score(
    benchmark: Any, tmp_path_factory: pytest.TempPathFactory, concurrency: int
) -> None:
    folder = tmp_path_factory.mktemp(f"score-{concurrency}")
    elapsed, written = benchmark.pedantic(
        first_score, args=(folder, concurrency), rounds=1, iterations=1
    )
    assert written == len(load_backlog().items)
    TIMES[concurrency] = elapsed
    benchmark.extra_info.update(seconds=round(elapsed, 2), written=written)
    if 1 in TIMES and 4 in TIMES:
        ratio = TIMES[4] / TIMES[1]
        line = f"sequential {TIMES[1]:.1f} s, pool of 4 {TIMES[4]:.1f} s ({ratio:.2f}x)"
        print(f"\nfirst score: {line}")  # noqa: T201
        benchmark.extra_info["ratio_to_sequential"] = round(ratio, 3)
