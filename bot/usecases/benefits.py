"""The benefit register as people use it: import, export, list, show, measure, lessons, report.

The CLI, the ``/value`` command, the scheduler and the digest all call these functions, so a
benefit shown in Slack is the benefit the report writes. Each function reads the register and
the actuals from the store, the linked issues' delivery dates from the synced snapshots, and
hands them to :func:`rules.assessment.assess`; nothing here computes a figure itself.

Linked issues are looked up in the teams' snapshots first; those that left the backlog long
ago are fetched by key on sync (:func:`sync_linked`) and kept in a snapshot of their own
(:func:`linked_snapshot`), so a benefit's delivery date is known for years after its epic closed.

Over 400 lines: every register behaviour the CLI, Slack and the scheduler share lives here once
(import, export, list, show, measure, goals, digest sections, linked issues).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from bot.config import Team
from bot.errors import UserError
from bot.storage.benefits import Lesson, StoredReview
from bot.wiring import Services
from connectors.base import ConnectorError, FetchesByKeys
from rules.assessment import Assessment, PortfolioSummary, assess, summarise
from rules.benefits import (
    BENEFIT_ID,
    Benefit,
    Confidence,
    Measurement,
    Risk,
    UnknownBenefitError,
    benefit_number,
)
from rules.digest import ServedBenefit
from rules.model import Item, ValueGoal
from rules.money import Calibration, calibrate
from rules.register import (
    RegisterDiff,
    RegisterImportError,
    RowProblem,
    parse_register_rows,
    register_rows,
)
from rules.trajectory import DEFAULT_TOLERANCE

logger = logging.getLogger(__name__)

ExportFormat = Literal["csv", "json"]
#: How many measurements of a value goal its trend shows (newest last).
TREND_POINTS = 4
#: The words people type for a confidence, to the value it stands for.
CONFIDENCE_WORDS: Mapping[str, Confidence] = {
    "on-track": Confidence.ON_TRACK,
    "on track": Confidence.ON_TRACK,
    "at-risk": Confidence.AT_RISK,
    "at risk": Confidence.AT_RISK,
    "off-track": Confidence.OFF_TRACK,
    "off track": Confidence.OFF_TRACK,
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the diff against the register, and from which file."""

    source: str
    diff: RegisterDiff

    def lines(self) -> list[str]:
        """The diff as a person reads it: the summary, then each added and changed entry."""
        found = [f"{self.source}: {self.diff.summary}"]
        found.extend(f"  added {benefit_id}" for benefit_id in self.diff.added)
        for change in self.diff.changed:
            fields = ", ".join(
                f"{one.field} {one.old or '(blank)'} -> {one.new or '(blank)'}"
                for one in change.fields
            )
            found.append(f"  changed {change.benefit_id}: {fields}")
        return found


@dataclass(frozen=True)
class BenefitListing:
    """The register (of a team) on a date, with what closed benefits say about planning."""

    today: date
    assessments: tuple[Assessment, ...]
    calibration: Calibration


@dataclass(frozen=True)
class BenefitView:
    """Everything ``benefits show`` and ``/value benefit`` say about one benefit."""

    assessment: Assessment
    measurements: tuple[Measurement, ...]
    reviews: tuple[StoredReview, ...]
    lessons: tuple[Lesson, ...]
    #: linked keys no snapshot and no fetch knows: their delivery cannot be dated
    unknown_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedMeasurement:
    """A stored measurement, and the benefit's or goal's state right after it."""

    measurement: Measurement
    #: the benefit's assessment with the new actual (None for a value goal)
    assessment: Assessment | None = None
    #: the goal with its new current figure (None for a benefit)
    goal: ValueGoal | None = None
    #: True when the risk rule fired now for the first time (the owner is told once)
    risk_raised: bool = False


@dataclass(frozen=True)
class LinkedReport:
    """What a sync learnt about linked issues outside the team's backlog."""

    team: str
    fetched: int = 0
    #: linked keys the team's tool does not know (a typo in the register, a deleted issue)
    unknown: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Linked:
    """The linked issues of the register, as the assessments need them."""

    done_on: dict[str, date | None]
    points: dict[str, float]

    def story_points(self, benefit: Benefit) -> float | None:
        """The linked issues' story points, or None when none of them is estimated."""
        found = [self.points[key] for key in benefit.links if key in self.points]
        return sum(found) if found else None


# ---------------------------------------------------------------- register in and out


def import_register(svc: Services, path: Path) -> ImportReport:
    """Read a CSV or TOML register file and write it in one transaction.

    New ids are added, known ids updated, entries not in the file kept. Nothing is written
    when any row has a problem: :class:`~rules.register.RegisterImportError` names them all.
    """
    rows, first_row = read_register_file(path)
    benefits = parse_register_rows(
        rows, source=path.name, existing_ids=svc.store.benefit_ids(), first_row=first_row
    )
    _check_teams(svc, benefits, path.name)
    diff = svc.store.upsert_benefits(benefits, at=svc.clock(), source=f"import:{path.name}")
    return ImportReport(source=path.name, diff=diff)


def read_register_file(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The rows of a register file and the number of its first row (2 for CSV's header).

    A TOML file holds ``[[benefits]]`` tables; a CSV file a header of register columns.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such file; give the path of a .csv or .toml register")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: cannot read it ({e}); save it as UTF-8 text") from e
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise UserError(f"{path.name}: not valid TOML ({e})") from e
        entries = data.get("benefits")
        if not isinstance(entries, list) or not all(isinstance(row, dict) for row in entries):
            raise UserError(f"{path.name}: no [[benefits]] tables; each benefit is one")
        return entries, 1
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        try:
            rows = list(reader)
        except csv.Error as e:
            raise UserError(f"{path.name}, line {reader.line_num}: {e}") from e
        if reader.fieldnames is None:
            raise UserError(f"{path.name}: empty; the first line names the columns")
        return [dict(row) for row in rows], 2
    raise UserError(f"{path.name}: a register is a .csv or .toml file, not {suffix or 'no suffix'}")


def _check_teams(svc: Services, benefits: Sequence[Benefit], source: str) -> None:
    known = {team.name for team in svc.config.teams}
    problems = [
        RowProblem(
            source=source,
            row=None,
            column="team",
            message=f"{benefit.id}: no team named {benefit.team!r} in northstar.toml "
            f"(teams: {', '.join(sorted(known)) or 'none'})",
        )
        for benefit in benefits
        if benefit.team is not None and known and benefit.team not in known
    ]
    if problems:
        raise RegisterImportError(problems)


def export_register(svc: Services, fmt: ExportFormat = "csv", team: str | None = None) -> str:
    """The register as CSV in the import format (re-importing it changes nothing), or JSON."""
    benefits = svc.store.benefits(_team_name(svc, team))
    if fmt == "json":
        return json.dumps(
            [benefit.model_dump(mode="json") for benefit in benefits], indent=2, sort_keys=False
        )
    from rules.register import COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(register_rows(benefits))
    return buffer.getvalue()


# ---------------------------------------------------------------- reading the register


def today_of(svc: Services, team: str | None = None) -> date:
    """Today on the team's calendar (UTC when no team is named or known)."""
    now = svc.clock()
    for known in svc.config.teams:
        if known.name == team:
            return now.astimezone(known.zone).date()
    return now.date()


def assess_benefits(
    svc: Services, team: str | None = None, *, today: date | None = None
) -> list[Assessment]:
    """Every benefit (of ``team``) assessed on ``today`` (the team's today by default)."""
    benefits = svc.store.benefits(_team_name(svc, team))
    return _assess_all(svc, benefits, today=today)


def _assess_all(
    svc: Services, benefits: Sequence[Benefit], *, today: date | None = None
) -> list[Assessment]:
    linked = linked_issues(svc)
    measured = svc.store.benefit_measurements([benefit.id for benefit in benefits])
    scoring = svc.config.scoring
    return [
        assess(
            benefit,
            today=today or today_of(svc, benefit.team),
            measurements=measured,
            done_on=linked.done_on,
            story_points=linked.story_points(benefit),
            annual_rate=scoring.discount_rate,
            cost_per_point=scoring.cost_per_point,
            tolerance=DEFAULT_TOLERANCE,
        )
        for benefit in benefits
    ]


def list_benefits(svc: Services, team: str | None = None) -> BenefitListing:
    """The register (of ``team``) with each entry's status, and calibration of closed ones."""
    name = _team_name(svc, team)
    assessments = assess_benefits(svc, name)
    return BenefitListing(
        today=today_of(svc, name),
        assessments=tuple(assessments),
        calibration=calibrate(svc.store.calibration_inputs()),
    )


def show_benefit(svc: Services, benefit_id: str) -> BenefitView:
    """One benefit: SMART check, status, variance, risks, money with every term, lessons."""
    benefit = _benefit(svc, benefit_id)
    assessment = _assess_all(svc, [benefit])[0]
    known = linked_issues(svc).done_on
    return BenefitView(
        assessment=assessment,
        measurements=tuple(svc.store.benefit_measurements([benefit.id])),
        reviews=tuple(svc.store.reviews(benefit.id)),
        lessons=tuple(
            lesson for lesson in svc.store.lessons(benefit.team) if lesson.benefit_id == benefit.id
        ),
        unknown_links=tuple(key for key in benefit.links if key not in known),
    )


def lessons(svc: Services, team: str | None = None) -> list[Lesson]:
    """Lessons learned in reviews (of ``team``'s benefits), newest first."""
    return svc.store.lessons(_team_name(svc, team))


def write_report(svc: Services, out: Path, team: str | None = None) -> list[Path]:
    """The register as Markdown and CSV plus its charts, written into ``out``."""
    name = _team_name(svc, team)
    assessments = assess_benefits(svc, name)
    measured = svc.store.benefit_measurements([found.benefit.id for found in assessments])
    title = f"Benefit register of {name}" if name else "Benefit register"
    from bot.benefit_report import write_benefits_report  # matplotlib: only when drawing

    try:
        return write_benefits_report(
            out, assessments, measured, title=title, lessons=svc.store.lessons(name)
        )
    except OSError as e:
        raise UserError(f"cannot write the report into {out}: {e.strerror or e}") from e


def portfolio_week(svc: Services, team: Team, start: date, end: date) -> PortfolioSummary | None:
    """The team's register today, with reviews and actuals due in ``[start, end)``.

    What the digest says about benefits; None when the team's register is empty.
    """
    found = assess_benefits(svc, team.name)
    if not found:
        return None
    return summarise(found, start=start, end=end)


def portfolio_chart(svc: Services, team: Team) -> bytes:
    """The portfolio chart (planned vs realised NPV per financial benefit) as PNG."""
    from bot.benefit_charts import portfolio_chart_png  # matplotlib: only when drawing

    cases = [found.money for found in assess_benefits(svc, team.name) if found.money]
    return portfolio_chart_png(cases, title=f"Benefits of {team.name}")


def latest_lessons(svc: Services, team: Team, count: int = 3) -> tuple[tuple[str, str], ...]:
    """The team's newest lessons learned, as (benefit id, lesson)."""
    return tuple(
        (lesson.benefit_id, lesson.text) for lesson in svc.store.lessons(team.name)[:count]
    )


def served_benefits(svc: Services, items: Iterable[Item]) -> tuple[ServedBenefit, ...]:
    """The benefits ``items`` deliver, directly or through their epic (``parent``), by id."""
    through: dict[str, list[str]] = {}
    listed = list(items)
    keys = [key for item in listed for key in (item.key, item.parent) if key]
    served = benefits_serving(svc, keys)
    found: dict[str, Benefit] = {}
    for item in listed:
        for key in (item.key, item.parent):
            for benefit in served.get(key or "", ()):
                found[benefit.id] = benefit
                through.setdefault(benefit.id, [])
                if key not in through[benefit.id]:
                    through[benefit.id].append(key or "")
    return tuple(
        ServedBenefit(benefit_id=one.id, title=one.title, keys=", ".join(through[one.id]))
        for one in sorted(found.values(), key=lambda benefit: benefit_number(benefit.id))
    )


def benefits_serving(svc: Services, keys: Sequence[str]) -> dict[str, list[Benefit]]:
    """For each of ``keys`` (issues or epics) the benefits that link it, in id order."""
    linked = svc.store.benefits_linked_to(keys)
    wanted = {benefit_id for ids in linked.values() for benefit_id in ids}
    by_id = {benefit.id: benefit for benefit in svc.store.benefits() if benefit.id in wanted}
    return {key: [by_id[one] for one in ids if one in by_id] for key, ids in linked.items()}


# ---------------------------------------------------------------- measurements


def parse_value(text: str | float) -> float:
    """A measured value as typed (``1200``, ``1,200``, ``12.5%``); a clear error otherwise."""
    if isinstance(text, int | float):
        return float(text)
    cleaned = text.strip().replace(",", "").removesuffix("%").strip()
    try:
        return float(cleaned)
    except ValueError:
        raise UserError(
            f"{text!r} is not a number; give the measured value, e.g. 1200 or 12.5"
        ) from None


def parse_confidence(text: str | None) -> Confidence | None:
    """``on-track``, ``at-risk`` or ``off-track`` (spaces work too); None when not given."""
    if text is None or not text.strip():
        return None
    found = CONFIDENCE_WORDS.get(text.strip().lower())
    if found is None:
        raise UserError(f"confidence {text!r} is not one of on-track, at-risk, off-track")
    return found


def record_measurement(
    svc: Services,
    subject: str,
    value: str | float,
    *,
    on: date | None = None,
    confidence: str | Confidence | None = None,
    note: str = "",
    who: str | None = None,
    source: str = "cli",
    team: str | None = None,
) -> RecordedMeasurement:
    """Store an actual of a benefit (``BEN-3``) or of a value goal (its name).

    A goal is looked up in ``team`` or, when not given, in every team (its name must then be
    unique). When the new actual makes the benefit at risk, the risk is raised once.
    """
    number = parse_value(value)
    chosen = confidence if isinstance(confidence, Confidence) else parse_confidence(confidence)
    given = {"value": number, "confidence": chosen, "note": note, "who": who, "source": source}
    if BENEFIT_ID.fullmatch(subject.strip().upper()):
        return _record_for_benefit(svc, _benefit(svc, subject), on, given)
    owner, goal = _goal(svc, subject.strip(), team)
    measurement = Measurement.model_validate(
        {"goal": goal.name, "team": owner.name, "on": on or today_of(svc, owner.name), **given}
    )
    svc.store.record_measurement(measurement, at=svc.clock())
    current = {found.name: found for found in current_goals(svc, owner)}
    return RecordedMeasurement(measurement, goal=current[goal.name])


def _record_for_benefit(
    svc: Services, benefit: Benefit, on: date | None, given: Mapping[str, object]
) -> RecordedMeasurement:
    """Store a benefit's actual and apply the risk rule: raise once, close when back on plan."""
    measurement = Measurement.model_validate(
        {"benefit_id": benefit.id, "on": on or today_of(svc, benefit.team), **given}
    )
    svc.store.record_measurement(measurement, at=svc.clock())
    assessment = _assess_all(svc, [benefit])[0]
    raised = False
    if assessment.risk is not None:
        raised = svc.store.raise_risk(
            benefit.id,
            Risk(text=assessment.risk, owner=benefit.owner, raised_on=assessment.today),
        )
    elif assessment.status.state in ("on track", "ahead"):
        svc.store.close_automatic_risks(benefit.id)
    return RecordedMeasurement(measurement, assessment=assessment, risk_raised=raised)


def current_goals(svc: Services, team: Team) -> tuple[ValueGoal, ...]:
    """The team's value goals with their current figure: the latest measurement, else config.

    The one place goals get their figures: ``/value goals``, the reminder, the digest and App
    Home show what this returns. ``trend`` holds the last few measured values, oldest first.
    """
    measured = svc.store.goal_measurements(team.name)
    goals = []
    for goal in team.goals:
        own = [m for m in measured if m.goal == goal.name]
        if not own:
            goals.append(goal)
            continue
        goals.append(
            goal.model_copy(
                update={
                    "current": own[-1].value,
                    "trend": tuple(m.value for m in own[-TREND_POINTS:]),
                    "measured_on": own[-1].on,
                }
            )
        )
    return tuple(goals)


def _goal(svc: Services, name: str, team: str | None) -> tuple[Team, ValueGoal]:
    teams = [svc.config.team(team)] if team is not None else list(svc.config.teams)
    found = [(owner, goal) for owner in teams for goal in owner.goals if goal.name == name]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(owner.name for owner, _ in found)
        raise UserError(f"value goal {name!r} is a goal of several teams ({names}); name one")
    goals = [goal.name for owner in teams for goal in owner.goals]
    from bot.errors import suggest

    close = suggest(name, goals)
    hint = f"; did you mean {close!r}?" if close else ""
    raise UserError(
        f"{name!r} is neither a benefit id (BEN-1, ...) nor a value goal"
        f"{hint} (goals: {', '.join(goals) or 'none configured'})"
    )


def _benefit(svc: Services, benefit_id: str) -> Benefit:
    wanted = benefit_id.strip().upper()
    if not BENEFIT_ID.fullmatch(wanted):
        raise UserError(f"{benefit_id!r} is not a benefit id; they look like BEN-1, BEN-2, ...")
    found = svc.store.benefit(wanted)
    if found is None:
        raise UnknownBenefitError(wanted)
    return found


def _team_name(svc: Services, team: str | None) -> str | None:
    """The configured team's name (checked, so a typo gets the list of teams), or None."""
    return svc.config.team(team).name if team is not None else None


# ---------------------------------------------------------------- linked issues


def linked_snapshot(team: str) -> str:
    """The snapshot name under which a team's linked issues outside its backlog are kept."""
    return f"linked:{team}"


def linked_issues(svc: Services) -> Linked:
    """Done dates and story points of every issue the teams' snapshots know."""
    items: dict[str, Item] = {}
    for team in svc.config.teams:
        for name in (linked_snapshot(team.name), team.name):  # the backlog's copy wins
            items.update((item.key, item) for item in svc.store.load_snapshot(name))
    return Linked(
        done_on={
            key: item.resolved.date() if item.is_done and item.resolved else None
            for key, item in items.items()
        },
        points={key: item.cost for key, item in items.items() if item.cost is not None},
    )


def sync_linked(svc: Services, team: Team) -> LinkedReport:
    """Fetch by key the team's linked issues its backlog snapshot lacks, and keep them.

    Runs on sync. A connector that cannot fetch by key is left alone; a key the tool does
    not know is named in a warning (logged and returned), so a typo in the register shows.
    """
    connector = svc.connector_for(team)
    if not isinstance(connector, FetchesByKeys):
        return LinkedReport(team=team.name)
    in_backlog = {item.key for item in svc.store.load_snapshot(team.name)}
    wanted = _links_of(svc.store.benefits(team.name), skip=in_backlog)
    if not wanted:
        return LinkedReport(team=team.name)
    try:
        items = connector.fetch_by_keys(wanted)
    except ConnectorError as e:  # the backlog is synced; the links wait for the next sync
        warning = f"benefit register: could not fetch linked issues: {e}"
        logger.warning("%s", warning)
        return LinkedReport(team=team.name, warnings=(warning,))
    svc.store.save_snapshot(linked_snapshot(team.name), items, complete=True)
    found = {item.key for item in items}
    unknown = tuple(key for key in wanted if key not in found)
    warnings = tuple(
        f"benefit register: linked issue {key} is not in {team.name}'s tool; "
        "fix the key in the register (`northstar benefits export`, edit, import)"
        for key in unknown
    )
    for warning in warnings:
        logger.warning("%s", warning)
    return LinkedReport(team=team.name, fetched=len(items), unknown=unknown, warnings=warnings)


def _links_of(benefits: Iterable[Benefit], *, skip: set[str]) -> list[str]:
    return list(
        dict.fromkeys(key for benefit in benefits for key in benefit.links if key not in skip)
    )
