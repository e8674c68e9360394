"""Moves on Spring XD: items moved vs re-scored vs optimum, and rank calls, per scenario.

From the stable order (Spring XD in key order, ranked once at the tolerance, its scores
written), each scenario changes scores and ranks again, 10 seeded runs each:

- *noise within t/3*: every score times ``1 + u``, ``u`` uniform in ``[-t/3, t/3]``;
- *k re-scored* (one item, 1%, 5%, 10%): ``k`` items drawn at random get the score of another
  random item (a re-estimate lands anywhere in the distribution).

Per run: ``moved`` (items that change place: n minus the longest common subsequence of the
two orders), ``re-scored`` (items whose score changed), ``optimum`` (the fewest moves a valid
order needs), and the planner's ``calls`` and ``touched`` (issues the calls carry). The table
shows the median and the range over the runs. Print it with
``python -m tests.benchmarks.ranking_table``.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from datetime import date

from rules.config import GuardrailConfig, ScoringConfig
from rules.model import ScoredItem
from rules.ranking import rank_items
from rules.reorder import plan_moves
from rules.ruleset import compile_rules
from rules.scoring import score_items
from tests.benchmarks.dataset import Backlog, load_backlog

RUNS = 10
TOLERANCES = (0.05, 0.10)
FIGURES = ("moved", "re-scored", "optimum", "calls", "touched")
GUARDRAILS = GuardrailConfig(manual_zone=0, max_move=0, lock_active_sprint=False)

Change = Callable[[list[ScoredItem], float, random.Random], list[ScoredItem]]


def rescored_as(entry: ScoredItem, value: float) -> ScoredItem:
    # ScoredItem is a plain pair (no model_copy): a new pair with the changed score
    return ScoredItem(item=entry.item, score=entry.score.model_copy(update={"value": value}))


def noise(entries: list[ScoredItem], tolerance: float, rng: random.Random) -> list[ScoredItem]:
    third = tolerance / 3
    return [rescored_as(e, e.score.value * (1 + rng.uniform(-third, third))) for e in entries]


def rescore(share: float | None) -> Change:
    """``share`` of the items (None: exactly one) take another random item's score."""

    def change(entries: list[ScoredItem], _: float, rng: random.Random) -> list[ScoredItem]:
        count = 1 if share is None else round(len(entries) * share)
        changed = list(entries)
        for index in rng.sample(range(len(entries)), count):
            changed[index] = rescored_as(changed[index], rng.choice(entries).score.value)
        return changed

    return change


SCENARIOS: tuple[tuple[str, Change], ...] = (
    ("noise within t/3", noise),
    ("one item re-scored", rescore(None)),
    ("1% re-scored", rescore(0.01)),
    ("5% re-scored", rescore(0.05)),
    ("10% re-scored", rescore(0.10)),
)


def stable_start(backlog: Backlog, tolerance: float) -> tuple[list[ScoredItem], list[str]]:
    """The backlog scored, ranked once from key order, with its scores written back."""
    scored = score_items(backlog.items, ScoringConfig(), compile_rules([]), date(2026, 5, 4))
    first = rank_items(scored, [e.key for e in scored], GUARDRAILS, tolerance)
    written = [
        ScoredItem(item=r.item.model_copy(update={"score": r.score.value}), score=r.score)
        for r in first.items
    ]
    return written, first.keys


def run(
    start: list[ScoredItem], order: list[str], tolerance: float, change: Change, seed: int
) -> dict[str, int]:
    changed = change(start, tolerance, random.Random(seed))
    ranking = rank_items(changed, order, GUARDRAILS, tolerance)
    plan = plan_moves(order, ranking.keys)
    rescored = sum(1 for a, b in zip(start, changed, strict=True) if a.score != b.score)
    return {
        "moved": plan.moved,
        "re-scored": rescored,
        "optimum": ranking.optimum,
        "calls": plan.calls,
        "touched": plan.touched,
    }


def spread(values: Sequence[int]) -> str:
    median = statistics.median(values)
    shown = f"{median:g}"
    return shown if min(values) == max(values) else f"{shown} ({min(values)}-{max(values)})"


def table(backlog: Backlog) -> list[dict[str, str]]:
    rows = []
    for tolerance in TOLERANCES:
        start, order = stable_start(backlog, tolerance)
        for label, change in SCENARIOS:
            runs = [run(start, order, tolerance, change, seed) for seed in range(RUNS)]
            row = {"tolerance": f"{tolerance:.2f}", "scenario": label}
            row.update({name: spread([r[name] for r in runs]) for name in FIGURES})
            rows.append(row)
    return rows


def markdown(rows: list[dict[str, str]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines.extend("| " + " | ".join(row[name] for name in columns) + " |" for row in rows)
    return "\n".join(lines)


if __name__ == "__main__":
    spring = load_backlog()
    print(f"{spring.name}, {RUNS} seeded runs per row: median (range)")  # noqa: T201
    print(markdown(table(spring)))  # noqa: T201
