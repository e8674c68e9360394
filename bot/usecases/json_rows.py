"""The JSON shapes Northstar's outputs share: ``rank --json``, ``plan --json``, the demo's files.

Kept apart from the CLI so use cases (the demo) and commands write exactly the same shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.explain import ValueRow
    from rules.model import RankedItem, Ranking, RankPlan


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
                "reasons": [reason.model_dump() for reason in ranked.reasons],
                "explanation": ranked.score.explain(),
            }
        )
    return rows


def value_rows(entries: Sequence[tuple[ValueRow, RankedItem]]) -> list[dict[str, Any]]:
    """The by-value view as plain rows (``rank --by-value --json``)."""
    return [
        {
            "value_rank": row.value_rank,
            "backlog_rank": row.backlog_rank,
            "key": row.key,
            "summary": ranked.item.summary,
            "score": row.score,
            "model": ranked.score.model,
            "held": row.mark,
        }
        for row, ranked in entries
    ]


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
