"""Which fields a connector may write back, shared by every connector and its config.

Kept apart from the in-memory backlog (:mod:`connectors.memory`) so a real connector's config
can validate its ``writable`` set without depending on a fake tool's implementation.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from connectors.base import ConnectorConfigError
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
            close = difflib.get_close_matches(name, WRITABLE_FIELDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConnectorConfigError(
                f"{name!r} cannot be made writable{hint} (writable fields: "
                f"{', '.join(WRITABLE_FIELDS)})"
            )
    return names
