"""Why an item scores what it does and sits where it does: ``/value why`` and ``northstar why``.

Both answers come from one :class:`Explanation`: the score term by term, the item's rank, the
pairs that matter for its place (the item above it and why that is allowed; any item it clearly
beats that still sits above it, with the guardrail that allows it), why it sits above the next
item, and (in Slack, where the store is) what stakeholders rated it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Team
from bot.errors import UnknownIssueError
from bot.usecases.checkins import visible_ratings
from bot.usecases.score import TeamScores, find_team_of
from bot.wiring import Services
from rules.checkins import RatingSummary, aggregate_ratings
from rules.explain import explain_position, why, why_lines
from rules.model import RankedItem


@dataclass(frozen=True)
class Explanation:
    key: str
    team: str
    #: None when the item is scored but not ranked (done, or left out by a rule)
    ranked: RankedItem | None
    total: int
    lines: list[str]
    position: str | None
    #: the pairs in words (:func:`rules.explain.why_lines`); empty when the item is not ranked
    pairs: list[str]
    ratings: RatingSummary | None = None


def explain(scores: TeamScores, key: str, ratings: RatingSummary | None = None) -> Explanation:
    """The explanation of ``key`` in ``scores``.

    Raises:
        UnknownIssueError: the item is not in the team's backlog.
    """
    scored = scores.scored_by_key().get(key)
    if scored is None:
        raise UnknownIssueError(key, [scores.team.name])
    ranked = scores.ranking.find(key)
    return Explanation(
        key=key,
        team=scores.team.name,
        ranked=ranked,
        total=len(scores.ranking.items),
        lines=(ranked.score if ranked is not None else scored.score).explain(),
        position=explain_position(scores.ranking, key) if ranked is not None else None,
        pairs=why_lines(why(scores.ranking, key, scores.tolerance)) if ranked is not None else [],
        ratings=ratings,
    )


def explain_item(svc: Services, key: str, team_scores: Callable[[Team], TeamScores]) -> Explanation:
    """The explanation of ``key`` in whichever team has it, with its stakeholder ratings.

    Ratings of a hidden check-in stay out of sight until it closes.
    """
    team = find_team_of(svc, key)
    scoring = svc.config.scoring
    summaries = aggregate_ratings(
        visible_ratings(svc, svc.store.ratings_for([key])),
        svc.clock(),
        scoring.rating_half_life_days,
        scoring.role_weights,
    )
    return explain(team_scores(team), key, summaries.get(key))
