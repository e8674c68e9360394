"""Which fields a connector may write back, shared by every connector and its config.

Kept apart from the in-memory backlog (:mod:`connectors.memory`) so a real connector's config
can validate its ``writable`` set without depending on a fake tool's implementation.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence

from connectors.base import ConnectorConfigError, ConnectorError
from rules.model import INPUT_NAMES

#: Inputs a connector can write back; ``stakeholder_value`` comes from check-ins, never a tool.
WRITABLE_INPUTS: tuple[str, ...] = tuple(
    name for name in INPUT_NAMES if name != "stakeholder_value"
)
#: Everything that may appear in a connector's ``writable`` set.
WRITABLE_FIELDS: tuple[str, ...] = ("score", *WRITABLE_INPUTS)


def check_writable(writable: Iterable[str]) -> frozenset[str]:
    """Validate a ``writable`` set early, so a typo in the config fails at start, not mid-run."""
    names = frozenset(writable)
    for name in sorted(names):
        if name not in WRITABLE_FIELDS:
            raise ConnectorConfigError(
                f"{name!r} cannot be made writable{_did_you_mean(name, WRITABLE_FIELDS)} "
                f"(writable fields: {', '.join(WRITABLE_FIELDS)})"
            )
    return names


def check_inputs(owner: str, key: str, values: Mapping[str, float]) -> None:
    """Refuse names that are no value input a tool holds, and values that are no number."""
    for name, value in values.items():
        if name not in WRITABLE_INPUTS:
            raise ConnectorError(
                f"{owner}: {name!r} is not a value input Northstar can write"
                f"{_did_you_mean(name, WRITABLE_INPUTS)} (inputs: {', '.join(WRITABLE_INPUTS)})"
            )
        if not math.isfinite(value):
            raise ConnectorError(f"{owner}: {name} of {key} must be a number")


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
