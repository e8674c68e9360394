"""The benefit register in the store, on SQLite and PostgreSQL: entries round-trip whole, an
import is all or nothing and reports its diff, measurements, risks raised once, reviews
scheduled and asked exactly once, lessons, calibration inputs."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.storage import ReviewAnswer
from rules.benefits import (
    Benefit,
    BenefitStatus,
    Confidence,
    Direction,
    Measure,
    Measurement,
    Milestone,
    Risk,
    UnknownBenefitError,
)
from rules.model import BenefitCategory
from rules.trajectory import review_schedule

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
JAN = date(2027, 1, 1)


def entry(benefit_id: str = "BEN-1", **fields) -> Benefit:
    values = {
        "id": benefit_id,
        "title": f"Benefit {benefit_id}",
        "description": "why it matters",
        "category": BenefitCategory.FINANCIAL,
        "owner": "U123ABC",
        "team": "payments",
        "links": ("PAY-1", "PAY-2"),
        "goals": ("Cut support cost",),
        "measure": Measure(metric="support cost", unit="EUR a month", direction=Direction.DECREASE),
        "baseline": 5000.0,
        "baseline_date": JAN,
        "target": 3000.0,
        "target_date": date(2027, 6, 30),
        "milestones": (Milestone(on=date(2027, 3, 1), value=4500),),
        "money_per_month": 2000.0,
        "cost": 10000.0,
        "review_offsets": (30, 90),
        "risks": (Risk(text="agents keep the old habit", likelihood="high", owner="U777"),),
        "status": BenefitStatus.REALISING,
        **fields,
    }
    return Benefit(**values)


def test_an_entry_reads_back_whole(store):
    uptime = entry(
        "BEN-2",
        category=BenefitCategory.OPERATIONAL,
        measure=Measure(metric="uptime", unit="%", direction=Direction.RANGE, low=95, high=99.5),
        baseline=97.0,
        target=None,
        milestones=(),
        risks=(),
        team="platform",
        cadence="weekly",
        realisation_start=JAN,
        lag_days=14,
    )

    diff = store.upsert_benefits([entry(), uptime], at=NOW, source="benefits.csv")

    assert diff.added == ("BEN-1", "BEN-2")
    assert store.benefit("BEN-1") == entry()
    assert store.benefit("BEN-2") == uptime
    assert store.benefit("BEN-3") is None
    assert [b.id for b in store.benefits(team="platform")] == ["BEN-2"]


def test_listings_sort_ids_as_people_count(store):
    store.upsert_benefits([entry("BEN-10"), entry("BEN-2"), entry("BEN-1")], at=NOW, source="x")

    assert store.benefit_ids() == ["BEN-1", "BEN-2", "BEN-10"]
    assert [b.id for b in store.benefits()] == ["BEN-1", "BEN-2", "BEN-10"]


def test_a_reimport_updates_by_id_and_reports_what_changed(store):
    store.upsert_benefits([entry("BEN-1"), entry("BEN-2"), entry("BEN-3")], at=NOW, source="a.csv")
    changed = entry("BEN-1", target=2500.0, links=("PAY-9",), risks=())

    diff = store.upsert_benefits([changed, entry("BEN-2"), entry("BEN-4")], at=NOW, source="b.csv")

    assert (diff.added, diff.unchanged, diff.untouched) == (("BEN-4",), ("BEN-2",), ("BEN-3",))
    assert [f.field for f in diff.changed[0].fields] == ["links", "target", "risks"]
    assert store.benefit("BEN-1") == changed
    assert store.benefit("BEN-3") == entry("BEN-3")  # an import never deletes
    store.upsert_benefits([entry("BEN-10")], at=NOW, source="c.csv")
    assert store.benefits_linked_to(["PAY-1", "PAY-9", "NOPE-1"]) == {
        "PAY-1": ["BEN-2", "BEN-3", "BEN-4", "BEN-10"],
        "PAY-9": ["BEN-1"],
    }


def test_an_import_that_fails_part_way_leaves_the_register_as_it_was(store):
    store.upsert_benefits([entry("BEN-1")], at=NOW, source="a.csv")
    # model_copy skips validation, so only the database's own CHECK stands in the way
    broken = entry("BEN-3").model_copy(update={"target_date": date(2026, 1, 1)})

    with pytest.raises(IntegrityError):
        store.upsert_benefits(
            [entry("BEN-1", title="renamed"), entry("BEN-2"), broken], at=NOW, source="b.csv"
        )

    assert store.benefit_ids() == ["BEN-1"]
    assert store.benefit("BEN-1") == entry("BEN-1")


def test_a_measurement_for_an_unknown_benefit_is_refused_and_nothing_is_stored(store):
    with pytest.raises(UnknownBenefitError, match="no benefit BEN-9 in the register"):
        store.record_measurement(Measurement(benefit_id="BEN-9", value=1, on=JAN), at=NOW)

    assert store.benefit_measurements() == []


def test_measurements_of_benefits_come_back_oldest_first(store):
    store.upsert_benefits([entry("BEN-1"), entry("BEN-2")], at=NOW, source="x")
    later = Measurement(
        benefit_id="BEN-1",
        value=4200,
        on=date(2027, 2, 1),
        confidence=Confidence.AT_RISK,
        note="slow uptake",
        who="U123ABC",
        source="slack",
    )
    earlier = Measurement(benefit_id="BEN-1", value=4800, on=JAN)
    other = Measurement(benefit_id="BEN-2", value=1, on=JAN)
    for measurement in (later, earlier, other):
        store.record_measurement(measurement, at=NOW)

    assert store.benefit_measurements(["BEN-1"]) == [earlier, later]
    assert len(store.benefit_measurements()) == 3


def test_a_goals_current_figure_is_its_latest_measurement(store):
    def goal(name: str, value: float, on: date, team: str = "payments") -> Measurement:
        return Measurement(goal=name, team=team, value=value, on=on)

    for measurement in (
        goal("Cut support cost", 40, date(2027, 1, 20)),
        goal("Cut support cost", 35, date(2027, 2, 20)),
        goal("Cut support cost", 38, date(2027, 2, 1)),  # recorded later, measured earlier
        goal("Happier customers", 4.1, JAN),
        goal("Cut support cost", 99, JAN, team="platform"),
    ):
        store.record_measurement(measurement, at=NOW)

    latest = store.latest_goal_measurements("payments")

    assert {name: m.value for name, m in latest.items()} == {
        "Cut support cost": 35,
        "Happier customers": 4.1,
    }
    trend = store.goal_measurements("payments", "Cut support cost")
    assert [m.value for m in trend] == [40, 38, 35]


def test_an_automatic_risk_is_raised_once_and_survives_a_reimport(store):
    store.upsert_benefits([entry()], at=NOW, source="x")
    risk = Risk(text="behind plan twice in a row", raised_on=JAN)

    assert store.raise_risk("BEN-1", risk) is True
    assert store.raise_risk("BEN-1", risk) is False
    store.upsert_benefits([entry(title="renamed")], at=NOW, source="x")

    risks = store.benefit("BEN-1").risks
    assert [(r.text, r.automatic, r.open) for r in risks] == [
        ("agents keep the old habit", False, True),
        ("behind plan twice in a row", True, True),
    ]
    assert store.close_automatic_risks("BEN-1") == 1
    assert store.raise_risk("BEN-1", risk) is True  # a new episode after recovery
    with pytest.raises(UnknownBenefitError):
        store.raise_risk("BEN-9", risk)


def test_reviews_are_scheduled_once_and_follow_a_moved_delivery_until_asked(store):
    store.upsert_benefits([entry()], at=NOW, source="x")
    benefit = store.benefit("BEN-1")

    assert store.schedule_reviews(review_schedule(benefit, date(2027, 2, 1))) == 3
    assert store.schedule_reviews(review_schedule(benefit, date(2027, 2, 1))) == 0
    first = store.reviews("BEN-1")[0]
    assert store.claim_review(first.id, at=NOW)
    store.schedule_reviews(review_schedule(benefit, date(2027, 2, 11)))

    dues = [(r.kind, r.offset_days, r.due) for r in store.reviews("BEN-1")]
    assert dues == [
        ("post-implementation", 30, date(2027, 3, 3)),  # asked: keeps its date
        ("post-implementation", 90, date(2027, 5, 12)),
        ("sustainment", 90, date(2027, 9, 28)),
    ]
    assert [r.offset_days for r in store.reviews(due_before=date(2027, 5, 12), unasked=True)] == []
    assert [r.kind for r in store.reviews(due_before=date(2027, 5, 13), unasked=True)] == [
        "post-implementation"
    ]


def test_a_review_is_asked_exactly_once_across_processes(store, second_store):
    store.upsert_benefits([entry()], at=NOW, source="x")
    store.schedule_reviews(review_schedule(store.benefit("BEN-1"), date(2027, 2, 1)))
    review_id = store.reviews("BEN-1")[0].id
    barrier = threading.Barrier(2)
    claims: list[bool] = []

    def claim(which) -> None:
        barrier.wait()
        claims.append(which.claim_review(review_id, at=NOW))

    threads = [threading.Thread(target=claim, args=(s,)) for s in (store, second_store)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(claims) == [False, True]
    assert store.reviews("BEN-1")[0].asked_at == NOW


def test_an_answered_review_keeps_its_answer_records_the_actual_and_lists_its_lesson(store):
    store.upsert_benefits([entry("BEN-1"), entry("BEN-2", team="platform")], at=NOW, source="x")
    for benefit_id in ("BEN-1", "BEN-2"):
        store.schedule_reviews(review_schedule(store.benefit(benefit_id), date(2027, 2, 1)))
    first, second = store.reviews("BEN-1")[0], store.reviews("BEN-2")[0]
    answer = ReviewAnswer(
        answer="partly",
        who="U123ABC",
        actual=4100,
        confidence=Confidence.AT_RISK,
        lesson="train agents before launch",
    )

    stored = store.answer_review(first.id, answer, at=NOW)
    later = NOW + timedelta(days=1)
    store.answer_review(second.id, ReviewAnswer(answer="yes", lesson="ship smaller"), at=later)

    assert stored.answer == answer
    assert stored.answered_at == stored.asked_at == NOW
    (actual,) = store.benefit_measurements(["BEN-1"])
    assert (actual.value, actual.source, actual.confidence) == (4100, "review", Confidence.AT_RISK)
    assert [lesson.text for lesson in store.lessons()] == [
        "ship smaller",
        "train agents before launch",
    ]
    assert [lesson.benefit_id for lesson in store.lessons(team="payments")] == ["BEN-1"]
    with pytest.raises(KeyError):
        store.answer_review(999_999, answer, at=NOW)


def test_calibration_inputs_are_the_closed_benefits_outcomes(store):
    store.upsert_benefits(
        [
            entry("BEN-1", status=BenefitStatus.PARTLY_REALISED),
            entry("BEN-2", status=BenefitStatus.REALISING),
            entry("BEN-3", status=BenefitStatus.NOT_REALISED),
        ],
        at=NOW,
        source="x",
    )
    store.record_measurement(Measurement(benefit_id="BEN-1", value=4000, on=JAN), at=NOW)
    store.record_measurement(Measurement(benefit_id="BEN-2", value=3000, on=JAN), at=NOW)

    inputs = store.calibration_inputs()

    # BEN-1 went from 5000 to 4000 of a planned 3000: half the change
    assert [(i.benefit_id, i.realised) for i in inputs] == [("BEN-1", 0.5), ("BEN-3", 0.0)]


def test_a_status_change_of_an_unknown_benefit_is_refused(store):
    store.upsert_benefits([entry()], at=NOW, source="x")

    store.set_benefit_status("BEN-1", BenefitStatus.REALISED, at=NOW)

    assert store.benefit("BEN-1").status is BenefitStatus.REALISED
    with pytest.raises(UnknownBenefitError):
        store.set_benefit_status("BEN-9", BenefitStatus.CLOSED, at=NOW)
