"""CSV backlogs: one header row, ``,`` ``;`` or tab separated, written back cell by cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from connectors.files.backlog_file import FileConnector
from connectors.files.cells import cell_text, field_value, item_from_record
from connectors.files.schema import COLUMNS, FileFormatError, resolve_columns
from rules.model import Item


def open_quote_line(text: str, row_start: int, delimiter: str) -> int | None:
    """The line of the quote that opens a cell never properly closed, from line ``row_start`` on.

    The reader only says where it stopped (often the end of the file); the place to fix is where
    the quoted cell began. Scans as the ``csv`` module reads: a quote opens a cell only at its
    start, ``""`` inside is a quote, and a closing quote must be followed by a delimiter or the
    end of a line.
    """
    lines = io.StringIO(text, newline="").readlines()
    rest = "".join(lines[row_start - 1 :])
    line, opened, quoted, at_cell_start = row_start, None, False, True
    index = 0
    while index < len(rest):
        char = rest[index]
        if quoted:
            if char == '"' and rest[index + 1 : index + 2] == '"':
                index += 1
            elif char == '"':
                quoted = False
                if rest[index + 1 : index + 2] not in ("", delimiter, "\r", "\n"):
                    return opened
        elif char == '"' and at_cell_start:
            quoted, opened = True, line
        at_cell_start = not quoted and char in (delimiter, "\r", "\n")
        if char == "\n" or (char == "\r" and rest[index + 1 : index + 2] != "\n"):
            line += 1
        index += 1
    return opened if quoted else None


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
        # strict: an unclosed quote is an error, not a cell that swallows the rest of the file
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self._delimiter, strict=True)
        try:
            self._header = next(reader)
        except StopIteration:
            raise FileFormatError(
                self.path, "the file is empty; it needs a header row naming the columns"
            ) from None
        except csv.Error as e:
            raise self._bad_csv(text, 1, e) from None
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
            raise self._bad_csv(text, end + 1, e) from None
        return items

    def _bad_csv(self, text: str, row_start: int, error: csv.Error) -> FileFormatError:
        """The error for a row the reader gave up on, at the line where its bad quote opened."""
        line = open_quote_line(text, row_start, self._delimiter)
        if line is None:
            return FileFormatError(self.path, f"not valid CSV: {error}", where=f"line {row_start}")
        return FileFormatError(
            self.path,
            "a quoted cell starts here and its closing quote is missing (or a quote inside it "
            'is not doubled: ""), so it would swallow the rows after it; fix the quotes',
            where=f"line {line}",
        )

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
                    cells[index[field]] = cell_text(field_value(item, field))
            writer.writerow(cells)
            rows[item.key] = cells

        def commit() -> None:
            self._header, self._columns, self._cells = header, columns, rows

        return out.getvalue(), commit
