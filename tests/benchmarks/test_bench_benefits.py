"""Benefit register throughput: importing a 1,000-entry register and evaluating a portfolio.

A large programme's register has hundreds of benefits; the CLI and the weekly digest must
handle it in well under a second. Two cases, each on 1,000 benefits with varied directions
and dates: parsing the CSV rows (``parse_register_rows``, with validation), and for every
benefit with two years of monthly actuals, its status, the risk rule and its NPV/ROI. Run on
demand: ``pytest tests/benchmarks/test_bench_benefits.py --benchmark-only -p no:randomly``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from rules.benefits import Benefit, Measurement
from rules.money import money_case
from rules.register import parse_register_rows, register_rows
from rules.trajectory import add_months, risk_reason, track_status

BENEFITS = 1_000
MONTHS = 24
START = date(2026, 1, 1)
TODAY = date(2028, 1, 15)


def register_csv_rows() -> list[dict[str, str]]:
    pick = random.Random(11)
    rows = []
    for n in range(1, BENEFITS + 1):
        decreasing = pick.random() < 0.5
        baseline = pick.uniform(1_000, 10_000)
        change = pick.uniform(100, 900)
        rows.append(
            {
                "id": f"BEN-{n}",
                "title": f"Benefit {n}",
                "description": "measured monthly",
                "category": pick.choice(["financial", "operational", "customer", "strategic"]),
                "owner": f"U{n:06d}",
                "team": pick.choice(["payments", "platform", "growth"]),
                "links": f"PAY-{n}, PAY-{n + 5000}",
                "metric": "cost",
                "direction": "decrease" if decreasing else "increase",
                "baseline": f"{baseline:.2f}",
                "baseline_date": START.isoformat(),
                "target": f"{baseline - change if decreasing else baseline + change:.2f}",
                "target_date": (START + timedelta(days=pick.randint(180, 720))).isoformat(),
                "milestones": f"{(START + timedelta(days=90)).isoformat()}={baseline:.2f}",
                "realisation_start": START.isoformat(),
                "money_per_month": f"{change:.0f}",
                "cost": "25000",
                "risks": "vendor late | low | high | U000001 | weekly call | open",
            }
        )
    return rows


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return register_csv_rows()


@pytest.fixture(scope="module")
def portfolio(rows) -> list[tuple[Benefit, list[Measurement]]]:
    pick = random.Random(12)
    benefits = parse_register_rows(rows, source="bench.csv")
    measured = []
    for benefit in benefits:
        assert benefit.baseline is not None
        assert benefit.target is not None
        actuals = [
            Measurement(
                benefit_id=benefit.id,
                value=benefit.baseline
                + (benefit.target - benefit.baseline) * month / MONTHS * pick.uniform(0.6, 1.2),
                on=add_months(START, month),
            )
            for month in range(1, MONTHS + 1)
        ]
        measured.append((benefit, actuals))
    return measured


def test_bench_import_1000_register_rows(benchmark, rows):
    benefits = benchmark(parse_register_rows, rows, source="bench.csv")

    assert len(benefits) == BENEFITS
    assert parse_register_rows(register_rows(benefits), source="again.csv") == benefits


def test_bench_status_risk_and_money_of_1000_benefits(benchmark, portfolio):
    def evaluate() -> int:
        at_risk = 0
        for benefit, actuals in portfolio:
            track_status(benefit, actuals, TODAY, START)
            if risk_reason(benefit, actuals, TODAY, START) is not None:
                at_risk += 1
            money_case(benefit, start=START, today=TODAY, measurements=actuals, annual_rate=0.1)
        return at_risk

    at_risk = benchmark(evaluate)

    assert 0 <= at_risk <= BENEFITS
