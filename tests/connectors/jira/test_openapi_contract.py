"""Every request the Jira connector makes, checked against Atlassian's OpenAPI specs.

A representative run (discovery, full and incremental fetches on a board and on JQL, reads of
the order, score and input writes, rank calls, sprints and ``check_access``) on Cloud and on
Data Center is recorded with ``responses``; each request must name a path template of the
specs, use only query parameters that operation knows, and send a JSON body valid against its
``requestBody`` schema. The vendored platform spec is the Cloud v3 one: ``/rest/api/2/...``
paths (Data Center, and ``serverInfo``/``myself``/``mypermissions`` on both) are checked
against the same operation under ``/rest/api/3/``, which Jira documents as identical apart from
rich-text fields the connector never sends.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema  # type: ignore[import-untyped]
import pytest
import responses

from connectors.jira.connector import JiraConnector
from rules.model import RankMove
from tests.connectors.jira.support import (
    BASE,
    DC_BASE,
    FakeTime,
    cloud_config,
    dc_config,
    issue_json,
    make_connector,
    page_cloud,
    page_offset,
    register_board,
    register_discovery,
)

SPEC_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "vendor" / "jira"
SINCE = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SPEC_FILES = ("jira-platform-swagger-v3.v3.json", "jira-software-swagger.v3.json")


@cache
def _specs() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((SPEC_DIR / name).read_text(encoding="utf-8")) for name in SPEC_FILES)


@pytest.fixture
def specs() -> tuple[dict[str, Any], ...]:
    if not all((SPEC_DIR / name).is_file() for name in SPEC_FILES):
        pytest.skip(f"Jira OpenAPI specs absent: {SPEC_DIR.resolve()} (vendored beside the repo)")
    return _specs()


def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def find_operation(
    specs: tuple[dict[str, Any], ...], method: str, path: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(spec, path item, operation) for a concrete request path."""
    looked_up = re.sub(r"^/rest/api/2/", "/rest/api/3/", path)
    for spec in specs:
        for template, item in spec["paths"].items():
            if _template_pattern(template).match(looked_up) and method.lower() in item:
                return spec, item, item[method.lower()]
    raise AssertionError(f"{method} {path} matches no operation of the Jira specs")


def check_request(specs: tuple[dict[str, Any], ...], call: Any) -> None:
    request = call.request
    url = urlsplit(request.url)
    spec, item, operation = find_operation(specs, request.method, url.path)
    known = {
        parameter["name"]
        for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]
        if parameter.get("in") == "query"
    }
    used = {name for name, _ in parse_qsl(url.query)}
    assert used <= known, f"{request.method} {url.path}: unknown query {used - known}"
    if request.body:
        content = (operation.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        assert schema is not None, f"{request.method} {url.path} takes no JSON body"
        body = json.loads(request.body)
        jsonschema.validate(body, {**schema, "components": spec["components"]})


def _cloud_run(mock: responses.RequestsMock, fake_time: FakeTime) -> None:
    register_discovery(mock)
    backlog = [issue_json(f"PAY-{n}", 10000 + n, f"0|i{n:04d}:", score=1.0) for n in (1, 2, 3)]
    mock.get(f"{BASE}/rest/agile/1.0/board/42/issue", json=page_offset(backlog, 0, 3))
    register_board(mock)
    mock.post(f"{BASE}/rest/api/3/search/jql", json=page_cloud(backlog[:1], token="t2"))
    mock.post(f"{BASE}/rest/api/3/search/jql", json=page_cloud(backlog[1:]))
    mock.put(re.compile(rf"{BASE}/rest/api/3/issue/PAY-\d+.*"), status=204)
    mock.put(f"{BASE}/rest/agile/1.0/issue/rank", status=204)
    mock.get(
        f"{BASE}/rest/agile/1.0/board/42/sprint",
        json={"isLast": True, "values": [{"id": 7, "name": "S7", "state": "active"}]},
    )
    mock.get(f"{BASE}/rest/api/2/myself", json={"displayName": "Northstar"})
    mock.get(f"{BASE}/rest/agile/1.0/board/42", json={"id": 42, "location": {"projectKey": "PAY"}})
    mock.get(f"{BASE}/rest/api/2/mypermissions", json={"permissions": {}})
    writable = frozenset({"score", "business_value"})
    on_board = make_connector(cloud_config(board=42, jql=None, writable=writable), fake_time)
    on_board.fetch_items()
    on_board.write_scores({"PAY-1": 2.0, "PAY-9": 3.0})
    on_board.write_inputs("PAY-2", {"business_value": 5})
    on_board.fetch_items(since=SINCE)
    on_board.read_order()
    on_board.apply_move(RankMove(issues=("PAY-3",), before="PAY-1"))
    on_board.apply_move(RankMove(issues=("PAY-2",), after="PAY-3"))
    on_board.list_sprints()
    on_board.check_access()
    on_jql: JiraConnector = make_connector(cloud_config(), fake_time, discovery=on_board.discovery)
    on_jql.fetch_items()
    on_jql.read_order()
    kanban = make_connector(
        cloud_config(board=43, jql=None), fake_time, discovery=on_board.discovery
    )
    mock.get(
        f"{BASE}/rest/agile/1.0/board/43/configuration",
        json={"id": 43, "type": "kanban", "filter": {"id": "10043"}},
    )
    mock.get(f"{BASE}/rest/agile/1.0/board/43/backlog", json=page_offset(backlog, 0, 3))
    kanban.read_order()


def _dc_run(mock: responses.RequestsMock, fake_time: FakeTime) -> None:
    register_discovery(mock, cloud=False)
    backlog = [issue_json(f"PAY-{n}", 10000 + n, f"0|i{n:04d}:") for n in (1, 2)]
    mock.post(f"{DC_BASE}/rest/api/2/search", json=page_offset(backlog, 0, 2))
    mock.put(re.compile(rf"{DC_BASE}/rest/api/2/issue/PAY-\d+.*"), status=204)
    connector = make_connector(dc_config(), fake_time)
    connector.fetch_items()
    connector.fetch_items(since=SINCE)
    connector.write_scores({"PAY-1": 4.0})
    connector.read_order()


@pytest.mark.parametrize("run", [_cloud_run, _dc_run], ids=["cloud", "data_center"])
def test_every_request_matches_the_jira_openapi_specs(specs, jira_http, fake_time, run):
    run(jira_http, fake_time)
    assert len(jira_http.calls) >= 6
    for call in jira_http.calls:
        check_request(specs, call)


def test_the_contract_check_catches_a_body_the_spec_refuses(specs, jira_http):
    """The checker must be able to fail, or its passing says nothing."""
    import requests

    jira_http.put(f"{BASE}/rest/agile/1.0/issue/rank", status=204)
    requests.put(
        f"{BASE}/rest/agile/1.0/issue/rank", json={"issues": ["A-1"], "rankBefore": "B"}, timeout=5
    )
    with pytest.raises(jsonschema.ValidationError):
        check_request(specs, jira_http.calls[0])
