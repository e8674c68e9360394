"""The Bolt app: acknowledge every request at once, do the work in lazy listeners.

Slack waits 3 seconds for an acknowledgement. Every listener here acks first and does nothing
else in the ack function (only pure checks of the modal's own fields, which must travel with
the ack); the work (scoring, Jira, the database) runs in a *lazy* listener on a worker thread
and answers through ``response_url`` (``respond``), ephemeral unless said otherwise. With
``process_before_response=False`` (the default, right for HTTP and Socket Mode servers) Bolt
returns the ack while the lazy listener is still running.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.chat import blocks, messages
from bot.chat.client import build_web_client
from bot.config import ConfigError
from bot.logs import bound
from bot.slack import payloads
from bot.slack.handlers import (
    Invocation,
    apply_clicked,
    close_clicked,
    new_error_id,
    reply_for_error,
    run_command,
)
from bot.slack.home import publish_home
from bot.slack.work import ScoreCache, WorkQueue
from bot.usecases.checkins import (
    Answer,
    open_comment_modal,
    open_realisation_modal,
    record_answer,
    record_realisation_answer,
)
from bot.wiring import Services

logger = logging.getLogger(__name__)

COMMAND = "/value"
#: Bot token scopes the app asks for at install time (the manifest lists the same).
BOT_SCOPES: tuple[str, ...] = (
    "commands",  # /value
    "chat:write",  # answers, check-in DMs, summaries
    "chat:write.public",  # post summaries and digests to a team channel without joining it
    "im:write",  # conversations.open for check-in DMs
    "usergroups:read",  # usergroups.users.list for roles given as user groups
    "files:write",  # digest charts (files_upload_v2)
)
#: Events the app subscribes to.
BOT_EVENTS: tuple[str, ...] = ("app_home_opened",)
#: Every Web API method the bot (and Bolt on its behalf) calls; the manifest's scopes cover
#: them and the contract test checks them against Slack's published spec.
WEB_API_METHODS: tuple[str, ...] = (
    "auth.test",  # Bolt: the bot's identity, once
    "chat.postMessage",  # check-in DMs, reminders, summaries, realisation questions
    "chat.update",  # redraw a check-in DM after a rating
    "conversations.open",  # the DM channel with a stakeholder
    "views.open",  # the comment modal
    "views.publish",  # App Home
    "usergroups.users.list",  # roles given as user groups
    "oauth.v2.access",  # Bolt: OAuth install (several workspaces)
    "apps.connections.open",  # Bolt: Socket Mode
    "files.getUploadURLExternal",  # files_upload_v2: the digest's burn-up chart
    "files.completeUploadExternal",  # files_upload_v2: share it in the team's channel
)
#: Threads running ack functions and lazy listeners (the slow work runs elsewhere).
LISTENER_THREADS = 16


def _respond_safely(respond: Respond, reply: blocks.Reply, **options: Any) -> None:
    """Answer through ``response_url``; a failure there is logged, never raised into Bolt."""
    try:
        respond(**reply.payload(), **options)
    except Exception:
        logger.exception("could not answer through response_url (error id %s)", new_error_id())


def _tell(respond: Respond, answer: Answer) -> None:
    """A note the person's DM does not show goes to them privately, so no click goes unanswered."""
    if not answer.shown:
        _respond_safely(
            respond,
            blocks.text_reply(answer.note),
            response_type="ephemeral",
            replace_original=False,
        )


def _tell_in_dm(client: WebClient, channel: str | None, answer: Answer) -> None:
    """The same for a modal (it has no ``response_url``): a line in the DM the modal came from."""
    if not answer.shown and channel:
        client.chat_postMessage(channel=channel, **blocks.text_reply(answer.note).payload())


def _guard(what: str, respond: Respond | None, work: Callable[[], object]) -> None:
    """Run ``work()``; any exception becomes an ephemeral answer (if we can) and a log line.

    Every log line written meanwhile carries one request id, so an admin can follow a slash
    command or a click through the logs.
    """
    with bound(request=uuid.uuid4().hex[:12]):
        try:
            work()
        except Exception as e:  # noqa: BLE001 - the edge: every error becomes an answer
            reply = reply_for_error(e, what=what)
            if respond is not None and respond.response_url:
                _respond_safely(respond, reply, response_type="ephemeral", replace_original=False)


def _view_ack(
    check: Callable[[dict[str, Any]], dict[str, str]],
) -> Callable[[Ack, dict[str, Any]], None]:
    """The ack of a modal submission: ``check``'s field errors, if any, travel with it.

    Only the modal's own fields are checked here; Slack shows the errors beside them only when
    they come with the ack.
    """

    def ack_view(ack: Ack, body: dict[str, Any]) -> None:
        errors = check(body)
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    return ack_view


def register(  # noqa: C901 - one small closure per listener
    app: App, svc: Services, *, work: WorkQueue, scores: ScoreCache
) -> None:
    """Attach every listener to ``app``.

    Each lazy listener reads its payload and hands the slow part to ``work`` (see
    :mod:`bot.slack.work` for why not on Bolt's own threads).
    """

    def later(what: str, respond: Respond | None, job: Callable[[], object]) -> None:
        work.submit(lambda: _guard(what, respond, job))

    def ack_command(ack: Ack) -> None:
        ack(text=messages.ack_working())

    def run_value(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        request = payloads.slash_command(body)
        inv = Invocation(request.user_id, request.channel_id, client, scores)

        def job() -> None:
            reply = run_command(svc, request.text, inv)
            _respond_safely(respond, reply, response_type="ephemeral")

        later(f"/value by {request.user_id}", respond, job)

    app.command(COMMAND)(ack=ack_command, lazy=[run_value])

    def ack_only(ack: Ack) -> None:
        ack()

    def apply_reorder_clicked(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        action = payloads.block_action(body)
        team, fingerprint = action.value.get("team"), action.value.get("fp")
        if not isinstance(team, str) or not isinstance(fingerprint, str):
            _respond_safely(respond, blocks.text_reply(messages.error_stale_button()))
            return

        def applying(name: str) -> None:
            reply = blocks.text_reply(messages.ack_applying(name))
            _respond_safely(respond, reply, replace_original=True)

        inv = Invocation(action.user_id, action.channel_id, client, scores)

        def job() -> None:
            reply = apply_clicked(svc, team, fingerprint, inv, on_start=applying)
            _respond_safely(respond, reply, replace_original=True)

        later(f"reorder apply by {action.user_id}", respond, job)

    def cancel_reorder_clicked(respond: Respond) -> None:
        _respond_safely(
            respond, blocks.text_reply(messages.reorder_cancelled()), replace_original=True
        )

    app.action(blocks.ACTION_REORDER_APPLY)(ack=ack_only, lazy=[apply_reorder_clicked])
    app.action(blocks.ACTION_REORDER_CANCEL)(ack=ack_only, lazy=[cancel_reorder_clicked])

    def rate_clicked(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        action = payloads.block_action(body)
        ref = payloads.checkin_ref(action)

        def job() -> None:
            if ref is None or ref.value is None:
                _tell(respond, Answer(messages.error_stale_button(), shown=False))
                return
            answer = record_answer(
                svc,
                user=action.user_id,
                round_id=ref.round_id,
                key=ref.key,
                value=ref.value,
                channel=action.channel_id,
                ts=action.message_ts,
                client=client,
                scores=scores,
            )
            _tell(respond, answer)

        later(f"check-in rating by {action.user_id}", respond, job)

    app.action(re.compile(blocks.ACTION_RATE_PATTERN))(ack=ack_only, lazy=[rate_clicked])

    def close_round_clicked(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        action = payloads.block_action(body)
        round_id = action.value.get("r")
        inv = Invocation(action.user_id, action.channel_id, client, scores)

        def job() -> None:
            if not isinstance(round_id, int):
                _tell(respond, Answer(messages.error_stale_button(), shown=False))
                return
            reply = close_clicked(svc, round_id, inv)
            _respond_safely(respond, reply, response_type="ephemeral", replace_original=True)

        later(f"check-in close by {action.user_id}", respond, job)

    app.action(blocks.ACTION_CHECKIN_CLOSE)(ack=ack_only, lazy=[close_round_clicked])

    def comment_clicked(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        action = payloads.block_action(body)
        ref = payloads.checkin_ref(action)

        def job() -> None:
            if ref is None or not action.trigger_id:
                _tell(respond, Answer(messages.error_stale_button(), shown=False))
                return
            problem = open_comment_modal(
                svc,
                user=action.user_id,
                round_id=ref.round_id,
                key=ref.key,
                trigger_id=action.trigger_id,
                channel=action.channel_id,
                ts=action.message_ts,
                client=client,
            )
            if problem is not None:
                _tell(respond, Answer(problem, shown=False))

        # not queued: the trigger_id for views.open expires 3 s after the click
        _guard(f"check-in comment modal for {action.user_id}", respond, job)

    app.action(blocks.ACTION_COMMENT)(ack=ack_only, lazy=[comment_clicked])

    ack_comment = _view_ack(lambda body: payloads.comment_errors(payloads.comment_submission(body)))

    def comment_submitted(body: dict[str, Any], client: WebClient) -> None:
        submission = payloads.comment_submission(body)

        def job() -> None:
            if submission.round_id is None or submission.key is None or submission.rating is None:
                logger.warning("comment modal without round, item or rating; ignored")
                return
            answer = record_answer(
                svc,
                user=submission.user_id,
                round_id=submission.round_id,
                key=submission.key,
                value=submission.rating,
                comment=submission.comment or None,
                channel=submission.channel_id,
                ts=submission.message_ts,
                client=client,
                scores=scores,
            )
            _tell_in_dm(client, submission.channel_id, answer)

        later(f"check-in comment by {submission.user_id}", None, job)

    app.view(blocks.VIEW_COMMENT)(ack=ack_comment, lazy=[comment_submitted])

    def realisation_clicked(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        action = payloads.block_action(body)
        choice = action.action_id.removeprefix(blocks.ACTION_REALISATION_PREFIX)
        key = action.value.get("k")

        def job() -> None:
            if not isinstance(key, str):
                _tell(respond, Answer(messages.error_stale_button(), shown=False))
                return
            answer = record_realisation_answer(
                svc,
                user=action.user_id,
                key=key,
                answer=choice,
                channel=action.channel_id,
                ts=action.message_ts,
                client=client,
            )
            _tell(respond, answer)

        later(f"realisation answer by {action.user_id}", respond, job)

    app.action(re.compile(blocks.ACTION_REALISATION_PATTERN))(
        ack=ack_only, lazy=[realisation_clicked]
    )

    def realisation_comment_clicked(
        body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        action = payloads.block_action(body)
        key = action.value.get("k")

        def job() -> None:
            if not isinstance(key, str) or not action.trigger_id:
                _tell(respond, Answer(messages.error_stale_button(), shown=False))
                return
            open_realisation_modal(
                svc,
                user=action.user_id,
                key=key,
                trigger_id=action.trigger_id,
                channel=action.channel_id,
                ts=action.message_ts,
                client=client,
            )

        # not queued: the trigger_id for views.open expires 3 s after the click
        _guard(f"realisation modal for {action.user_id}", respond, job)

    app.action(blocks.ACTION_REALISATION_COMMENT)(ack=ack_only, lazy=[realisation_comment_clicked])

    ack_realisation = _view_ack(
        lambda body: payloads.realisation_errors(payloads.realisation_submission(body))
    )

    def realisation_submitted(body: dict[str, Any], client: WebClient) -> None:
        submission = payloads.realisation_submission(body)

        def job() -> None:
            if submission.key is None or submission.answer is None:
                logger.warning("realisation modal without item or answer; ignored")
                return
            answer = record_realisation_answer(
                svc,
                user=submission.user_id,
                key=submission.key,
                answer=submission.answer,
                comment=submission.comment or None,
                channel=submission.channel_id,
                ts=submission.message_ts,
                client=client,
            )
            _tell_in_dm(client, submission.channel_id, answer)

        later(f"realisation comment by {submission.user_id}", None, job)

    app.view(blocks.VIEW_REALISATION)(ack=ack_realisation, lazy=[realisation_submitted])

    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        opened = payloads.home_opened(event)
        if opened.tab != "home" or not opened.user_id:
            return
        later(
            f"App Home of {opened.user_id}",
            None,
            lambda: publish_home(svc, client, opened.user_id, scores=scores),
        )

    app.event("app_home_opened")(ack=ack_only, lazy=[home_opened])

    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
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

    app.error(on_error)


def oauth_configured(svc: Services) -> bool:
    """OAuth (several workspaces) when a client id and secret are set."""
    settings = svc.settings
    return bool(settings.slack_client_id and settings.slack_client_secret)


def build_oauth_settings(svc: Services) -> Any:
    """Bolt OAuth with installations and OAuth state kept in Northstar's own database.

    Raises:
        ConfigError: OAuth is not configured (client id or secret missing).
    """
    settings = svc.settings
    if not settings.slack_client_id or settings.slack_client_secret is None:
        raise ConfigError(
            "OAuth needs NORTHSTAR_SLACK_CLIENT_ID and NORTHSTAR_SLACK_CLIENT_SECRET; set both, "
            "or neither for a single workspace with NORTHSTAR_SLACK_BOT_TOKEN"
        )
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    engine = svc.store.engine
    installations = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installations.metadata.create_all(engine)  # idempotent: checks for each table first
    states.metadata.create_all(engine)
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
    )


def build_app(
    svc: Services,
    *,
    client: WebClient | None = None,
    oauth: bool = False,
    listener_threads: int = LISTENER_THREADS,
    work: WorkQueue | None = None,
    scores: ScoreCache | None = None,
) -> App:
    """The Bolt app with every listener registered.

    ``client`` (tests pass one pointed at the fake Web API) defaults to the bot's client with
    our base URL and retry handlers. ``work`` and ``scores`` (see :mod:`bot.slack.work`) are
    made here unless given (benchmarks pass a cache they can clear). ``oauth`` installs into
    several workspaces, keeping
    installations in the database; otherwise the single bot token is used.

    Raises:
        ConfigError: the signing secret, or the bot token without OAuth, is not set.
    """
    settings = svc.settings
    if settings.slack_signing_secret is None:
        raise ConfigError(
            "NORTHSTAR_SLACK_SIGNING_SECRET is not set; Slack requests cannot be checked"
        )
    executor = ThreadPoolExecutor(
        max_workers=listener_threads, thread_name_prefix="northstar-slack"
    )
    signing_secret = settings.slack_signing_secret.get_secret_value()
    if oauth:
        web = client if client is not None else build_web_client(settings, token=None)
        if web.token is not None:
            # with OAuth each request's token comes from the installation store
            web = WebClient(
                base_url=web.base_url, retry_handlers=web.retry_handlers, timeout=web.timeout
            )
        app = App(
            name="northstar",
            signing_secret=signing_secret,
            client=web,
            oauth_settings=build_oauth_settings(svc),
            listener_executor=executor,
        )
    else:
        web = client if client is not None else build_web_client(settings)
        if web.token is None:
            raise ConfigError(
                "NORTHSTAR_SLACK_BOT_TOKEN is not set; set it (single workspace) or set "
                "NORTHSTAR_SLACK_CLIENT_ID and NORTHSTAR_SLACK_CLIENT_SECRET (OAuth)"
            )
        app = App(
            name="northstar",
            signing_secret=signing_secret,
            client=web,
            listener_executor=executor,
        )
    register(
        app,
        svc,
        work=work if work is not None else WorkQueue(),
        scores=scores if scores is not None else ScoreCache(),
    )
    return app
