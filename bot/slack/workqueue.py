"""Where the Slack app's slow work runs, so acks never wait behind it.

Lazy listeners run on Bolt's listener executor. If the slow part of a lazy listener (scoring
thousands of items, calling Jira) ran there, a burst of commands would fill every thread with
CPU-bound work and acks would wait for the GIL behind it: measured p99 ack
latency of seconds at 50 concurrent commands on a 5,000-item backlog. So lazy listeners only
hand the work to a small :class:`WorkQueue` (about one thread a core; Python runs one at a time
anyway), and the listener threads stay free to ack.

The rankings those jobs read are shared by :class:`~bot.usecases.score_cache.ScoreCache`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

logger = logging.getLogger(__name__)

#: Threads for slow work; more only adds GIL contention with the threads that ack.
WORK_THREADS = 2
#: The longest a job waits for in-flight requests to be acknowledged before it starts anyway.
#: Acks have 3 s, answers minutes: a burst of 200 commands on a loaded machine takes longer than
#: half a second to acknowledge, and scoring started inside it stalled its last acks.
ACK_PRIORITY_SECONDS = 1.5
#: How long no request must be in flight before a burst counts as acknowledged.
QUIET_SECONDS = 0.02


class InFlight:
    """Requests being acknowledged right now; slow work waits for them (acks first).

    Slack gives 3 s to acknowledge, while an answer may take a few seconds without anyone
    minding. In a burst, starting CPU-bound work while acks are still queued takes the GIL from
    them; waiting until the burst is acknowledged (at most :data:`ACK_PRIORITY_SECONDS`, so work
    never starves under constant load) keeps ack latency flat. A burst is over when no request
    has been in flight for ``quiet`` seconds: acks take about a millisecond, so between two
    requests of one burst the count touches zero, and work started in such a gap held the GIL
    while the rest of the burst waited (a p99 of 0.7 s at 50 commands on 5,000 items).
    """

    def __init__(self, quiet: float = QUIET_SECONDS) -> None:
        self._count = 0
        self._quiet = quiet
        self._last_leave = -math.inf
        self._idle = threading.Condition()

    def enter(self) -> None:
        with self._idle:
            self._count += 1

    def leave(self) -> None:
        with self._idle:
            self._count -= 1
            self._last_leave = time.monotonic()
            if self._count <= 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request was in flight for ``quiet`` s, or ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while True:
                remaining = deadline - time.monotonic()
                if not self._idle.wait_for(lambda: self._count <= 0, timeout=max(remaining, 0)):
                    return False
                still = self._quiet - (time.monotonic() - self._last_leave)
                if still <= 0:
                    return True
                if remaining <= 0:
                    return False
                self._idle.wait(timeout=min(still, remaining))  # a request may come meanwhile


#: The process's requests in flight: the WSGI app counts them, the work queue defers to them.
requests_in_flight = InFlight()


class WorkQueue:
    """A bounded pool for the slow part of lazy listeners, deferring to requests in flight."""

    def __init__(
        self,
        threads: int = WORK_THREADS,
        *,
        in_flight: InFlight | None = None,
        ack_priority: float = ACK_PRIORITY_SECONDS,
    ):
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="northstar-work")
        self._in_flight = in_flight if in_flight is not None else requests_in_flight
        self._ack_priority = ack_priority

    def submit(self, job: Callable[[], None]) -> Future[None]:
        """Run ``job`` on a work thread; ``job`` must handle its own errors (it answers people)."""
        return self._pool.submit(self._run, job)

    def _run(self, job: Callable[[], None]) -> None:
        self._in_flight.wait_idle(self._ack_priority)
        try:
            job()
        except Exception:
            logger.exception("a Slack work job failed")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
