"""Benefits the rules tests share: one of each direction, with dates easy to count by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.benefits import Benefit, Direction, Measure, Measurement
from rules.model import BenefitCategory

START = date(2027, 1, 1)
#: ten days after START, so the linear plan moves a tenth of the change a day
TARGET_DATE = date(2027, 1, 11)


def benefit(**fields: Any) -> Benefit:
    """An increase benefit, 100 -> 200 from START to TARGET_DATE, unless ``fields`` say else."""
    values: dict[str, Any] = {
        "id": "BEN-1",
        "title": "Faster refunds",
        "description": "Self-service refunds cut waiting",
        "category": BenefitCategory.OPERATIONAL,
        "owner": "U123ABC",
        "team": "payments",
        "links": ("PAY-1",),
        "measure": Measure(metric="refunds a day", unit="refunds"),
        "baseline": 100.0,
        "baseline_date": START,
        "target": 200.0,
        "target_date": TARGET_DATE,
        **fields,
    }
    return Benefit(**values)


def decrease(**fields: Any) -> Benefit:
    """Support tickets a day, 200 -> 100 from START to TARGET_DATE."""
    values: dict[str, Any] = {
        "measure": Measure(metric="tickets a day", direction=Direction.DECREASE),
        "baseline": 200.0,
        "target": 100.0,
        **fields,
    }
    return benefit(**values)


def in_range(**fields: Any) -> Benefit:
    """Uptime kept between 95 and 99 (percent)."""
    values: dict[str, Any] = {
        "measure": Measure(metric="uptime", unit="%", direction=Direction.RANGE, low=95, high=99),
        "baseline": 97.0,
        "target": None,
        **fields,
    }
    return benefit(**values)


def actual(value: float, on: date, benefit_id: str = "BEN-1", **fields: Any) -> Measurement:
    return Measurement(benefit_id=benefit_id, value=value, on=on, **fields)
