"""What the views add on top of ranking, on 5,000 items ranked from key order (most move).

``/value top`` (the by-value top 10), the reorder preview's summary (the items that change
place, re-scored, optimum, calls, touched) and ``why`` of the last item (it compares the item
with every item above it). Run on demand: ``make bench`` or
``pytest tests/benchmarks/test_bench_views.py --benchmark-only``.
"""

from __future__ import annotations

import pytest

from rules.config import GuardrailConfig
from rules.explain import summarize, top_by_value, why
from rules.model import Ranking, RankPlan
from rules.ranking import rank_items
from rules.reorder import plan_moves
from tests.benchmarks.test_bench_planner import scored_backlog
from tests.benchmarks.test_bench_ranking import TOLERANCE


@pytest.fixture(scope="module")
def ranked() -> tuple[Ranking, RankPlan]:
    scored = scored_backlog(5_000)
    current = [entry.key for entry in scored]
    ranking = rank_items(scored, current, GuardrailConfig(manual_zone=10), TOLERANCE)
    return ranking, plan_moves(current, ranking.keys)


def test_bench_top_ten_by_value(benchmark, ranked):
    ranking, _ = ranked
    top = benchmark(top_by_value, ranking, 10)
    assert [row.value_rank for row, _ in top] == list(range(1, 11))


def test_bench_reorder_summary(benchmark, ranked):
    ranking, plan = ranked
    summary = benchmark(summarize, ranking, plan)
    assert summary.moved == plan.moved


def test_bench_why_of_the_last_item(benchmark, ranked):
    ranking, _ = ranked
    answer = benchmark(why, ranking, ranking.items[-1].key, TOLERANCE)
    assert answer.below is not None
