"""Score and rank a team's backlog, and answer "what if" questions about one item.

The same functions serve the CLI, the ``/value`` command and scheduled jobs, so a score
explained in Slack is exactly the score the reorder used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.config import NorthstarConfig, Team
from bot.errors import NotWritableError, UnknownIssueError, UserError, suggest
from bot.usecases.sync import sync_team
from bot.wiring import Services
from rules.checkins import apply_ratings
from rules.model import INPUT_NAMES, Item, RankedItem, Ranking, Rating, ScoredItem, SprintState
from rules.ranking import rank_items
from rules.ruleset import Ruleset
from rules.scoring import score_items


@dataclass(frozen=True)
class TeamScores:
    team: Team
    scored: list[ScoredItem]
    ranking: Ranking
    current_order: list[str]
    #: the tolerance the ranking was made with, so ``why`` judges pairs by the same rule
    tolerance: float
    written: list[str] = field(default_factory=list)

    def scored_by_key(self) -> dict[str, ScoredItem]:
        return {entry.key: entry for entry in self.scored}


@dataclass(frozen=True)
class WhatIf:
    before: RankedItem
    after: RankedItem
    ranking_after: Ranking


def load_items(svc: Services, team: Team) -> list[Item]:
    """The stored snapshot, synced first when there is none yet."""
    items = svc.store.load_snapshot(team.name)
    if not items:
        sync_team(svc, team, full=True)
        items = svc.store.load_snapshot(team.name)
    return items


def score_and_rank(
    items: Sequence[Item],
    ratings: Sequence[Rating],
    config: NorthstarConfig,
    ruleset: Ruleset,
    team: Team,
    now: datetime,
    order: Sequence[str] | None = None,
) -> TeamScores:
    """Score ``items`` (check-in ratings folded in) and rank the open ones against ``order``.

    ``order`` is the tool's current order (the snapshot's when None); done items are scored,
    for value delivered, but never ranked.
    """
    embedded = [rating for item in items for rating in item.ratings]
    rated = apply_ratings(items, [*embedded, *ratings], now, config.scoring)
    scored = score_items(rated, config.scoring, ruleset, now.astimezone(team.zone).date())
    open_items = {entry.key: entry for entry in scored if not entry.item.is_done}
    keys = order if order is not None else [item.key for item in items]
    current = [key for key in keys if key in open_items]
    seen = set(current)
    # a tool's backlog order leaves out what is planned into sprints: that goes first, as on
    # the board, and anything else unknown to the order (new items) last
    missing = [key for key in open_items if key not in seen]
    planned = [key for key in missing if _in_open_sprint(open_items[key].item)]
    unplanned = [key for key in missing if not _in_open_sprint(open_items[key].item)]
    current = [*planned, *current, *unplanned]
    ranking = rank_items(
        [open_items[key] for key in current], current, config.guardrails, config.scoring.tolerance
    )
    return TeamScores(
        team=team,
        scored=scored,
        ranking=ranking,
        current_order=current,
        tolerance=config.scoring.tolerance,
    )


def rank_snapshot(
    svc: Services,
    team: Team,
    items: Sequence[Item],
    now: datetime,
    order: Sequence[str] | None = None,
) -> TeamScores:
    """:func:`score_and_rank` with the ratings stored from check-ins."""
    stored = svc.store.ratings_for([item.key for item in items])
    return score_and_rank(items, stored, svc.config, svc.ruleset, team, now, order)


def score_team(svc: Services, team: Team, *, write: bool = False) -> TeamScores:
    """Score and rank the team's snapshot; with ``write``, write changed scores back and record."""
    now = svc.clock()
    items = load_items(svc, team)
    result = rank_snapshot(svc, team, items, now)
    if not write:
        return result
    # the snapshot knows the score each item carries in the tool: only changed ones are sent,
    # so the connector need not ask the tool for the current values of the whole backlog
    known = {item.key: item for item in items}
    changed = {
        ranked.key: ranked.score.value
        for ranked in result.ranking.items
        if not _same_score(known[ranked.key].score, ranked.score.value)
    }
    written = _write_changed(svc, team, known, changed, now) if changed else []
    svc.store.record_scores(team.name, [ranked.score for ranked in result.ranking.items], now)
    svc.store.record_ranking(team.name, result.ranking.keys, now)
    return TeamScores(
        team=team,
        scored=result.scored,
        ranking=result.ranking,
        current_order=result.current_order,
        tolerance=result.tolerance,
        written=written,
    )


def _write_changed(
    svc: Services,
    team: Team,
    known: Mapping[str, Item],
    changed: Mapping[str, float],
    now: datetime,
) -> list[str]:
    """Write ``changed`` scores and put the accepted ones in the snapshot, as one marked run.

    The snapshot holds the tool's scores unless the last run was interrupted between Jira
    accepting a write and the snapshot recording it; only then does the connector read the
    current values (one request per 100 issues in Jira) so that nothing is sent twice and
    nothing Jira lacks is skipped.
    """
    trusted = svc.store.score_writes_settled(team.name)
    svc.store.start_score_writes(team.name, now)
    vouched = {key: known[key].score for key in changed} if trusted else None
    written = svc.connector_for(team).write_scores(changed, known=vouched)
    if written:
        svc.store.save_snapshot(
            team.name,
            [known[key].model_copy(update={"score": round(changed[key], 2)}) for key in written],
            complete=False,
        )
    svc.store.finish_score_writes(team.name, svc.clock())
    return written


def _in_open_sprint(item: Item) -> bool:
    return item.sprint is not None and item.sprint.state is not SprintState.CLOSED


def _same_score(stored: float | None, new: float) -> bool:
    """Scores are compared as the tool shows them: at two decimals."""
    return stored is not None and round(stored, 2) == round(new, 2)


def find_team_of(svc: Services, key: str) -> Team:
    """The team whose backlog holds ``key`` (keys are matched case-insensitively)."""
    wanted = key.upper()
    for team in svc.config.teams:
        if any(item.key == wanted for item in load_items(svc, team)):
            return team
    raise UnknownIssueError(wanted, [team.name for team in svc.config.teams])


def check_inputs(changes: Mapping[str, float]) -> None:
    """Reject unknown input names, naming the closest one."""
    for name in changes:
        if name not in INPUT_NAMES:
            close = suggest(name, INPUT_NAMES)
            hint = f"; did you mean {close!r}?" if close else ""
            raise UserError(f"unknown input {name!r}{hint} (inputs: {', '.join(INPUT_NAMES)})")


def whatif(svc: Services, team: Team, key: str, changes: Mapping[str, float]) -> WhatIf:
    """The item's score and rank if its inputs were ``changes``; nothing is written."""
    check_inputs(changes)
    now = svc.clock()
    items = load_items(svc, team)
    key = key.upper()
    if not any(item.key == key for item in items):
        raise UnknownIssueError(key, [team.name])
    before = rank_snapshot(svc, team, items, now)
    changed = [item.model_copy(update=dict(changes)) if item.key == key else item for item in items]
    after = rank_snapshot(svc, team, changed, now, order=before.current_order)
    old, new = before.ranking.find(key), after.ranking.find(key)
    if old is None or new is None:
        raise UserError(f"{key} is done or not in the ranked backlog, so it has no rank")
    return WhatIf(before=old, after=new, ranking_after=after.ranking)


def set_inputs(svc: Services, team: Team, key: str, changes: Mapping[str, float]) -> WhatIf:
    """Write inputs to the tool (only fields the config marks writable), then rescore."""
    check_inputs(changes)
    refused = [name for name in changes if name not in svc.config.jira.fields.writable]
    if refused:
        raise NotWritableError(refused)
    result = whatif(svc, team, key, changes)
    svc.connector_for(team).write_inputs(key.upper(), dict(changes))
    stored = next(item for item in load_items(svc, team) if item.key == key.upper())
    svc.store.save_snapshot(team.name, [stored.model_copy(update=dict(changes))], complete=False)
    return result
