"""The columns a backlog file may have, their other spellings, and the errors that name a cell.

Kept apart from parsing and I/O so the one list of columns is read by both the reader and the
writer, and by the docs in :mod:`connectors.files`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from connectors.base import WRITABLE_INPUTS, ConnectorConfigError, did_you_mean

#: The columns a backlog file may have, in the order a new file would list them.
COLUMNS: tuple[str, ...] = (
    "key",
    "summary",
    "type",
    "status",
    "status_category",
    "labels",
    "components",
    "priority",
    "created",
    "updated",
    "resolved",
    "due",
    "sprint_id",
    "sprint_name",
    "sprint_state",
    "sprint_goal",
    "sprint_start",
    "sprint_end",
    "parent",
    "blocks",
    "blocked_by",
    "team",
    *WRITABLE_INPUTS,  # cost, business_value, ... benefit_per_week
    "benefit_category",
    "score",
)

#: Other spellings, as found in published story-point datasets (Choetkiertikul et al. 2018, TAWOS).
ALIASES: dict[str, str] = {
    "issuekey": "key",
    "issue_key": "key",
    "title": "summary",
    "storypoint": "cost",
    "story_point": "cost",
    "story_points": "cost",
    "creation_date": "created",
    "resolution_date": "resolved",
}

#: Columns kept in the file but not read (long texts and effort figures in those datasets).
IGNORED: frozenset[str] = frozenset(
    {
        "description",
        "id",
        "resolution",
        "timespent",
        "in_progress_minutes",
        "total_effort_minutes",
        "resolution_time_minutes",
    }
)


class FileFormatError(ConnectorConfigError):
    """A backlog file that cannot be read: names the file, the row and column, and the value."""

    def __init__(
        self,
        path: Path,
        problem: str,
        *,
        where: str | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.path = path
        self.where = where
        self.column = column
        self.value = value
        place = ", ".join(
            part
            for part in (str(path), where, f"column {column!r}" if column is not None else None)
            if part
        )
        super().__init__(f"{place}: {problem}")


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _allowed_columns() -> str:
    also = ", ".join(f"{alias} ({field})" for alias, field in ALIASES.items())
    ignored = ", ".join(sorted(IGNORED))
    return f"columns: {', '.join(COLUMNS)}; also accepted: {also}; ignored: {ignored}"


def resolve_columns(path: Path, names: Iterable[str], where: str | None = None) -> dict[str, str]:
    """Map each field to the column that holds it; unknown and doubled columns are errors."""
    columns: dict[str, str] = {}
    for name in names:
        normal = _normalise(name)
        if not normal or normal in IGNORED:
            continue
        field = normal if normal in COLUMNS else ALIASES.get(normal)
        if field is None:
            hint = did_you_mean(normal, [*COLUMNS, *ALIASES])
            raise FileFormatError(
                path, f"unknown column {name!r}{hint} ({_allowed_columns()})", where=where
            )
        if field in columns:
            raise FileFormatError(
                path,
                f"columns {columns[field]!r} and {name!r} both give {field}; keep one",
                where=where,
            )
        columns[field] = name
    if "key" not in columns:
        raise FileFormatError(path, "needs a 'key' column (or 'issuekey') naming each issue")
    return columns
