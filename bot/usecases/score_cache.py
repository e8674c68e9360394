"""Team rankings shared between readers of the Slack app, so a burst scores each team once.

Concurrent and back-to-back readers of the same team's ranking share one computation (single
flight, kept a few seconds); every write made through the Slack app invalidates the team at
once, and writes from other processes show after at most ``ttl``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from bot.config import Team
from bot.usecases.score import TeamScores, score_team
from bot.wiring import Services

#: Seconds a computed ranking is shared with later readers.
SCORE_TTL_SECONDS = 10.0


class ScoreCache:
    """Team rankings shared between readers: one computation at a time per team, kept briefly."""

    def __init__(self, ttl: float = SCORE_TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, TeamScores]] = {}
        self._running: dict[str, Future[TeamScores]] = {}
        self._generation: dict[str, int] = {}

    def get(self, svc: Services, team: Team) -> TeamScores:
        """The team's scores: cached if fresh, else computed once for every concurrent caller."""
        with self._lock:
            entry = self._entries.get(team.name)
            if entry is not None and self._clock() - entry[0] <= self.ttl:
                return entry[1]
            running = self._running.get(team.name)
            owner = running is None
            if running is None:
                running = Future()
                self._running[team.name] = running
            generation = self._generation.get(team.name, 0)
        if not owner:
            return running.result()
        try:
            result = score_team(svc, team)
        except BaseException as e:
            with self._lock:
                self._running.pop(team.name, None)
            running.set_exception(e)
            raise
        with self._lock:
            self._running.pop(team.name, None)
            # a write during the computation makes its result stale: hand it out, don't keep it
            if self._generation.get(team.name, 0) == generation:
                self._entries[team.name] = (self._clock(), result)
        running.set_result(result)
        return result

    def invalidate(self, team: str) -> None:
        """Forget the team's ranking (after a rating, an input change or a reorder)."""
        with self._lock:
            self._entries.pop(team, None)
            self._generation[team] = self._generation.get(team, 0) + 1
