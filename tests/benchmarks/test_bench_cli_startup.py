"""Whole ``northstar`` processes, timed from start to exit, as a person at a terminal waits.

Goals (issue 13): ``northstar --help`` under 0.3 s, ``rank --source csv:<Spring XD, 3,526
rows>`` under 0.8 s, ``demo`` under 2 s. Each round starts a fresh process of this checkout's
entry point (the ``northstar`` script next to the running interpreter). Set
``NORTHSTAR_BENCH_BEFORE`` to another checkout's ``northstar`` script (e.g. ``main``'s) to time
it in the same run, one of its processes before each timed one, for a side-by-side figure.
Run with ``make bench``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks.dataset import STORYPOINT

ROUNDS = 7
GOALS_SECONDS = {"help": 0.3, "rank_csv": 0.8, "demo": 2.0}
NOW = Path(sys.executable).with_name("northstar")
BEFORE = os.environ.get("NORTHSTAR_BENCH_BEFORE")


def _arguments(command: str, out: Path) -> list[str]:
    if command == "help":
        return ["--help"]
    if command == "rank_csv":
        if not STORYPOINT.is_file():
            pytest.skip(f"the Spring XD dataset is not at {STORYPOINT}")
        return ["rank", "--source", f"csv:{STORYPOINT}"]
    return ["demo", "--out", str(out)]


def _environment(tmp_path: Path) -> dict[str, str]:
    """Every command runs as after a fresh install: no NORTHSTAR_* settings from the caller,
    and bytecode cached (as pip leaves it), in a folder of its own so no checkout is written to.
    """
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NORTHSTAR_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return {
        **kept,
        "NORTHSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.db'}",
        "PYTHONPYCACHEPREFIX": str(tmp_path / "bytecode"),
    }


@pytest.mark.parametrize("command", list(GOALS_SECONDS))
def test_bench_whole_process(benchmark, command, tmp_path):
    arguments = _arguments(command, tmp_path / "demo")
    env = _environment(tmp_path)

    def run(northstar: Path) -> float:
        began = time.perf_counter()
        subprocess.run(  # noqa: S603 - a northstar entry point with fixed arguments
            [str(northstar), *arguments],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        return time.perf_counter() - began

    before: list[float] = []

    def run_before() -> None:
        # between two timed rounds, so both checkouts see the same load on a shared machine
        if BEFORE:
            before.append(run(Path(BEFORE)))

    run(NOW)  # the first runs compile bytecode and fill the OS's file cache
    run_before()
    before.clear()
    benchmark.pedantic(run, args=(NOW,), setup=run_before, rounds=ROUNDS, iterations=1)
    median = benchmark.stats.stats.median
    benchmark.extra_info["goal_seconds"] = GOALS_SECONDS[command]
    line = f"\nnorthstar {' '.join(arguments[:1])}: median {median:.3f} s over {ROUNDS} processes"
    if before:
        benchmark.extra_info["before_median_seconds"] = statistics.median(before)
        line += f", before {statistics.median(before):.3f} s ({BEFORE}, alternating)"
    print(f"{line} (goal {GOALS_SECONDS[command]} s)")  # noqa: T201 - a benchmark's figures
