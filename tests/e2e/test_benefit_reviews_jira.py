"""End to end: an epic in the fake Jira is marked done, and the benefit's reviews follow.

Jira is the stateful fake over HTTP (the real connector, the real sync); Slack is the local fake
Web API; the clock is the test's own and Jira's clock is the same one, so the epic's resolution
date is the day the test says. The follow-up job runs as the scheduler would run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat import messages
from bot.config import NorthstarConfig, load_config
from bot.scheduling.jobs import JobEnv, Status, benefit_follow_up
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.sync import sync_team
from bot.wiring import Services, build_connector
from rules.benefits import Benefit, BenefitStatus, Direction, Measure
from rules.model import BenefitCategory
from tests.fakes.jira_server import API_TOKEN, EMAIL, FakeJiraServer
from tests.fakes.slack_api import FakeSlackServer

BOARD = 42
OWNER = "U0111"
#: a Thursday morning in Berlin, outside the example team's quiet hours
START = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def jira_config() -> NorthstarConfig:
    base = load_config(None)
    payments = base.teams[0].model_copy(update={"source": "jira", "board": BOARD})
    return base.model_copy(update={"teams": (payments,)})


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def jira(clock: Clock) -> Iterator[FakeJiraServer]:
    with FakeJiraServer() as server:
        server.state.clock = clock
        server.state.add_board(BOARD, "PAY")
        server.state.add_issue("PAY-1", summary="Self-service refunds", type="Epic")
        server.state.add_issue("PAY-2", summary="Refund form", values={"Story point estimate": 3})
        yield server


@pytest.fixture
def slack_api() -> Iterator[FakeSlackServer]:
    with FakeSlackServer() as server:
        yield server


@pytest.fixture
def svc(
    tmp_path: Path, jira: FakeJiraServer, slack_api: FakeSlackServer, clock: Clock
) -> Iterator[Services]:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'northstar.db'}",
        jira_url=jira.url,
        jira_email=EMAIL,
        jira_api_token=API_TOKEN,
        slack_bot_token="xoxb-e2e",
        slack_api_url=slack_api.url,
    )
    config = jira_config()
    store = Store.open(settings.database_url)
    yield Services(
        settings=settings,
        config=config,
        store=store,
        connector_factory=lambda team: build_connector(settings, config, team, store),
        clock=clock,
    )
    store.close()


def review_dms(slack_api: FakeSlackServer) -> list[str]:
    return [
        call.all_text()
        for call in slack_api.state.calls_to("chat.postMessage")
        if call.body["channel"] == "D" + OWNER.lstrip("U")
        and messages.review_header("post-implementation") in call.all_text()
    ]


def test_marking_the_epic_done_schedules_the_reviews_and_each_is_asked_once(
    svc: Services, jira: FakeJiraServer, slack_api: FakeSlackServer, clock: Clock
):
    team = svc.config.team("payments")
    env = JobEnv(client=svc.slack_client())
    svc.store.upsert_benefits(
        [
            Benefit(
                id="BEN-1",
                title="Fewer refund tickets",
                category=BenefitCategory.OPERATIONAL,
                owner=OWNER,
                team="payments",
                links=("PAY-1",),
                measure=Measure(metric="refund tickets", direction=Direction.DECREASE),
                baseline=120,
                baseline_date=date(2026, 10, 1),
                target=40,
                target_date=date(2027, 6, 30),
                status=BenefitStatus.ACTIVE,
            )
        ],
        at=clock(),
        source="test",
    )
    sync_team(svc, team, full=True)
    before = benefit_follow_up(svc, team, clock(), env=env)
    assert svc.store.reviews("BEN-1") == []
    assert before.status is Status.DONE

    jira.state.set_status("PAY-1", "Done", "done")  # delivered on 2026-11-05
    clock.now += timedelta(days=1)
    sync_team(svc, team, full=True)
    benefit_follow_up(svc, team, clock(), env=env)

    assert svc.store.benefit("BEN-1").status is BenefitStatus.REALISING
    assert [r.due for r in svc.store.reviews("BEN-1")][:3] == [
        date(2026, 12, 5),
        date(2027, 2, 3),
        date(2027, 5, 4),
    ]
    assert review_dms(slack_api) == []

    clock.now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # a Monday after the 30-day review
    sync_team(svc, team, full=True)
    first = benefit_follow_up(svc, team, clock(), env=env)
    second = benefit_follow_up(svc, team, clock(), env=env)

    assert "reviews BEN-1 post-implementation 30d" in first.detail
    assert "reviews" not in second.detail
    [dm] = review_dms(slack_api)
    assert "30 days after delivery" in dm
