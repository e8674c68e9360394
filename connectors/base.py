"""The connector port: what Northstar needs from any backlog tool, spoken in ``rules`` models.

Adapters (``sample``, ``files``, ``jira``) implement :class:`Connector`; third-party ones register
through the entry-point group ``northstar.connectors`` (see :mod:`connectors.registry`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from rules.model import Item, RankMove, RankPlan, Sprint


class ConnectorError(Exception):
    """Base of every connector failure; its message is safe to show a user (no secrets)."""


class ConnectorConfigError(ConnectorError):
    """The connector cannot start: a missing file, a bad column, an unknown field name."""


class MoveFailedError(ConnectorError):
    """Some issues of a rank call could not be moved even after a retry."""

    def __init__(self, failures: Mapping[str, str]):
        self.failures = dict(failures)
        listed = ", ".join(f"{key} ({reason})" for key, reason in sorted(self.failures.items()))
        super().__init__(f"{len(self.failures)} issue(s) could not be ranked: {listed}")


class FetchResult(BaseModel):
    """Items fetched from a tool.

    ``complete`` is true when ``items`` is the whole backlog; an incremental fetch returns only
    the changed items and lists in ``removed`` the keys that left the backlog.
    """

    model_config = ConfigDict(frozen=True)

    items: tuple[Item, ...]
    removed: tuple[str, ...] = ()
    complete: bool = True
    requests: int = 0


@runtime_checkable
class Connector(Protocol):
    """One team's backlog in one tool."""

    name: str

    def fetch_items(self, since: datetime | None = None) -> FetchResult:
        """All backlog items in rank order, or (with ``since``) only those changed since then."""
        ...

    def read_order(self) -> list[str]:
        """The keys of the backlog in the tool's current rank order, best first."""
        ...

    def write_scores(self, scores: Mapping[str, float]) -> list[str]:
        """Write scores where they differ from the stored ones; return the keys written."""
        ...

    def write_inputs(self, key: str, values: Mapping[str, float]) -> None:
        """Write value inputs of one item to the fields the config marks writable."""
        ...

    def apply_move(self, move: RankMove) -> None:
        """Apply one rank call; raise :class:`MoveFailedError` naming what did not move."""
        ...

    def list_sprints(self) -> list[Sprint]:
        """Sprints of the team's board, newest last."""
        ...


def apply_plan(
    connector: Connector,
    plan: RankPlan,
    *,
    start_at: int = 0,
    on_applied: Callable[[int, RankMove], None] | None = None,
) -> int:
    """Apply ``plan.moves[start_at:]`` in order, reporting each one as it lands.

    ``on_applied(index, move)`` runs after every successful call, so the caller can record
    progress durably and resume at ``index + 1`` after a crash. Returns the moves applied.
    """
    applied = 0
    for index, move in enumerate(plan.moves[start_at:], start=start_at):
        connector.apply_move(move)
        applied += 1
        if on_applied is not None:
            on_applied(index, move)
    return applied
