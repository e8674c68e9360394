"""Score writes in a bounded pool, against the stateful fake Jira over real HTTP.

A first ``score`` writes thousands of issues one ``PUT`` each (Jira has no bulk field write for
an API-token client), so the connector keeps a few writes in flight; these tests pin that the
pool stays bounded, that rate limits and failures leave Jira and the connector agreeing, and
that a rerun after a failure sends only what Jira does not have.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.jira.config import CloudAuth, JiraConfig
from connectors.jira.connector import JiraConnector
from connectors.jira.http import JiraUnavailable
from tests.fakes.jira_server import API_TOKEN, EMAIL, FIELD_IDS, FakeJiraServer

BOARD = 5
SCORE = FIELD_IDS["Value Score"]
KEYS = [f"WEB-{n}" for n in range(1, 31)]


@pytest.fixture
def jira() -> Iterator[FakeJiraServer]:
    with FakeJiraServer() as server:
        server.state.add_board(BOARD, "WEB")
        for key in KEYS:
            server.state.add_issue(key, values={"Value Score": 1.0})
        yield server


def connector(jira: FakeJiraServer, **config: Any) -> JiraConnector:
    settings = JiraConfig(
        base_url=jira.url,
        auth=CloudAuth(email=EMAIL, api_token=API_TOKEN),
        team="web",
        board=BOARD,
        score_field="Value Score",
        retry_budget_seconds=10,
        **config,
    )
    return JiraConnector(settings)


def new_scores() -> dict[str, float]:
    return {key: float(number) + 0.5 for number, key in enumerate(KEYS, start=2)}


def test_every_changed_score_is_written_once_and_reported_in_the_given_order(jira):
    progress: list[int] = []
    writer = JiraConnector(connector(jira).config, on_progress=progress.append)

    written = writer.write_scores(new_scores())

    assert written == KEYS
    assert sorted(write.key for write in jira.state.writes) == sorted(KEYS)
    assert {key: jira.state.value(key, "Value Score") for key in KEYS} == new_scores()
    assert progress == sorted(progress)
    assert progress[-1] == len(KEYS)


def test_no_more_writes_are_in_flight_than_configured(jira):
    jira.state.latency = 0.05
    in_flight, peak = 0, 0
    lock = threading.Lock()
    original = JiraConnector._update

    def counting(self: JiraConnector, key: str, fields: Any) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            original(self, key, fields)
        finally:
            with lock:
                in_flight -= 1

    writer = connector(jira, write_concurrency=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(JiraConnector, "_update", counting)
        writer.write_scores(new_scores())

    assert 2 <= peak <= 3


def test_rate_limits_during_the_writes_are_waited_out_and_nothing_is_written_twice(jira):
    jira.state.inject("429", times=6, path="/rest/api/3/issue/", retry_after=0)

    written = connector(jira).write_scores(new_scores())

    assert written == KEYS
    accepted = [write.key for write in jira.state.writes]
    assert sorted(accepted) == sorted(KEYS)
    refused = [r for r in jira.state.requests if r.status == 429]
    assert len(refused) == 6


def test_after_a_failure_half_way_a_rerun_sends_only_what_jira_does_not_have(jira):
    scores = new_scores()
    # Jira keeps refusing one issue for longer than the retry budget: the run fails half-way
    jira.state.inject("503", times=5, path="/rest/api/3/issue/WEB-12", retry_after=60)
    with pytest.raises(JiraUnavailable, match="still unavailable"):
        connector(jira).write_scores(scores)
    first = {write.key for write in jira.state.writes}
    assert first  # the first write goes alone, before the pool starts
    assert "WEB-12" not in first
    jira.state.clear_faults()
    jira.state.clear_log()

    # a new process: it knows nothing the first one wrote, and asks Jira
    rerun = connector(jira).write_scores(scores)

    sent = {write.key for write in jira.state.writes}
    assert not sent & first
    assert sent == set(KEYS) - first
    assert "WEB-12" in sent
    assert set(rerun) == sent
    assert all(jira.state.value(key, "Value Score") == scores[key] for key in KEYS)
