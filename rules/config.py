"""The parts of ``northstar.toml`` the pure core reads: scoring, guardrails and rules.

The bot parses the file (I/O) and hands these models in; keeping their shape here means the
core validates its own inputs and tests can build them directly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ModelName = Literal["wsjf", "cd3", "rice", "ice", "net_value", "value_per_cost", "formula"]


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScoringConfig(_Config):
    """``[scoring]``: which model, its defaults and the stability tolerance."""

    model: ModelName = "wsjf"
    formula: str = ""
    default_cost: float = Field(default=5, gt=0)
    tolerance: float = Field(default=0.05, ge=0)
    discount_rate: float = Field(default=0.10, ge=0)
    #: how many weeks of benefit count for net value and discounted CD3
    horizon_weeks: int = Field(default=52, gt=0)
    #: money one story point costs, so net value can subtract cost from benefit
    cost_per_point: float = Field(default=1000, ge=0)
    #: weeks of delivery one story point takes, for CD3's duration
    weeks_per_point: float = Field(default=0.2, gt=0)
    #: half-life of a stakeholder rating, in days; older ratings weigh less
    rating_half_life_days: float = Field(default=60, gt=0)
    #: weight of a rating by the rater's role (roles not listed weigh 1)
    role_weights: dict[str, float] = Field(default_factory=dict)


class GuardrailConfig(_Config):
    """``[guardrails]``: what reordering must leave alone."""

    manual_zone: int = Field(default=0, ge=0)
    max_move: int = Field(default=0, ge=0)
    lock_active_sprint: bool = True


class RuleSpec(_Config):
    """One ``[[rules]]`` entry as written; :mod:`rules.ruleset` compiles it."""

    name: str
    when: str = "True"
    set: dict[str, str] = Field(default_factory=dict)
    adjust: dict[str, str] = Field(default_factory=dict)
    multiply: str | None = None
    pin: Literal["top", "bottom"] | None = None
    exclude: bool = False
    line: int | None = None
