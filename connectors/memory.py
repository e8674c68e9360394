"""An in-memory backlog that behaves like a small Jira: the base of the sample and file connectors.

It holds items and their rank order and implements the whole :class:`~connectors.base.Connector`
port, so the sample backlog, CSV and JSON files (and tests that need a fake tool) share one
implementation of ranking, score writes and incremental fetches instead of three copies.

Behaviour copied from Jira on purpose:

* a rank call takes its issues out and puts them, in order, directly before or after the
  anchor (:func:`rules.reorder.apply_moves`); a call naming an unknown anchor or issue fails with
  :class:`~connectors.base.MoveFailedError`. Unlike Jira's 207 answer, nothing moves when any
  part of a call is wrong, so a failed call never leaves a half-applied state behind;
* every write stamps ``updated`` on the items it changed (when :attr:`tracks_changes`), so an
  incremental fetch finds them, and a move gives the moved items new sortable ``order_key``
  values between their new neighbours (like LexoRank) while every other key stays put;
* only fields listed as writable may be written; scores are written only where they changed
  at two decimals, so a rerun with the same scores writes nothing.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import ClassVar

from connectors.base import (
    ConnectorConfigError,
    ConnectorError,
    FetchResult,
    MoveFailedError,
    check_inputs,
    check_writable,
    require_writable,
)
from rules.model import Item, RankMove, Sprint, SprintState
from rules.reorder import apply_moves

logger = logging.getLogger(__name__)

_SPRINT_STATE_ORDER = {SprintState.CLOSED: 0, SprintState.ACTIVE: 1, SprintState.FUTURE: 2}


def _wall_clock() -> datetime:
    # An in-memory backlog plays the tool's server, and a server stamps `updated` with its own
    # clock; tests pass `clock=` to make the stamps fixed.
    return datetime.now(tz=UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware datetime; a naive one is taken to be UTC (what exports mean)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- sortable order keys ------------------------------------------------------------------------
# Keys are the digits of a decimal fraction in (0, 1) without trailing zeros, so plain string
# comparison orders them and there is always room for a key between two others (the idea of
# Jira's LexoRank and of "fractional indexing").


def _midpoint(low: str, high: str | None) -> str:
    """A key strictly between ``low`` ("" = 0) and ``high`` (None = 1)."""
    if high is not None:
        shared = 0
        while shared < len(high) and (low[shared] if shared < len(low) else "0") == high[shared]:
            shared += 1
        if shared:
            return high[:shared] + _midpoint(low[shared:], high[shared:])
    low_digit = int(low[0]) if low else 0
    high_digit = int(high[0]) if high is not None else 10
    if high_digit - low_digit > 1:
        return str((low_digit + high_digit) // 2)
    if high is not None and len(high) > 1:
        return high[:1]
    return str(low_digit) + _midpoint(low[1:], None)


def _keys_between(low: str, high: str | None, count: int) -> list[str]:
    """``count`` increasing keys between ``low`` and ``high``, bisected to keep them short."""
    if count <= 0:
        return []
    middle = _midpoint(low, high)
    half = count // 2
    return [
        *_keys_between(low, middle, half),
        middle,
        *_keys_between(middle, high, count - half - 1),
    ]


def spread_keys(count: int) -> list[str]:
    """``count`` evenly spaced, increasing order keys for a freshly loaded backlog."""
    width = len(str(count + 1)) + 1
    scale = 10**width
    return [f"{(index + 1) * scale // (count + 1):0{width}d}".rstrip("0") for index in range(count)]


class MemoryConnector:
    """A backlog held in memory that satisfies the Connector port.

    Args:
        items: The backlog in rank order, best first.
        name: How errors and logs name this backlog (``sample:payments``, ``csv:backlog.csv``).
        sprints: Sprints known besides those items point at (e.g. closed ones).
        writable: Fields Northstar may write: ``score`` and value input names.
        clock: The tool's clock for ``updated`` stamps and removals; the wall clock by default.

    Counters (``fetch_calls``, ``read_order_calls``, ``rank_calls``, ``write_score_calls``,
    ``write_input_calls``) count calls the way a real tool would count requests, so tests can
    assert that a plan took the fewest calls or that a rerun wrote nothing. Keys in
    ``unrankable`` refuse to move, like issues a user has no *Schedule issues* permission for.
    """

    #: False for sources without change tracking (files edited by hand): every fetch is complete
    #: and writes leave ``updated`` alone.
    tracks_changes: ClassVar[bool] = True

    def __init__(
        self,
        items: Iterable[Item],
        *,
        name: str = "memory",
        sprints: Iterable[Sprint] = (),
        writable: Iterable[str] = ("score",),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.name = name
        self.writable = check_writable(writable)
        self._clock = clock or _wall_clock
        self._lock = threading.RLock()
        self._items: dict[str, Item] = {}
        self._order: list[str] = []
        self._removed: dict[str, datetime] = {}
        self._sprints = tuple(sprints)
        self.unrankable: set[str] = set()
        self.fetch_calls = 0
        self.read_order_calls = 0
        self.rank_calls = 0
        self.write_score_calls = 0
        self.write_input_calls = 0
        self._load(items)

    def _load(self, items: Iterable[Item]) -> None:
        """Replace the whole backlog (also used by file connectors when they read their file)."""
        loaded: dict[str, Item] = {}
        for item in items:
            if item.key in loaded:
                raise ConnectorConfigError(f"{self.name}: issue {item.key} appears twice")
            loaded[item.key] = item
        keys = spread_keys(len(loaded))
        self._items = {
            key: item.model_copy(update={"order_key": order_key})
            for (key, item), order_key in zip(loaded.items(), keys, strict=True)
        }
        self._order = list(self._items)
        self._removed = {}

    # --- the Connector port ---------------------------------------------------------------------

    def fetch_items(self, since: datetime | None = None) -> FetchResult:
        """All items in rank order, or only those updated at or after ``since`` (incremental).

        Items without an ``updated`` stamp are always included in an incremental fetch, since
        nothing proves they did not change. ``removed`` lists keys deleted at or after ``since``.
        """
        with self._lock:
            self.fetch_calls += 1
            items = [self._items[key] for key in self._order]
            if since is None or not self.tracks_changes:
                return FetchResult(items=tuple(items), complete=True)
            since = as_utc(since)
            changed = [
                item for item in items if item.updated is None or as_utc(item.updated) >= since
            ]
            removed = [key for key, at in self._removed.items() if at >= since]
            return FetchResult(items=tuple(changed), removed=tuple(removed), complete=False)

    def fetch_by_keys(self, keys: Sequence[str]) -> list[Item]:
        """The items of ``keys`` that exist (see :class:`connectors.base.FetchesByKeys`)."""
        with self._lock:
            return [self._items[key] for key in dict.fromkeys(keys) if key in self._items]

    def read_order(self) -> list[str]:
        """Every key, done items included, in the current rank order."""
        with self._lock:
            self.read_order_calls += 1
            return list(self._order)

    def write_scores(
        self, scores: Mapping[str, float], *, known: Mapping[str, float | None] | None = None
    ) -> list[str]:
        """Store scores (rounded to 2 decimals) where they changed; return the keys written.

        Keys no longer in the backlog are skipped with a warning: an issue deleted between a
        sync and the write must not stop the other scores from landing.
        """
        with self._lock:
            self.write_score_calls += 1
            self._require_writable(["score"])
            for key, value in scores.items():
                if not math.isfinite(value):
                    raise ConnectorError(f"{self.name}: score of {key} is {value}, not a number")
            written: list[str] = []
            with self._transaction():
                for key, value in scores.items():
                    item = self._items.get(key)
                    if item is None:
                        logger.warning("%s: no issue %s, its score was not written", self.name, key)
                        continue
                    new = round(float(value), 2)
                    if item.score is not None and round(item.score, 2) == new:
                        continue
                    self._replace(item, score=new)
                    written.append(key)
            return written

    def write_inputs(self, key: str, values: Mapping[str, float]) -> None:
        """Write value inputs of one item; only inputs in :attr:`writable` are accepted."""
        with self._lock:
            self.write_input_calls += 1
            check_inputs(self.name, key, values)
            self._require_writable(list(values))
            item = self._items.get(key)
            if item is None:
                raise ConnectorError(f"{self.name}: no issue {key} in this backlog")
            if values:
                with self._transaction():
                    self._replace(item, **{name: float(value) for name, value in values.items()})

    def apply_move(self, move: RankMove) -> None:
        """Put ``move.issues`` directly before or after the anchor, or move nothing and raise."""
        with self._lock:
            self.rank_calls += 1
            failures = self._move_failures(move)
            if failures:
                raise MoveFailedError(failures)
            with self._transaction():
                self._order = apply_moves(self._order, [move])
                start = self._order.index(move.issues[0])
                end = start + len(move.issues)
                low = self._items[self._order[start - 1]].order_key if start else None
                high = self._items[self._order[end]].order_key if end < len(self._order) else None
                keys = _keys_between(low or "", high, len(move.issues))
                for key, order_key in zip(move.issues, keys, strict=True):
                    self._replace(self._items[key], order_key=order_key)

    def list_sprints(self) -> list[Sprint]:
        """Known sprints and those items point at, closed first and future last."""
        with self._lock:
            by_id = {sprint.id: sprint for sprint in self._sprints}
            for key in self._order:
                sprint = self._items[key].sprint
                if sprint is not None:
                    by_id.setdefault(sprint.id, sprint)
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(
            by_id.values(),
            key=lambda s: (_SPRINT_STATE_ORDER[s.state], as_utc(s.start or epoch), s.id),
        )

    # --- changing the backlog as a person would (tests and simulations) -------------------------

    @property
    def items(self) -> list[Item]:
        """The items in rank order."""
        with self._lock:
            return [self._items[key] for key in self._order]

    def item(self, key: str) -> Item:
        """One item; :class:`KeyError` if the backlog has no such key."""
        with self._lock:
            return self._items[key]

    def add_item(self, item: Item, *, before: str | None = None) -> None:
        """Create an issue at the bottom of the backlog, or directly before ``before``."""
        with self._lock, self._transaction():
            if item.key in self._items:
                raise ConnectorError(f"{self.name}: issue {item.key} already exists")
            index = self._order.index(before) if before is not None else len(self._order)
            low = self._items[self._order[index - 1]].order_key if index else None
            high = self._items[self._order[index]].order_key if index < len(self._order) else None
            self._order.insert(index, item.key)
            self._items[item.key] = self._stamped(
                item.model_copy(update={"order_key": _midpoint(low or "", high)})
            )
            self._removed.pop(item.key, None)

    def remove_item(self, key: str) -> None:
        """Delete an issue; incremental fetches report it in ``removed``."""
        with self._lock, self._transaction():
            if key not in self._items:
                raise ConnectorError(f"{self.name}: no issue {key} in this backlog")
            del self._items[key]
            self._order.remove(key)
            self._removed[key] = as_utc(self._clock())

    # --- hooks and helpers ------------------------------------------------------------------------

    def _persist(self) -> None:
        """Save the backlog after a successful change; file connectors write their file here."""

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Apply changes all or nothing: if they or saving them fail, the old state comes back."""
        items, order, removed = dict(self._items), list(self._order), dict(self._removed)
        try:
            yield
            if self._order != order or self._items != items or self._removed != removed:
                self._persist()
        except BaseException:
            self._items, self._order, self._removed = items, order, removed
            raise

    def _replace(self, item: Item, **changes: object) -> None:
        self._items[item.key] = self._stamped(item.model_copy(update=changes))

    def _stamped(self, item: Item) -> Item:
        if not self.tracks_changes:
            return item
        return item.model_copy(update={"updated": as_utc(self._clock())})

    def _require_writable(self, names: list[str]) -> None:
        require_writable(self.name, self.writable, names)

    def _move_failures(self, move: RankMove) -> dict[str, str]:
        anchor = move.anchor
        if anchor not in self._items:
            return dict.fromkeys(move.issues, f"anchor {anchor} is not in the backlog")
        failures: dict[str, str] = {}
        seen: set[str] = set()
        for key in move.issues:
            if key == anchor:
                failures[key] = "an issue cannot be ranked relative to itself"
            elif key in seen:
                failures[key] = "listed twice in one rank call"
            elif key not in self._items:
                failures[key] = "not in the backlog"
            elif key in self.unrankable:
                failures[key] = "the tool refused to rank it"
            seen.add(key)
        return failures
