"""A benefit of the Slack test world: BEN-1, delivered by PAY-900 eight weeks before NOW."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.benefits import Benefit, Direction, Measure
from rules.model import BenefitCategory
from tests.bot.slack.support import NOW, SlackWorld

OWNER = "U0111"
#: PAY-900 was resolved eight weeks before NOW (2026-11-19): on 2026-09-24, Berlin time
DELIVERED = date(2026, 9, 24)


def refunds_benefit(**changes: Any) -> Benefit:
    fields: dict[str, Any] = {
        "id": "BEN-1",
        "title": "Fewer refund tickets",
        "description": "Self-service refunds take tickets off the support desk",
        "category": BenefitCategory.OPERATIONAL,
        "owner": OWNER,
        "team": "payments",
        "links": ("PAY-900",),
        "measure": Measure(metric="refund tickets", unit="a week", direction=Direction.DECREASE),
        "baseline": 120.0,
        "baseline_date": date(2026, 9, 1),
        "target": 40.0,
        "target_date": date(2027, 6, 30),
        "status": "active",
    }
    fields.update(changes)
    return Benefit.model_validate(fields)


def register(world: SlackWorld, *benefits: Benefit) -> None:
    world.store.upsert_benefits(list(benefits) or [refunds_benefit()], at=NOW, source="test")


def dms_to(world: SlackWorld, user: str) -> list[Any]:
    channel = "D" + user.lstrip("U")
    return [
        call
        for call in world.slack.state.calls_to("chat.postMessage")
        if call.body["channel"] == channel
    ]
