"""The store: snapshots, cursors, job runs, the message log, sprints and the history reads.

Every test runs on SQLite and, when NORTHSTAR_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import StatementError

from bot.storage import RankingRecord, ScoreRecord, Store
from rules.model import (
    BenefitCategory,
    BenefitRegisterEntry,
    Item,
    Rating,
    Score,
    Sprint,
    SprintState,
    StatusCategory,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def keys(items: list[Item]) -> list[str]:
    return [item.key for item in items]


def score(key: str, value: float) -> Score:
    return Score(key=key, model="wsjf", value=value, formula="cod / cost")


# ---------------------------------------------------------------- snapshots


def test_a_complete_fetch_replaces_the_snapshot(store):
    store.save_snapshot("payments", [Item(key="PAY-1"), Item(key="PAY-2")], complete=True)
    store.save_snapshot("payments", [Item(key="PAY-3"), Item(key="PAY-1")], complete=True)
    assert keys(store.load_snapshot("payments")) == ["PAY-3", "PAY-1"]


def test_an_incremental_fetch_merges_changes_and_drops_removed_keys(store):
    store.save_snapshot(
        "payments", [Item(key="PAY-1"), Item(key="PAY-2"), Item(key="PAY-3")], complete=True
    )
    store.save_snapshot(
        "payments",
        [Item(key="PAY-2", summary="changed"), Item(key="PAY-4")],
        complete=False,
        removed=["PAY-3"],
    )
    loaded = store.load_snapshot("payments")
    assert keys(loaded) == ["PAY-1", "PAY-2", "PAY-4"]
    assert loaded[1].summary == "changed"


def test_the_snapshot_is_in_rank_order_then_insertion_order(store):
    """LexoRank-like keys sort by code point (PostgreSQL collations would differ: "a|" vs "A")."""
    items = [
        Item(key="PAY-1", order_key="0|i0000c:"),
        Item(key="PAY-2"),
        Item(key="PAY-3", order_key="0|i00008:"),
        Item(key="PAY-4"),
        Item(key="PAY-5", order_key="0|I0000z:"),
    ]
    store.save_snapshot("payments", items, complete=True)
    assert keys(store.load_snapshot("payments")) == ["PAY-5", "PAY-3", "PAY-1", "PAY-2", "PAY-4"]


def test_a_merged_item_with_a_new_order_key_moves_to_its_rank(store):
    items = [Item(key=f"PAY-{n}", order_key=f"0|{n}") for n in (1, 2, 3)]
    store.save_snapshot("payments", items, complete=True)
    store.save_snapshot("payments", [Item(key="PAY-3", order_key="0|0")], complete=False)
    assert keys(store.load_snapshot("payments")) == ["PAY-3", "PAY-1", "PAY-2"]


def test_an_item_comes_back_exactly_as_stored(store):
    item = Item(
        key="PAY-7",
        summary="Refunds ☂",
        status_category=StatusCategory.IN_PROGRESS,
        labels=("security",),
        created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=BERLIN),
        due=date(2026, 12, 1),
        sprint=Sprint(id=9, name="S9", state=SprintState.ACTIVE),
        cost=5.0,
        business_value=None,
        benefit=BenefitRegisterEntry(category=BenefitCategory.CUSTOMER, target=3.5),
        ratings=(Rating(stakeholder="U1", item_key="PAY-7", value=4, at=NOW),),
        order_key="0|a",
    )
    store.save_snapshot("payments", [item], complete=True)
    [loaded] = store.load_snapshot("payments")
    assert loaded == item


def test_teams_have_separate_snapshots(store):
    store.save_snapshot("payments", [Item(key="PAY-1")], complete=True)
    store.save_snapshot("growth", [Item(key="GRO-1")], complete=True)
    store.save_snapshot("growth", [], complete=True)
    assert keys(store.load_snapshot("payments")) == ["PAY-1"]
    assert store.load_snapshot("growth") == []


# ---------------------------------------------------------------- cursors and time zones


def test_the_cursor_round_trips_as_the_same_instant_in_utc(store):
    assert store.get_cursor("payments") is None
    berlin_evening = datetime(2026, 7, 1, 23, 30, tzinfo=BERLIN)
    store.set_cursor("payments", berlin_evening)
    loaded = store.get_cursor("payments")
    assert loaded == berlin_evening
    assert loaded.utcoffset() == timedelta(0)
    store.set_cursor("payments", NOW)
    assert store.get_cursor("payments") == NOW


def test_connector_state_is_kept_per_team_and_replaced_by_a_newer_save(store):
    assert store.connector_state("payments") is None
    store.save_connector_state("payments", {"deployment": "Cloud", "fields": [1, 2]}, NOW)
    store.save_connector_state("growth", {"deployment": "DataCenter"}, NOW)
    store.save_connector_state("payments", {"deployment": "Cloud", "fields": [3]}, NOW)
    assert store.connector_state("payments") == {"deployment": "Cloud", "fields": [3]}
    assert store.connector_state("growth") == {"deployment": "DataCenter"}


def test_a_naive_datetime_is_refused(store):
    with pytest.raises(StatementError, match="naive datetime"):
        store.set_cursor("payments", datetime(2026, 1, 1))


# ---------------------------------------------------------------- job runs


def test_a_run_is_handed_out_once(store):
    assert store.claim_run("weekly_digest", "payments", "2026-W45", NOW) is True
    assert store.claim_run("weekly_digest", "payments", "2026-W45", NOW) is False
    assert store.claim_run("weekly_digest", "payments", "2026-W46", NOW) is True
    assert store.claim_run("weekly_digest", "growth", "2026-W45", NOW) is True


def test_a_failed_run_is_handed_out_again_but_a_done_one_never(store):
    store.claim_run("weekly_digest", "payments", "2026-W45", NOW)
    store.finish_run("weekly_digest", "payments", "2026-W45", ok=False, at=NOW, detail="boom")
    assert store.claim_run("weekly_digest", "payments", "2026-W45", NOW) is True
    assert store.claim_run("weekly_digest", "payments", "2026-W45", NOW) is False
    store.finish_run("weekly_digest", "payments", "2026-W45", ok=True, at=NOW)
    assert store.claim_run("weekly_digest", "payments", "2026-W45", NOW) is False


def test_a_run_finished_without_a_claim_counts_as_done(store):
    store.finish_run("checkin_close", "payments", "7", ok=True, at=NOW)
    assert store.claim_run("checkin_close", "payments", "7", NOW) is False


@pytest.mark.parametrize("failed_first", [False, True], ids=["fresh_key", "failed_key"])
def test_two_stores_racing_for_the_same_runs_each_get_every_run_once(
    store, second_store, failed_first
):
    """Two processes claim the same 20 keys at the same moment: each key goes to exactly one."""
    periods = [f"p{n}" for n in range(20)]
    if failed_first:
        for period in periods:
            store.claim_run("job", "payments", period, NOW)
            store.finish_run("job", "payments", period, ok=False, at=NOW)
    barrier = threading.Barrier(2)
    won: dict[int, list[str]] = {0: [], 1: []}

    def claim(index: int, racer: Store) -> None:
        barrier.wait()
        for period in periods:
            if racer.claim_run("job", "payments", period, NOW):
                won[index].append(period)

    threads = [
        threading.Thread(target=claim, args=(index, racer))
        for index, racer in enumerate((store, second_store))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(won[0] + won[1]) == sorted(periods)


# ---------------------------------------------------------------- message log and sprints


def test_messages_are_counted_by_the_teams_local_day(store):
    """23:30 and 00:30 in Berlin fall on two days, although both are on one UTC day in summer."""
    store.record_message("payments", "C1", "digest", datetime(2026, 7, 1, 23, 30, tzinfo=BERLIN))
    store.record_message("payments", "C1", "digest", datetime(2026, 7, 2, 0, 30, tzinfo=BERLIN))
    store.record_message("payments", "C1", "reminder", datetime(2026, 7, 2, 23, 59, tzinfo=BERLIN))
    store.record_message("growth", "C2", "digest", datetime(2026, 7, 2, 12, 0, tzinfo=BERLIN))
    assert store.messages_on("payments", date(2026, 7, 1), BERLIN) == 1
    assert store.messages_on("payments", date(2026, 7, 2), BERLIN) == 2
    assert store.messages_on("payments", date(2026, 7, 2), ZoneInfo("UTC")) == 1
    assert store.messages_on("payments", date(2026, 7, 3), BERLIN) == 0


def test_a_day_with_a_clock_change_counts_all_its_25_hours(store):
    store.record_message("payments", "C1", "digest", datetime(2026, 10, 25, 0, 10, tzinfo=BERLIN))
    store.record_message("payments", "C1", "digest", datetime(2026, 10, 25, 23, 50, tzinfo=BERLIN))
    assert store.messages_on("payments", date(2026, 10, 25), BERLIN) == 2


def test_a_sprint_once_seen_stays_seen(store):
    assert not store.sprint_seen("payments", 1394)
    store.mark_sprint_seen("payments", 1394, NOW)
    store.mark_sprint_seen("payments", 1394, NOW)
    assert store.sprint_seen("payments", 1394)
    assert not store.sprint_seen("growth", 1394)


# ---------------------------------------------------------------- score and ranking history


def test_score_history_is_oldest_first_and_can_start_later(store):
    store.record_scores("payments", [score("PAY-1", 3.0), score("PAY-2", 1.5)], NOW)
    store.record_scores("payments", [score("PAY-1", 4.0)], NOW + timedelta(days=7))
    store.record_scores("growth", [score("GRO-1", 9.0)], NOW)
    assert store.score_history("payments") == [
        ScoreRecord("PAY-1", 3.0, NOW),
        ScoreRecord("PAY-2", 1.5, NOW),
        ScoreRecord("PAY-1", 4.0, NOW + timedelta(days=7)),
    ]
    assert store.score_history("payments", since=NOW + timedelta(days=1)) == [
        ScoreRecord("PAY-1", 4.0, NOW + timedelta(days=7))
    ]


def test_rankings_and_the_ranking_before_a_moment(store):
    week = timedelta(days=7)
    store.record_ranking("payments", ["PAY-1", "PAY-2"], NOW)
    store.record_ranking("payments", ["PAY-2", "PAY-1"], NOW + week)
    store.record_ranking("growth", ["GRO-1"], NOW)
    assert store.rankings("payments") == [
        RankingRecord(NOW, ("PAY-1", "PAY-2")),
        RankingRecord(NOW + week, ("PAY-2", "PAY-1")),
    ]
    assert store.rankings("payments", since=NOW + week) == [
        RankingRecord(NOW + week, ("PAY-2", "PAY-1"))
    ]
    assert store.ranking_before("payments", NOW - week) is None
    assert store.ranking_before("payments", NOW) == RankingRecord(NOW, ("PAY-1", "PAY-2"))
    assert store.ranking_before("payments", NOW + 2 * week).keys == ("PAY-2", "PAY-1")


def test_a_score_write_run_is_settled_only_once_it_finished(store):
    at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert not store.score_writes_settled("payments")  # no run recorded: nothing to trust
    store.start_score_writes("payments", at)
    assert not store.score_writes_settled("payments")  # started, not finished: interrupted
    store.finish_score_writes("payments", at + timedelta(seconds=3))
    assert store.score_writes_settled("payments")
    store.start_score_writes("payments", at + timedelta(minutes=5))
    assert not store.score_writes_settled("payments")
    assert not store.score_writes_settled("orders")  # per team
