"""The sprint-start reminder against a Jira board over HTTP: noticed once, posted once.

Jira is the stateful fake (real HTTP, the connector's own paging of
``/rest/agile/1.0/board/{id}/sprint``); Slack is the local fake. The clock is the tests' own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import NorthstarConfig, load_config
from bot.scheduling.jobs import JobEnv, Status, sprint_start_reminder
from bot.settings import Settings
from bot.storage import Store
from bot.wiring import Services, build_connector
from tests.bot.scheduling.world import BOT_TOKEN, MONDAY_0900, PAYMENTS_CHANNEL, FakeClock
from tests.fakes.jira_server import API_TOKEN, EMAIL, FakeJiraServer
from tests.fakes.slack_api import FakeSlackServer

BOARD = 42
SPRINT = 7
VALUES = {"Business Value": 13, "Time Criticality": 8, "Risk Reduction": 3}


def jira_config() -> NorthstarConfig:
    """The example config with payments on board 42 of a Jira site (growth left out)."""
    base = load_config(None)
    payments = base.teams[0].model_copy(update={"source": "jira", "board": BOARD})
    return base.model_copy(update={"teams": (payments,)})


@pytest.fixture
def jira() -> Iterator[FakeJiraServer]:
    with FakeJiraServer() as server:
        server.state.add_board(BOARD, "PAY")
        server.state.add_sprint(
            BOARD, "PAY Sprint 7", "future", sprint_id=SPRINT, goal="Refunds without tickets"
        )
        for number in (1, 2):
            server.state.add_issue(
                f"PAY-{number}",
                summary=f"Refund step {number}",
                values={**VALUES, "Story point estimate": 3},
            )
        server.state.add_issue("PAY-3", summary="Nobody valued this")
        yield server


@pytest.fixture
def svc(tmp_path: Path, jira: FakeJiraServer, slack_api: FakeSlackServer) -> Iterator[Services]:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'northstar.db'}",
        jira_url=jira.url,
        jira_email=EMAIL,
        jira_api_token=API_TOKEN,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack_api.url,
    )
    config = jira_config()
    store = Store.open(settings.database_url)
    yield Services(
        settings=settings,
        config=config,
        store=store,
        connector_factory=lambda team: build_connector(settings, config, team, store),
        clock=FakeClock(MONDAY_0900),
    )
    store.close()


def start_sprint(jira: FakeJiraServer, keys: tuple[str, ...]) -> None:
    """Sprint planning, then "Start sprint": the issues join it, it becomes active."""
    with jira.state.lock:
        for key in keys:
            issue = jira.state.issues[key]
            issue.sprint_ids.append(SPRINT)
            issue.updated = datetime.now(tz=UTC)
        jira.state.sprints[SPRINT].state = "active"


def posts(slack_api: FakeSlackServer) -> list[str]:
    return [
        call.all_text()
        for call in slack_api.state.calls_to("chat.postMessage")
        if call.body.get("channel") == PAYMENTS_CHANNEL
    ]


def test_a_sprint_started_on_the_board_gets_one_reminder_with_its_value(svc, jira, slack_api):
    env = JobEnv()
    now = MONDAY_0900
    before = sprint_start_reminder(svc, "payments", now, env=env)
    start_sprint(jira, ("PAY-1", "PAY-2", "PAY-3"))

    posted = sprint_start_reminder(svc, "payments", now + timedelta(minutes=15), env=env)
    again = sprint_start_reminder(svc, "payments", now + timedelta(minutes=30), env=env)

    assert before.status is Status.NOTHING  # the sprint was still in the future
    assert posted.status is Status.POSTED
    assert again.status is Status.NOTHING
    [text] = posts(slack_api)
    assert "PAY Sprint 7" in text
    assert "Refunds without tickets" in text  # the sprint goal
    assert "Value committed" in text
    assert "PAY-1" in text  # its top items by value
    assert "PAY-2" in text
    assert "Without a value score" in text
    assert "PAY-3" in text
    assert "Cut support cost" in text  # the team's value goal
    assert f"rapidView={BOARD}" in text  # the link to the full list
    polled = jira.state.requests_to(f"/rest/agile/1.0/board/{BOARD}/sprint", "GET")
    assert len(polled) == 4  # a poll a tick, and the post checks once more that it is active


def test_a_sprint_started_before_its_items_were_added_waits_for_them(svc, jira, slack_api):
    env = JobEnv()
    start_sprint(jira, ())

    empty = sprint_start_reminder(svc, "payments", MONDAY_0900, env=env)
    start_sprint(jira, ("PAY-1",))
    later = sprint_start_reminder(svc, "payments", MONDAY_0900 + timedelta(minutes=15), env=env)

    assert empty.status is Status.NOTHING
    assert "no items yet" in empty.detail
    assert later.status is Status.POSTED
    [text] = posts(slack_api)
    assert "PAY-1" in text
