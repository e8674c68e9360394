"""The connector port: what Northstar needs from any backlog tool, spoken in ``rules`` models.

Adapters (``sample``, ``files``, ``jira``) implement :class:`Connector`; third-party ones register
through the entry-point group ``northstar.connectors`` (see :mod:`connectors.registry`). A
connector that can fetch issues by key (:class:`FetchesByKeys`) serves the benefit register's
links. A connector that can check its own access (a remote tool: reachability, auth,
permissions) also implements the optional :class:`ChecksAccess`, which ``northstar doctor``
asks for.

The writable-field checks live here, beside the port, because every connector that writes
must refuse the same fields with the same words, whatever tool it talks to.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from connectors.errors import ConnectorError as ConnectorError  # its home; re-exported
from rules.model import INPUT_NAMES, Item, RankMove, RankPlan, Sprint

#: Inputs a connector can write back; ``stakeholder_value`` comes from check-ins, never a tool.
WRITABLE_INPUTS: tuple[str, ...] = tuple(
    name for name in INPUT_NAMES if name != "stakeholder_value"
)
#: Everything that may appear in a connector's ``writable`` set.
WRITABLE_FIELDS: tuple[str, ...] = ("score", *WRITABLE_INPUTS)


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

    def write_scores(
        self, scores: Mapping[str, float], *, known: Mapping[str, float | None] | None = None
    ) -> list[str]:
        """Write scores where they differ from the stored ones; return the keys written.

        ``known``: the tool's current scores as the caller's snapshot has them, vouched for (no
        write run was interrupted since the sync), so a connector whose reads cost requests
        need not read them again; a connector that holds its values locally ignores them.
        """
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


@runtime_checkable
class FetchesByKeys(Protocol):
    """A connector that can fetch issues by key, wherever they are (optional).

    The benefit register links epics that may have left the backlog years ago; their
    delivery dates come from here. Keys the tool does not know are simply not returned.
    """

    def fetch_by_keys(self, keys: Sequence[str]) -> list[Item]:
        """The issues of ``keys`` that exist, done or not, in any order."""
        ...


class AccessReport(Protocol):
    """One line of ``northstar doctor``: what was checked, whether it passed, how to fix it."""

    @property
    def name(self) -> str: ...

    @property
    def ok(self) -> bool: ...

    @property
    def detail(self) -> str: ...

    @property
    def fix(self) -> str: ...


@runtime_checkable
class ChecksAccess(Protocol):
    """Optional part of the port: a connector that can tell whether it will work before a run."""

    def check_access(self) -> Sequence[AccessReport]:
        """Each check in order; stops after a failure that makes the later ones meaningless."""
        ...


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or "" when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_writable(writable: Iterable[str]) -> frozenset[str]:
    """Validate a ``writable`` set early, so a typo in the config fails at start, not mid-run."""
    names = frozenset(writable)
    for name in sorted(names):
        if name not in WRITABLE_FIELDS:
            hint = did_you_mean(name, WRITABLE_FIELDS)
            raise ConnectorConfigError(
                f"{name!r} cannot be made writable{hint} (writable fields: "
                f"{', '.join(WRITABLE_FIELDS)})"
            )
    return names


def check_inputs(owner: str, key: str, values: Mapping[str, float]) -> None:
    """Refuse names that are no value input a tool holds, and values that are no number."""
    for name, value in values.items():
        if name not in WRITABLE_INPUTS:
            raise ConnectorError(
                f"{owner}: {name!r} is not a value input Northstar can write"
                f"{did_you_mean(name, WRITABLE_INPUTS)} (inputs: {', '.join(WRITABLE_INPUTS)})"
            )
        if not math.isfinite(value):
            raise ConnectorError(f"{owner}: {name} of {key} must be a number")


def require_writable(connector: str, writable: Iterable[str], names: Iterable[str]) -> None:
    """Refuse a write of any field outside ``writable``, saying how to allow it."""
    allowed = frozenset(writable)
    refused = [name for name in names if name not in allowed]
    if refused:
        listed = ", ".join(sorted(allowed)) or "nothing"
        raise ConnectorError(
            f"{connector}: Northstar may not write {', '.join(refused)} (writable: {listed}); "
            "to allow it, add it to `writable` under [jira.fields] in northstar.toml"
        )


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
