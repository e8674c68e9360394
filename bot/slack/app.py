"""The Bolt app: acknowledge every request at once, do the work in lazy listeners.

Slack waits 3 seconds for an acknowledgement. Every listener here acks first and does nothing
else in the ack function (only pure checks of the modal's own fields, which must travel with
the ack); the work (scoring, Jira, the database) runs in a *lazy* listener on a worker thread
and answers through ``response_url`` (``respond``), ephemeral unless said otherwise.

The app runs with ``process_before_response=True``: Bolt calls the ack function on the
request's own thread and returns its response once it has started the lazy listeners (which
still run on the listener threads, after the ack). With Bolt's default (False) every ack
function waits on the listener threads behind the lazy listeners of a burst, and the request
thread polls every 10 ms for the ack to appear. The ack functions are cheap and never block, so
running them in place is safe. ``/value`` has no lazy listener at all (see
:func:`bot.slack.listeners.run_value`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.chat import benefit_blocks, blocks
from bot.chat.client import BOT_SCOPES, build_web_client
from bot.errors import ConfigError, DeliveryError
from bot.slack import listeners
from bot.slack.boundary import on_bolt_error
from bot.slack.workqueue import WorkQueue
from bot.usecases.score_cache import ScoreCache
from bot.wiring import Services

logger = logging.getLogger(__name__)

COMMAND = "/value"
#: Events the app subscribes to.
BOT_EVENTS: tuple[str, ...] = ("app_home_opened",)
#: Every Web API method the bot (and Bolt on its behalf) calls; the manifest's scopes cover
#: them and the contract test checks them against Slack's published spec.
WEB_API_METHODS: tuple[str, ...] = (
    "auth.test",  # Bolt: the bot's identity, once
    "chat.postMessage",  # check-in DMs, reminders, summaries, realisation questions
    "chat.update",  # redraw a check-in DM after a rating
    "conversations.open",  # the DM channel with a stakeholder
    "views.open",  # the comment, realisation and benefit modals
    "views.publish",  # App Home
    "usergroups.users.list",  # roles given as user groups
    "oauth.v2.access",  # Bolt: OAuth install (several workspaces)
    "apps.connections.open",  # Bolt: Socket Mode
    "files.getUploadURLExternal",  # files_upload_v2: the digest's burn-up chart
    "files.completeUploadExternal",  # files_upload_v2: share it in the team's channel
)
#: Threads running ack functions and lazy listeners (the slow work runs elsewhere).
LISTENER_THREADS = 16


def _bound(listener: Callable[..., None], deps: listeners.Deps) -> Callable[..., None]:
    """``listener`` with ``deps`` bound, keeping its name and the arguments Bolt injects."""
    return functools.update_wrapper(functools.partial(listener, deps=deps), listener)


def register(app: App, svc: Services, *, work: WorkQueue, scores: ScoreCache) -> None:
    """Attach every listener (:mod:`bot.slack.listeners`) to ``app``."""
    deps = listeners.Deps(svc, work, scores)

    def lazy(listener: Callable[..., None]) -> list[Callable[..., None]]:
        return [_bound(listener, deps)]

    ack_only = listeners.ack_only
    app.command(COMMAND)(_bound(listeners.run_value, deps))
    app.action(blocks.ACTION_REORDER_APPLY)(
        ack=ack_only, lazy=lazy(listeners.apply_reorder_clicked)
    )
    app.action(blocks.ACTION_REORDER_CANCEL)(ack=ack_only, lazy=[listeners.cancel_reorder_clicked])
    app.action(re.compile(blocks.ACTION_RATE_PATTERN))(
        ack=ack_only, lazy=lazy(listeners.rate_clicked)
    )
    app.action(blocks.ACTION_CHECKIN_CLOSE)(ack=ack_only, lazy=lazy(listeners.close_round_clicked))
    app.action(blocks.ACTION_COMMENT)(ack=ack_only, lazy=lazy(listeners.comment_clicked))
    app.view(blocks.VIEW_COMMENT)(ack=listeners.ack_comment, lazy=lazy(listeners.comment_submitted))
    app.action(re.compile(blocks.ACTION_REALISATION_PATTERN))(
        ack=ack_only, lazy=lazy(listeners.realisation_clicked)
    )
    app.action(blocks.ACTION_REALISATION_COMMENT)(
        ack=ack_only, lazy=lazy(listeners.realisation_comment_clicked)
    )
    app.view(blocks.VIEW_REALISATION)(
        ack=listeners.ack_realisation, lazy=lazy(listeners.realisation_submitted)
    )
    app.action(benefit_blocks.ACTION_BENEFIT_RECORD)(
        ack=ack_only, lazy=lazy(listeners.record_clicked)
    )
    app.action(benefit_blocks.ACTION_BENEFIT_EDIT)(ack=ack_only, lazy=lazy(listeners.edit_clicked))
    app.action(benefit_blocks.ACTION_REVIEW_ANSWER)(
        ack=ack_only, lazy=lazy(listeners.review_clicked)
    )
    app.view(benefit_blocks.VIEW_BENEFIT)(
        ack=listeners.ack_benefit_form, lazy=lazy(listeners.benefit_form_submitted)
    )
    app.view(benefit_blocks.VIEW_ACTUAL)(
        ack=listeners.ack_actual, lazy=lazy(listeners.actual_submitted)
    )
    app.view(benefit_blocks.VIEW_REVIEW)(
        ack=listeners.ack_review, lazy=lazy(listeners.review_submitted)
    )
    app.event("app_home_opened")(ack=ack_only, lazy=lazy(listeners.home_opened))
    app.error(on_bolt_error)


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
    our base URL and retry handlers. ``work`` and ``scores`` (see :mod:`bot.slack.workqueue`) are
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
            process_before_response=True,
        )
    else:
        web = client if client is not None else build_web_client(settings)
        if web.token is None:
            raise ConfigError(
                "NORTHSTAR_SLACK_BOT_TOKEN is not set; set it (single workspace) or set "
                "NORTHSTAR_SLACK_CLIENT_ID and NORTHSTAR_SLACK_CLIENT_SECRET (OAuth)"
            )
        try:  # Bolt asks Slack who the token is (auth.test) before it serves anything
            app = App(
                name="northstar",
                signing_secret=signing_secret,
                client=web,
                listener_executor=executor,
                process_before_response=True,
            )
        except SlackApiError as e:
            error = e.response.get("error", "refused")
            raise ConfigError(
                f"Slack refused NORTHSTAR_SLACK_BOT_TOKEN ({error}); copy the Bot User OAuth "
                "Token again (README, Create the Slack app)"
            ) from e
        except OSError as e:
            raise DeliveryError(
                f"cannot reach Slack at {web.base_url} to check the bot token ({e}); check "
                "the network, a proxy, or NORTHSTAR_SLACK_API_URL",
                type(e).__name__,
                reachable=False,
            ) from e
    register(
        app,
        svc,
        work=work if work is not None else WorkQueue(),
        scores=scores if scores is not None else ScoreCache(),
    )
    return app
