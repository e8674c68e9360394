"""Pure tests of Jira JSON -> rules models and of field discovery by name (no HTTP)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from connectors.base import ConnectorConfigError
from connectors.jira.mapping import (
    issue_to_item,
    parse_fields,
    parse_sprint,
    pick_sprint,
    resolve_fields,
)
from rules.model import BenefitCategory, SprintState, StatusCategory
from tests.connectors.jira.support import (
    BV_ID,
    CATEGORY_ID,
    COST_ID,
    FIELDS_JSON,
    MAPPING,
    RANK_ID,
    SCORE_ID,
    SPRINT_ID,
    issue_json,
)

FIELDS = parse_fields(FIELDS_JSON)
FULL_MAPPING = {**MAPPING, "benefit_category": "Benefit Category"}
FIELD_MAP = resolve_fields(FIELDS, FULL_MAPPING, "Value Score")

ACTIVE = {
    "id": 37,
    "self": "https://acme.atlassian.net/rest/agile/1.0/sprint/37",
    "state": "active",
    "name": "PAY Sprint 7",
    "startDate": "2026-11-16T09:00:00.000+01:00",
    "endDate": "2026-11-30T17:00:00.000+01:00",
    "boardId": 42,
    "goal": "Retries for card payments",
}
CLOSED = {
    "id": 36,
    "state": "closed",
    "name": "PAY Sprint 6",
    "startDate": "2026-11-02T09:00:00.000+01:00",
    "endDate": "2026-11-13T17:00:00.000+01:00",
    "completeDate": "2026-11-13T16:00:00.000+01:00",
    "boardId": 42,
    "goal": "",
}


def test_fields_are_found_by_name_and_rank_and_sprint_by_schema_type():
    assert FIELD_MAP.inputs["cost"].id == COST_ID
    assert FIELD_MAP.inputs["business_value"].id == BV_ID
    assert FIELD_MAP.inputs["benefit_category"].id == CATEGORY_ID
    assert FIELD_MAP.score.id == SCORE_ID
    assert FIELD_MAP.rank is not None
    assert FIELD_MAP.rank.id == RANK_ID
    assert FIELD_MAP.rank_custom_field_id == 10019
    assert FIELD_MAP.sprint is not None
    assert FIELD_MAP.sprint.id == SPRINT_ID


@pytest.mark.parametrize("configured", ["Story Points", "story point estimate"])
def test_story_points_and_story_point_estimate_both_find_the_estimate(configured):
    field_map = resolve_fields(FIELDS, {"cost": configured}, "Value Score")
    assert field_map.inputs["cost"].id == COST_ID


def test_an_unknown_field_name_fails_listing_the_closest_names():
    with pytest.raises(ConnectorConfigError) as failed:
        resolve_fields(FIELDS, {"business_value": "Busines Valu"}, "Value Score")
    message = str(failed.value)
    assert "'Busines Valu'" in message
    assert "business_value" in message
    assert "closest names: 'Business Value'" in message


def test_the_fields_a_search_asks_for_are_only_those_scoring_needs():
    wanted = FIELD_MAP.request_fields()
    assert {COST_ID, BV_ID, CATEGORY_ID, SCORE_ID, RANK_ID, SPRINT_ID} <= set(wanted)
    assert {"summary", "status", "issuelinks", "parent", "updated"} <= set(wanted)
    assert "description" not in wanted
    assert "*all" not in wanted


def test_a_realistic_issue_becomes_an_item_with_every_fact_scoring_needs():
    issue = issue_json(
        "PAY-7",
        10007,
        "0|i0007b:",
        score=12.5,
        cost=5,
        business_value="13",
        category="customer",
        status=("In Progress", "indeterminate"),
        sprint=[CLOSED, ACTIVE],
        links=[
            {
                "id": "10001",
                "type": {
                    "id": "1",
                    "name": "Blocks",
                    "inward": "is blocked by",
                    "outward": "blocks",
                },
                "outwardIssue": {"id": "10008", "key": "PAY-8"},
            },
            {
                "id": "10002",
                "type": {
                    "id": "1",
                    "name": "Blocks",
                    "inward": "is blocked by",
                    "outward": "blocks",
                },
                "inwardIssue": {"id": "10003", "key": "PAY-3"},
            },
            {
                "id": "10003",
                "type": {
                    "id": "2",
                    "name": "Relates",
                    "inward": "relates to",
                    "outward": "relates",
                },
                "outwardIssue": {"id": "10009", "key": "PAY-9"},
            },
        ],
    )

    item = issue_to_item(issue, FIELD_MAP, "payments")

    assert item.key == "PAY-7"
    assert item.summary == "Summary of PAY-7"
    assert item.type == "Story"
    assert item.status == "In Progress"
    assert item.status_category is StatusCategory.IN_PROGRESS
    assert item.labels == ("payments",)
    assert item.components == ("Checkout",)
    assert item.priority == "Medium"
    assert item.created == datetime(2026, 10, 1, 7, 0, tzinfo=UTC)
    assert item.updated == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert item.due == date(2026, 12, 24)
    assert item.parent == "PAY-100"
    assert item.blocks == ("PAY-8",)
    assert item.blocked_by == ("PAY-3",)
    assert item.cost == 5
    assert item.business_value == 13
    assert item.benefit_category is BenefitCategory.CUSTOMER
    assert item.score == 12.5
    assert item.order_key == "0|i0007b:"
    assert item.team == "payments"
    assert item.sprint is not None
    assert item.sprint.id == 37
    assert item.sprint.state is SprintState.ACTIVE
    assert item.sprint.goal == "Retries for card payments"
    assert item.sprint.end == datetime(2026, 11, 30, 17, tzinfo=timezone(timedelta(hours=1)))


def test_order_keys_sort_issues_into_rank_order():
    ranks = ["0|i0002:", "0|i0000v:", "0|i0001z:"]
    items = [
        issue_to_item(issue_json(f"PAY-{n}", n, rank), FIELD_MAP, None)
        for n, rank in enumerate(ranks)
    ]
    assert [i.key for i in sorted(items, key=lambda i: i.order_key or "")] == [
        "PAY-1",
        "PAY-2",
        "PAY-0",
    ]


def test_a_non_numeric_value_becomes_none_with_a_warning_naming_issue_and_field(caplog):
    issue = issue_json("PAY-9", 10009, "0|a:", cost="about five", category="Galactic")
    with caplog.at_level(logging.WARNING, logger="connectors.jira.mapping"):
        item = issue_to_item(issue, FIELD_MAP, None)
    assert item.cost is None
    assert item.benefit_category is None
    assert item.business_value == 8
    text = caplog.text
    assert "PAY-9" in text
    assert "'Story point estimate'" in text
    assert "'Benefit Category'" in text


def test_empty_fields_are_not_given_rather_than_zero():
    item = issue_to_item(
        issue_json("PAY-1", 1, "0|a:", cost=None, business_value=None, category=None),
        FIELD_MAP,
        None,
    )
    assert item.cost is None
    assert item.business_value is None
    assert item.benefit_category is None
    assert item.sprint is None


def test_the_active_sprint_wins_over_closed_ones_and_the_newest_closed_over_older():
    assert pick_sprint([CLOSED, ACTIVE]) is not None
    assert pick_sprint([CLOSED, ACTIVE]).id == 37  # type: ignore[union-attr]
    older = {**CLOSED, "id": 35, "endDate": "2026-10-30T17:00:00.000+01:00"}
    assert pick_sprint([CLOSED, older]).id == 36  # type: ignore[union-attr]


def test_a_data_center_legacy_sprint_string_is_read():
    legacy = (
        "com.atlassian.greenhopper.service.sprint.Sprint@1b2c3d[id=12,rapidViewId=42,"
        "state=ACTIVE,name=PAY Sprint 12,startDate=2026-11-16T09:00:00.000+01:00,"
        "endDate=2026-11-30T17:00:00.000+01:00,completeDate=<null>,sequence=12,goal=Ship retries]"
    )
    sprint = parse_sprint(legacy)
    assert sprint is not None
    assert (sprint.id, sprint.name, sprint.state, sprint.goal) == (
        12,
        "PAY Sprint 12",
        SprintState.ACTIVE,
        "Ship retries",
    )
