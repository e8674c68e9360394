"""Where the register shows in the week's messages: the digest, its chart, the reminder, goals.

The sample backlog's payments team on its Monday (2026-11-02, Berlin); PAY-317 was done on
2026-10-04, so a benefit linked to it is realising and its 30-day review falls this week.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.chat.digest_blocks import digest_text, reminder_text
from bot.storage.benefits import ReviewAnswer
from bot.usecases import benefits as uc
from bot.usecases.digest import build_digest, digest_post
from bot.usecases.reminder import build_reminder
from bot.wiring import Services
from rules.benefits import Benefit, Measure
from rules.model import BenefitCategory, SprintState
from rules.trajectory import ReviewDue
from tests.bot.sample_services import sample_services

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    with sample_services(tmp_path, NOW) as services:
        yield services


def fees(**changes: object) -> Benefit:
    fields: dict[str, object] = {
        "id": "BEN-1",
        "title": "Card fee savings",
        "category": BenefitCategory.FINANCIAL,
        "owner": "U0AAA",
        "team": "payments",
        "links": ("PAY-317",),
        "measure": Measure(metric="fees saved", unit="EUR"),
        "baseline": 0,
        "baseline_date": date(2026, 9, 1),
        "target": 5000,
        "target_date": date(2027, 6, 30),
        "money_per_month": 5000,
        "cost": 20000,
    }
    return Benefit.model_validate(fields | changes)


def test_the_digest_lists_at_risk_money_reviews_due_and_lessons(svc):
    team = svc.config.team("payments")
    svc.store.upsert_benefits([fees()], at=NOW, source="test")
    uc.record_measurement(svc, "BEN-1", 200, on=date(2026, 10, 30), confidence="off-track")
    svc.store.schedule_reviews(
        [
            ReviewDue(
                benefit_id="BEN-1", kind="post-implementation", due=date(2026, 10, 1), offset_days=1
            )
        ]
    )
    [review] = svc.store.reviews("BEN-1")
    svc.store.answer_review(
        review.id,
        ReviewAnswer(answer="partly", lesson="Negotiate fees before the migration"),
        at=datetime(2026, 10, 20, tzinfo=UTC),
    )

    digest = build_digest(svc, team, NOW)
    text = digest_text(digest)

    week = digest.portfolio
    assert week is not None
    assert week.has_news
    assert [risk.benefit_id for risk in week.at_risk] == ["BEN-1"]
    assert [(r.benefit_id, r.due) for r in week.reviews_due] == [("BEN-1", date(2026, 11, 3))]
    assert "Benefit register" in text
    assert "At risk: BEN-1 Card fee savings: the owner said off track on 2026-10-30" in text
    assert "Reviews due this week: 1: BEN-1 post-implementation Tue 03 Nov" in text
    assert "Financial benefits: NPV realised " in text
    assert " planned by now (" in text
    assert "Lesson (BEN-1): Negotiate fees before the migration" in text
    assert "cost of delay points" in text


def test_the_posted_digest_uploads_the_portfolio_chart_only_when_the_register_has_news(svc):
    team = svc.config.team("payments")
    _, quiet = digest_post(svc, team, NOW)
    assert len(quiet.uploads) == 1  # the burn-up alone: no register yet

    svc.store.upsert_benefits([fees()], at=NOW, source="test")  # its review falls this week
    _, post = digest_post(svc, team, NOW)

    _burn_up, portfolio = post.uploads
    # named, like the burn-up, for the week the digest reports on (Mon 2 Nov reports W44)
    assert portfolio.filename == "benefits-payments-2026-W44.png"
    assert portfolio.content.startswith(b"\x89PNG")


def test_the_digest_shows_a_goals_measured_figure_and_trend(svc):
    team = svc.config.team("payments")
    for day, value in ((12, 410), (26, 396)):
        uc.record_measurement(svc, "Cut support cost", value, on=date(2026, 10, day))

    text = digest_text(build_digest(svc, team, NOW))

    assert "Cut support cost (tickets a week): 396 now against a target of 300" in text
    assert "(trend 410 -> 396)" in text


def test_the_reminder_names_the_benefits_its_sprint_serves(svc):
    team = svc.config.team("payments")
    sprint = next(
        s for s in svc.connector_for(team).list_sprints() if s.state is SprintState.ACTIVE
    )
    items = svc.connector_for(team).fetch_items().items
    [first, second] = [item for item in items if item.sprint and item.sprint.id == sprint.id][:2]
    svc.store.upsert_benefits(
        [fees(links=(first.key,)), fees(id="BEN-2", title="Quicker refunds", links=(second.key,))],
        at=NOW,
        source="test",
    )

    reminder = build_reminder(svc, team, sprint, NOW)

    assert [(b.benefit_id, b.keys) for b in reminder.benefits] == [
        ("BEN-1", first.key),
        ("BEN-2", second.key),
    ]
    text = reminder_text(reminder)
    assert "Benefits this sprint serves: 2" in text
    assert f"BEN-2 Quicker refunds (through {second.key})" in text
