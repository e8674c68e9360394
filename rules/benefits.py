"""The benefit register: what a benefit is, how it is measured, and whether its entry is SMART.

A :class:`Benefit` is one entry of a team's register (``BEN-1``, ...), usually linked to the
Jira epics that deliver it. A :class:`Measurement` is one actual value of a benefit's metric, or
of a team's value goal, on one date. Both validate themselves, so an entry that cannot be
tracked (a target before its baseline, a decrease metric planned to go up, an owner who is not
a Slack user) never reaches the store. Time is never read here: dates come in as arguments.

How a benefit moves over time is in :mod:`rules.trajectory`; what it is worth in money is in
:mod:`rules.money`; reading a register file is :mod:`rules.register`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from rules.errors import RulesError
from rules.model import BenefitCategory, BenefitRegisterEntry, Frozen

#: A Slack user id: ``U...`` for people, ``W...`` for Enterprise Grid users.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
BENEFIT_ID = re.compile(r"BEN-[1-9][0-9]*")
#: Days after delivery at which post-implementation reviews are held, unless an entry says.
DEFAULT_REVIEW_OFFSETS: tuple[int, ...] = (30, 90, 180)

Cadence = Literal["weekly", "monthly", "quarterly"]
Level = Literal["low", "medium", "high"]


class BenefitError(RulesError):
    """A benefit or measurement that cannot be accepted; the message names what and where."""


class UnknownBenefitError(BenefitError, KeyError):
    """A benefit id that is not in the register."""

    def __init__(self, benefit_id: str):
        self.benefit_id = benefit_id
        super().__init__(
            f"no benefit {benefit_id} in the register; `northstar benefits list` shows the ids"
        )

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PlanError(ValueError):
    """An entry whose fields contradict each other, naming the register column to fix.

    Raised inside validation, it reaches callers in a ``ValidationError``; the column is
    there (``error["ctx"]["error"].column``) so an import can say where the problem is.
    """

    def __init__(self, column: str, message: str):
        self.column = column
        super().__init__(message)


class Direction(StrEnum):
    """Which way a metric should move: up, down, or stay inside a band."""

    INCREASE = "increase"
    DECREASE = "decrease"
    RANGE = "range"


class BenefitStatus(StrEnum):
    """Where a benefit is in its life, from proposal to close-out."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    REALISING = "realising"
    REALISED = "realised"
    PARTLY_REALISED = "partly realised"
    NOT_REALISED = "not realised"
    CLOSED = "closed"

    @property
    def is_closed(self) -> bool:
        """True once the outcome is decided: no more reminders, and calibration may count it."""
        return self in _CLOSED_STATUSES


_CLOSED_STATUSES = frozenset(
    {
        BenefitStatus.REALISED,
        BenefitStatus.PARTLY_REALISED,
        BenefitStatus.NOT_REALISED,
        BenefitStatus.CLOSED,
    }
)


class Confidence(StrEnum):
    """The owner's own view next to a measurement; "off track" raises a risk by itself."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"


class Measure(Frozen):
    """What is measured: a metric with its unit and the direction that counts as better."""

    metric: str = ""
    unit: str = ""
    direction: Direction = Direction.INCREASE
    #: the band a ``range`` metric must stay within (both ends inclusive)
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _band(self) -> Self:
        if self.direction is Direction.RANGE:
            if self.low is None or self.high is None:
                column = "low" if self.low is None else "high"
                raise PlanError(column, "a range metric needs both low and high")
            if self.low > self.high:
                raise PlanError("low", f"range low {self.low:g} is above high {self.high:g}")
        return self


class Milestone(Frozen):
    """A point of the planned trajectory: the value expected on a date."""

    on: date
    value: float


class Risk(Frozen):
    """A risk to a benefit. ``automatic`` ones were raised by the risk rule, not written in."""

    text: str = Field(min_length=1)
    likelihood: Level = "medium"
    impact: Level = "medium"
    owner: str | None = None
    mitigation: str = ""
    open: bool = True
    automatic: bool = False
    raised_on: date | None = None


def _check_owner(owner: str | None, what: str) -> str | None:
    if owner is not None and not SLACK_USER_ID.fullmatch(owner):
        raise ValueError(
            f"{what} {owner!r} is not a Slack user id (U... or W...); in Slack open the "
            "profile, choose ⋮ and 'Copy member ID'"
        )
    return owner


class Benefit(Frozen):
    """One entry of the benefit register.

    Defaults follow benefits-realisation practice: realisation starts when every linked issue
    is done (plus ``lag_days``), the plan is linear from baseline to target unless
    ``milestones`` say otherwise, reviews are held 30, 90 and 180 days after delivery, and the
    owner is asked for an actual monthly while the benefit is realising.
    """

    id: str
    title: str = ""
    description: str = ""
    category: BenefitCategory
    owner: str | None = None
    team: str | None = None
    #: Jira issues or epics that deliver the benefit
    links: tuple[str, ...] = ()
    #: names of the team's value goals the benefit serves
    goals: tuple[str, ...] = ()
    measure: Measure = Measure()
    baseline: float | None = None
    baseline_date: date | None = None
    target: float | None = None
    target_date: date | None = None
    milestones: tuple[Milestone, ...] = ()
    #: an explicit start of realisation; otherwise delivery of the links plus ``lag_days``
    realisation_start: date | None = None
    lag_days: int = Field(default=0, ge=0)
    #: money a month once the target is reached (financial benefits)
    money_per_month: float | None = None
    #: an explicit cost; otherwise linked story points times ``cost_per_point``
    cost: float | None = Field(default=None, ge=0)
    #: months of benefit the NPV counts, from the start of realisation
    horizon_months: int = Field(default=36, gt=0)
    review_offsets: tuple[int, ...] = DEFAULT_REVIEW_OFFSETS
    cadence: Cadence = "monthly"
    risks: tuple[Risk, ...] = ()
    status: BenefitStatus = BenefitStatus.PROPOSED

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not BENEFIT_ID.fullmatch(value):
            raise ValueError(f"benefit id {value!r} is not of the form BEN-1, BEN-2, ...")
        return value

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        return _check_owner(value, "owner")

    @field_validator("review_offsets")
    @classmethod
    def _offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(offset <= 0 for offset in value):
            raise ValueError("review offsets are days after delivery and must be above 0")
        return tuple(sorted(set(value)))

    @field_validator("milestones")
    @classmethod
    def _milestones(cls, value: tuple[Milestone, ...]) -> tuple[Milestone, ...]:
        dates = [milestone.on for milestone in value]
        if len(set(dates)) != len(dates):
            raise ValueError("two milestones on the same date; give one value a date")
        return tuple(sorted(value, key=lambda milestone: milestone.on))

    @model_validator(mode="after")
    def _plan(self) -> Self:
        if (
            self.baseline_date is not None
            and self.target_date is not None
            and self.target_date < self.baseline_date
        ):
            raise PlanError(
                "target_date",
                f"{self.id}: target date {self.target_date} is before baseline date "
                f"{self.baseline_date}; a benefit is realised after it is measured",
            )
        if self.baseline is not None and self.target is not None:
            direction = self.measure.direction
            if direction is Direction.DECREASE and self.target > self.baseline:
                raise PlanError(
                    "target",
                    f"{self.id}: the metric should decrease, but target {self.target:g} is "
                    f"above baseline {self.baseline:g}; swap them or set direction = increase",
                )
            if direction is Direction.INCREASE and self.target < self.baseline:
                raise PlanError(
                    "target",
                    f"{self.id}: the metric should increase, but target {self.target:g} is "
                    f"below baseline {self.baseline:g}; swap them or set direction = decrease",
                )
        return self

    @property
    def is_financial(self) -> bool:
        return self.category is BenefitCategory.FINANCIAL

    def register_entry(self, realised_value: float | None = None) -> BenefitRegisterEntry:
        """The short form backlog items carry (:attr:`rules.model.Item.benefit`).

        ``realised_value`` is money a month realised, for a financial benefit.
        """
        metric = " ".join(part for part in (self.measure.metric, self.measure.unit) if part)
        return BenefitRegisterEntry(
            id=self.id,
            category=self.category,
            owner=self.owner,
            measure=metric,
            baseline=self.baseline,
            target=self.target,
            due=self.target_date,
            # money only: digests add planned values up, and metrics of different units
            # (tickets, NPS, uptime) cannot be added
            planned_value=self.money_per_month if self.is_financial else None,
            realised_value=realised_value,
        )


class Measurement(Frozen):
    """One actual value of a benefit's metric, or of a value goal's, on one date."""

    benefit_id: str | None = None
    #: a value goal's name, with the team it belongs to
    goal: str | None = None
    team: str | None = None
    value: float
    on: date
    confidence: Confidence | None = None
    note: str = ""
    who: str | None = None
    #: where it came from: slack, cli, import, jira, sample
    source: str = "manual"

    @field_validator("who")
    @classmethod
    def _who(cls, value: str | None) -> str | None:
        return _check_owner(value, "who")

    @model_validator(mode="after")
    def _subject(self) -> Self:
        if (self.benefit_id is None) == (self.goal is None):
            raise ValueError("a measurement is of one benefit or of one value goal")
        if self.benefit_id is not None and not BENEFIT_ID.fullmatch(self.benefit_id):
            raise ValueError(f"benefit id {self.benefit_id!r} is not of the form BEN-1")
        return self

    @property
    def subject(self) -> str:
        """The benefit id, or ``team/goal`` for a value goal."""
        if self.benefit_id is not None:
            return self.benefit_id
        return f"{self.team or ''}/{self.goal}"


# ---------------------------------------------------------------- SMART


class SmartCheck(Frozen):
    """Which SMART parts an entry has; ``missing`` says what to add, in the user's words."""

    specific: bool
    measurable: bool
    time_bound: bool
    owned: bool
    linked: bool
    missing: tuple[str, ...] = ()

    @property
    def is_smart(self) -> bool:
        return not self.missing

    def summary(self) -> str:
        """One line for listings: "SMART" or what is missing."""
        return "SMART" if self.is_smart else "not SMART: " + "; ".join(self.missing)


def smart_check(benefit: Benefit) -> SmartCheck:
    """Say which parts of a SMART benefit the entry lacks, so the owner can complete it."""
    missing: list[str] = []
    specific = [name for name in ("title", "description") if not getattr(benefit, name).strip()]
    if specific:
        missing.append("specific: no " + " and no ".join(specific))
    measurable = []
    if not benefit.measure.metric.strip():
        measurable.append("metric")
    if benefit.baseline is None:
        measurable.append("baseline")
    if benefit.target is None and benefit.measure.direction is not Direction.RANGE:
        measurable.append("target")
    if measurable:
        missing.append("measurable: no " + ", no ".join(measurable))
    if benefit.target_date is None:
        missing.append("time-bound: no target date")
    if benefit.owner is None:
        missing.append("owned: no owner")
    if not benefit.links and not benefit.goals:
        missing.append("linked: no epic or value goal")
    return SmartCheck(
        specific=not specific,
        measurable=not measurable,
        time_bound=benefit.target_date is not None,
        owned=benefit.owner is not None,
        linked=bool(benefit.links or benefit.goals),
        missing=tuple(missing),
    )


def benefit_number(benefit_id: str) -> int:
    """The number of ``BEN-n``, so ids sort as people count (BEN-2 before BEN-10)."""
    return int(benefit_id.removeprefix("BEN-"))


def next_benefit_id(existing: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> str:
    """The id after the highest one in use (gaps are not refilled: ids are never reused)."""
    numbers = [benefit_number(known) for known in existing if BENEFIT_ID.fullmatch(known)]
    return f"BEN-{max(numbers, default=0) + 1}"
