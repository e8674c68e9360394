"""The generated backlog of one team behind the Connector port."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from connectors.memory import MemoryConnector
from connectors.sample.generator import generate_backlog
from connectors.sample.register import archived_epic
from connectors.sample.vocabulary import SAMPLE_STAKEHOLDERS, SAMPLE_TODAY
from rules.model import Item


class SampleConnector(MemoryConnector):
    """The generated backlog of one team behind the Connector port, held in memory.

    Writes (scores, inputs, rank moves) last as long as the object; a new one starts from the
    generated backlog again. ``updated`` stamps of writes come from ``clock`` (the wall clock by
    default, as a real tool's server would stamp them); generating the backlog reads no clock.
    """

    def __init__(
        self,
        team: str = "payments",
        *,
        seed: int | None = None,
        size: int = 150,
        today: date = SAMPLE_TODAY,
        stakeholders: Sequence[str] = SAMPLE_STAKEHOLDERS,
        writable: Iterable[str] = ("score",),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.team = team
        backlog = generate_backlog(
            team, seed=seed, size=size, today=today, stakeholders=stakeholders
        )
        super().__init__(
            backlog.items,
            name=f"sample:{team}",
            sprints=backlog.sprints,
            writable=writable,
            clock=clock,
        )
        #: work delivered long ago that left the backlog: found by key only, like in Jira
        self.archive = {epic.key: epic for epic in (archived_epic(team, today),)}

    def fetch_by_keys(self, keys: Sequence[str]) -> list[Item]:
        """Backlog items and archived epics of ``keys`` (the benefit register's links)."""
        found = super().fetch_by_keys(keys)
        known = {item.key for item in found}
        return found + [
            self.archive[key]
            for key in dict.fromkeys(keys)
            if key in self.archive and key not in known
        ]
