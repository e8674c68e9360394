"""``northstar.toml``: teams, scoring, guardrails, Jira field mapping, rules and schedules.

The file is read here (the bot owns I/O); the scoring, guardrail and rule sections are the pure
core's own models (:mod:`rules.config`), so the core validates its inputs. Errors name the file,
the key and the line where one is known, and say what to do.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError
from rules import schedules
from rules.config import GuardrailConfig, RuleSpec, ScoringConfig
from rules.errors import RulesError
from rules.model import ValueGoal
from rules.ruleset import compile_rules
from rules.scoring import compile_formula

logger = logging.getLogger(__name__)

EXAMPLE_CONFIG = "northstar.example.toml"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class JiraFields(_Section):
    """``[jira.fields]``: value input -> Jira field *name*, found through ``/rest/api/3/field``."""

    cost: str = "Story point estimate"
    business_value: str | None = "Business Value"
    time_criticality: str | None = "Time Criticality"
    risk_reduction: str | None = "Risk Reduction"
    reach: str | None = None
    impact: str | None = None
    confidence: str | None = None
    ease: str | None = None
    benefit_per_week: str | None = None
    benefit_category: str | None = "Benefit Category"
    score: str = "Value Score"
    writable: tuple[str, ...] = ("score",)

    def mapping(self) -> dict[str, str]:
        """Input name -> field name, for the inputs that are mapped."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"writable"}).items()
            if isinstance(value, str) and value
        }


class JiraSection(_Section):
    fields: JiraFields = Field(default_factory=JiraFields)
    #: JQL added to every team's backlog query, e.g. to leave out sub-tasks
    extra_jql: str = ""


class Roles(_Section):
    """Slack user ids (U...) or user group ids (S...) allowed to do each guarded action."""

    reorder: tuple[str, ...] = ()
    set_inputs: tuple[str, ...] = ()
    checkin: tuple[str, ...] = ()
    #: create and edit benefit register entries from Slack
    benefits: tuple[str, ...] = ()


class Schedule(_Section):
    """When a team hears from Northstar, in the team's own time zone."""

    digest: str | None = "mon 09:00"
    checkin: str | None = None
    sync: str | None = None
    reminder_poll_minutes: int = Field(default=15, gt=0)
    quiet_hours: str | None = None
    quiet_days: tuple[str, ...] = ()
    max_messages_a_day: int = Field(default=5, ge=1)
    checkin_reminder_hours: float = Field(default=24, gt=0)
    #: a round closes (and its summary is posted) this long after it opened
    checkin_close_hours: float = Field(default=72, gt=0)
    checkin_items: int = Field(default=5, ge=1, le=10)
    realisation_after_weeks: int = Field(default=6, ge=1)
    #: days after delivery of a benefit's work for post-implementation reviews; None: each
    #: benefit's own (30, 90, 180 unless its entry says); an entry's own offsets win
    review_offsets: tuple[PositiveInt, ...] | None = None
    #: days after the target date for the sustainment review
    sustainment_days: int = Field(default=90, ge=1)
    #: days after an actual was asked for before the owner is nudged, once
    actual_nudge_days: int = Field(default=7, ge=1)


class Team(_Section):
    """``[[teams]]``: one backlog, one channel, one time zone."""

    name: str
    board: int | None = None
    jql: str | None = None
    source: str = "jira"
    channel: str | None = None
    timezone: str = "UTC"
    stakeholders: tuple[str, ...] = ()
    stakeholder_roles: dict[str, str] = Field(default_factory=dict)
    auto_reorder: bool = False
    roles: Roles = Field(default_factory=Roles)
    schedule: Schedule = Field(default_factory=Schedule)
    goals: tuple[ValueGoal, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like 'Europe/Berlin'"
            ) from e
        return value

    @model_validator(mode="after")
    def _has_backlog(self) -> Team:
        if self.source == "jira" and self.board is None and self.jql is None:
            raise ValueError(f'team {self.name!r} needs `board = <id>` or `jql = "..."`')
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class NorthstarConfig(_Section):
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    guardrails: GuardrailConfig = Field(default_factory=GuardrailConfig)
    jira: JiraSection = Field(default_factory=JiraSection)
    teams: tuple[Team, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    source: Path | None = None

    def team(self, name: str | None) -> Team:
        """The named team, or the only one; the error lists the teams there are."""
        if name is None and len(self.teams) == 1:
            return self.teams[0]
        for team in self.teams:
            if team.name == name:
                return team
        known = ", ".join(team.name for team in self.teams) or "none configured"
        if name is None:
            raise ConfigError(f"several teams are configured ({known}); name one with --team")
        raise ConfigError(f"no team named {name!r} (teams: {known})")


def _rule_lines(text: str) -> list[int]:
    """Line numbers of each ``[[rules]]`` header, so rule errors can point at the file."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"\s*\[\[\s*rules\s*\]\]", line)
    ]


def _place(loc: tuple[int | str, ...], raw: Mapping[str, Any]) -> str:
    """``teams.1.schedule.digest`` -> ``team 'growth': schedule.digest``, as a person reads it."""
    teams = raw.get("teams")
    if len(loc) >= 2 and loc[0] == "teams" and isinstance(loc[1], int) and isinstance(teams, list):
        entry = teams[loc[1]] if loc[1] < len(teams) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        team = f"team {name!r}" if isinstance(name, str) else f"teams[{loc[1]}]"
        rest = ".".join(str(part) for part in loc[2:])
        return f"{team}: {rest}" if rest else team
    return ".".join(str(part) for part in loc)


def _schedule_problems(team: Team) -> list[str]:
    """What the scheduler would refuse in ``team.schedule``, found when the config loads.

    The same pure parsers the scheduler builds its triggers from, so a string accepted here is
    one the scheduler can run; an empty string is "off" there, and here.
    """
    schedule = team.schedule
    checks: list[tuple[str, Callable[[], object]]] = [
        (key, partial(schedules.cron_fields, text))
        for key, text in (
            ("digest", schedule.digest),
            ("checkin", schedule.checkin),
            ("sync", schedule.sync),
        )
        if text
    ]
    if schedule.quiet_hours:
        checks.append(("quiet_hours", partial(schedules.parse_quiet_hours, schedule.quiet_hours)))
    checks.append(("quiet_days", partial(schedules.parse_quiet_days, schedule.quiet_days)))
    problems = []
    for key, check in checks:
        try:
            check()
        except schedules.ScheduleError as e:
            problems.append(f"team {team.name!r}: schedule.{key}: {e}")
    return problems


def _problems(config: NorthstarConfig) -> list[str]:
    """Mistakes that only show across keys or teams, which field validation cannot see."""
    problems = [
        f"two teams are named {name!r}; give each team its own name"
        for name, count in Counter(team.name for team in config.teams).items()
        if count > 1
    ]
    tolerance = config.scoring.tolerance
    if not 0 <= tolerance <= 1:
        problems.append(
            f"scoring.tolerance: {tolerance} is outside 0..1; it is a share of the score "
            "(0.05 keeps items within 5% of each other in their current order)"
        )
    for team in config.teams:
        problems.extend(_schedule_problems(team))
    return problems


def config_warnings(config: NorthstarConfig) -> list[str]:
    """Settings that are legal but have no effect, so a user learns they are ignored."""
    where = str(config.source) if config.source else "northstar.toml"
    return [
        f"{where}: team {team.name!r}: source is {team.source!r}, so `{key}` is ignored "
        "(it only selects a Jira backlog)"
        for team in config.teams
        if team.source != "jira"
        for key in ("board", "jql")
        if getattr(team, key) is not None
    ]


def parse_config(text: str, source: Path | None = None) -> NorthstarConfig:
    """Parse and validate the text of a ``northstar.toml``."""
    where = str(source) if source else "northstar.toml"
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where} is not valid TOML: {e}") from e
    lines = _rule_lines(text)
    rules = raw.get("rules", [])
    if isinstance(rules, list):
        for index, rule in enumerate(rules):
            if isinstance(rule, dict) and index < len(lines):
                rule.setdefault("line", lines[index])
    try:
        config = NorthstarConfig.model_validate({**raw, "source": source})
    except ValidationError as e:
        problems = "; ".join(f"{_place(error['loc'], raw)}: {error['msg']}" for error in e.errors())
        raise ConfigError(f"{where}: {problems}") from e
    found = _problems(config)
    if found:
        raise ConfigError(f"{where}: {'; '.join(found)}")
    for warning in config_warnings(config):
        logger.warning("%s", warning)
    # compiled here once to reject a bad rule or formula when the config loads, not at the
    # first scheduled run; compiling is cheap, and the bot compiles its own copy when used
    try:
        compile_rules(config.rules)
        if config.scoring.model == "formula":
            compile_formula(config.scoring.formula)
    except RulesError as e:
        raise ConfigError(f"{where}: {e}") from e
    return config


def load_config(path: Path | None) -> NorthstarConfig:
    """Load ``path``, or the example config shipped with Northstar when ``path`` is None."""
    if path is None:
        return parse_config(example_config_text(), Path(EXAMPLE_CONFIG))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(
            f"config file {path} not found; set NORTHSTAR_CONFIG or pass --config"
        ) from e
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror}") from e
    return parse_config(text, path)


def example_config_text() -> str:
    """The example ``northstar.toml`` the demo uses and ``northstar init`` would copy."""
    return resources.files("bot.examples").joinpath(EXAMPLE_CONFIG).read_text(encoding="utf-8")
