"""Progress of long work, reported from deep inside a use case to whoever is watching.

A connector is built once per process, long before a command decides to show a progress bar,
so it is handed :func:`report_fetched` and the command says, for the span of its work, where
the counts go (:func:`reporting`). Without a listener the counts go nowhere.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_listener: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "fetch_progress", default=None
)


def report_fetched(count: int) -> None:
    """``count`` items fetched so far: passed on to the listener of this context, if any."""
    listener = _listener.get()
    if listener is not None:
        listener(count)


@contextmanager
def reporting(listener: Callable[[int], None]) -> Iterator[None]:
    """Send the counts reported inside the ``with`` block to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
