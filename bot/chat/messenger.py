"""The Slack implementation of the :class:`~bot.usecases.ports.Messenger` port.

Every message to a channel goes through :meth:`SlackMessenger.post`: paced per channel
(:mod:`bot.chat.pacing`) and logged in the store's message log, which the notification budget
counts. Slack's exceptions stop here: callers get a :class:`~bot.errors.DeliveryError` with
Slack's error code (never the request or its token).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.chat import messages
from bot.chat.blocks import Reply
from bot.chat.pacing import ChannelPacer, post_message, upload_file
from bot.chat.posts import Upload
from bot.errors import DeliveryError


class MessageLog(Protocol):
    """The part of the store that remembers channel posts for the notification budget."""

    def record_message(self, team: str, channel: str, kind: str, at: datetime) -> None: ...


def slack_error(error: SlackClientError) -> str:
    """Slack's error code (``channel_not_found``...), never the request or its token."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error", "unknown_error"))
    return type(error).__name__


@contextmanager
def delivering(method: str, where: str) -> Iterator[None]:
    """Turn Slack's and the network's exceptions into one :class:`DeliveryError`."""
    try:
        yield
    except SlackClientError as e:
        code = slack_error(e)
        raise DeliveryError(messages.slack_refused(method, where, code), code) from e
    except OSError as e:  # Slack unreachable (DNS, network, TLS)
        code = type(e).__name__
        raise DeliveryError(messages.slack_down(method, where, code), code, reachable=False) from e


class SlackMessenger:
    """Outbound Slack over one Web API client (the bot's, or a workspace's under OAuth)."""

    def __init__(
        self,
        client: WebClient,
        log: MessageLog,
        clock: Callable[[], datetime],
        *,
        pacer: ChannelPacer | None = None,
    ):
        self.client = client
        self._log = log
        self._clock = clock
        self._pacer = pacer

    def dm(self, user: str, reply: Reply) -> tuple[str, str]:
        with delivering("a direct message", user):
            opened = self.client.conversations_open(users=user)
            channel = str(opened["channel"]["id"])
            posted = self.client.chat_postMessage(channel=channel, **reply.payload())
        return channel, str(posted.get("ts", ""))

    def post(
        self, channel: str, reply: Reply, *, team: str, kind: str, at: datetime | None = None
    ) -> str:
        """Post (paced) and log it against ``team``'s budget at ``at`` (default: now)."""
        with delivering("chat.postMessage", channel):
            ts = post_message(
                self.client, channel, text=reply.text, blocks=reply.blocks, pacer=self._pacer
            )
        self._log.record_message(team, channel, kind, at if at is not None else self._clock())
        return ts

    def update(self, channel: str, ts: str, reply: Reply) -> None:
        with delivering("chat.update", channel):
            self.client.chat_update(channel=channel, ts=ts, **reply.payload())

    def upload(self, channel: str, upload: Upload) -> None:
        with delivering("files_upload_v2", channel):
            upload_file(
                self.client,
                channel,
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
                pacer=self._pacer,
            )
