"""Sync: bring a team's backlog from its tool into the stored snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Team
from bot.wiring import Services

#: the cursor is set a little before the fetch started, so edits made while it ran are not lost
CURSOR_OVERLAP = timedelta(seconds=5)
#: a sync that started this recently is fresh enough to plan a reorder on: the scheduled cycle
#: and a person typing ``sync`` then ``reorder`` do not pay for a second sync (2 requests or
#: more), and the next sync still fetches everything since the stored cursor
FRESH_SYNC = timedelta(minutes=2)


@dataclass(frozen=True)
class SyncReport:
    team: str
    fetched: int
    removed: int
    full: bool
    requests: int
    total: int
    #: what could not be done beside the backlog (a linked issue the tool does not know)
    warnings: tuple[str, ...] = ()


def synced_recently(svc: Services, team: Team, within: timedelta = FRESH_SYNC) -> bool:
    """Whether the team's last sync started less than ``within`` ago (its stored cursor)."""
    cursor = svc.store.get_cursor(team.name)
    return cursor is not None and svc.clock() - cursor <= within + CURSOR_OVERLAP


def sync_team(
    svc: Services,
    team: Team,
    *,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """Fetch changes since the team's cursor (everything with ``full``) and store them.

    The benefit register's linked issues outside the backlog are fetched by key too, so
    their delivery dates are known (:func:`bot.usecases.benefits.sync_linked`).
    """
    connector = svc.connector_for(team)
    cursor = None if full else svc.store.get_cursor(team.name)
    started = svc.clock()
    if progress is not None:
        progress("full sync" if cursor is None else f"changes since {cursor:%Y-%m-%d %H:%M}")
    result = connector.fetch_items(since=cursor)
    svc.store.save_snapshot(
        team.name, result.items, complete=result.complete, removed=result.removed
    )
    svc.store.set_cursor(team.name, started - CURSOR_OVERLAP)
    from bot.usecases.benefits import sync_linked  # the register needs storage

    linked = sync_linked(svc, team)
    return SyncReport(
        team=team.name,
        fetched=len(result.items),
        removed=len(result.removed),
        full=result.complete,
        requests=result.requests,
        total=len(svc.store.load_snapshot(team.name)),
        warnings=linked.warnings,
    )
