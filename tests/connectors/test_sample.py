from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.base import ConnectorConfigError
from connectors.sample import (
    PRIORITIES,
    SAFE_SCALE,
    SAMPLE_STAKEHOLDERS,
    SAMPLE_TODAY,
    STORY_POINTS,
    SampleConnector,
    generate_backlog,
    key_prefix,
)
from rules.model import Item, SprintState

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def payments() -> tuple[Item, ...]:
    return generate_backlog("payments").items


def test_the_same_team_gives_the_same_backlog_every_time():
    assert SampleConnector("payments").fetch_items() == SampleConnector("payments").fetch_items()


def test_the_global_random_generator_is_neither_used_nor_disturbed():
    random.seed(1)
    first = generate_backlog("growth")
    after_first = random.random()
    random.seed(1)
    random.random()  # the global state moves on; the sample must not care
    second = generate_backlog("growth")
    random.seed(1)
    assert first == second
    assert random.random() == after_first


def test_two_teams_get_different_backlogs_with_their_own_prefixes():
    payments = generate_backlog("payments").items
    growth = generate_backlog("growth").items
    assert {item.key.split("-")[0] for item in payments} == {"PAY"}
    assert {item.key.split("-")[0] for item in growth} == {"GRO"}
    assert {item.summary for item in payments} != {item.summary for item in growth}


def test_an_explicit_seed_overrides_the_team_seed():
    assert generate_backlog("payments", seed=1) == generate_backlog("payments", seed=1)
    assert generate_backlog("payments", seed=1) != generate_backlog("payments", seed=2)
    assert generate_backlog("payments", seed=1) != generate_backlog("payments")


def test_dates_follow_the_reference_date_not_the_clock():
    """Moving `today` a week moves every date a week: nothing else changes."""
    now = generate_backlog("payments").items
    later = generate_backlog("payments", today=SAMPLE_TODAY + timedelta(days=7)).items
    week = timedelta(days=7)
    for before, after in zip(now, later, strict=True):
        assert after.created == before.created + week  # type: ignore[operator]
        assert after.due == (before.due + week if before.due else None)
        assert after.summary == before.summary


@pytest.mark.parametrize(
    ("team", "prefix"),
    [
        ("payments", "PAY"),
        ("growth", "GRO"),
        ("platform", "PLA"),
        ("42 team", "NS42"),
        ("ab", "AB"),
    ],
    ids=["payments", "growth", "derived", "starts_with_digit", "short"],
)
def test_key_prefixes(team, prefix):
    assert key_prefix(team) == prefix


def test_other_teams_get_a_backlog_too():
    items = SampleConnector("platform", size=30).fetch_items().items
    assert len(items) == 30
    assert all(item.key.startswith("PLA-") and item.team == "platform" for item in items)


def test_a_sample_needs_at_least_one_item():
    with pytest.raises(ConnectorConfigError, match=r"at least 1 item"):
        SampleConnector(size=0)


@pytest.mark.parametrize("size", [1, 2, 5, 17])
def test_tiny_samples_still_build(size):
    assert len(generate_backlog("payments", size=size).items) == size


def test_keys_and_summaries_are_unique(payments):
    assert len({item.key for item in payments}) == len(payments) == 150
    assert len({item.summary for item in payments}) == len(payments)


def test_story_points_are_fibonacci_and_about_one_in_eight_is_unestimated(payments):
    work = [item for item in payments if item.type != "Epic"]
    assert {item.cost for item in work if item.cost is not None} <= set(STORY_POINTS)
    unestimated = sum(item.cost is None for item in work) / len(work)
    assert 0.06 <= unestimated <= 0.18


def test_wsjf_inputs_use_the_safe_scale_with_some_gaps(payments):
    for name in ("business_value", "time_criticality", "risk_reduction"):
        values = [item.input(name) for item in payments]
        assert {value for value in values if value is not None} <= set(SAFE_SCALE)
        missing = sum(value is None for value in values) / len(values)
        assert 0.05 <= missing <= 0.35, name


def test_money_benefits_due_dates_and_categories_come_in_realistic_shares(payments):
    share = len(payments)
    assert 0.2 <= sum(item.benefit_per_week is not None for item in payments) / share <= 0.4
    assert 0.08 <= sum(item.due is not None for item in payments) / share <= 0.25
    assert 0.4 <= sum(item.benefit_category is not None for item in payments) / share <= 0.85
    assert all(item.benefit_per_week is None or item.benefit_per_week > 0 for item in payments)


def test_labels_rules_can_match_are_present(payments):
    labels = {label for item in payments for label in item.labels}
    assert {"security", "compliance", "ux", "tech-debt", "performance"} <= labels


def test_a_few_incidents_and_spikes_and_mostly_stories(payments):
    types = [item.type for item in payments]
    assert 1 <= types.count("Incident") <= 5
    assert 2 <= types.count("Spike") <= 8
    assert types.count("Epic") == 1
    assert types.count("Story") > len(types) / 2
    assert all(item.priority == "Highest" for item in payments if item.type == "Incident")


def test_work_was_done_in_recent_weeks(payments):
    done = [item for item in payments if item.is_done]
    assert 10 <= len(done) <= 25
    today = datetime.combine(SAMPLE_TODAY, datetime.min.time(), tzinfo=UTC)
    for item in done:
        assert item.resolved is not None
        assert today - timedelta(days=43) <= item.resolved <= today + timedelta(days=1)
        assert item.cost is not None


def test_there_is_an_active_sprint_of_about_ten_items_and_a_future_one(payments):
    active = [item for item in payments if item.in_active_sprint]
    future = [item for item in payments if item.sprint and item.sprint.state is SprintState.FUTURE]
    assert 8 <= len(active) <= 12
    assert future
    sprint = active[0].sprint
    assert sprint is not None
    assert sprint.goal
    assert sprint.start is not None
    assert sprint.end is not None
    assert sprint.start.date() <= SAMPLE_TODAY <= sprint.end.date()


def test_list_sprints_has_closed_active_and_future_newest_last():
    states = [sprint.state for sprint in SampleConnector("payments").list_sprints()]
    assert states == [
        SprintState.CLOSED,
        SprintState.CLOSED,
        SprintState.ACTIVE,
        SprintState.FUTURE,
    ]


def test_blocking_links_point_both_ways_at_existing_items(payments):
    by_key = {item.key: item for item in payments}
    linked = [item for item in payments if item.blocks or item.blocked_by]
    assert 0.02 <= len(linked) / len(payments) <= 0.1
    for item in payments:
        for other in item.blocks:
            assert item.key in by_key[other].blocked_by
        for other in item.blocked_by:
            assert item.key in by_key[other].blocks


def test_stakeholder_ratings_are_timestamped_and_on_the_1_to_5_scale(payments):
    ratings = [rating for item in payments for rating in item.ratings]
    assert len(ratings) >= 10
    assert {rating.stakeholder for rating in ratings} <= set(SAMPLE_STAKEHOLDERS)
    for item in payments:
        for rating in item.ratings:
            assert rating.item_key == item.key
            assert 1 <= rating.value <= 5
            assert rating.at <= datetime.combine(SAMPLE_TODAY, datetime.max.time(), tzinfo=UTC)


def test_one_epic_carries_a_benefit_register_entry_and_has_children(payments):
    epic = next(item for item in payments if item.type == "Epic")
    assert epic.benefit is not None
    assert epic.benefit.baseline is not None
    assert epic.benefit.target is not None
    children = [item for item in payments if item.parent == epic.key]
    assert len(children) >= 5


def test_the_initial_order_has_sprint_work_on_top_and_is_roughly_by_priority(payments):
    open_items = [item for item in payments if not item.is_done]
    assert all(item.in_active_sprint for item in open_items[:8])
    backlog = [item for item in open_items if item.sprint is None]
    ranks = [PRIORITIES.index(item.priority or "Medium") for item in backlog]
    half = len(ranks) // 2
    assert statistics.mean(ranks[:half]) < statistics.mean(ranks[half:])
    assert ranks != sorted(ranks)  # hand-ranked: noisy, so scoring has something to fix


def test_every_date_is_timezone_aware_and_before_the_reference_day(payments):
    end = datetime.combine(SAMPLE_TODAY + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    for item in payments:
        for moment in (item.created, item.updated, item.resolved):
            if moment is not None:
                assert moment.tzinfo is not None
                assert moment < end
        assert item.created is not None
        assert item.updated is not None
        assert item.created <= item.updated


def test_the_sample_reference_date_is_fixed():
    assert date(2026, 11, 2) == SAMPLE_TODAY


def test_the_backlog_is_the_same_in_another_process_with_another_hash_seed():
    """``hash()`` of a string changes per process; the seed must not depend on it."""
    code = (
        "import hashlib; from connectors.sample import generate_backlog; "
        "print(hashlib.sha256(repr(generate_backlog('growth', size=40)).encode()).hexdigest())"
    )
    here = hashlib.sha256(repr(generate_backlog("growth", size=40)).encode()).hexdigest()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == here


def _fingerprint(team: str, size: int) -> str:
    backlog = generate_backlog(team, size=size)
    dumped = [item.model_dump(mode="json") for item in backlog.items]
    dumped += [sprint.model_dump(mode="json") for sprint in backlog.sprints]
    return hashlib.sha256(json.dumps(dumped, sort_keys=True).encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    ("team", "size", "fingerprint", "open_items", "first", "last"),
    [
        ("payments", 150, "0b430e190043c3f8", 132, "PAY-291", "PAY-346"),
        ("growth", 150, "7dcc30895372a858", 132, "GRO-207", "GRO-324"),
        ("acme", 37, "97bb4157183cd9e1", 33, "ACM-221", "ACM-260"),
        ("payments", 2, "f97af5cf10925f24", 2, "PAY-146", "PAY-145"),
        ("x", 5, "8572e2e11905d950", 4, "X-259", "X-260"),
    ],
)
def test_the_generated_backlog_is_pinned(team, size, fingerprint, open_items, first, last):
    """The demo, the README's figures and the docs' examples all quote this backlog: a change
    to the generator that alters it must be deliberate (update the pins and the README)."""
    items = generate_backlog(team, size=size).items
    assert sum(not item.is_done for item in items) == open_items
    assert (items[0].key, items[-1].key) == (first, last)
    assert _fingerprint(team, size) == fingerprint


def test_the_archived_epic_is_found_by_key_only_done_long_before_the_reference_date():
    connector = SampleConnector("payments")
    backlog = {item.key for item in connector.fetch_items().items}

    [epic] = connector.fetch_by_keys(["PAY-17"])

    assert "PAY-17" not in backlog
    assert epic.is_done
    assert epic.resolved is not None
    assert epic.resolved.date() == SAMPLE_TODAY - timedelta(days=120)
    assert [item.key for item in connector.fetch_by_keys(["PAY-121", "PAY-17", "PAY-0"])] == [
        "PAY-121",
        "PAY-17",
    ]
