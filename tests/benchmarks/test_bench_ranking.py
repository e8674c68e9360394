"""Ranking 5,000 and 100,000 items (goals: under 0.2 s and under 3 s), and the Spring XD table.

Two cases per size: the first ranking of a backlog in key order (nearly every item moves:
the worst case for the validity programme), and the everyday run, 1% re-scored from the
order that first ranking produced. Both include the 3% of blockers and 1% of pins of the
planner benchmark's backlog. Run on demand:
``pytest tests/benchmarks/test_bench_ranking.py --benchmark-only -s`` (``-s`` prints the table).
"""

from __future__ import annotations

import random

import pytest

from rules.config import GuardrailConfig
from rules.model import ScoredItem
from rules.ranking import rank_items
from rules.validity import Scale, longest_valid
from tests.benchmarks import ranking_table
from tests.benchmarks.dataset import load_backlog
from tests.benchmarks.test_bench_planner import scored_backlog

TOLERANCE = 0.05


def everyday(size: int) -> tuple[list[ScoredItem], list[str]]:
    """A ranked backlog with its scores written, then 1% re-scored."""
    scored = scored_backlog(size)
    first = rank_items(scored, [e.key for e in scored], GuardrailConfig(), TOLERANCE)
    written = [
        ScoredItem(item=r.item.model_copy(update={"score": r.score.value}), score=r.score)
        for r in first.items
    ]
    return ranking_table.rescore(0.01)(written, TOLERANCE, random.Random(1)), first.keys


@pytest.mark.parametrize("size", [5_000, 100_000], ids=["5000_items", "100000_items"])
@pytest.mark.parametrize("case", ["first_ranking", "one_percent_rescored"])
def test_bench_rank(benchmark, size, case):
    if case == "first_ranking":
        scored = scored_backlog(size)
        current = [e.key for e in scored]
    else:
        scored, current = everyday(size)
    rounds = 5 if size <= 5_000 else 2
    ranking = benchmark.pedantic(
        rank_items,
        args=(scored, current, GuardrailConfig(), TOLERANCE),
        rounds=rounds,
        iterations=1,
    )
    assert len(ranking.items) == size
    benchmark.extra_info["optimum"] = ranking.optimum


@pytest.mark.parametrize("decimals", [2, None], ids=["two_decimals", "all_distinct"])
def test_bench_validity_programme_100000_scores(benchmark, decimals):
    """The programme alone, once per ranking pass: ~2,000 distinct scores, or 100,000."""
    rng = random.Random(5)
    drawn = [rng.uniform(0.5, 20) for _ in range(100_000)]
    scores = drawn if decimals is None else [round(score, decimals) for score in drawn]
    unchanged = [rng.random() < 0.5 for _ in scores]
    scale = Scale(scores, TOLERANCE)
    kept = benchmark.pedantic(longest_valid, args=(scores, unchanged, scale), rounds=3)
    assert 0 < len(kept) < len(scores)


def test_bench_springxd_moves_table(benchmark):
    backlog = load_backlog()
    if not backlog.real:
        pytest.skip(f"the Spring XD dataset is absent: {backlog.name}")
    rows = benchmark.pedantic(ranking_table.table, args=(backlog,), rounds=1, iterations=1)
    print(f"\n{backlog.name}, {ranking_table.RUNS} seeded runs per row: median (range)")  # noqa: T201
    print(ranking_table.markdown(rows))  # noqa: T201
    assert all(row["moved"] == row["optimum"] for row in rows)
