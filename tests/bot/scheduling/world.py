"""A wired world for the job and runner tests: real SQLite store, sample backlogs, Slack fake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.chat.pacing import ChannelPacer
from bot.config import NorthstarConfig, Team, load_config
from bot.scheduling.deferrals import MemoryDeferrals
from bot.scheduling.jobs import JobEnv
from bot.settings import Settings
from bot.storage import Store
from bot.wiring import Services
from connectors.base import Connector
from connectors.registry import open_source
from tests.bot.scheduling.support import BERLIN, FakeTime
from tests.fakes.slack_api import FakeSlackServer, SlackCall

BOT_TOKEN = "xoxb-scheduler-test"
PAYMENTS_CHANNEL = "C0PAYMENTS"
#: Monday of the sample backlog's week (connectors.sample.SAMPLE_TODAY), 09:00 in Berlin.
MONDAY_0900 = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)


class FakeClock:
    """A clock tests move by hand; jobs read time only through ``svc.clock``."""

    def __init__(self, now: datetime = MONDAY_0900):
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment.astimezone(UTC)
        return self.now


def scheduler_config(**schedule: Any) -> NorthstarConfig:
    """The example config (sample backlogs of payments and growth), payments' schedule tuned.

    Payments: Berlin, channel C0PAYMENTS, quiet 18:00-08:30, digest "mon 09:00" and check-ins
    "thu 14:00", as shipped; ``schedule`` overrides any of its schedule fields.
    """
    base = load_config(None)
    payments = base.teams[0]
    tuned = payments.model_copy(update={"schedule": payments.schedule.model_copy(update=schedule)})
    return base.model_copy(update={"teams": (tuned, *base.teams[1:])})


@dataclass
class World:
    """Services over a real SQLite store, the sample backlogs, and the Slack fake."""

    svc: Services
    slack: FakeSlackServer
    clock: FakeClock
    env: JobEnv
    deferrals: MemoryDeferrals
    connectors: dict[str, Connector]
    url: str

    @property
    def store(self) -> Store:
        return self.svc.store

    def team(self, name: str = "payments") -> Team:
        return self.svc.config.team(name)

    def posts(self, channel: str = PAYMENTS_CHANNEL) -> list[SlackCall]:
        """Messages that reached ``channel`` (429'd or refused attempts excluded)."""
        return [
            call
            for call in self.slack.state.calls_to("chat.postMessage")
            if call.body.get("channel") == channel
        ]

    def restart(self) -> World:
        """A new process on the same database: a fresh Store and Services, same tool and Slack."""
        self.svc.store.close()
        store = Store.open(self.url)
        connectors = self.connectors
        svc = Services(
            settings=self.svc.settings,
            config=self.svc.config,
            store=store,
            connector_factory=lambda team: connectors[team.name],
            clock=self.clock,
        )
        deferrals = MemoryDeferrals()
        env = JobEnv(pacer=self.env.pacer, deferrals=deferrals)
        return World(svc, self.slack, self.clock, env, deferrals, connectors, self.url)


def make_world(
    url: str,
    slack: FakeSlackServer,
    clock: FakeClock,
    *,
    config: NorthstarConfig | None = None,
) -> World:
    settings = Settings(
        _env_file=None, database_url=url, slack_bot_token=BOT_TOKEN, slack_api_url=slack.url
    )
    config = config or scheduler_config()
    connectors = {
        team.name: open_source(
            f"sample:{team.name}", writable=config.jira.fields.writable, clock=clock
        )
        for team in config.teams
    }
    svc = Services(
        settings=settings,
        config=config,
        store=Store.open(url),
        connector_factory=lambda team: connectors[team.name],
        clock=clock,
    )
    fake_time = FakeTime()
    deferrals = MemoryDeferrals()
    env = JobEnv(
        pacer=ChannelPacer(clock=fake_time.clock, sleep=fake_time.sleep), deferrals=deferrals
    )
    return World(svc, slack, clock, env, deferrals, connectors, url)
