"""The benefit register in words: the lines ``benefits list/show/measure/lessons`` print.

Plain text, no Slack mrkdwn and no Rich markup, so the same lines serve a terminal, a Slack
code block and a test. The figures come from :mod:`rules.assessment`; nothing is computed here
but the layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.benefits import Lesson, StoredReview
from rules.assessment import Assessment
from rules.benefits import Benefit, Direction, Measurement
from rules.model import ValueGoal
from rules.money import Calibration, Ratio
from rules.trajectory import TrackStatus


def number(value: float | None) -> str:
    """A figure as people write it: 1,200 or 12.5, never 1200.0000001."""
    if value is None:
        return "-"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _unit(benefit: Benefit) -> str:
    return f" {benefit.measure.unit}" if benefit.measure.unit else ""


def status_text(benefit: Benefit, status: TrackStatus) -> str:
    """Where the benefit stands: "behind: 310 against 290 planned on 2026-11-01 (at risk)"."""
    if status.variance is None or status.measured_on is None:
        return "no actuals yet"
    found = status.variance
    unit = _unit(benefit)
    planned = "" if found.planned is None else f" against {number(found.planned)} planned"
    said = f", owner says {status.confidence.value}" if status.confidence else ""
    return (
        f"{found.state}: {number(found.actual)}{unit}{planned} on "
        f"{status.measured_on.isoformat()} ({found.colour}{said})"
    )


def plan_text(benefit: Benefit) -> str:
    """The measure and its plan: "support tickets a week, decrease, 420 -> 300 by 2027-03-31"."""
    measure = benefit.measure
    metric = " ".join(part for part in (measure.metric, measure.unit) if part) or "no metric"
    if measure.direction is Direction.RANGE:
        plan = f"keep within {number(measure.low)}..{number(measure.high)}"
    else:
        plan = f"{number(benefit.baseline)} -> {number(benefit.target)}"
    by = f" by {benefit.target_date.isoformat()}" if benefit.target_date else ""
    return f"{metric}, {measure.direction.value}, {plan}{by}"


def listing_line(found: Assessment) -> str:
    """One benefit in a listing: id, title, category and status, where it stands, SMART."""
    benefit = found.benefit
    owner = benefit.owner or "no owner"
    team = f", {benefit.team}" if benefit.team else ""
    risk = "; AT RISK" if found.risk else ""
    return (
        f"{benefit.id} {benefit.title or '(no title)'} [{benefit.category.value}, "
        f"{benefit.status.value}, {owner}{team}]: {status_text(benefit, found.status)}{risk}; "
        f"{found.smart.summary()}"
    )


def _ratio_line(label: str, ratio: Ratio) -> str:
    share = "n/a" if ratio.ratio is None else f"{ratio.ratio:.0%}"
    return f"  {label}: {share} of plan realised over {ratio.count} closed benefit(s)"


def calibration_lines(calibration: Calibration) -> list[str]:
    """Realised over planned per category and per owner, from closed benefits."""
    if not calibration.by_category and not calibration.by_owner:
        return ["Calibration: no closed benefits yet, so no realised-to-planned ratios."]
    lines = ["Calibration (realised / planned, closed benefits):"]
    lines.extend(_ratio_line(f"category {name}", r) for name, r in calibration.by_category.items())
    lines.extend(_ratio_line(f"owner {name}", r) for name, r in calibration.by_owner.items())
    return lines


def benefit_lines(
    found: Assessment,
    measurements: Sequence[Measurement],
    reviews: Sequence[StoredReview],
    lessons: Sequence[Lesson],
    unknown_links: Sequence[str] = (),
) -> list[str]:
    """Everything about one benefit, for ``benefits show`` and ``/value benefit``."""
    benefit = found.benefit
    lines = [
        f"{benefit.id} {benefit.title or '(no title)'}",
        f"  {benefit.description}" if benefit.description else "  (no description)",
        f"category {benefit.category.value}, status {benefit.status.value}, "
        f"owner {benefit.owner or 'none'}, team {benefit.team or 'none'}",
        f"measure: {plan_text(benefit)}",
        f"SMART: {found.smart.summary()}",
        "linked: " + (", ".join((*benefit.links, *benefit.goals)) or "nothing"),
    ]
    if unknown_links:
        lines.append("  not found in any synced backlog: " + ", ".join(unknown_links))
    delivered = found.delivered.isoformat() if found.delivered else "not yet (linked work open)"
    start = found.start.isoformat() if found.start else "when the linked work is done"
    lines.append(f"delivered: {delivered}; realisation starts {start}")
    lines.append(f"status on {found.today.isoformat()}: {status_text(benefit, found.status)}")
    if found.risk:
        lines.append(f"AT RISK: {found.risk}")
    for risk in benefit.risks:
        state = "open" if risk.open else "closed"
        mitigation = f"; mitigation: {risk.mitigation}" if risk.mitigation else ""
        lines.append(
            f"risk ({state}, {risk.likelihood} likelihood, {risk.impact} impact): "
            f"{risk.text}{mitigation}"
        )
    if found.money is not None:
        lines.append("money:")
        lines.extend(f"  {line}" for line in found.money.explain())
    elif benefit.is_financial:
        lines.append("money: NPV and ROI once realisation has a start")
    if measurements:
        lines.append("actuals:")
        lines.extend(f"  {measurement_line(m, benefit)}" for m in measurements)
    if reviews:
        lines.append("reviews:")
        lines.extend(f"  {review_line(review)}" for review in reviews)
    elif found.reviews:
        lines.append("reviews (planned):")
        lines.extend(f"  {r.kind} on {r.due.isoformat()}" for r in found.reviews)
    if found.next_measurement:
        lines.append(f"next actual due {found.next_measurement.isoformat()}")
    if lessons:
        lines.append("lessons:")
        lines.extend(f"  {lesson.text}" for lesson in lessons)
    return lines


def measurement_line(measurement: Measurement, benefit: Benefit | None = None) -> str:
    unit = _unit(benefit) if benefit is not None else ""
    said = f", {measurement.confidence.value}" if measurement.confidence else ""
    note = f": {measurement.note}" if measurement.note else ""
    who = f" by {measurement.who}" if measurement.who else ""
    return (
        f"{measurement.on.isoformat()} {number(measurement.value)}{unit}{said} "
        f"({measurement.source}{who}){note}"
    )


def review_line(review: StoredReview) -> str:
    if review.answer is not None:
        state = f"answered {review.answer.answer}"
    elif review.asked_at is not None:
        state = "asked, no answer yet"
    else:
        state = "not asked yet"
    return f"{review.kind} on {review.due.isoformat()}: {state}"


def recorded_line(
    measurement: Measurement,
    *,
    assessment: Assessment | None = None,
    goal: ValueGoal | None = None,
    risk_raised: bool = False,
) -> str:
    """What was stored and what it means now."""
    head = f"Recorded {number(measurement.value)} for {measurement.subject} on "
    head += measurement.on.isoformat()
    if assessment is not None:
        line = f"{head}: {status_text(assessment.benefit, assessment.status)}"
        if risk_raised and assessment.risk:
            line += f"; risk raised: {assessment.risk}"
        return line
    if goal is not None:
        return f"{head}: {goal.name} is now {number(goal.current)}{trend_text(goal)}"
    return head


def trend_text(goal: ValueGoal) -> str:
    """The goal's recent measurements, " (trend 410 -> 395 -> 380)", or nothing."""
    if len(goal.trend) < 2:
        return ""
    return " (trend " + " -> ".join(number(value) for value in goal.trend) + ")"


def lesson_line(lesson: Lesson) -> str:
    when = lesson.answered_at.date().isoformat() if lesson.answered_at else "undated"
    who = f" ({lesson.who})" if lesson.who else ""
    return f"{when} {lesson.benefit_id} {lesson.title}, {lesson.kind} review{who}: {lesson.text}"
