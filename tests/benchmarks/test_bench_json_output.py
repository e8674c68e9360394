"""``rank --json`` at 50,000 rows (issue 12 goal: under 1.5 s and 300 MB for the process).

Two measurements: the whole process (``northstar rank --source csv:... --json``, run as a
child process, its peak resident memory from ``getrusage``), and the JSON writer alone on the
same 50,000 rows, the part Rich's ``print_json`` made take 110 s and 2.9 GB. Run with
``make bench``.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from bot.cli.output import emit_json
from bot.config import load_config
from bot.usecases.json_rows import ranking_rows
from bot.usecases.rank_source import rank_source

ROWS = 50_000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("json") / "big.csv"
    chance = random.Random(12)
    lines = ["key,summary,cost,business_value,time_criticality,risk_reduction"]
    lines += [
        f"BIG-{n},Item {n} with a summary of an ordinary length,"
        f"{chance.choice((1, 2, 3, 5, 8, 13))},{chance.randint(1, 13)},"
        f"{chance.randint(1, 8)},{chance.randint(1, 5)}"
        for n in range(1, ROWS + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bench_rank_json_process_50k_rows(benchmark, big_csv: Path, tmp_path: Path):
    out = tmp_path / "ranking.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NORTHSTAR_CONFIG", None)
    northstar = str(Path(sys.executable).with_name("northstar"))
    command = [northstar, "rank", "--source", f"csv:{big_csv}", "--json"]
    command += ["--limit", str(ROWS)]

    def run() -> None:
        with out.open("w", encoding="utf-8") as sink:
            subprocess.run(  # noqa: S603 - our own console script
                command, stdout=sink, env=env, check=True, cwd=tmp_path
            )

    benchmark.pedantic(run, rounds=2, iterations=1)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    benchmark.extra_info["peak_rss_mb"] = round(peak_mb)
    assert len(json.loads(out.read_text(encoding="utf-8"))) == ROWS


def test_bench_json_writer_alone_50k_rows(benchmark, big_csv: Path):
    rows = ranking_rows(rank_source(f"csv:{big_csv}", load_config(None)).scores.ranking)

    def write() -> int:
        sink = io.StringIO()
        with redirect_stdout(sink):
            emit_json(rows)
        return len(sink.getvalue())

    size = benchmark.pedantic(write, rounds=5, iterations=1)
    benchmark.extra_info["megabytes"] = round(size / 1e6, 1)
    assert size > ROWS * 100
