"""JSON backlogs: a list of objects keyed like CSV columns, other keys kept as they are."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from connectors.files.backlog_file import FileConnector
from connectors.files.cells import field_value, item_from_record, plain_value
from connectors.files.schema import FileFormatError, resolve_columns
from rules.model import Item


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
                value = plain_value(field_value(item, field))
                if field in columns or value is not None:
                    entry[columns.setdefault(field, field)] = value
            objects[item.key] = entry
            all_columns[item.key] = columns

        def commit() -> None:
            self._objects, self._object_columns = objects, all_columns

        text = json.dumps(list(objects.values()), indent=2, ensure_ascii=False) + "\n"
        return text, commit
