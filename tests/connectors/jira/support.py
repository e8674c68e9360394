"""Jira at the HTTP boundary (``responses``), answering with the shapes of Atlassian's specs.

``JiraSite`` registers Jira's real response shapes (field list, server info, search pages,
Agile backlog pages, rank answers) for a small backlog, so tests read like "the site has these
issues" and assert on what the connector made of them and which requests it sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import responses

from connectors.jira.config import CloudAuth, JiraConfig, TokenAuth
from connectors.jira.connector import JiraConnector

BASE = "https://acme.atlassian.net"
DC_BASE = "https://jira.acme.internal"
TOKEN = "ATATT3xFfGF0-witness-token-5b10a284"
PAT = "NjE0OTc1ODM4-witness-pat-Mzk0"
EMAIL = "northstar@acme.example"

SCORE_ID = "customfield_10900"
COST_ID = "customfield_10016"
BV_ID = "customfield_10500"
CATEGORY_ID = "customfield_10510"
RANK_ID = "customfield_10019"
SPRINT_ID = "customfield_10020"

FIELDS_JSON: list[dict[str, Any]] = [
    {
        "clauseNames": ["summary"],
        "custom": False,
        "id": "summary",
        "key": "summary",
        "name": "Summary",
        "navigable": True,
        "orderable": True,
        "schema": {"system": "summary", "type": "string"},
        "searchable": True,
    },
    {
        "custom": True,
        "id": COST_ID,
        "key": COST_ID,
        "name": "Story point estimate",
        "schema": {
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "customId": 10016,
            "type": "number",
        },
    },
    {
        "custom": True,
        "id": BV_ID,
        "key": BV_ID,
        "name": "Business Value",
        "schema": {
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "customId": 10500,
            "type": "number",
        },
    },
    {
        "custom": True,
        "id": CATEGORY_ID,
        "key": CATEGORY_ID,
        "name": "Benefit Category",
        "schema": {
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
            "customId": 10510,
            "type": "option",
        },
    },
    {
        "custom": True,
        "id": SCORE_ID,
        "key": SCORE_ID,
        "name": "Value Score",
        "schema": {
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "customId": 10900,
            "type": "number",
        },
    },
    {
        "custom": True,
        "id": RANK_ID,
        "key": RANK_ID,
        "name": "Rank",
        "schema": {
            "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank",
            "customId": 10019,
            "type": "any",
        },
    },
    {
        "custom": True,
        "id": SPRINT_ID,
        "key": SPRINT_ID,
        "name": "Sprint",
        "schema": {
            "custom": "com.pyxis.greenhopper.jira:gh-sprint",
            "customId": 10020,
            "items": "json",
            "type": "array",
        },
    },
]

MAPPING = {"cost": "Story point estimate", "business_value": "Business Value"}


def issue_json(
    key: str,
    issue_id: int,
    rank: str,
    *,
    score: float | None = None,
    cost: object = 3,
    business_value: object = 8,
    category: str | None = "Financial",
    status: tuple[str, str] = ("To Do", "new"),
    sprint: list[dict[str, Any]] | None = None,
    links: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An issue as search/jql and the Agile backlog return it (IssueBean, chosen fields)."""
    return {
        "expand": "",
        "id": str(issue_id),
        "self": f"{BASE}/rest/api/3/issue/{issue_id}",
        "key": key,
        "fields": {
            "summary": f"Summary of {key}",
            "issuetype": {"id": "10001", "name": "Story", "subtask": False},
            "status": {
                "name": status[0],
                "id": "10000",
                "statusCategory": {"id": 2, "key": status[1], "name": status[0]},
            },
            "labels": ["payments"],
            "components": [{"id": "10000", "name": "Checkout"}],
            "priority": {"id": "3", "name": "Medium"},
            "created": "2026-10-01T09:00:00.000+0200",
            "updated": "2026-11-20T10:30:00.000+0000",
            "resolutiondate": None,
            "duedate": "2026-12-24",
            "parent": {"id": "10100", "key": "PAY-100", "fields": {"summary": "Epic"}},
            "issuelinks": links or [],
            COST_ID: cost,
            BV_ID: business_value,
            CATEGORY_ID: {"id": "10600", "value": category} if category else None,
            SCORE_ID: score,
            RANK_ID: rank,
            SPRINT_ID: sprint,
        },
    }


def page_cloud(issues: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"issues": issues, "isLast": token is None}
    if token is not None:
        page["nextPageToken"] = token
    return page


def page_offset(
    issues: list[dict[str, Any]], start: int, total: int, size: int = 50
) -> dict[str, Any]:
    return {
        "expand": "names,schema",
        "startAt": start,
        "maxResults": size,
        "total": total,
        "issues": issues,
    }


@dataclass
class FakeTime:
    """A fake monotonic clock that advances only when slept on; records every sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def body_of(call: Any) -> dict[str, Any]:
    raw = call.request.body
    return dict(json.loads(raw)) if raw else {}


def cloud_config(**overrides: Any) -> JiraConfig:
    values: dict[str, Any] = {
        "base_url": BASE,
        "auth": CloudAuth(email=EMAIL, api_token=TOKEN),
        "team": "payments",
        "jql": "project = PAY AND statusCategory != Done",
        "fields": MAPPING,
        "score_field": "Value Score",
        "writable": frozenset({"score"}),
        "retry_budget_seconds": 60,
    }
    values.update(overrides)
    return JiraConfig(**values)


def dc_config(**overrides: Any) -> JiraConfig:
    return cloud_config(base_url=DC_BASE, auth=TokenAuth(pat=PAT), **overrides)


def register_discovery(
    mock: responses.RequestsMock, *, cloud: bool = True, fields: list[dict[str, Any]] | None = None
) -> None:
    base = BASE if cloud else DC_BASE
    info = {
        "baseUrl": base,
        "buildNumber": 100282 if cloud else 9120000,
        "deploymentType": "Cloud" if cloud else "DataCenter",
        "serverTitle": "Jira",
        "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.0",
        "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 0],
    }
    mock.get(f"{base}/rest/api/2/serverInfo", json=info)
    api = "3" if cloud else "2"
    mock.get(f"{base}/rest/api/{api}/field", json=fields if fields is not None else FIELDS_JSON)


def make_connector(config: JiraConfig, fake_time: FakeTime, **kwargs: Any) -> JiraConnector:
    import random

    return JiraConnector(
        config, sleep=fake_time.sleep, clock=fake_time.clock, rng=random.Random(3), **kwargs
    )


def register_board(
    mock: responses.RequestsMock,
    *,
    board_type: str = "scrum",
    jql: str = "project = PAY ORDER BY Rank ASC",
    base: str = BASE,
    columns: list[tuple[str, list[str]]] | None = None,
) -> None:
    """Board 42's configuration and, for a scrum board, its saved filter (id 10042).

    ``columns`` are (name, status ids) left to right; without them the configuration has no
    ``columnConfig``.
    """
    configuration: dict[str, Any] = {
        "id": 42,
        "name": "PAY board",
        "type": board_type,
        "filter": {"id": "10042", "self": f"{base}/rest/api/3/filter/10042"},
        "ranking": {"rankCustomFieldId": 10019},
    }
    if columns is not None:
        configuration["columnConfig"] = {
            "columns": [
                {"name": name, "statuses": [{"id": status_id} for status_id in ids]}
                for name, ids in columns
            ]
        }
    mock.get(f"{base}/rest/agile/1.0/board/42/configuration", json=configuration)
    if board_type == "scrum":
        mock.get(
            f"{base}/rest/api/3/filter/10042",
            json={"id": "10042", "name": "Filter for PAY board", "jql": jql},
        )
