"""The Slack app's one error boundary: every error becomes an answer a person can act on.

Built on the classification in :mod:`bot.errors`: a reportable error (a user error, a rules or
config error) is shown as is; a :class:`~bot.errors.DeliveryError`, a Jira (connector) error or
a database error is logged with an error id and answered with what to do; anything else is a
bug, logged with an id, and the person sees only the id, never the exception text.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse, Respond
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import SQLAlchemyError

from bot.chat import blocks, messages
from bot.errors import REPORTABLE, DeliveryError, UnknownIssueError, new_error_id
from bot.logs import bound
from bot.slack.commands import ParseError
from bot.slack.roles import RoleRefusedError
from connectors.base import ConnectorError

logger = logging.getLogger(__name__)


def reply_for_error(error: BaseException, *, what: str) -> blocks.Reply:
    """Turn any exception into an answer; log what an admin needs.

    ``what`` describes the request for the log (e.g. "/value top by U123"); it must not
    contain secrets, and the exception text of unknown errors is never shown to the person.
    """
    if isinstance(error, ParseError):
        return blocks.error_reply(error.to_text())
    if isinstance(error, UnknownIssueError):
        return blocks.error_reply(messages.error_unknown_issue(error.key))
    if isinstance(error, RoleRefusedError):
        return blocks.error_reply(str(error))
    error_id = new_error_id()
    if isinstance(error, ConnectorError):
        logger.error("%s failed in Jira (error id %s)", what, error_id, exc_info=error)
        return blocks.error_reply(messages.error_jira(str(error), error_id))
    if isinstance(error, DeliveryError | SlackClientError):
        logger.error("%s failed in Slack (error id %s)", what, error_id, exc_info=error)
        return blocks.error_reply(messages.error_slack(error_id))
    if isinstance(error, REPORTABLE):
        return blocks.error_reply(messages.error_user(str(error)))
    if isinstance(error, SQLAlchemyError):
        logger.error("%s failed in the database (error id %s)", what, error_id, exc_info=error)
        return blocks.error_reply(messages.error_database(error_id))
    logger.error("%s failed unexpectedly (error id %s)", what, error_id, exc_info=error)
    return blocks.error_reply(messages.error_unexpected(error_id))


def respond_safely(respond: Respond, reply: blocks.Reply, **options: Any) -> None:
    """Answer through ``response_url``; a failure there is logged, never raised into Bolt."""
    try:
        respond(**reply.payload(), **options)
    except Exception:
        logger.exception("could not answer through response_url (error id %s)", new_error_id())


def guard(
    what: str, respond: Respond | None, work: Callable[[], object], *, replace: bool = False
) -> None:
    """Run ``work()``; any exception becomes an ephemeral answer (if we can) and a log line.

    ``replace`` puts the answer in place of the message clicked (an "Applying..." note).

    Every log line written meanwhile carries one request id, so an admin can follow a slash
    command or a click through the logs.
    """
    with bound(request=uuid.uuid4().hex[:12]):
        try:
            work()
        except Exception as e:  # noqa: BLE001 - the edge: every error becomes an answer
            reply = reply_for_error(e, what=what)
            if respond is not None and respond.response_url:
                respond_safely(respond, reply, response_type="ephemeral", replace_original=replace)


def on_bolt_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Errors Bolt itself caught (in middleware or an ack): log with an id, tell the person."""
    error_id = new_error_id()
    logger.error(
        "Slack request failed (error id %s): %s", error_id, type(error).__name__, exc_info=error
    )
    response_url = body.get("response_url") if isinstance(body, dict) else None
    if isinstance(response_url, str) and response_url:
        try:
            WebhookClient(response_url).send(
                text=messages.error_unexpected(error_id), response_type="ephemeral"
            )
        except Exception:  # noqa: BLE001 - best effort; already logged above
            logger.warning("could not tell the person about error %s", error_id)
    return BoltResponse(status=500, body="")
