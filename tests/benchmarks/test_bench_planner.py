"""Reorder planning and ranking of a 5,000-item backlog (the issue's target: under 1 s each).

Planner cases: a random permutation (nearly everything moves; the worst case for the number
of candidates), and 1% / 10% perturbations (a few items moved far, the everyday case after a
re-score). Ranking runs the full pipeline (stability, dependencies, max_move) on the same
size. Run on demand: ``pytest tests/benchmarks/test_bench_planner.py --benchmark-only``.
"""

from __future__ import annotations

import random

import pytest

from rules.config import GuardrailConfig
from rules.model import Item, Score, ScoredItem
from rules.ranking import rank_items
from rules.reorder import apply_moves, plan_moves

SIZE = 5_000


def backlog(size: int = SIZE) -> list[str]:
    return [f"PAY-{number}" for number in range(1, size + 1)]


def perturbed(order: list[str], share: float, seed: int) -> list[str]:
    """``share`` of the items taken out and put back at random places."""
    rng = random.Random(seed)
    result = list(order)
    for _ in range(int(len(order) * share)):
        key = result.pop(rng.randrange(len(result)))
        result.insert(rng.randrange(len(result) + 1), key)
    return result


def shuffled(order: list[str], seed: int) -> list[str]:
    result = list(order)
    random.Random(seed).shuffle(result)
    return result


@pytest.mark.parametrize(
    "make_target",
    [
        lambda order: shuffled(order, 7),
        lambda order: perturbed(order, 0.01, 7),
        lambda order: perturbed(order, 0.10, 7),
        lambda order: list(reversed(order)),
    ],
    ids=["random_permutation", "perturbed_1pct", "perturbed_10pct", "reversed"],
)
def test_bench_plan_5000_items(benchmark, make_target):
    current = backlog()
    target = make_target(current)
    plan = benchmark.pedantic(plan_moves, args=(current, target), rounds=5, iterations=1)
    assert apply_moves(current, plan.moves) == target
    benchmark.extra_info["calls"] = plan.calls
    benchmark.extra_info["moved"] = plan.naive_calls


def scored_backlog(size: int = SIZE, seed: int = 3) -> list[ScoredItem]:
    rng = random.Random(seed)
    keys = backlog(size)
    entries = []
    for key in keys:
        blocks = (rng.choice(keys),) if rng.random() < 0.03 else ()
        pin = rng.choice(["top", "bottom"]) if rng.random() < 0.01 else None
        item = Item(key=key, blocks=tuple(b for b in blocks if b != key))
        value = round(rng.uniform(0.5, 20), 2)
        entries.append(
            ScoredItem(
                item=item,
                score=Score(key=key, model="wsjf", value=value, formula="", pin=pin),
            )
        )
    return entries


@pytest.mark.parametrize(
    "guardrails",
    [GuardrailConfig(), GuardrailConfig(manual_zone=10, max_move=50)],
    ids=["no_cap", "manual_zone_and_max_move_50"],
)
def test_bench_rank_5000_items(benchmark, guardrails):
    scored = scored_backlog()
    current = [entry.key for entry in scored]
    ranking = benchmark.pedantic(
        rank_items, args=(scored, current, guardrails, 0.05), rounds=5, iterations=1
    )
    assert len(ranking.items) == SIZE
