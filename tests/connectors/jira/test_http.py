"""Auth, retries, the retry budget and error messages of the Jira connector, over HTTP."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
import requests

from connectors.base import ConnectorError
from connectors.jira.connector import JiraConnector
from connectors.jira.http import (
    JiraAuthError,
    JiraHttp,
    JiraNotFoundError,
    JiraPermissionError,
    JiraRateLimited,
    JiraRequestError,
    JiraUnavailable,
)
from rules.model import RankMove
from tests.connectors.jira.support import (
    BASE,
    DC_BASE,
    EMAIL,
    PAT,
    TOKEN,
    FakeTime,
    cloud_config,
    dc_config,
    make_connector,
    register_discovery,
)

SERVER_INFO = f"{BASE}/rest/api/2/serverInfo"
SPRINTS = f"{BASE}/rest/agile/1.0/board/42/sprint"
EMPTY_SPRINTS = {"maxResults": 50, "startAt": 0, "isLast": True, "values": []}


def board_connector(fake_time: FakeTime, **overrides: Any) -> JiraConnector:
    return make_connector(cloud_config(board=42, jql=None, **overrides), fake_time)


def test_cloud_sends_basic_auth_with_email_and_api_token(jira_http, fake_time):
    register_discovery(jira_http)
    make_connector(cloud_config(), fake_time).discovery  # noqa: B018 - the request is the point
    expected = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert jira_http.calls[0].request.headers["Authorization"] == f"Basic {expected}"


def test_data_center_sends_the_personal_access_token_as_bearer(jira_http, fake_time):
    register_discovery(jira_http, cloud=False)
    make_connector(dc_config(), fake_time).discovery  # noqa: B018
    assert jira_http.calls[0].request.headers["Authorization"] == f"Bearer {PAT}"


@pytest.mark.parametrize(
    ("cloud", "field_path"),
    [(True, "/rest/api/3/field"), (False, "/rest/api/2/field")],
    ids=["cloud", "data_center"],
)
def test_the_deployment_type_decides_the_api_version(jira_http, fake_time, cloud, field_path):
    register_discovery(jira_http, cloud=cloud)
    config = cloud_config() if cloud else dc_config()
    discovery = make_connector(config, fake_time).discovery
    assert discovery.is_cloud is cloud
    assert discovery.deployment == ("Cloud" if cloud else "DataCenter")
    assert jira_http.calls[1].request.path_url == field_path


def test_429_with_retry_after_seconds_is_honoured(jira_http, fake_time):
    jira_http.get(SPRINTS, status=429, headers={"Retry-After": "7"}, json={"errorMessages": []})
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    assert board_connector(fake_time).list_sprints() == []
    assert fake_time.sleeps == [7.0]
    assert len(jira_http.calls) == 2


def test_503_with_an_http_date_retry_after_waits_until_that_date(jira_http, fake_time):
    jira_http.get(
        SPRINTS,
        status=503,
        headers={
            "Retry-After": "Tue, 01 Dec 2026 10:00:12 GMT",
            "Date": "Tue, 01 Dec 2026 10:00:00 GMT",
        },
        body="Service Unavailable",
    )
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    board_connector(fake_time).list_sprints()
    assert fake_time.sleeps == [12.0]


def test_a_503_without_retry_after_backs_off_exponentially_with_jitter(jira_http, fake_time):
    for _ in range(3):
        jira_http.get(SPRINTS, status=503, json={"errorMessages": ["down for maintenance"]})
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    board_connector(fake_time).list_sprints()
    first, second, third = fake_time.sleeps
    assert 0.5 <= first <= 1.5
    assert 1.0 <= second <= 3.0
    assert 2.0 <= third <= 6.0
    assert len({first / 1, second / 2, third / 4}) > 1  # jittered, not a fixed ladder


def test_waits_jira_named_do_not_lengthen_the_backoff_after_a_dropped_connection(
    jira_http, fake_time
):
    for _ in range(4):
        jira_http.get(SPRINTS, status=429, headers={"Retry-After": "0"}, json={})
    jira_http.get(SPRINTS, body=requests.ConnectionError("Connection aborted"))
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    board_connector(fake_time).list_sprints()
    assert len(jira_http.calls) == 6
    # "Retry-After: 0" is no wait at all; the drop then waits the first backoff step, not the fifth
    [backoff] = fake_time.sleeps
    assert 0.5 <= backoff <= 1.5


@pytest.mark.parametrize(
    "dropped",
    [
        requests.ConnectionError("Connection aborted"),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
        requests.ReadTimeout("Read timed out"),
    ],
    ids=["connection_error", "chunked_encoding", "timeout"],
)
def test_a_dropped_connection_is_retried(jira_http, fake_time, dropped):
    jira_http.get(SPRINTS, body=dropped)
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    assert board_connector(fake_time).list_sprints() == []
    assert len(fake_time.sleeps) == 1
    assert len(jira_http.calls) == 2


def test_retries_stop_at_the_budget_with_a_clear_error(jira_http, fake_time):
    jira_http.get(SPRINTS, status=429, headers={"Retry-After": "25"}, json={"errorMessages": []})
    connector = board_connector(fake_time, retry_budget_seconds=60)
    with pytest.raises(JiraRateLimited) as failed:
        connector.list_sprints()
    assert fake_time.sleeps == [25.0, 25.0]
    message = str(failed.value)
    assert "/rest/agile/1.0/board/{boardId}/sprint" in message
    assert "429" in message
    assert "retry budget of 60s" in message
    assert failed.value.retry_after == 25.0


def test_a_connection_that_keeps_dropping_gives_up_naming_the_endpoint(jira_http, fake_time):
    jira_http.get(SPRINTS, body=requests.ConnectionError("Connection refused"))
    with pytest.raises(JiraUnavailable, match=r"board/\{boardId\}/sprint: connection failed"):
        board_connector(fake_time, retry_budget_seconds=10).list_sprints()
    assert sum(fake_time.sleeps) <= 10


@pytest.mark.parametrize(
    ("status", "body", "error", "expected"),
    [
        (
            400,
            {"errorMessages": ["Field 'Bussiness' does not exist."], "errors": {}},
            JiraRequestError,
            r"answered 400 \(\"Field 'Bussiness' does not exist.\"\): .*jql",
        ),
        (
            401,
            {"errorMessages": ["You are not authenticated."]},
            JiraAuthError,
            r"401.*NORTHSTAR_JIRA_EMAIL and NORTHSTAR_JIRA_API_TOKEN.*NORTHSTAR_JIRA_PAT",
        ),
        (
            403,
            {"errorMessages": ["You do not have a valid license."]},
            JiraPermissionError,
            r"403.*permission.*doctor",
        ),
        (
            404,
            {"errorMessages": ["Board does not exist or you do not have permission to see it."]},
            JiraNotFoundError,
            r"404.*board 42 does not exist or this account cannot see it.*'payments'",
        ),
        (
            409,
            {"errorMessages": ["Conflict"], "errors": {"rank": "rank is being changed"}},
            JiraRequestError,
            r"409 \(\"Conflict; rank: rank is being changed\"\).*conflict.*run again",
        ),
    ],
    ids=["bad_request", "unauthorised", "forbidden", "not_found", "conflict"],
)
def test_each_client_error_gets_a_specific_message(
    jira_http, fake_time, status, body, error, expected
):
    jira_http.get(SPRINTS, status=status, json=body)
    with pytest.raises(error, match=expected) as failed:
        board_connector(fake_time).list_sprints()
    assert failed.value.status == status
    assert fake_time.sleeps == []  # client errors are not retried


def test_a_403_on_rank_names_the_schedule_issues_permission(jira_http, fake_time):
    register_discovery(jira_http)
    jira_http.put(
        f"{BASE}/rest/agile/1.0/issue/rank",
        status=403,
        json={"errorMessages": ["You do not have permission to rank issues."]},
    )
    with pytest.raises(JiraPermissionError, match=r"'Schedule issues' permission"):
        make_connector(cloud_config(), fake_time).apply_move(
            RankMove(issues=("PAY-2",), before="PAY-1")
        )


def test_the_token_never_appears_in_logs_or_errors(jira_http, fake_time, caplog):
    # a (hypothetical) Jira that echoes the credential back must not get it into a message
    echo_token = {"errorMessages": [f"token {TOKEN} rejected"]}
    jira_http.get(SERVER_INFO, status=503, json=echo_token)
    jira_http.get(SERVER_INFO, status=401, json=echo_token)
    echo_pat = {"errorMessages": [], "errors": {"auth": f"{PAT} expired"}}
    jira_http.get(f"{DC_BASE}/rest/api/2/serverInfo", status=401, json=echo_pat)
    messages = []
    with caplog.at_level(logging.DEBUG):
        for config in (cloud_config(), dc_config()):
            with pytest.raises(ConnectorError) as failed:
                make_connector(config, fake_time).discovery  # noqa: B018
            messages.append(str(failed.value))
            messages.append(repr(config))
    assert caplog.records  # the retry and the requests were logged ...
    for text in (caplog.text, *messages):
        assert TOKEN not in text  # ... without the secrets
        assert PAT not in text
    assert "***" in messages[0]


def test_the_jira_packages_own_retries_are_off(fake_time):
    http = JiraHttp(cloud_config(), sleep=fake_time.sleep, clock=fake_time.clock)
    assert http._session.max_retries == 0  # type: ignore[attr-defined]


def test_every_attempt_is_reported_to_the_request_hook(jira_http, fake_time):
    seen: list[tuple[str, int]] = []
    jira_http.get(SPRINTS, status=503, headers={"Retry-After": "1"}, body="")
    jira_http.get(SPRINTS, body=requests.ConnectionError("reset"))
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    connector = make_connector(
        cloud_config(board=42, jql=None), fake_time, on_request=lambda e, s: seen.append((e, s))
    )
    connector.list_sprints()
    endpoint = "/rest/agile/1.0/board/{boardId}/sprint"
    assert seen == [(endpoint, 503), (endpoint, 0), (endpoint, 200)]


def test_a_retry_after_one_request_is_told_holds_every_other_request(jira_http, fake_time):
    """Score writes run in threads: one 429's wait must pause them all, not each in turn."""
    jira_http.get(SPRINTS, status=429, headers={"Retry-After": "5"}, json={})
    jira_http.get(SPRINTS, json=EMPTY_SPRINTS)
    sent_at: list[float] = []

    def server_info(request: Any) -> tuple[int, dict[str, str], str]:
        sent_at.append(fake_time.now)
        return 200, {}, "{}"

    jira_http.add_callback("GET", SERVER_INFO, callback=server_info)
    start = fake_time.now
    http = JiraHttp(cloud_config(), sleep=lambda s: sleep(s), clock=fake_time.clock)

    def sleep(seconds: float) -> None:
        fake_time.sleeps.append(seconds)
        if len(fake_time.sleeps) == 1:  # the rate-limited request waits; 2 s in, another calls
            until = fake_time.now + seconds
            fake_time.now += 2
            http.call("GET", "/rest/api/2/serverInfo")
            fake_time.now = max(fake_time.now, until)
        else:
            fake_time.now += seconds

    http.call("GET", "/rest/agile/1.0/board/42/sprint")

    assert fake_time.sleeps == [5.0, 3.0]  # the other request waited out the rest of the pause
    assert sent_at == [start + 5]
    assert http.requests == 3
