"""Scoring throughput: 100,000 items through 20 rules (issue 13's goal: under 0.4 s).

The backlog is deliberately varied (each value input drawn independently, most items hit by
some rule): the slow case, not a flattering one. Scores are numbers first and write their
explanation when read, so explaining is measured on its own, for the thousand items a person
might page through. Run on demand:
``pytest tests/benchmarks/test_bench_scoring.py --benchmark-only``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from rules.config import RuleSpec, ScoringConfig
from rules.expressions import compile_expression
from rules.model import Item
from rules.ruleset import compile_rules
from rules.scoring import score_items

TODAY = date(2026, 5, 4)
CREATED = datetime(2024, 6, 1, 9, 30, tzinfo=UTC)
FIBONACCI = (1, 2, 3, 5, 8, 13, 20)

RULES = [
    RuleSpec(
        name="Security is time-critical",
        when="'security' in labels",
        set={"time_criticality": "max(time_criticality, 13)"},
    ),
    RuleSpec(name="Incidents first", when="type == 'Incident'", pin="top"),
    RuleSpec(
        name="Deadline within 30 days",
        when="due is not None and days_until(due) <= 30",
        multiply="1.5",
    ),
    RuleSpec(name="Spikes are not reordered", when="type == 'Spike'", exclude=True),
    RuleSpec(
        name="Compliance adds value", when="'compliance' in labels", adjust={"business_value": "3"}
    ),
    RuleSpec(name="Highest priority", when="priority == 'Highest'", multiply="1.2"),
    RuleSpec(name="Low priority", when="priority in ('Low', 'Lowest')", multiply="0.8"),
    RuleSpec(
        name="Tech debt last",
        when="'tech-debt' in labels and cost is not None and cost > 8",
        pin="bottom",
    ),
    RuleSpec(
        name="Checkout matters", when="'checkout' in components", adjust={"risk_reduction": "2"}
    ),
    RuleSpec(
        name="Overdue", when="due is not None and due < today", set={"time_criticality": "20"}
    ),
    RuleSpec(name="Old items fade", when="days_since(created) > 365", multiply="0.9"),
    RuleSpec(
        name="Stakeholders love it", when="coalesce(stakeholder_value, 0) >= 4", multiply="1.1"
    ),
    RuleSpec(
        name="Bugs carry risk",
        when="type == 'Bug'",
        set={"risk_reduction": "max(risk_reduction, 5)"},
    ),
    RuleSpec(
        name="Big items are risky",
        when="cost is not None and cost >= 13",
        adjust={"risk_reduction": "1"},
    ),
    RuleSpec(name="Blocked work waits", when="len(blocked_by) > 0", multiply="0.5"),
    RuleSpec(name="Unblocking helps", when="len(blocks) >= 2", adjust={"time_criticality": "2"}),
    RuleSpec(name="Active sprint", when="sprint_state == 'active'", pin="top"),
    RuleSpec(name="Platform epic", when="parent == 'PAY-1'", multiply="1.05"),
    RuleSpec(
        name="Financial benefit",
        when="benefit_category == 'financial'",
        adjust={"business_value": "1"},
    ),
    RuleSpec(name="Review soon", when="status == 'In Review' and not labels", multiply="1.01"),
]


def make_items(count: int, seed: int = 42) -> list[Item]:
    """A deterministic backlog with Jira-like values: Fibonacci fields, some blanks."""
    rng = random.Random(seed)
    labels = ("security", "compliance", "tech-debt", "ux", "growth", "mobile")
    components = ("checkout", "api", "web", "billing")
    types = ("Story", "Story", "Story", "Bug", "Task", "Spike", "Incident")
    priorities = ("Highest", "High", "Medium", "Medium", "Low", "Lowest", None)

    def maybe(values: tuple[int, ...], blank: float = 0.15) -> float | None:
        return None if rng.random() < blank else float(rng.choice(values))

    items = []
    for number in range(count):
        items.append(
            Item(
                key=f"PAY-{number + 2}",
                summary=f"Item {number}",
                type=rng.choice(types),
                status=rng.choice(("To Do", "In Review", "In Progress")),
                labels=tuple(rng.sample(labels, rng.randint(0, 2))),
                components=tuple(rng.sample(components, rng.randint(0, 1))),
                priority=rng.choice(priorities),
                due=TODAY + timedelta(days=rng.randint(-20, 120)) if rng.random() < 0.3 else None,
                parent=rng.choice(("PAY-1", "PAY-7", None)),
                created=CREATED + timedelta(days=rng.randint(0, 700)),
                blocks=("PAY-3", "PAY-4")[: rng.randint(0, 2)],
                blocked_by=("PAY-5",) if rng.random() < 0.1 else (),
                cost=maybe(FIBONACCI, 0.2),
                business_value=maybe(FIBONACCI),
                time_criticality=maybe(FIBONACCI),
                risk_reduction=maybe(FIBONACCI),
                stakeholder_value=maybe((1, 2, 3, 4, 5), 0.7),
            )
        )
    return items


@pytest.fixture(scope="module")
def backlog() -> list[Item]:
    return make_items(100_000)


def test_bench_score_100k_items_with_20_rules(benchmark, backlog):
    """Each round compiles the rules afresh, so no round profits from an earlier one's caches."""
    config = ScoringConfig()

    def fresh_rules():
        return (backlog, config, compile_rules(RULES), TODAY), {}

    scored = benchmark.pedantic(score_items, setup=fresh_rules, rounds=5, iterations=1)
    assert len(scored) == 100_000
    assert sum(1 for entry in scored[:1000] if entry.score.rules_fired) > 900


def test_bench_score_100k_items_with_20_rules_compiled_once(benchmark, backlog):
    """The bot compiles its rules once (a cached property), so later runs reuse the function."""
    ruleset = compile_rules(RULES)
    scored = benchmark.pedantic(
        score_items, args=(backlog, ScoringConfig(), ruleset, TODAY), rounds=5, iterations=1
    )
    assert len(scored) == 100_000


def test_bench_score_100k_items_without_rules(benchmark, backlog):
    scored = benchmark.pedantic(
        score_items, args=(backlog, ScoringConfig(), compile_rules([]), TODAY), rounds=5
    )
    assert len(scored) == 100_000


def test_bench_explain_1000_scores(benchmark, backlog):
    """What ``why``, the reorder diff and JSON output pay: the first reading of explanations."""
    ruleset = compile_rules(RULES)

    def fresh_scores():
        return (score_items(backlog[:1000], ScoringConfig(), ruleset, TODAY),), {}

    def explain_all(scored):
        return [entry.score.explain() for entry in scored]

    lines = benchmark.pedantic(explain_all, setup=fresh_scores, rounds=5, iterations=1)
    assert len(lines) == 1000
    assert all(explanation[0].startswith("WSJF = ") for explanation in lines)


def test_bench_one_expression_evaluation(benchmark):
    expr = compile_expression("max(time_criticality, 13) + 1", rule="bench")
    env = {"time_criticality": 5.0}
    assert benchmark(expr.evaluate, env) == 14
