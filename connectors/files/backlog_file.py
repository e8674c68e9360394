"""A backlog file held in memory and written back atomically: what CSV and JSON share.

Reading, noticing hand edits (the file's size and mtime), and writing through a temporary file
swapped in with :func:`os.replace`; the formats supply parsing and rendering.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from connectors.base import ConnectorConfigError, ConnectorError, FetchResult
from connectors.files.cells import field_value
from connectors.files.schema import COLUMNS, FileFormatError
from connectors.memory import MemoryConnector
from rules.model import Item, RankMove, Sprint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileSummary:
    """What a read of the file found that a user should hear about, beside the items.

    The ranking leaves done items out, so a file of finished work would print an empty table
    with no word; the CLI prints :meth:`notes` instead of leaving the user to guess.
    """

    path: Path
    rows: int
    done: int
    #: keys with a cost of 0, which the models that divide by cost cannot use (see :meth:`notes`)
    zero_cost: tuple[str, ...] = ()

    @classmethod
    def of(cls, path: Path, items: Sequence[Item]) -> FileSummary:
        return cls(
            path=path,
            rows=len(items),
            done=sum(item.is_done for item in items),
            zero_cost=tuple(item.key for item in items if item.cost == 0),
        )

    def notes(self) -> list[str]:
        """One line each, saying what was left out or read differently, and why."""
        notes = []
        if self.done and self.done == self.rows:
            notes.append(
                f"{self.path}: all {self.rows} rows are done (status category done), so none "
                "is left to rank"
            )
        elif self.done:
            notes.append(
                f"{self.path}: {self.done} of {self.rows} rows are done (status category done) "
                "and left out of the ranking"
            )
        if self.zero_cost:
            shown = ", ".join(self.zero_cost[:5]) + (", ..." if len(self.zero_cost) > 5 else "")
            notes.append(
                f"{self.path}: {len(self.zero_cost)} row(s) have 0 story points ({shown}); "
                "net_value uses 0, the models that divide by cost use [scoring] default_cost "
                "for them and mark them 'needs estimate'"
            )
        return notes


class FileConnector(MemoryConnector):
    """A backlog file read into memory and written back atomically after every change."""

    tracks_changes: ClassVar[bool] = False
    kind: ClassVar[str] = "file"
    #: what the last read of the file found (rows, done rows, zero costs), for the CLI to say
    summary: FileSummary

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
        self.summary = FileSummary.of(self.path, items)
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

    def fetch_by_keys(self, keys: Sequence[str]) -> list[Item]:
        """The items of ``keys`` in the file as it is now."""
        with self._lock:
            self._refresh()
            return super().fetch_by_keys(keys)

    def read_order(self) -> list[str]:
        """The keys in file row order."""
        with self._lock:
            self._refresh()
            return super().read_order()

    def write_scores(
        self, scores: Mapping[str, float], *, known: Mapping[str, float | None] | None = None
    ) -> list[str]:
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
