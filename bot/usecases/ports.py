"""What the use cases need from the outside world, as protocols the edges implement.

The use cases say *what* to tell whom; :class:`~bot.chat.messenger.SlackMessenger` decides *how*
(pacing, the message budget log, Slack's error codes). Tests of use cases may pass an
in-memory messenger; the Slack app's tests keep the HTTP mock so the real one is exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.chat.blocks import Reply
from bot.chat.posts import Upload

#: Where the bot reads the time; everything below takes ``now`` as an argument.
Clock = Callable[[], datetime]


class Messenger(Protocol):
    """Outbound chat, as the use cases need it.

    Every method raises :class:`~bot.errors.DeliveryError` when the chat service is unreachable
    or refuses, so no use case knows Slack's exception types.
    """

    def dm(self, user: str, reply: Reply) -> tuple[str, str]:
        """Send ``reply`` to ``user`` directly; returns the (channel, ts) it landed in."""
        ...

    def post(
        self, channel: str, reply: Reply, *, team: str, kind: str, at: datetime | None = None
    ) -> str:
        """Post ``reply`` to a channel, paced and logged against the team's message budget.

        ``at`` is the time the post counts at in the budget (the run's ``now``); default now.
        """
        ...

    def update(self, channel: str, ts: str, reply: Reply) -> None:
        """Replace the message at ``ts`` (a DM redrawn after a click)."""
        ...

    def upload(self, channel: str, upload: Upload) -> None:
        """Share a file (the burn-up chart) in a channel, paced like posts."""
        ...
