"""Cells to model values and back: one converter per column, errors that name the cell.

A cell is CSV text or a JSON value; an empty cell, ``null`` or ``NULL`` means "not given".
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from connectors.base import WRITABLE_INPUTS
from connectors.files.schema import COLUMNS, FileFormatError
from connectors.memory import as_utc
from rules.model import BenefitCategory, Item, Sprint, SprintState, StatusCategory

_MISSING = frozenset({"", "NULL", "null"})
_TEXT = ("summary", "type", "status", "priority", "parent", "team", "sprint_name", "sprint_goal")
_LISTS = ("labels", "components", "blocks", "blocked_by")
_DATETIMES = ("created", "updated", "resolved", "sprint_start", "sprint_end")
_NUMBERS = (*WRITABLE_INPUTS, "score")
_SPRINT_FIELDS = tuple(column for column in COLUMNS if column.startswith("sprint_"))
_CATEGORY_WORDS = {
    "new": StatusCategory.TODO,
    "to do": StatusCategory.TODO,
    "todo": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "in progress": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}
_DONE_STATUSES = frozenset(
    {
        "done",
        "closed",
        "resolved",
        "released",
        "won't fix",
        "wont fix",
        "invalid",
        "duplicate",
        "cancelled",
        "canceled",
        "rejected",
    }
)
_STARTED_STATUSES = frozenset(
    {"in progress", "in review", "review", "code review", "in development", "in test", "testing"}
)
_STATUS_NAMES = {
    StatusCategory.TODO: "To Do",
    StatusCategory.IN_PROGRESS: "In Progress",
    StatusCategory.DONE: "Done",
}


class _BadValueError(ValueError):
    """A cell that cannot be converted; the connector adds file, row and column."""


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in _MISSING)


def _text(value: object) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    raise _BadValueError(f"{value!r} is not text")


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise _BadValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _BadValueError(f"{value!r} is not a number") from None
    else:
        raise _BadValueError(f"{value!r} is not a number")
    if not math.isfinite(number):
        raise _BadValueError(f"{value!r} is not a finite number")
    return number


def _whole(value: object) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _BadValueError(f"{value!r} is not a whole number")
    return int(number)


def _keys(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_text(part) for part in value if not _missing(part))
    return tuple(part.strip() for part in _text(value).split(";") if part.strip())


def _moment(value: object) -> datetime:
    text = _text(value)
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise _BadValueError(
            f"{value!r} is not an ISO 8601 date-time (like 2026-10-01T09:30:00Z)"
        ) from None


def _day(value: object) -> date:
    text = _text(value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise _BadValueError(f"{value!r} is not an ISO 8601 date (like 2026-12-31)") from None


_Choice = TypeVar("_Choice", bound=StrEnum)


def _choice(kind: type[_Choice], words: Mapping[str, _Choice]) -> Callable[[object], _Choice]:
    def convert(value: object) -> _Choice:
        text = _text(value).lower()
        if text in words:
            return words[text]
        allowed = ", ".join(dict.fromkeys(member.value for member in kind))
        raise _BadValueError(f"{value!r} is not one of {allowed}")

    return convert


_CONVERTERS: dict[str, Callable[[object], object]] = {
    "key": _text,
    **dict.fromkeys(_TEXT, _text),
    **dict.fromkeys(_LISTS, _keys),
    **dict.fromkeys(_DATETIMES, _moment),
    **dict.fromkeys(_NUMBERS, _number),
    "due": _day,
    "sprint_id": _whole,
    "status_category": _choice(StatusCategory, _CATEGORY_WORDS),
    "sprint_state": _choice(SprintState, {state.value: state for state in SprintState}),
    "benefit_category": _choice(BenefitCategory, {c.value: c for c in BenefitCategory}),
}


def _status_category(values: Mapping[str, Any]) -> StatusCategory:
    category: StatusCategory | None = values.get("status_category")
    if category is not None:
        return category
    status = str(values.get("status") or "").lower()
    if status in _DONE_STATUSES or (not status and values.get("resolved") is not None):
        return StatusCategory.DONE
    if status in _STARTED_STATUSES:
        return StatusCategory.IN_PROGRESS
    return StatusCategory.TODO


def _sprint(values: Mapping[str, Any]) -> Sprint | None:
    sprint_id: int | None = values.get("sprint_id")
    name: str | None = values.get("sprint_name")
    if sprint_id is None and name is None:
        return None
    if sprint_id is None:
        # a stable id from the name, so the same sprint gets the same id in every row and run
        sprint_id = zlib.crc32(str(name).encode("utf-8")) & 0x7FFFFFFF
    return Sprint(
        id=sprint_id,
        name=name or f"Sprint {sprint_id}",
        # active by default: a sprint named in an export is usually the current one, and an
        # active sprint is left alone by reordering, the safe side
        state=values.get("sprint_state") or SprintState.ACTIVE,
        goal=values.get("sprint_goal"),
        start=values.get("sprint_start"),
        end=values.get("sprint_end"),
    )


def item_from_record(
    path: Path, record: Mapping[str, object], columns: Mapping[str, str], where: str
) -> Item:
    """Convert one row (column name -> cell) into an :class:`Item`; errors name the cell."""
    values: dict[str, Any] = {}
    key = record.get(columns["key"])
    label = where if _missing(key) else f"{where} ({str(key).strip()})"
    for field, column in columns.items():
        raw = record.get(column)
        if _missing(raw):
            continue
        try:
            values[field] = _CONVERTERS[field](raw)
        except _BadValueError as e:
            raise FileFormatError(path, str(e), where=label, column=column, value=raw) from None
    if not values.get("key"):
        raise FileFormatError(path, "the key is empty; every row needs an issue key", where=where)
    cost = values.get("cost")
    if cost is not None and cost < 0:
        raise FileFormatError(
            path,
            f"{values['key']} has {cost:g} story points; a cost cannot be negative (leave the "
            "cell empty while it is unestimated)",
            where=label,
            column=columns["cost"],
            value=record.get(columns["cost"]),
        )
    category = _status_category(values)
    values["status_category"] = category
    values.setdefault("status", _STATUS_NAMES[category])
    values["sprint"] = _sprint(values)
    for field in _SPRINT_FIELDS:
        values.pop(field, None)
    try:
        return Item.model_validate(values)
    except ValidationError as e:
        raise FileFormatError(path, str(e), where=label) from e


# --- model values -> cell values ----------------------------------------------------------------


def field_value(item: Item, field: str) -> object:
    """The value of a file column for ``item`` (sprint columns come from ``item.sprint``)."""
    if field.startswith("sprint_"):
        if item.sprint is None:
            return None
        attribute = "id" if field == "sprint_id" else field.removeprefix("sprint_")
        return getattr(item.sprint, attribute)
    return getattr(item, field)


def plain_value(value: object) -> object:
    """A model value as JSON would hold it."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def cell_text(value: object) -> str:
    """A model value as CSV text."""
    plain = plain_value(value)
    if plain is None:
        return ""
    if isinstance(plain, list):
        return ";".join(str(part) for part in plain)
    if isinstance(plain, float):
        return repr(plain)
    return str(plain)
