"""The benefit register in the store: entries, measurements, risks, reviews and lessons.

An import is one transaction: every entry of the file is written, with the diff against what
was stored, or nothing is. Reviews are scheduled under a unique key and asked through a
compare-and-set, so a review is asked exactly once however many processes run the scheduler.

Longer than 400 lines because the register's five tables (entries, links, measurements, risks,
reviews) change together in one transaction; split apart, an import would span modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from bot.storage.base import StoreBase, chunked
from bot.storage.tables import (
    BenefitEntry,
    BenefitLink,
    BenefitReviewEntry,
    BenefitRiskEntry,
    MeasurementEntry,
)
from rules.benefits import (
    Benefit,
    BenefitStatus,
    Confidence,
    Measure,
    Measurement,
    Milestone,
    Risk,
    UnknownBenefitError,
    benefit_number,
)
from rules.digest import RealisationAnswerValue
from rules.money import CalibrationInput, calibration_input
from rules.register import RegisterDiff, diff_register
from rules.trajectory import ReviewDue, ReviewKind


@dataclass(frozen=True)
class ReviewAnswer:
    """What the owner said in a review: did the benefit come, the actual, a lesson."""

    answer: RealisationAnswerValue
    who: str | None = None
    actual: float | None = None
    confidence: Confidence | None = None
    lesson: str | None = None


@dataclass(frozen=True)
class StoredReview:
    id: int
    benefit_id: str
    kind: ReviewKind
    offset_days: int
    due: date
    asked_at: datetime | None
    answered_at: datetime | None
    answer: ReviewAnswer | None


@dataclass(frozen=True)
class Lesson:
    """A lesson learned in a review, with where it came from."""

    benefit_id: str
    title: str
    team: str | None
    kind: ReviewKind
    answered_at: datetime | None
    who: str | None
    text: str


def _row(benefit: Benefit, at: datetime, source: str) -> dict[str, Any]:
    measure = benefit.measure
    return {
        "id": benefit.id,
        "number": benefit_number(benefit.id),
        "title": benefit.title,
        "description": benefit.description,
        "category": benefit.category.value,
        "owner": benefit.owner,
        "team": benefit.team,
        "goals": list(benefit.goals),
        "metric": measure.metric,
        "unit": measure.unit,
        "direction": measure.direction.value,
        "low": measure.low,
        "high": measure.high,
        "baseline": benefit.baseline,
        "baseline_date": benefit.baseline_date,
        "target": benefit.target,
        "target_date": benefit.target_date,
        "milestones": [{"on": m.on.isoformat(), "value": m.value} for m in benefit.milestones],
        "realisation_start": benefit.realisation_start,
        "lag_days": benefit.lag_days,
        "money_per_month": benefit.money_per_month,
        "cost": benefit.cost,
        "horizon_months": benefit.horizon_months,
        "review_offsets": list(benefit.review_offsets),
        "cadence": benefit.cadence,
        "status": benefit.status.value,
        "source": source,
        "updated_at": at,
    }


def _risk(row: BenefitRiskEntry) -> Risk:
    return Risk.model_validate(
        {
            "text": row.text,
            "likelihood": row.likelihood,
            "impact": row.impact,
            "owner": row.owner,
            "mitigation": row.mitigation,
            "open": row.open,
            "automatic": row.automatic,
            "raised_on": row.raised_on,
        }
    )


def _benefit(row: BenefitEntry, links: Sequence[str], risks: Sequence[BenefitRiskEntry]) -> Benefit:
    return Benefit.model_validate(
        {
            "id": row.id,
            "title": row.title,
            "description": row.description,
            "category": row.category,
            "owner": row.owner,
            "team": row.team,
            "links": tuple(links),
            "goals": tuple(row.goals),
            "measure": Measure.model_validate(
                {"metric": row.metric, "unit": row.unit, "direction": row.direction}
                | {"low": row.low, "high": row.high}
            ),
            "baseline": row.baseline,
            "baseline_date": row.baseline_date,
            "target": row.target,
            "target_date": row.target_date,
            "milestones": tuple(
                Milestone(on=date.fromisoformat(point["on"]), value=point["value"])
                for point in row.milestones
            ),
            "realisation_start": row.realisation_start,
            "lag_days": row.lag_days,
            "money_per_month": row.money_per_month,
            "cost": row.cost,
            "horizon_months": row.horizon_months,
            "review_offsets": tuple(row.review_offsets),
            "cadence": row.cadence,
            "status": row.status,
            "risks": tuple(_risk(risk) for risk in risks),
        }
    )


def _measurement(row: MeasurementEntry) -> Measurement:
    return Measurement.model_validate(
        {
            "benefit_id": row.benefit_id,
            "goal": row.goal,
            "team": row.goal_team,
            "value": row.value,
            "on": row.measured_on,
            "confidence": row.confidence,
            "note": row.note,
            "who": row.who,
            "source": row.source,
        }
    )


def _review(row: BenefitReviewEntry) -> StoredReview:
    answer = None
    if row.answer is not None:
        answer = ReviewAnswer(
            answer=cast(RealisationAnswerValue, row.answer),
            who=row.who,
            actual=row.actual,
            confidence=Confidence(row.confidence) if row.confidence else None,
            lesson=row.lesson,
        )
    return StoredReview(
        id=row.id,
        benefit_id=row.benefit_id,
        kind=cast(ReviewKind, row.kind),  # CHECK constraints keep these in their Literals
        offset_days=row.offset_days,
        due=row.due,
        asked_at=row.asked_at,
        answered_at=row.answered_at,
        answer=answer,
    )


class BenefitStore(StoreBase):
    """The benefit register: the part of :class:`bot.storage.Store` that benefits use."""

    # ------------------------------------------------------------ entries

    def _load(self, session: Session, *conditions: ColumnElement[bool]) -> list[Benefit]:
        rows = session.scalars(
            select(BenefitEntry).where(*conditions).order_by(BenefitEntry.number)
        )
        entries = list(rows)
        ids = [row.id for row in entries]
        links: dict[str, list[str]] = {}
        risks: dict[str, list[BenefitRiskEntry]] = {}
        for chunk in chunked(ids):
            for link in session.scalars(
                select(BenefitLink)
                .where(BenefitLink.benefit_id.in_(chunk))
                .order_by(BenefitLink.position)
            ):
                links.setdefault(link.benefit_id, []).append(link.key)
            for risk in session.scalars(
                select(BenefitRiskEntry)
                .where(BenefitRiskEntry.benefit_id.in_(chunk))
                .order_by(BenefitRiskEntry.position, BenefitRiskEntry.id)
            ):
                risks.setdefault(risk.benefit_id, []).append(risk)
        return [_benefit(row, links.get(row.id, ()), risks.get(row.id, ())) for row in entries]

    def upsert_benefits(
        self, entries: Sequence[Benefit], *, at: datetime, source: str
    ) -> RegisterDiff:
        """Write ``entries`` (new ids added, known ids replaced) and say what changed.

        One transaction: a failure part-way leaves the register as it was. The risks the risk
        rule raised are kept; the register's own risks are replaced by the entry's.
        """
        with self._transaction() as session:
            diff = diff_register(self._load(session), entries)
            touched = set(diff.added) | {change.benefit_id for change in diff.changed}
            for benefit in entries:
                if benefit.id not in touched:
                    continue
                session.merge(BenefitEntry(**_row(benefit, at, source)))
                session.flush()
                session.execute(delete(BenefitLink).where(BenefitLink.benefit_id == benefit.id))
                session.execute(
                    delete(BenefitRiskEntry).where(
                        BenefitRiskEntry.benefit_id == benefit.id,
                        BenefitRiskEntry.automatic.is_(False),
                    )
                )
                session.add_all(
                    BenefitLink(benefit_id=benefit.id, key=key, position=position)
                    for position, key in enumerate(dict.fromkeys(benefit.links))
                )
                session.add_all(
                    _risk_row(benefit.id, position, risk)
                    for position, risk in enumerate(benefit.risks)
                    if not risk.automatic
                )
            return diff

    def benefits(self, team: str | None = None) -> list[Benefit]:
        """The register (of ``team``), in id order."""
        with self._transaction() as session:
            if team is None:
                return self._load(session)
            return self._load(session, BenefitEntry.team == team)

    def benefit(self, benefit_id: str) -> Benefit | None:
        with self._transaction() as session:
            found = self._load(session, BenefitEntry.id == benefit_id)
            return found[0] if found else None

    def benefit_ids(self) -> list[str]:
        with self._transaction() as session:
            return list(session.scalars(select(BenefitEntry.id).order_by(BenefitEntry.number)))

    def benefits_linked_to(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """For each of ``keys`` that a benefit links, the ids of those benefits, in id order."""
        found: dict[str, list[str]] = {}
        with self._transaction() as session:
            for chunk in chunked(list(keys)):
                for link in session.scalars(select(BenefitLink).where(BenefitLink.key.in_(chunk))):
                    found.setdefault(link.key, []).append(link.benefit_id)
        return {key: sorted(ids, key=benefit_number) for key, ids in found.items()}

    def set_benefit_status(self, benefit_id: str, status: BenefitStatus, *, at: datetime) -> None:
        """Move a benefit on in its life (realising, realised, closed ...)."""
        with self._transaction() as session:
            done = session.execute(
                update(BenefitEntry)
                .where(BenefitEntry.id == benefit_id)
                .values(status=status.value, updated_at=at)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                raise UnknownBenefitError(benefit_id)

    # ------------------------------------------------------------ measurements

    def record_measurement(self, measurement: Measurement, *, at: datetime) -> int:
        """Store an actual; a benefit id not in the register is refused with a clear error."""
        with self._transaction() as session:
            if measurement.benefit_id is not None and (
                session.get(BenefitEntry, measurement.benefit_id) is None
            ):
                raise UnknownBenefitError(measurement.benefit_id)
            row = MeasurementEntry(
                benefit_id=measurement.benefit_id,
                goal_team=measurement.team if measurement.goal is not None else None,
                goal=measurement.goal,
                value=measurement.value,
                measured_on=measurement.on,
                confidence=measurement.confidence.value if measurement.confidence else None,
                note=measurement.note,
                who=measurement.who,
                source=measurement.source,
                recorded_at=at,
            )
            session.add(row)
            session.flush()
            return row.id

    def benefit_measurements(self, benefit_ids: Sequence[str] | None = None) -> list[Measurement]:
        """Actuals of the given benefits (of every benefit when None), oldest first."""
        query = select(MeasurementEntry).where(MeasurementEntry.benefit_id.is_not(None))
        if benefit_ids is not None:
            query = query.where(MeasurementEntry.benefit_id.in_(list(benefit_ids)))
        with self._transaction() as session:
            rows = session.scalars(
                query.order_by(MeasurementEntry.measured_on, MeasurementEntry.id)
            )
            return [_measurement(row) for row in rows]

    def goal_measurements(self, team: str, goal: str | None = None) -> list[Measurement]:
        """Actuals of ``team``'s value goals (of one goal), oldest first: the trend."""
        conditions = [MeasurementEntry.goal_team == team]
        if goal is not None:
            conditions.append(MeasurementEntry.goal == goal)
        with self._transaction() as session:
            rows = session.scalars(
                select(MeasurementEntry)
                .where(*conditions)
                .order_by(MeasurementEntry.measured_on, MeasurementEntry.id)
            )
            return [_measurement(row) for row in rows]

    def latest_goal_measurements(self, team: str) -> dict[str, Measurement]:
        """Each value goal's newest actual: the goal's current figure.

        The newest is the latest date; on one date, the one recorded last.
        """
        return {found.goal or "": found for found in self.goal_measurements(team)}

    # ------------------------------------------------------------ risks

    def raise_risk(self, benefit_id: str, risk: Risk) -> bool:
        """Add a risk the risk rule raised, unless the same one is open already.

        Returns True when it is new, so the owner is told once, not at every check.
        """
        with self._transaction() as session:
            if session.get(BenefitEntry, benefit_id) is None:
                raise UnknownBenefitError(benefit_id)
            open_already = session.scalar(
                select(BenefitRiskEntry.id).where(
                    BenefitRiskEntry.benefit_id == benefit_id,
                    BenefitRiskEntry.automatic.is_(True),
                    BenefitRiskEntry.open.is_(True),
                )
            )
            if open_already is not None:
                return False
            automatic = risk.model_copy(update={"automatic": True})
            session.add(_risk_row(benefit_id, 1_000_000, automatic))
            return True

    def close_automatic_risks(self, benefit_id: str) -> int:
        """Close the risk rule's open risks (the benefit is back on track); how many closed."""
        with self._transaction() as session:
            done = session.execute(
                update(BenefitRiskEntry)
                .where(
                    BenefitRiskEntry.benefit_id == benefit_id,
                    BenefitRiskEntry.automatic.is_(True),
                    BenefitRiskEntry.open.is_(True),
                )
                .values(open=False)
            )
            closed: int = done.rowcount  # type: ignore[attr-defined]
            return closed

    # ------------------------------------------------------------ reviews and lessons

    def schedule_reviews(self, reviews: Sequence[ReviewDue]) -> int:
        """Store reviews not stored yet (by benefit, kind and offset); how many were new.

        A review not asked yet follows a changed delivery date; one already asked keeps its date.
        """
        added = 0
        with self._transaction() as session:
            for review in reviews:
                statement = (
                    self._insert(BenefitReviewEntry)
                    .values(
                        benefit_id=review.benefit_id,
                        kind=review.kind,
                        offset_days=review.offset_days,
                        due=review.due,
                    )
                    .on_conflict_do_nothing(index_elements=["benefit_id", "kind", "offset_days"])
                    # RETURNING, not rowcount, which PostgreSQL does not report for this INSERT
                    .returning(BenefitReviewEntry.id)
                )
                if session.execute(statement).scalar() is not None:
                    added += 1
                    continue
                session.execute(
                    update(BenefitReviewEntry)
                    .where(
                        BenefitReviewEntry.benefit_id == review.benefit_id,
                        BenefitReviewEntry.kind == review.kind,
                        BenefitReviewEntry.offset_days == review.offset_days,
                        BenefitReviewEntry.asked_at.is_(None),
                    )
                    .values(due=review.due)
                )
        return added

    def reviews(
        self,
        benefit_id: str | None = None,
        *,
        due_before: date | None = None,
        unasked: bool = False,
    ) -> list[StoredReview]:
        """Reviews by due date: of one benefit, due before a date, or not asked yet."""
        conditions: list[ColumnElement[bool]] = []
        if benefit_id is not None:
            conditions.append(BenefitReviewEntry.benefit_id == benefit_id)
        if due_before is not None:
            conditions.append(BenefitReviewEntry.due < due_before)
        if unasked:
            conditions.append(BenefitReviewEntry.asked_at.is_(None))
        with self._transaction() as session:
            rows = session.scalars(
                select(BenefitReviewEntry)
                .where(*conditions)
                .order_by(BenefitReviewEntry.due, BenefitReviewEntry.id)
            )
            return [_review(row) for row in rows]

    def claim_review(self, review_id: int, *, at: datetime) -> bool:
        """Mark a review asked; True for exactly one caller, however many race for it."""
        with self._transaction() as session:
            done = session.execute(
                update(BenefitReviewEntry)
                .where(BenefitReviewEntry.id == review_id, BenefitReviewEntry.asked_at.is_(None))
                .values(asked_at=at)
            )
            claimed: bool = done.rowcount == 1  # type: ignore[attr-defined]
            return claimed

    def answer_review(self, review_id: int, answer: ReviewAnswer, *, at: datetime) -> StoredReview:
        """Keep the owner's answer (a later answer replaces it); the actual is also recorded.

        Raises:
            KeyError: no review ``review_id``.
        """
        with self._transaction() as session:
            row = session.get(BenefitReviewEntry, review_id)
            if row is None:
                raise KeyError(f"no review {review_id}")
            row.answer = answer.answer
            row.who = answer.who
            row.actual = answer.actual
            row.confidence = answer.confidence.value if answer.confidence else None
            row.lesson = answer.lesson
            row.answered_at = at
            if row.asked_at is None:
                row.asked_at = at
            if answer.actual is not None:
                session.add(
                    MeasurementEntry(
                        benefit_id=row.benefit_id,
                        value=answer.actual,
                        measured_on=at.date(),
                        confidence=row.confidence,
                        note=f"{row.kind} review",
                        who=answer.who,
                        source="review",
                        recorded_at=at,
                    )
                )
            session.flush()
            return _review(row)

    def lessons(self, team: str | None = None) -> list[Lesson]:
        """Lessons learned in reviews (of ``team``'s benefits), newest first."""
        query = (
            select(BenefitReviewEntry, BenefitEntry)
            .join(BenefitEntry, BenefitEntry.id == BenefitReviewEntry.benefit_id)
            .where(BenefitReviewEntry.lesson.is_not(None), BenefitReviewEntry.lesson != "")
        )
        if team is not None:
            query = query.where(BenefitEntry.team == team)
        with self._transaction() as session:
            rows = session.execute(
                query.order_by(BenefitReviewEntry.answered_at.desc(), BenefitReviewEntry.id.desc())
            ).all()
            return [
                Lesson(
                    benefit_id=benefit.id,
                    title=benefit.title,
                    team=benefit.team,
                    kind=cast(ReviewKind, review.kind),
                    answered_at=review.answered_at,
                    who=review.who,
                    text=review.lesson or "",
                )
                for review, benefit in rows
            ]

    def calibration_inputs(self) -> list[CalibrationInput]:
        """What each closed benefit planned and realised, for :func:`rules.money.calibrate`."""
        closed = [benefit for benefit in self.benefits() if benefit.status.is_closed]
        measured = self.benefit_measurements([benefit.id for benefit in closed])
        return [
            found
            for benefit in closed
            if (found := calibration_input(benefit, measured)) is not None
        ]


def _risk_row(benefit_id: str, position: int, risk: Risk) -> BenefitRiskEntry:
    return BenefitRiskEntry(
        benefit_id=benefit_id,
        position=position,
        text=risk.text,
        likelihood=risk.likelihood,
        impact=risk.impact,
        owner=risk.owner,
        mitigation=risk.mitigation,
        open=risk.open,
        automatic=risk.automatic,
        raised_on=risk.raised_on,
    )
