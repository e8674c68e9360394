"""The one way the bot builds a Slack Web API client: our base URL, our retry policy."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import default_interval_calculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from bot.settings import Settings

#: Bot token scopes the app asks for at install time (the manifest lists the same) and that
#: `doctor` checks the token has.
BOT_SCOPES: tuple[str, ...] = (
    "commands",  # /value
    "chat:write",  # answers, check-in DMs, summaries
    "chat:write.public",  # post summaries and digests to a team channel without joining it
    "im:write",  # conversations.open for check-in DMs
    "usergroups:read",  # usergroups.users.list for roles given as user groups
    "files:write",  # digest charts (files_upload_v2)
)


def build_web_client(
    settings: Settings,
    token: str | None = None,
    *,
    connection_backoff: RetryIntervalCalculator | None = None,
) -> WebClient:
    """A client that honours 429 ``Retry-After`` and retries dropped connections.

    ``NORTHSTAR_SLACK_API_URL`` points it at another Web API (a test fake, an enterprise proxy).
    ``connection_backoff`` replaces slack_sdk's exponential back-off between connection retries
    (tests pass a zero interval, so an unreachable Slack fails at once).
    """
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    base_url = (
        settings.slack_api_url
        if settings.slack_api_url.endswith("/")
        else f"{settings.slack_api_url}/"
    )
    backoff = connection_backoff or default_interval_calculator
    return WebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=5),
            ConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=backoff),
        ],
    )
