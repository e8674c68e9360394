"""The bot builds the Jira connector from settings and config, with metrics attached."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from bot.config import parse_config
from bot.jira_wiring import build_jira_connector
from bot.metrics import JIRA_CALLS, RANK_CALLS
from bot.progress import reporting
from bot.settings import Settings
from connectors.base import ConnectorConfigError
from connectors.jira.config import CloudAuth, TokenAuth
from connectors.jira.connector import JiraConnector
from rules.model import RankMove
from tests.connectors.jira.support import (
    BASE,
    EMAIL,
    TOKEN,
    issue_json,
    page_offset,
    register_board,
    register_discovery,
)

BOARD_ISSUES = f"{BASE}/rest/agile/1.0/board/42/issue"
CONFIG = parse_config(
    """
[jira]
extra_jql = "issuetype != Sub-task"

[jira.fields]
cost = "Story Points"
business_value = "Business Value"
time_criticality = ""
risk_reduction = ""
benefit_category = ""
score = "Value Score"
writable = ["score", "business_value"]

[[teams]]
name = "payments"
board = 42
"""
)


def settings(**values) -> Settings:
    return Settings(_env_file=None, jira_url=BASE, **values)


def test_cloud_settings_build_a_board_connector_with_the_mapping():
    connector = build_jira_connector(
        settings(jira_email=EMAIL, jira_api_token=SecretStr(TOKEN)), CONFIG, CONFIG.teams[0]
    )
    assert isinstance(connector, JiraConnector)
    config = connector.config
    assert isinstance(config.auth, CloudAuth)
    assert (config.board, config.jql, config.extra_jql) == (42, None, "issuetype != Sub-task")
    assert config.fields["cost"] == "Story Points"
    assert "score" not in config.fields
    assert "time_criticality" not in config.fields
    assert config.score_field == "Value Score"
    assert config.writable == {"score", "business_value"}


def test_a_personal_access_token_means_data_center():
    connector = build_jira_connector(settings(jira_pat=SecretStr("pat")), CONFIG, CONFIG.teams[0])
    assert isinstance(connector, JiraConnector)
    assert isinstance(connector.config.auth, TokenAuth)


def test_missing_credentials_are_a_config_error_naming_the_settings():
    with pytest.raises(ConnectorConfigError, match=r"NORTHSTAR_JIRA_API_TOKEN.*NORTHSTAR_JIRA_PAT"):
        build_jira_connector(settings(), CONFIG, CONFIG.teams[0])


def test_requests_and_rank_calls_are_counted_in_metrics(jira_http):
    register_discovery(jira_http)
    jira_http.put(f"{BASE}/rest/agile/1.0/issue/rank", status=204)
    connector = build_jira_connector(
        settings(jira_email=EMAIL, jira_api_token=SecretStr(TOKEN)), CONFIG, CONFIG.teams[0]
    )
    rank = JIRA_CALLS.labels(endpoint="/rest/agile/1.0/issue/rank", status="204")
    before, team_before = rank._value.get(), RANK_CALLS.labels(team="payments")._value.get()

    connector.apply_move(RankMove(issues=("PAY-2",), before="PAY-1"))

    assert rank._value.get() == before + 1
    assert RANK_CALLS.labels(team="payments")._value.get() == team_before + 1
    expected = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert jira_http.calls[-1].request.headers["Authorization"] == f"Basic {expected}"


def cloud() -> Settings:
    return settings(jira_email=EMAIL, jira_api_token=SecretStr(TOKEN))


def backlog_issues(count: int) -> list[dict[str, Any]]:
    return [issue_json(f"PAY-{n}", 10000 + n, f"0|i{n:04d}:") for n in range(1, count + 1)]


def test_fetch_progress_reaches_the_listener_of_the_running_command(jira_http):
    register_discovery(jira_http)
    register_board(jira_http, board_type="kanban")
    jira_http.get(BOARD_ISSUES, json=page_offset(backlog_issues(120), 0, 120, size=120))
    connector = build_jira_connector(cloud(), CONFIG, CONFIG.teams[0])
    seen: list[int] = []

    with reporting(seen.append):
        connector.fetch_items()
    connector.fetch_items()  # outside the command: nobody listens, nothing breaks

    assert seen == [50, 100, 120]


class DictCache:
    """The two store methods the wiring uses, kept in a dict (the store is tested elsewhere)."""

    def __init__(self) -> None:
        self.saved: dict[str, dict[str, Any]] = {}

    def connector_state(self, team: str) -> dict[str, Any] | None:
        return self.saved.get(team)

    def save_connector_state(self, team: str, data: dict[str, Any], at: datetime) -> None:
        self.saved[team] = data


def test_a_discovery_saved_by_one_process_spares_the_next_two_requests(jira_http):
    register_discovery(jira_http)
    register_board(jira_http, board_type="kanban")
    jira_http.get(BOARD_ISSUES, json=page_offset(backlog_issues(3), 0, 3, size=3))
    cache = DictCache()
    clock = lambda: datetime(2026, 12, 1, tzinfo=UTC)  # noqa: E731
    first = build_jira_connector(cloud(), CONFIG, CONFIG.teams[0], cache=cache, clock=clock)
    # serverInfo, /field, the board configuration (a kanban board: the Agile API), the issues
    assert first.fetch_items().requests == 4
    assert cache.saved["payments"]["base_url"] == BASE

    second = build_jira_connector(cloud(), CONFIG, CONFIG.teams[0], cache=cache, clock=clock)
    assert second.fetch_items().requests == 2  # a full sync reads the board configuration


def test_a_discovery_saved_for_another_jira_site_is_not_used(jira_http):
    register_discovery(jira_http)
    register_board(jira_http, board_type="kanban")
    jira_http.get(BOARD_ISSUES, json=page_offset(backlog_issues(1), 0, 1, size=1))
    jira_http.get(BOARD_ISSUES, json=page_offset(backlog_issues(1), 0, 1, size=1))
    cache = DictCache()
    clock = lambda: datetime(2026, 12, 1, tzinfo=UTC)  # noqa: E731
    build_jira_connector(cloud(), CONFIG, CONFIG.teams[0], cache=cache, clock=clock).fetch_items()
    cache.saved["payments"]["base_url"] = "https://other.atlassian.net"

    again = build_jira_connector(cloud(), CONFIG, CONFIG.teams[0], cache=cache, clock=clock)
    assert again.fetch_items().requests == 4
