"""The same behaviour tests over every connector (APScheduler's parametrised job-store fixture).

Each kind in ``CONTRACT_CONNECTORS`` needs a fixture named ``<kind>_connector`` (dashes become
underscores) returning a fresh connector over a backlog of at least six open items, built with
``writable=WRITABLE``. To add a connector, append its kind here and define that fixture.
``jira-fake`` is the Jira connector against the stateful fake Jira server, over a JQL backlog
so that done items and sprint items are part of it, as in the file connectors.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import rules.reorder
from connectors.base import ChecksAccess, Connector, ConnectorError, MoveFailedError, apply_plan
from connectors.files import CsvConnector, JsonConnector
from connectors.jira.config import CloudAuth, JiraConfig
from connectors.jira.connector import JiraConnector
from connectors.sample import SampleConnector
from rules.model import RankMove, RankPlan, StatusCategory

CONTRACT_CONNECTORS = ["sample", "csv", "json", "jira-fake"]

#: Fields every contract connector may write; anything else must be refused.
WRITABLE = ("score", "business_value")

BACKLOG_CSV = """\
key,summary,type,status_category,priority,sprint_id,sprint_name,sprint_state,cost,business_value,time_criticality,risk_reduction,labels,updated
NS-1,Retry failed card payments,Story,indeterminate,High,7,NS Sprint 7,active,3,8,5,2,,2026-10-20
NS-2,Export invoices as CSV,Story,new,Medium,,,,5,5,2,1,ux,2026-10-21
NS-3,Fix double charge on retry,Bug,new,Highest,,,,2,13,13,5,security;payments,2026-10-22
NS-4,Upgrade the payment SDK,Task,new,Low,,,,8,,,8,tech-debt,2026-10-23
NS-5,Spike: open banking,Spike,new,Medium,8,NS Sprint 8,future,3,2,1,3,,2026-10-24
NS-6,Show refund status,Story,done,Medium,6,NS Sprint 6,closed,2,5,3,1,,2026-10-10
NS-7,Add SEPA direct debit,Story,new,High,,,,13,20,8,3,,2026-10-25
NS-8,Card expiry check rejects valid dates,Bug,new,Medium,,,,1,3,3,1,,2026-10-26
NS-9,Support Apple Pay,Story,new,Low,,,,,8,2,1,mobile,2026-10-27
NS-10,Alert on payout failures,Task,new,Medium,,,,3,2,5,8,,2026-10-28
"""


def write_json_backlog(path: Path) -> None:
    """The CSV backlog as a JSON list of objects, lists as JSON lists and numbers as numbers."""
    import csv
    import io
    import json

    rows = []
    for row in csv.DictReader(io.StringIO(BACKLOG_CSV)):
        entry: dict[str, object] = {}
        for column, cell in row.items():
            if cell == "":
                continue
            if column == "labels":
                entry[column] = cell.split(";")
            elif column in ("cost", "business_value", "time_criticality", "risk_reduction"):
                entry[column] = float(cell) if "." in cell else int(cell)
            elif column == "sprint_id":
                entry[column] = int(cell)
            else:
                entry[column] = cell
        rows.append(entry)
    path.write_text(json.dumps(rows, indent=2), encoding="utf-8")


@pytest.fixture
def sample_connector() -> Connector:
    return SampleConnector("payments", size=40, writable=WRITABLE)


@pytest.fixture
def csv_connector(tmp_path: Path) -> Connector:
    path = tmp_path / "backlog.csv"
    path.write_text(BACKLOG_CSV, encoding="utf-8")
    return CsvConnector(path, writable=WRITABLE)


@pytest.fixture
def json_connector(tmp_path: Path) -> Connector:
    path = tmp_path / "backlog.json"
    write_json_backlog(path)
    return JsonConnector(path, writable=WRITABLE)


@pytest.fixture
def jira_fake_connector(tmp_path: Path) -> Iterator[Connector]:
    from pydantic import SecretStr

    from tests.fakes.jira_server import API_TOKEN, EMAIL, FakeJiraServer

    path = tmp_path / "backlog.csv"
    path.write_text(BACKLOG_CSV, encoding="utf-8")
    items = CsvConnector(path).fetch_items().items
    with FakeJiraServer() as server:
        server.state.add_board(1, "NS")
        server.state.add_items(items, board=1)
        config = JiraConfig(
            base_url=server.url,
            auth=CloudAuth(email=EMAIL, api_token=SecretStr(API_TOKEN)),
            team="ns",
            jql="project = NS ORDER BY Rank ASC",
            fields={
                "cost": "Story point estimate",
                "business_value": "Business Value",
                "time_criticality": "Time Criticality",
                "risk_reduction": "Risk Reduction",
            },
            writable=frozenset(WRITABLE),
            retry_budget_seconds=5,
        )
        yield JiraConnector(config)


@pytest.fixture(params=CONTRACT_CONNECTORS, ids=CONTRACT_CONNECTORS)
def connector(request: pytest.FixtureRequest) -> Connector:
    fixture = f"{request.param.replace('-', '_')}_connector"
    built: Connector = request.getfixturevalue(fixture)
    return built


def plan_for(current: Sequence[str], target: Sequence[str]) -> RankPlan:
    return rules.reorder.plan_moves(current, target)


def open_keys(connector: Connector) -> list[str]:
    return [item.key for item in connector.fetch_items().items if not item.is_done]


def test_a_full_fetch_returns_every_item_in_rank_order(connector):
    result = connector.fetch_items()
    assert result.complete
    assert [item.key for item in result.items] == connector.read_order()
    assert len({item.key for item in result.items}) == len(result.items)


def test_applying_a_plan_then_reading_the_order_gives_the_target(connector):
    current = connector.read_order()
    target = list(current)
    random.Random(7).shuffle(target)
    plan = plan_for(current, target)
    assert rules.reorder.apply_moves(current, plan.moves) == target  # the plan itself is right

    applied = apply_plan(connector, plan)

    assert applied == plan.calls
    assert connector.read_order() == target
    assert [item.key for item in connector.fetch_items().items] == target


def test_a_plan_applied_in_two_sittings_gives_the_target(connector):
    """A crash after the first call must be resumable from the next one."""
    current = connector.read_order()
    target = [*current[-3:], *current[:-3]]
    moves = (
        RankMove(issues=(target[0],), before=current[0]),
        RankMove(issues=tuple(target[1:3]), after=target[0]),
    )
    plan = RankPlan(current=tuple(current), target=tuple(target), moves=moves)
    assert rules.reorder.apply_moves(current, moves) == target
    seen: list[int] = []

    connector.apply_move(plan.moves[0])  # ... and then the process died
    resumed = apply_plan(connector, plan, start_at=1, on_applied=lambda i, _: seen.append(i))

    assert resumed == 1
    assert seen == [1]
    assert connector.read_order() == target


def test_a_move_around_an_unknown_anchor_fails_and_moves_nothing(connector):
    before = connector.read_order()
    with pytest.raises(MoveFailedError) as failed:
        connector.apply_move(RankMove(issues=(before[1],), before="NOPE-404"))
    assert before[1] in failed.value.failures
    assert connector.read_order() == before


def test_writing_the_same_scores_twice_writes_nothing_the_second_time(connector):
    keys = open_keys(connector)
    scores = {key: 10 + index / 3 for index, key in enumerate(keys)}

    first = connector.write_scores(scores)
    second = connector.write_scores(scores)

    assert sorted(first) == sorted(keys)
    assert second == []


def test_a_score_is_written_only_when_it_changes_at_two_decimals(connector):
    key = open_keys(connector)[0]
    assert connector.write_scores({key: 4.321}) == [key]
    assert connector.write_scores({key: 4.3249}) == []
    assert connector.write_scores({key: 4.33}) == [key]


def test_written_scores_are_read_back_by_the_next_fetch(connector):
    key = open_keys(connector)[0]
    connector.write_scores({key: 12.3456})
    fetched = {item.key: item for item in connector.fetch_items().items}
    assert fetched[key].score is not None
    assert math.isclose(fetched[key].score, 12.35)


def test_an_incremental_fetch_includes_what_was_written_since(connector):
    key = open_keys(connector)[1]
    since = datetime.now(tz=UTC) - timedelta(minutes=1)
    connector.write_scores({key: 77.0})
    result = connector.fetch_items(since=since)
    assert key in [item.key for item in result.items]
    assert result.complete or len(result.items) < len(connector.read_order())


def test_a_writable_input_is_written_and_read_back(connector):
    key = open_keys(connector)[0]
    connector.write_inputs(key, {"business_value": 13})
    fetched = {item.key: item for item in connector.fetch_items().items}
    assert fetched[key].business_value == 13


def test_writing_an_input_that_is_not_writable_is_refused(connector):
    key = open_keys(connector)[0]
    before = {item.key: item for item in connector.fetch_items().items}[key]

    with pytest.raises(ConnectorError, match=r"time_criticality.*writable"):
        connector.write_inputs(key, {"time_criticality": 20})

    after = {item.key: item for item in connector.fetch_items().items}[key]
    assert after.time_criticality == before.time_criticality


def test_sprints_include_every_sprint_an_item_is_in(connector):
    sprints = connector.list_sprints()
    if isinstance(connector, JiraConnector) and connector.config.board is None:
        # sprints belong to boards: a team named by JQL alone has none to list (README)
        assert sprints == []
        return
    sprint_ids = {sprint.id for sprint in sprints}
    for item in connector.fetch_items().items:
        if item.sprint is not None:
            assert item.sprint.id in sprint_ids


def test_the_backlog_has_open_and_done_items_with_value_inputs(connector):
    items = connector.fetch_items().items
    assert sum(not item.is_done for item in items) >= 6
    assert any(item.status_category is StatusCategory.DONE for item in items)
    assert any(item.business_value is not None for item in items)


def test_a_refused_write_reads_the_same_for_every_connector(connector):
    """One check in connectors.base words the refusal; the message is the user's fix."""
    with pytest.raises(ConnectorError) as caught:
        connector.write_inputs(open_keys(connector)[0], {"time_criticality": 20})
    assert str(caught.value) == (
        f"{connector.name}: Northstar may not write time_criticality (writable: "
        "business_value, score); to allow it, add it to `writable` under [jira.fields] in "
        "northstar.toml"
    )


def test_only_a_connector_that_can_check_its_access_offers_the_optional_port(connector):
    """doctor asks `isinstance(connector, ChecksAccess)` instead of ignoring a type error."""
    assert isinstance(connector, ChecksAccess) == isinstance(connector, JiraConnector)


def test_the_jira_connector_reports_its_access_through_the_optional_port(jira_fake_connector):
    assert isinstance(jira_fake_connector, ChecksAccess)
    checks = jira_fake_connector.check_access()
    assert checks
    assert checks[0].name == "jira"
    assert all(isinstance(check.ok, bool) and isinstance(check.fix, str) for check in checks)
