"""Reading the benefit register from rows of a CSV or TOML file, and what a re-import changes.

The bot reads the file; this module turns its rows into :class:`~rules.benefits.Benefit`
entries, all or nothing. CSV rows hold text; TOML rows may hold numbers, dates, lists and, for
``milestones`` and ``risks``, tables. Every problem is reported at once, each naming its row and
column, so one pass fixes a file. Columns (only ``id`` and ``category`` are needed):

=====================  ===============================================================
``id``                 ``BEN-n``; blank gives the next free id
``title``              what the benefit is, in a line
``description``        how the work brings it
``category``           financial, operational, customer, strategic
``owner``              the owner's Slack user id (``U...``/``W...``)
``team``               the team whose backlog delivers it
``links``              Jira keys of the issues or epics, separated by commas or spaces
``goals``              names of the team's value goals it serves, separated by ``;``
``metric``, ``unit``   what is measured, in what
``direction``          increase, decrease or range
``low``, ``high``      the band of a range metric
``baseline``           value, and ``baseline_date`` (YYYY-MM-DD)
``target``             value, and ``target_date``
``milestones``         ``2027-03-01=12; 2027-06-01=15`` (or TOML tables ``{on, value}``)
``realisation_start``  an explicit start; else delivery of the links plus ``lag_days``
``money_per_month``    money a month once the target is reached (financial benefits)
``cost``               an explicit cost; else linked story points x ``cost_per_point``
``horizon_months``     months of benefit the NPV counts (default 36)
``review_offsets``     days after delivery, e.g. ``30 90 180``
``cadence``            weekly, monthly (default) or quarterly
``status``             proposed, active, realising, realised, partly realised, not realised,
                       closed
``risks``              ``text | likelihood | impact | owner | mitigation | open`` entries
                       separated by ``;`` (or TOML tables with those keys)
=====================  ===============================================================

Over 400 lines because the columns, their parsing and the re-import diff must agree with one
another; the column table above is their single description.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from pydantic import ValidationError

from rules.benefits import (
    BENEFIT_ID,
    Benefit,
    BenefitError,
    PlanError,
    benefit_number,
    next_benefit_id,
)
from rules.model import Frozen

_TEXT = ("title", "description", "owner", "team", "metric", "unit", "direction", "cadence")
_NUMBERS = ("low", "high", "baseline", "target", "money_per_month", "cost")
_DATES = ("baseline_date", "target_date", "realisation_start")
_INTEGERS = ("lag_days", "horizon_months")
#: Every column an import file may have, in the order an export writes them.
COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "title",
    "description",
    "category",
    "owner",
    "team",
    "links",
    "goals",
    "metric",
    "unit",
    "direction",
    "low",
    "high",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "milestones",
    "realisation_start",
    "lag_days",
    "money_per_month",
    "cost",
    "horizon_months",
    "review_offsets",
    "cadence",
    "status",
    "risks",
)
_MEASURE = ("metric", "unit", "direction", "low", "high")
_RISK_KEYS = ("text", "likelihood", "impact", "owner", "mitigation", "open")
_SPLIT_KEYS = re.compile(r"[\s,;]+")
_MAX_SHOWN = 20
#: A row as a reader gives it: column names to cells. ``csv.DictReader`` files cells beyond
#: the header under the key None, hence keys that are not all strings.
Row = Mapping[Any, object]


class RowProblem(Frozen):
    """One thing wrong in an import file: where (row, column) and what to do."""

    source: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = "header" if self.row is None else f"row {self.row}"
        column = f", column {self.column}" if self.column else ""
        return f"{self.source}, {where}{column}: {self.message}"


class RegisterImportError(BenefitError):
    """A register file with problems; nothing of it is imported."""

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = tuple(problems)
        lines = [str(problem) for problem in self.problems[:_MAX_SHOWN]]
        if len(self.problems) > _MAX_SHOWN:
            lines.append(f"... and {len(self.problems) - _MAX_SHOWN} more")
        super().__init__("\n".join(lines))


class _Bad(ValueError):
    """A cell that cannot be read; the message says what was expected."""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise _Bad(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise _Bad(f"{str(value).strip()!r} is not a number, e.g. 1200 or 0.5") from None


def _integer(value: object) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _Bad(f"{value!r} is not a whole number")
    return int(number)


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _Bad(f"{str(value).strip()!r} is not a date; write YYYY-MM-DD") from None


def _words(value: object, pattern: re.Pattern[str] = _SPLIT_KEYS) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(part).strip() for part in value if str(part).strip())
    return tuple(part for part in pattern.split(str(value).strip()) if part)


def _split(text: str, separator: str) -> list[str]:
    """Split at each ``separator`` not escaped with a backslash; unescape the ones that were."""
    parts = re.split(rf"(?<!\\){re.escape(separator)}", text)
    return [part.replace("\\" + separator, separator).strip() for part in parts]


def _join(parts: Iterable[str], separator: str, glue: str | None = None) -> str:
    """Join so that :func:`_split` gives ``parts`` back: separators inside are escaped."""
    between = f"{separator} " if glue is None else glue
    return between.join(part.replace(separator, "\\" + separator) for part in parts)


def _listed(value: object) -> list[object]:
    """A TOML list as is, or the ``;``-separated entries of a CSV cell."""
    if isinstance(value, list | tuple):
        return list(value)
    return [part for part in _split(str(value), ";") if part]


def _milestones(value: object) -> list[dict[str, object]]:
    if isinstance(value, list | tuple):
        found = []
        for entry in value:
            if not isinstance(entry, Mapping) or "on" not in entry or "value" not in entry:
                raise _Bad("each milestone is a table with 'on' (a date) and 'value'")
            found.append({"on": _date(entry["on"]), "value": _number(entry["value"])})
        return found
    found = []
    for part in _listed(value):
        on, sep, amount = str(part).partition("=")
        if not sep:
            raise _Bad(f"milestone {part!r} is not DATE=VALUE, e.g. 2027-03-01=12")
        found.append({"on": _date(on), "value": _number(amount)})
    return found


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "open", "yes", "true"):
        return True
    if text in ("closed", "no", "false"):
        return False
    raise _Bad(f"risk state {value!r} is neither open nor closed")


def _risks(value: object) -> list[dict[str, object]]:
    entries: list[Mapping[str, object]] = []
    if isinstance(value, list | tuple):
        for entry in value:
            if not isinstance(entry, Mapping):
                raise _Bad("each risk is a table with 'text' and optional " + ", ".join(_RISK_KEYS))
            entries.append(entry)
    else:
        for part in _listed(value):
            cells = _split(str(part), "|")
            if len(cells) > len(_RISK_KEYS):
                raise _Bad(f"risk {part!r} has more than {len(_RISK_KEYS)} '|' cells")
            entries.append(dict(zip(_RISK_KEYS, cells, strict=False)))
    risks = []
    for entry in entries:
        risk: dict[str, object] = {
            key: entry[key] for key in _RISK_KEYS[:5] if not _blank(entry.get(key))
        }
        risk["open"] = _flag(entry.get("open", "open"))
        risks.append(risk)
    return risks


_READERS: Final[dict[str, Callable[[object], object]]] = {
    **dict.fromkeys(_NUMBERS, _number),
    **dict.fromkeys(_DATES, _date),
    **dict.fromkeys(_INTEGERS, _integer),
    "links": _words,
    "goals": lambda value: tuple(str(part).strip() for part in _listed(value)),
    "review_offsets": lambda value: tuple(_integer(part) for part in _words(value)),
    "milestones": _milestones,
    "risks": _risks,
}


def _column_of(error: Mapping[str, Any]) -> str | None:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, PlanError):
        return cause.column
    loc = [part for part in error["loc"] if isinstance(part, str)]
    if not loc:
        return None
    if loc[0] == "measure" and len(loc) > 1:
        return loc[1]
    return loc[0]


def _message(error: Mapping[str, Any]) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "enum" or error["type"] == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"{error['input']!r} is not one of {expected}"
    return message


def _unknown_columns(rows: Sequence[Row], source: str) -> list[RowProblem]:
    problems = []
    seen: set[str] = set()
    for row in rows:
        for column in row:
            if column is None:  # csv.DictReader's key for cells beyond the header
                continue
            name = str(column)
            if name in COLUMNS or name in seen:
                continue
            seen.add(name)
            close = difflib.get_close_matches(name.strip().lower(), COLUMNS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; see the README for columns"
            problems.append(
                RowProblem(
                    source=source,
                    row=None,
                    column=name,
                    message=f"{name!r} is not a register column{hint}",
                )
            )
    return problems


def _fields(row: Row) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """The row's cells as Benefit fields, and the cells that could not be read."""
    fields: dict[str, object] = {}
    measure: dict[str, object] = {}
    bad: list[tuple[str, str]] = []
    for column in COLUMNS:
        value = row.get(column)
        if column == "id" or _blank(value):
            continue
        try:
            read = _READERS[column](value) if column in _READERS else str(value).strip()
        except _Bad as e:
            bad.append((column, str(e)))
            continue
        if isinstance(read, str) and column in ("category", "status", "direction", "cadence"):
            read = read.lower()
        (measure if column in _MEASURE else fields)[column] = read
    if measure:
        fields["measure"] = measure
    return fields, bad


def parse_register_rows(
    rows: Iterable[Row],
    *,
    source: str,
    existing_ids: Iterable[str] = (),
    first_row: int = 1,
) -> list[Benefit]:
    """The benefits the rows describe, or every problem at once.

    ``source`` names the file in messages; rows are counted from ``first_row`` (pass 2 for a
    CSV file, whose first line is the header, so a row number is the line number). A blank
    id gets the next id after those in the file and ``existing_ids``.

    Raises:
        RegisterImportError: unknown columns (with the closest known one), cells that are not
            numbers or dates, entries that fail validation, ids given twice.
    """
    listed = list(rows)
    problems = _unknown_columns(listed, source)
    given = [str(row.get("id") or "").strip() for row in listed]
    taken = {known for known in (*existing_ids, *given) if BENEFIT_ID.fullmatch(known)}
    benefits: list[Benefit] = []
    first_seen: dict[str, int] = {}
    for number, (row, benefit_id) in enumerate(zip(listed, given, strict=True), first_row):

        def problem(column: str | None, message: str, number: int = number) -> None:
            problems.append(RowProblem(source=source, row=number, column=column, message=message))

        if not benefit_id:
            benefit_id = next_benefit_id(taken)
            taken.add(benefit_id)
        elif benefit_id in first_seen:
            problem("id", f"{benefit_id} is also on row {first_seen[benefit_id]}; ids are unique")
            continue
        first_seen[benefit_id] = number
        if None in row:
            problem(None, "more cells than the header has columns; quote cells with commas")
            continue
        fields, bad = _fields(row)
        for column, message in bad:
            problem(column, message)
        if bad:
            continue
        try:
            benefits.append(Benefit.model_validate({"id": benefit_id, **fields}))
        except ValidationError as e:
            for error in e.errors():
                problem(_column_of(error), _message(error))
    if problems:
        raise RegisterImportError(problems)
    return benefits


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def register_rows(benefits: Iterable[Benefit]) -> list[dict[str, str]]:
    """Rows of text, one per benefit, in :data:`COLUMNS`: what an export writes.

    Reading them back with :func:`parse_register_rows` gives the same benefits, except for risks
    the risk rule raised (they belong to the store, not to the file).
    """
    rows = []
    for benefit in benefits:
        measure = benefit.measure
        risks = [risk for risk in benefit.risks if not risk.automatic]
        row = {
            "id": benefit.id,
            "title": benefit.title,
            "description": benefit.description,
            "category": benefit.category.value,
            "owner": _cell(benefit.owner),
            "team": _cell(benefit.team),
            "links": ", ".join(benefit.links),
            "goals": _join(benefit.goals, ";"),
            "metric": measure.metric,
            "unit": measure.unit,
            "direction": measure.direction.value,
            "low": _cell(measure.low),
            "high": _cell(measure.high),
            "baseline": _cell(benefit.baseline),
            "baseline_date": _cell(benefit.baseline_date),
            "target": _cell(benefit.target),
            "target_date": _cell(benefit.target_date),
            "milestones": "; ".join(
                f"{m.on.isoformat()}={_cell(m.value)}" for m in benefit.milestones
            ),
            "realisation_start": _cell(benefit.realisation_start),
            "lag_days": str(benefit.lag_days),
            "money_per_month": _cell(benefit.money_per_month),
            "cost": _cell(benefit.cost),
            "horizon_months": str(benefit.horizon_months),
            "review_offsets": " ".join(str(offset) for offset in benefit.review_offsets),
            "cadence": benefit.cadence,
            "status": benefit.status.value,
            "risks": _join(
                (
                    _join(
                        (
                            risk.text,
                            risk.likelihood,
                            risk.impact,
                            risk.owner or "",
                            risk.mitigation,
                            "open" if risk.open else "closed",
                        ),
                        "|",
                        " | ",
                    )
                    for risk in risks
                ),
                ";",
            ),
        }
        rows.append(row)
    return rows


# ---------------------------------------------------------------- what a re-import changes


class FieldChange(Frozen):
    """One field of one entry, before and after, as text a person can compare."""

    field: str
    old: str
    new: str


class EntryChange(Frozen):
    benefit_id: str
    fields: tuple[FieldChange, ...]


class RegisterDiff(Frozen):
    """What an import does: new ids, changed entries (field by field), entries left as they were.

    Entries stored but absent from the file are ``untouched``: an import never deletes.
    """

    added: tuple[str, ...] = ()
    changed: tuple[EntryChange, ...] = ()
    unchanged: tuple[str, ...] = ()
    untouched: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.unchanged)} unchanged"
        )


def _comparable(benefit: Benefit) -> dict[str, str]:
    row = register_rows([benefit])[0]
    row.pop("id")
    return row


def diff_register(existing: Iterable[Benefit], incoming: Iterable[Benefit]) -> RegisterDiff:
    """Compare the stored register with an import's entries, by id."""
    stored = {benefit.id: benefit for benefit in existing}
    added, changed, unchanged = [], [], []
    seen = set()
    for benefit in incoming:
        seen.add(benefit.id)
        before = stored.get(benefit.id)
        if before is None:
            added.append(benefit.id)
            continue
        old, new = _comparable(before), _comparable(benefit)
        fields = tuple(
            FieldChange(field=name, old=old[name], new=new[name])
            for name in new
            if old[name] != new[name]
        )
        if fields:
            changed.append(EntryChange(benefit_id=benefit.id, fields=fields))
        else:
            unchanged.append(benefit.id)
    return RegisterDiff(
        added=tuple(added),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        untouched=tuple(sorted(set(stored) - seen, key=benefit_number)),
    )
