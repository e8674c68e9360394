"""The JSON shapes Northstar's outputs share: ``rank --json``, ``plan --json``, the demo's files.

Kept apart from the CLI so use cases (the demo) and commands write exactly the same shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.model import Ranking, RankPlan


def ranking_rows(ranking: Ranking, limit: int | None = None) -> list[dict[str, Any]]:
    """The ranking as plain rows, for JSON output and the demo's ranking.json."""
    rows = []
    for ranked in ranking.items[:limit]:
        rows.append(
            {
                "rank": ranked.rank,
                "previous_rank": ranked.previous_rank,
                "key": ranked.key,
                "summary": ranked.item.summary,
                "score": ranked.score.value,
                "model": ranked.score.model,
                "needs_estimate": ranked.score.needs_estimate,
                "reason": ranked.reason,
                "explanation": ranked.score.explain(),
            }
        )
    return rows


def plan_json(plan: RankPlan) -> list[dict[str, Any]]:
    """The moves in the documented shape: ``{"issues": [...], "before"|"after": KEY}``."""
    moves: list[dict[str, Any]] = []
    for move in plan.moves:
        entry: dict[str, Any] = {"issues": list(move.issues)}
        if move.before is not None:
            entry["before"] = move.before
        else:
            entry["after"] = move.after
        moves.append(entry)
    return moves
