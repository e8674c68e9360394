"""Backlogs kept in CSV or JSON files: a spreadsheet export, a hand-made list, a research dataset.

The file's row order is the backlog order, best first. A CSV file (UTF-8, an Excel byte-order
mark is fine; separated by ``,``, ``;`` or tabs) has one header row naming its columns; a JSON
file is a list of objects whose keys are the same names. Only ``key`` is
required; an empty cell, a JSON ``null`` or the literal ``NULL`` means "not given". Header names
are matched ignoring case, spaces and dashes (``Business Value`` = ``business_value``).

Columns (CSV header names = JSON keys):

=================  ===========================================================================
column             meaning
=================  ===========================================================================
key                issue key, unique (required), e.g. ``PAY-12``
summary            one-line title
type               issue type: Story (default), Bug, Task, Incident, Spike, Epic ...
status             workflow status name, e.g. ``In Progress`` (default from status_category)
status_category    ``new``, ``indeterminate`` or ``done`` (also ``To Do``/``In Progress``/
                   ``Done``); when empty it is guessed from ``status``, else ``done`` if
                   ``resolved`` is set, else ``new``
labels             labels separated by ``;`` (``security;ux``); a JSON list also works
components         components separated by ``;``
priority           e.g. ``High``
created            ISO 8601 date-time (``2026-10-01T09:30:00Z``); no zone means UTC; a bare
updated            date means midnight UTC
resolved
due                ISO 8601 date (``2026-12-31``)
sprint_id          number of the sprint the item is in
sprint_name        sprint name (an id is derived from it when sprint_id is empty)
sprint_state       ``active`` (default when a sprint is given), ``future`` or ``closed``
sprint_goal        the sprint goal, quoted in sprint-start reminders
sprint_start       ISO 8601 date-times of the sprint
sprint_end
parent             key of the parent (usually an epic)
blocks             keys this item blocks, separated by ``;``
blocked_by         keys blocking this item, separated by ``;``
team               team name
cost               story points
business_value     WSJF inputs, SAFe's 1, 2, 3, 5, 8, 13, 20 scale
time_criticality
risk_reduction
reach              RICE / ICE inputs
impact
confidence
ease
benefit_per_week   cost of delay in money a week
benefit_category   ``financial``, ``operational``, ``customer`` or ``strategic``
score              the value score Northstar last wrote
=================  ===========================================================================

Also accepted, so research datasets load as they are: ``issuekey``/``issue_key`` (key),
``title`` (summary), ``storypoint``/``story_point``/``story_points`` (cost),
``creation_date`` (created) and ``resolution_date`` (resolved); the columns ``description``,
``id``, ``resolution``, ``timespent``, ``in_progress_minutes``, ``total_effort_minutes`` and
``resolution_time_minutes`` are kept but not read. Any other column is an error that lists the
columns above, so a typo never silently drops an input.

Writing back: scores, writable inputs and rank moves change the file itself. It is written to
a temporary file beside it and swapped in with :func:`os.replace`, so a crash never leaves half
a file. Only the cells that changed are rewritten; other cells keep their text (and JSON objects
their other keys), rows follow the new backlog order, and a column that is written but absent
(``score`` the first time) is added at the end. A JSON file is written back with two-space
indentation. The file is read again whenever it changed on disk, so hand edits are picked up;
since nobody stamps ``updated`` when editing a file by hand, every fetch is complete.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import json
import logging
import math
import os
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from connectors.base import ConnectorConfigError, ConnectorError, FetchResult
from connectors.memory import WRITABLE_INPUTS, MemoryConnector, as_utc
from rules.model import (
    BenefitCategory,
    Item,
    RankMove,
    Sprint,
    SprintState,
    StatusCategory,
)

logger = logging.getLogger(__name__)

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

_MISSING = frozenset({"", "NULL", "null"})
_TEXT = ("summary", "type", "status", "priority", "parent", "team", "sprint_name", "sprint_goal")
_LISTS = ("labels", "components", "blocks", "blocked_by")
_DATETIMES = ("created", "updated", "resolved", "sprint_start", "sprint_end")
_NUMBERS = (*WRITABLE_INPUTS, "score")
_SPRINT_FIELDS = (
    "sprint_id",
    "sprint_name",
    "sprint_state",
    "sprint_goal",
    "sprint_start",
    "sprint_end",
)
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


class _BadValueError(ValueError):
    """A cell that cannot be converted; the connector adds file, row and column."""


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
            close = difflib.get_close_matches(normal, [*COLUMNS, *ALIASES], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
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


# --- cell values -> model values ----------------------------------------------------------------


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


def _plain(value: object) -> object:
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


def _cell(value: object) -> str:
    """A model value as CSV text."""
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, list):
        return ";".join(str(part) for part in plain)
    if isinstance(plain, float):
        return repr(plain)
    return str(plain)


# --- the connectors -------------------------------------------------------------------------------


class FileConnector(MemoryConnector):
    """A backlog file read into memory and written back atomically after every change."""

    tracks_changes: ClassVar[bool] = False
    kind: ClassVar[str] = "file"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        writable: Iterable[str] = ("score",),
        name: str | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self._signature: tuple[int, int] | None = None
        self._saved: dict[str, Item] = {}
        super().__init__(self._read(), name=name or f"{self.kind}:{path}", writable=writable)
        self._saved = {item.key: item for item in self.items}

    # --- format-specific parts ------------------------------------------------------------------

    def _parse(self, text: str) -> list[Item]:
        raise NotImplementedError

    def _render(
        self, items: Sequence[Item], changed: Mapping[str, Sequence[str]]
    ) -> tuple[str, Callable[[], None]]:
        """The file's new text, and what to remember about its layout once it is written."""
        raise NotImplementedError

    # --- reading and writing the file -----------------------------------------------------------

    def _stat(self) -> tuple[int, int] | None:
        try:
            status = self.path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    def _read(self) -> list[Item]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise ConnectorConfigError(
                f"backlog file {self.path} not found; check the path in the source "
                f"({self.kind}:PATH, relative to {Path.cwd()})"
            ) from None
        except IsADirectoryError:
            raise ConnectorConfigError(
                f"{self.path} is a folder; name a .{self.kind} file"
            ) from None
        except OSError as e:
            raise ConnectorConfigError(f"cannot read backlog file {self.path}: {e.strerror}") from e
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise FileFormatError(
                self.path, "not UTF-8 text; save the file as UTF-8", where=f"line {line}"
            ) from None
        items = self._parse(text)
        self._signature = self._stat()
        logger.debug("read %d items from %s", len(items), self.path)
        return items

    def reload(self) -> None:
        """Read the file again, dropping what was held in memory."""
        with self._lock:
            self._load(self._read())
            self._saved = {item.key: item for item in self.items}

    def _refresh(self) -> None:
        """Pick up edits made to the file since it was read or written."""
        if self._stat() != self._signature:
            logger.info("%s changed on disk; reading it again", self.path)
            self.reload()

    def _persist(self) -> None:
        items = self.items
        changed = {
            item.key: [
                field
                for field in COLUMNS
                if item.key not in self._saved
                or field_value(item, field) != field_value(self._saved[item.key], field)
            ]
            for item in items
        }
        text, commit = self._render(items, changed)
        self._write_atomically(text)
        commit()
        self._saved = {item.key: item for item in items}

    def _write_atomically(self, text: str) -> None:
        folder = self.path.parent
        try:
            handle, temporary = tempfile.mkstemp(
                dir=folder, prefix=f".{self.path.name}.", suffix=".tmp"
            )
        except OSError as e:
            raise ConnectorError(f"cannot write backlog file {self.path}: {e.strerror}") from e
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            with contextlib.suppress(OSError):  # keep the file's permissions, not mkstemp's 0600
                os.chmod(temporary, stat.S_IMODE(self.path.stat().st_mode))
            os.replace(temporary, self.path)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise ConnectorError(f"cannot write backlog file {self.path}: {e.strerror}") from e
        self._signature = self._stat()
        logger.info("saved %s", self.path)

    # --- the Connector port, reading the file first if it changed -----------------------------

    def fetch_items(self, since: datetime | None = None) -> FetchResult:
        """Every item in file order; ``since`` is ignored because files have no change log."""
        with self._lock:
            self._refresh()
            return super().fetch_items(since)

    def read_order(self) -> list[str]:
        """The keys in file row order."""
        with self._lock:
            self._refresh()
            return super().read_order()

    def write_scores(self, scores: Mapping[str, float]) -> list[str]:
        """Write changed scores into the ``score`` column and save the file."""
        with self._lock:
            self._refresh()
            return super().write_scores(scores)

    def write_inputs(self, key: str, values: Mapping[str, float]) -> None:
        """Write writable inputs of one row and save the file."""
        with self._lock:
            self._refresh()
            super().write_inputs(key, values)

    def apply_move(self, move: RankMove) -> None:
        """Move rows as Jira would move issues, and save the file in the new order."""
        with self._lock:
            self._refresh()
            super().apply_move(move)

    def list_sprints(self) -> list[Sprint]:
        """The sprints named in the file's sprint columns."""
        with self._lock:
            self._refresh()
            return super().list_sprints()


class CsvConnector(FileConnector):
    """A backlog in a CSV file with a header row (see the module docs for the columns).

    The delimiter (``,``, ``;`` or tab) and line ending are taken from the header line and kept
    when the file is written back.
    """

    kind: ClassVar[str] = "csv"

    def _parse(self, text: str) -> list[Item]:
        first = text.split("\n", 1)[0]
        self._newline = "\r\n" if first.endswith("\r") else "\n"
        self._delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self._delimiter)
        try:
            self._header = next(reader)
        except StopIteration:
            raise FileFormatError(
                self.path, "the file is empty; it needs a header row naming the columns"
            ) from None
        except csv.Error as e:
            raise FileFormatError(self.path, f"not valid CSV: {e}", where="line 1") from None
        self._columns = resolve_columns(self.path, self._header, where="header")
        self._cells: dict[str, list[str]] = {}
        items: list[Item] = []
        lines: dict[str, str] = {}
        end = reader.line_num
        try:
            for row_number, cells in enumerate(reader, start=1):
                start, end = end + 1, reader.line_num
                where = f"line {start} (row {row_number})"
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(self._header) and any(
                    cell.strip() for cell in cells[len(self._header) :]
                ):
                    raise FileFormatError(
                        self.path,
                        f"the row has {len(cells)} cells but the header names {len(self._header)} "
                        "columns; is a comma inside a cell missing its quotes?",
                        where=where,
                    )
                record = dict(zip(self._header, cells, strict=False))
                item = item_from_record(self.path, record, self._columns, where)
                if item.key in lines:
                    raise FileFormatError(
                        self.path, f"{item.key} is also on {lines[item.key]}", where=where
                    )
                lines[item.key] = f"line {start}"
                self._cells[item.key] = cells
                items.append(item)
        except csv.Error as e:
            raise FileFormatError(
                self.path, f"not valid CSV: {e}", where=f"line {reader.line_num}"
            ) from None
        return items

    def _render(
        self, items: Sequence[Item], changed: Mapping[str, Sequence[str]]
    ) -> tuple[str, Callable[[], None]]:
        header = list(self._header)
        columns = dict(self._columns)
        for field in COLUMNS:
            if (
                field not in columns
                and any(field in fields for fields in changed.values())
                and any(field_value(item, field) is not None for item in items)
            ):
                columns[field] = field
                header.append(field)
        index = {field: header.index(column) for field, column in columns.items()}
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self._delimiter, lineterminator=self._newline)
        writer.writerow(header)
        rows: dict[str, list[str]] = {}
        for item in items:
            cells = list(self._cells.get(item.key, []))
            cells += [""] * (len(header) - len(cells))
            for field in changed.get(item.key, ()):
                if field in index:
                    cells[index[field]] = _cell(field_value(item, field))
            writer.writerow(cells)
            rows[item.key] = cells

        def commit() -> None:
            self._header, self._columns, self._cells = header, columns, rows

        return out.getvalue(), commit


class JsonConnector(FileConnector):
    """A backlog in a JSON file: a list of objects keyed by the same names as CSV columns.

    List columns may be JSON lists (``"labels": ["security", "ux"]``) or ``;``-separated text.
    """

    kind: ClassVar[str] = "json"

    def _parse(self, text: str) -> list[Item]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise FileFormatError(
                self.path, f"not valid JSON: {e.msg}", where=f"line {e.lineno}, column {e.colno}"
            ) from None
        if not isinstance(data, list):
            raise FileFormatError(
                self.path,
                f"a JSON backlog is a list of objects, one per issue, not a {type(data).__name__}",
            )
        self._objects: dict[str, dict[str, Any]] = {}
        self._object_columns: dict[str, dict[str, str]] = {}
        items: list[Item] = []
        positions: dict[str, int] = {}
        for number, entry in enumerate(data, start=1):
            where = f"item {number}"
            if not isinstance(entry, dict):
                raise FileFormatError(
                    self.path, f"a {type(entry).__name__}, not an object", where=where
                )
            columns = resolve_columns(self.path, entry, where=where)
            item = item_from_record(self.path, entry, columns, where)
            if item.key in positions:
                raise FileFormatError(
                    self.path, f"{item.key} is also item {positions[item.key]}", where=where
                )
            positions[item.key] = number
            self._objects[item.key] = entry
            self._object_columns[item.key] = columns
            items.append(item)
        return items

    def _render(
        self, items: Sequence[Item], changed: Mapping[str, Sequence[str]]
    ) -> tuple[str, Callable[[], None]]:
        objects: dict[str, dict[str, Any]] = {}
        all_columns: dict[str, dict[str, str]] = {}
        for item in items:
            entry = dict(self._objects.get(item.key, {}))
            columns = dict(self._object_columns.get(item.key, {}))
            for field in changed.get(item.key, ()):
                value = _plain(field_value(item, field))
                if field in columns or value is not None:
                    entry[columns.setdefault(field, field)] = value
            objects[item.key] = entry
            all_columns[item.key] = columns

        def commit() -> None:
            self._objects, self._object_columns = objects, all_columns

        text = json.dumps(list(objects.values()), indent=2, ensure_ascii=False) + "\n"
        return text, commit
