from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import ConnectorConfigError, ConnectorError, MoveFailedError
from connectors.memory import MemoryConnector
from rules.model import Item, RankMove, Sprint, SprintState
from rules.reorder import apply_moves

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def backlog(count: int = 6) -> list[Item]:
    return [
        Item(key=f"K-{index}", updated=START - timedelta(days=10), business_value=3)
        for index in range(1, count + 1)
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def memory(clock) -> MemoryConnector:
    return MemoryConnector(backlog(), name="memory:test", clock=clock)


def test_an_incremental_fetch_returns_only_what_changed_since(memory, clock):
    clock.now = START + timedelta(hours=1)
    memory.write_scores({"K-2": 5})
    result = memory.fetch_items(since=START)
    assert not result.complete
    assert [item.key for item in result.items] == ["K-2"]
    assert result.items[0].updated == START + timedelta(hours=1)


def test_a_naive_since_is_taken_as_utc(memory, clock):
    clock.now = START + timedelta(hours=1)
    memory.write_scores({"K-2": 5})
    assert [i.key for i in memory.fetch_items(since=START.replace(tzinfo=None)).items] == ["K-2"]


def test_items_without_an_updated_stamp_are_always_in_an_incremental_fetch(clock):
    connector = MemoryConnector([Item(key="A-1"), *backlog(2)], clock=clock)
    assert [item.key for item in connector.fetch_items(since=START).items] == ["A-1"]


def test_removed_items_are_reported_by_an_incremental_fetch(memory, clock):
    clock.now = START + timedelta(minutes=5)
    memory.remove_item("K-3")
    result = memory.fetch_items(since=START)
    assert result.removed == ("K-3",)
    assert memory.fetch_items(since=START + timedelta(hours=1)).removed == ()
    assert "K-3" not in memory.read_order()


def test_order_keys_sort_like_the_order_after_many_moves():
    """Like LexoRank, a move re-keys only the moved items, and keys always sort as the order."""
    rng = random.Random(3)
    connector = MemoryConnector(backlog(60))
    for _ in range(300):
        order = connector.read_order()
        size = rng.randint(1, 5)
        issues = rng.sample(order, size)
        anchor = rng.choice([key for key in order if key not in issues])
        side = {"before": anchor} if rng.random() < 0.5 else {"after": anchor}
        untouched = {item.key: item.order_key for item in connector.items if item.key not in issues}
        connector.apply_move(RankMove(issues=tuple(issues), **side))
        assert connector.read_order() == apply_moves(
            order, [RankMove(issues=tuple(issues), **side)]
        )
        keys = [item.order_key or "" for item in connector.items]
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)
        assert all(connector.item(key).order_key == value for key, value in untouched.items())
    assert max(len(item.order_key or "") for item in connector.items) < 40


def test_a_move_is_counted_and_stamps_the_moved_items(memory, clock):
    clock.now = START + timedelta(hours=2)
    memory.apply_move(RankMove(issues=("K-5", "K-6"), after="K-1"))
    assert memory.read_order() == ["K-1", "K-5", "K-6", "K-2", "K-3", "K-4"]
    assert memory.rank_calls == 1
    changed = [item.key for item in memory.fetch_items(since=START + timedelta(hours=1)).items]
    assert changed == ["K-5", "K-6"]


@pytest.mark.parametrize(
    ("move", "failures"),
    [
        (RankMove(issues=("K-2", "K-9"), before="K-1"), {"K-9": "not in the backlog"}),
        (RankMove(issues=("K-2", "K-1"), before="K-1"), {"K-1": "an issue cannot be ranked"}),
        (RankMove(issues=("K-2", "K-2"), before="K-1"), {"K-2": "listed twice"}),
        (RankMove(issues=("K-2", "K-3"), after="K-99"), {"K-2": "anchor K-99", "K-3": "anchor"}),
    ],
    ids=["unknown_issue", "relative_to_itself", "twice", "unknown_anchor"],
)
def test_a_bad_move_names_each_failure_and_moves_nothing(memory, move, failures):
    before = memory.read_order()
    with pytest.raises(MoveFailedError) as error:
        memory.apply_move(move)
    assert set(error.value.failures) == set(failures)
    for key, reason in failures.items():
        assert reason in error.value.failures[key]
    assert memory.read_order() == before


def test_unrankable_issues_refuse_to_move_like_a_missing_permission(memory):
    memory.unrankable.add("K-4")
    with pytest.raises(MoveFailedError, match=r"K-4 \(the tool refused to rank it\)"):
        memory.apply_move(RankMove(issues=("K-4", "K-5"), before="K-1"))
    assert memory.read_order()[0] == "K-1"


def test_scores_for_issues_no_longer_there_are_skipped_with_a_warning(memory, caplog):
    with caplog.at_level(logging.WARNING, logger="connectors.memory"):
        assert memory.write_scores({"K-1": 1, "GONE-1": 2}) == ["K-1"]
    assert "no issue GONE-1" in caplog.text


def test_a_score_that_is_not_a_number_is_refused_before_anything_is_written(memory):
    with pytest.raises(ConnectorError, match=r"score of K-2 is nan"):
        memory.write_scores({"K-1": 1, "K-2": float("nan")})
    assert memory.item("K-1").score is None


def test_scores_are_refused_when_score_is_not_writable():
    connector = MemoryConnector(backlog(), writable=())
    with pytest.raises(ConnectorError, match=r"may not write score \(writable: nothing\)"):
        connector.write_scores({"K-1": 1})


def test_writing_an_input_that_is_not_writable_says_how_to_allow_it(memory):
    with pytest.raises(ConnectorError) as error:
        memory.write_inputs("K-1", {"cost": 5})
    assert str(error.value) == (
        "memory:test: Northstar may not write cost (writable: score); to allow it, add it to "
        "`writable` under [jira.fields] in northstar.toml"
    )


def test_an_unknown_input_name_gets_a_suggestion():
    connector = MemoryConnector(backlog(), writable=("cost",))
    with pytest.raises(ConnectorError, match=r"'cots' is not a value input .*did you mean 'cost'"):
        connector.write_inputs("K-1", {"cots": 5})


def test_stakeholder_value_comes_from_check_ins_and_cannot_be_written():
    connector = MemoryConnector(backlog(), writable=("cost",))
    with pytest.raises(ConnectorError, match=r"'stakeholder_value' is not a value input"):
        connector.write_inputs("K-1", {"stakeholder_value": 5})


def test_inputs_of_an_unknown_issue_are_refused():
    connector = MemoryConnector(backlog(), writable=("cost",))
    with pytest.raises(ConnectorError, match=r"no issue NOPE-1"):
        connector.write_inputs("NOPE-1", {"cost": 5})


def test_written_inputs_are_counted_and_stamped(clock):
    connector = MemoryConnector(backlog(), writable=("cost", "business_value"), clock=clock)
    clock.now = START + timedelta(days=1)
    connector.write_inputs("K-1", {"cost": 8, "business_value": 13})
    item = connector.item("K-1")
    assert (item.cost, item.business_value, item.updated) == (8, 13, clock.now)
    assert connector.write_input_calls == 1


def test_a_typo_in_writable_is_refused_at_construction():
    with pytest.raises(
        ConnectorConfigError, match=r"'scroe' cannot be made writable; did you mean"
    ):
        MemoryConnector(backlog(), writable=("scroe",))


def test_duplicate_keys_are_refused():
    with pytest.raises(ConnectorConfigError, match=r"issue K-1 appears twice"):
        MemoryConnector([Item(key="K-1"), Item(key="K-1")])


def test_added_items_go_to_the_bottom_or_before_an_anchor(memory):
    memory.add_item(Item(key="N-1"))
    memory.add_item(Item(key="N-2"), before="K-1")
    order = memory.read_order()
    assert order[0] == "N-2"
    assert order[-1] == "N-1"
    keys = [item.order_key or "" for item in memory.items]
    assert keys == sorted(keys)
    with pytest.raises(ConnectorError, match=r"already exists"):
        memory.add_item(Item(key="N-1"))


def test_sprints_are_listed_closed_first_and_future_last():
    def sprint(number: int, state: SprintState) -> Sprint:
        return Sprint(id=number, name=f"S{number}", state=state, start=START + timedelta(number))

    items = [Item(key="A-1", sprint=sprint(3, SprintState.FUTURE)), Item(key="A-2")]
    connector = MemoryConnector(
        items, sprints=[sprint(2, SprintState.ACTIVE), sprint(1, SprintState.CLOSED)]
    )
    assert [s.id for s in connector.list_sprints()] == [1, 2, 3]


def test_calls_are_counted(memory):
    memory.fetch_items()
    memory.read_order()
    memory.read_order()
    memory.write_scores({"K-1": 1})
    assert (memory.fetch_calls, memory.read_order_calls, memory.write_score_calls) == (1, 2, 1)
