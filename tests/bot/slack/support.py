"""Helpers for the Slack tests: a wired world, a test config and signed Slack requests."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.chat.messenger import SlackMessenger
from bot.config import NorthstarConfig, Roles, Schedule, Team, load_config
from bot.settings import Settings
from connectors.base import Connector
from connectors.memory import MemoryConnector
from rules.model import BenefitCategory, BenefitRegisterEntry, Item, StatusCategory
from tests.fakes.slack_api import FakeSlackServer

if TYPE_CHECKING:  # the app and storage load lazily, so parser tests run without them
    from bot.storage import Store
    from bot.wiring import Services

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
ADMIN = "U0ADMIN"
PO = "U0PO"
PO_GROUP = "S0PO"
STAKEHOLDERS = ("U0111", "U0222", "U0333")
OUTSIDER = "U0OUTSIDER"
CHANNEL = "C0PAYMENTS"
NOW = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand; the bot reads time only through ``svc.clock``."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def backlog_items(count: int = 12) -> list[Item]:
    """A small payments backlog, current order = key order, values chosen to need reordering."""
    items = []
    for index in range(1, count + 1):
        items.append(
            Item(
                key=f"PAY-{index}",
                summary=f"Payments item {index}",
                cost=float(1 + (index * 7) % 8),
                business_value=float(1 + (index * 5) % 13),
                time_criticality=float(1 + (index * 3) % 8),
                risk_reduction=float(1 + index % 5),
                created=NOW - timedelta(days=90),
                updated=NOW - timedelta(days=index),
            )
        )
    items.append(
        Item(
            key="PAY-900",
            summary="Self-service refunds (delivered)",
            status="Done",
            status_category=StatusCategory.DONE,
            cost=5,
            business_value=8,
            resolved=NOW - timedelta(weeks=8),
            benefit=BenefitRegisterEntry(
                category=BenefitCategory.FINANCIAL,
                owner="U0111",
                measure="refund tickets a week",
                baseline=120,
                target=40,
            ),
        )
    )
    return items


def slack_config(
    *, writable: tuple[str, ...] = ("score", "business_value", "cost")
) -> NorthstarConfig:
    """The example config with one Slack-test team whose roles are users and a user group."""
    base = load_config(None)
    team = Team(
        name="payments",
        source="memory",
        channel=CHANNEL,
        timezone="Europe/Berlin",
        stakeholders=STAKEHOLDERS,
        stakeholder_roles={"U0111": "sponsor"},
        roles=Roles(reorder=(ADMIN, PO_GROUP), set_inputs=(PO_GROUP,), checkin=(ADMIN, PO_GROUP)),
        schedule=Schedule(checkin_items=3, checkin_reminder_hours=24, realisation_after_weeks=6),
        goals=base.teams[0].goals,
    )
    other = Team(name="growth", source="memory", channel="C0GROWTH", stakeholders=("U0444",))
    jira = base.jira.model_copy(
        update={"fields": base.jira.fields.model_copy(update={"writable": writable})}
    )
    return base.model_copy(
        update={
            "teams": (team, other),
            "rules": (),
            "jira": jira,
            "guardrails": base.guardrails.model_copy(update={"manual_zone": 0}),
        }
    )


@dataclass
class SlackWorld:
    """Everything a Slack test touches, wired the way production wires it."""

    svc: Services
    slack: FakeSlackServer
    client: WebClient
    clock: FakeClock
    backlog: MemoryConnector
    _app: App | None = field(default=None, repr=False)

    @property
    def app(self) -> App:
        if self._app is None:
            from bot.slack.app import build_app

            self._app = build_app(self.svc, client=self.client)
        return self._app

    @property
    def store(self) -> Store:
        return self.svc.store

    def team(self, name: str = "payments") -> Team:
        return self.svc.config.team(name)

    @property
    def messenger(self) -> SlackMessenger:
        """Outbound Slack over the fake, as the app's listeners build it."""
        return self.svc.messenger(self.client)


def make_world(
    url: str,
    slack: FakeSlackServer,
    clock: FakeClock,
    *,
    items: list[Item] | None = None,
    config: NorthstarConfig | None = None,
    connector_factory: Callable[[Team], Connector] | None = None,
) -> SlackWorld:
    from bot.storage import Store
    from bot.wiring import Services

    settings = Settings(
        _env_file=None,
        database_url=url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
    )
    config = config or slack_config()
    store = Store.open(url)
    backlog = MemoryConnector(
        items if items is not None else backlog_items(),
        name="memory:payments",
        writable=config.jira.fields.writable,
        clock=clock,
    )
    others = MemoryConnector([], name="memory:growth", clock=clock)
    svc = Services(
        settings=settings,
        config=config,
        store=store,
        connector_factory=connector_factory
        or (lambda team: backlog if team.name == "payments" else others),
        clock=clock,
    )
    client = WebClient(
        token=BOT_TOKEN,
        base_url=slack.url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )
    return SlackWorld(svc=svc, slack=slack, client=client, clock=clock, backlog=backlog)


# ---------------------------------------------------------------- signed requests


def sign(body: str, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str, *, timestamp: int | None = None, content_type: str) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": sign(body, stamp),
    }


def command_body(
    text: str,
    *,
    user_id: str = ADMIN,
    channel_id: str = CHANNEL,
    response_url: str,
    command: str = "/value",
    team_id: str = "T0TEST",
) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "northstar-test",
            "channel_id": channel_id,
            "channel_name": "payments",
            "user_id": user_id,
            "user_name": "someone",
            "command": command,
            "text": text,
            "api_app_id": "A0NORTHSTAR",
            "response_url": response_url,
            "trigger_id": "1337.42.abcdef",
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def dispatch(app: App, body: str, *, json_body: bool = False) -> BoltResponse:
    content_type = "application/json" if json_body else "application/x-www-form-urlencoded"
    request = BoltRequest(body=body, headers=signed_headers(body, content_type=content_type))
    return app.dispatch(request)


def block_action_payload(
    action_id: str,
    value: str,
    *,
    user_id: str,
    response_url: str | None = None,
    channel_id: str = "D0111",
    message_ts: str | None = "1700000000.000001",
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T0TEST", "domain": "northstar-test"},
        "user": {"id": user_id, "username": "someone", "team_id": "T0TEST"},
        "api_app_id": "A0NORTHSTAR",
        "token": "legacy-verification-token",
        "trigger_id": "1337.42.trigger",
        "container": {"type": "message", "channel_id": channel_id, "message_ts": message_ts},
        "channel": {"id": channel_id, "name": "directmessage"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": "1700000001.000001",
            }
        ],
    }
    if message_ts is None:
        payload["container"] = {"type": "message", "channel_id": channel_id, "is_ephemeral": True}
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def call_wsgi(
    wsgi: Any, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Call a WSGI app in-process, the way gunicorn would."""
    data = body.encode()
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        else:
            environ[f"HTTP_{key}"] = value
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info=None):
        seen["status"] = int(status.split(" ", 1)[0])
        seen["headers"] = dict(response_headers)

    chunks = wsgi(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):  # as every WSGI server does once the body is sent
            chunks.close()
    return seen["status"], seen["headers"], data
