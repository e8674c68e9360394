"""Posting to Slack channels from jobs: paced per channel, patient with 429s, dropping nothing.

Slack allows about one ``chat.postMessage`` a second per channel and answers bursts with 429 and
``Retry-After``. Two layers cope with that:

1. :class:`ChannelPacer` spaces posts to the *same* channel at least ``interval`` seconds apart
   (posts to different channels are not held back), so a scheduler posting digests to many
   channels rarely meets a 429 at all;
2. the client's :class:`~slack_sdk.http_retry.builtin_handlers.RateLimitErrorRetryHandler`
   retries a 429 after ``Retry-After`` (see :func:`bot.chat.client.build_web_client`), and when
   its retries run out :func:`post_message` waits ``Retry-After`` itself and tries again, up to
   ``patience`` seconds, before giving up with the error (the job's run is then marked failed
   and retried later, so a message is delayed, never lost).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

logger = logging.getLogger(__name__)

#: Slack's documented pace for chat.postMessage: about one message a second per channel.
CHANNEL_INTERVAL_SECONDS = 1.0
#: How long post_message keeps retrying 429s on its own before the job is marked failed.
DEFAULT_PATIENCE_SECONDS = 300.0

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class ChannelPacer:
    """Keeps posts to one channel ``interval`` seconds apart; thread-safe, clock injectable.

    Each caller reserves the next free slot for its channel under a lock, then sleeps outside
    the lock until that slot, so concurrent jobs posting to different channels never wait on
    each other and those posting to the same channel go out one per ``interval``.
    """

    def __init__(
        self,
        interval: float = CHANNEL_INTERVAL_SECONDS,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ):
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next_free: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> float:
        """Block until ``channel`` may be posted to; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_free.get(channel, now))
            self._next_free[channel] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def hold(self, channel: str, seconds: float) -> None:
        """Keep ``channel`` free of posts for ``seconds`` (Slack said ``Retry-After``)."""
        with self._lock:
            until = self._clock() + seconds
            self._next_free[channel] = max(self._next_free.get(channel, until), until)

    def sleep(self, seconds: float) -> None:
        self._sleep(seconds)


#: The process-wide pacer; tests pass their own with a fake clock and sleep.
PACER = ChannelPacer()


def retry_after(error: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, when ``error`` is a 429; None for any other error."""
    response = error.response
    if response is None or response.status_code != 429:
        return None
    headers: Mapping[str, Any] = response.headers or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return 1.0


def _paced(
    call: Callable[[], Any],
    channel: str,
    *,
    what: str,
    pacer: ChannelPacer,
    patience: float,
) -> Any:
    waited = 0.0
    while True:
        pacer.wait(channel)
        try:
            return call()
        except SlackApiError as e:
            delay = retry_after(e)
            if delay is None or waited + delay > patience:
                raise
            logger.warning(
                "%s to %s rate limited; retrying in %.1f s (waited %.1f s so far)",
                what,
                channel,
                delay,
                waited,
            )
            pacer.hold(channel, delay)
            waited += delay


def post_message(
    client: WebClient,
    channel: str,
    *,
    text: str,
    blocks: Sequence[Block | dict[str, Any]] | None = None,
    pacer: ChannelPacer | None = None,
    patience: float = DEFAULT_PATIENCE_SECONDS,
    **extra: Any,
) -> str:
    """``chat.postMessage`` paced for ``channel``; returns the message's ``ts``.

    Args:
        client: The Web API client (``svc.slack_client()``), with its retry handlers.
        channel: Channel id (``C...``) to post to.
        text: Fallback text, shown in notifications and by screen readers.
        blocks: Block Kit blocks (``slack_sdk.models`` objects or their dicts).
        pacer: Per-channel pacing; the process-wide :data:`PACER` by default.
        patience: Seconds of ``Retry-After`` to sit out before giving up with the 429 error.
        extra: More ``chat.postMessage`` arguments (``thread_ts``, ``unfurl_links``...).

    Raises:
        SlackApiError: Slack refused the post (and, for 429, kept refusing past ``patience``).
    """
    chosen = pacer or PACER
    response = _paced(
        lambda: client.chat_postMessage(
            channel=channel, text=text, blocks=list(blocks) if blocks else None, **extra
        ),
        channel,
        what="chat.postMessage",
        pacer=chosen,
        patience=patience,
    )
    return str(response.get("ts") or "")


def upload_file(
    client: WebClient,
    channel: str,
    *,
    content: bytes,
    filename: str,
    title: str,
    pacer: ChannelPacer | None = None,
    patience: float = DEFAULT_PATIENCE_SECONDS,
    thread_ts: str | None = None,
) -> None:
    """Share a file (a chart PNG) in ``channel`` with ``files_upload_v2``, paced like posts."""
    chosen = pacer or PACER
    _paced(
        lambda: client.files_upload_v2(
            channel=channel,
            content=content,
            filename=filename,
            title=title,
            thread_ts=thread_ts,
        ),
        channel,
        what="files_upload_v2",
        pacer=chosen,
        patience=patience,
    )
