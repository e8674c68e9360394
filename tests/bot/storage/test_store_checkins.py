"""Check-in rounds in the store: their life, ratings (replaced, never double-counted),
reminders, and realisation answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage import RealisationRecord, StoredRound
from rules.model import Rating

NOW = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)


def rating(user: str, key: str, value: int, at: datetime = NOW, **extra) -> Rating:
    return Rating(stakeholder=user, item_key=key, value=value, at=at, **extra)


def new_round(store, team: str = "payments", at: datetime = NOW, **options):
    return store.create_round(
        team,
        items=["PAY-7", "PAY-8"],
        stakeholders=["U1", "U2"],
        opened_at=at,
        **options,
    )


def test_a_round_is_stored_with_what_it_asks_and_whom(store):
    round_id = new_round(store, anonymous=True, hidden_until_close=True, remind_at=NOW)
    assert store.get_round(round_id) == StoredRound(
        id=round_id,
        team="payments",
        items=("PAY-7", "PAY-8"),
        stakeholders=("U1", "U2"),
        anonymous=True,
        hidden_until_close=True,
        opened_at=NOW,
        remind_at=NOW,
        closed_at=None,
    )
    assert store.get_round(round_id + 1) is None


def test_a_closed_round_is_no_longer_open_and_closes_once(store):
    first = new_round(store)
    second = new_round(store, team="growth")
    assert [r.id for r in store.open_rounds()] == [first, second]
    assert [r.id for r in store.open_rounds("payments")] == [first]
    assert store.close_round(first, NOW + timedelta(days=1)) is True
    assert store.close_round(first, NOW + timedelta(days=2)) is False
    assert store.get_round(first).closed_at == NOW + timedelta(days=1)
    assert [r.id for r in store.open_rounds()] == [second]


def test_rounds_lists_open_and_closed_rounds_of_a_team_since_a_moment(store):
    old = new_round(store, at=NOW - timedelta(days=30))
    closed = new_round(store, at=NOW - timedelta(days=3))
    store.close_round(closed, NOW)
    still_open = new_round(store, at=NOW)
    new_round(store, team="growth")
    assert [r.id for r in store.rounds("payments")] == [old, closed, still_open]
    assert [r.id for r in store.rounds("payments", since=NOW - timedelta(days=7))] == [
        closed,
        still_open,
    ]


def test_a_rating_is_recorded_once_however_often_it_is_clicked(store):
    round_id = new_round(store)
    assert store.record_rating(round_id, rating("U1", "PAY-7", 4)) is True
    again = rating("U1", "PAY-7", 4, NOW + timedelta(seconds=2))
    assert store.record_rating(round_id, again) is False
    assert store.round_ratings(round_id) == [rating("U1", "PAY-7", 4)]


def test_a_newer_rating_replaces_the_older_and_an_older_one_changes_nothing(store):
    round_id = new_round(store)
    store.record_rating(round_id, rating("U1", "PAY-7", 2))
    later = NOW + timedelta(minutes=5)
    assert store.record_rating(round_id, rating("U1", "PAY-7", 5, later, comment="why")) is True
    assert store.record_rating(round_id, rating("U1", "PAY-7", 1, NOW)) is False
    assert store.round_ratings(round_id) == [rating("U1", "PAY-7", 5, later, comment="why")]


def test_a_new_comment_with_the_same_value_counts_as_a_change(store):
    round_id = new_round(store)
    store.record_rating(round_id, rating("U1", "PAY-7", 3))
    assert store.record_rating(round_id, rating("U1", "PAY-7", 3, comment="only if")) is True
    [stored] = store.round_ratings(round_id)
    assert stored.comment == "only if"


def test_ratings_for_collects_every_round_oldest_first(store):
    first = new_round(store, at=NOW - timedelta(days=14))
    second = new_round(store)
    store.record_rating(second, rating("U1", "PAY-7", 5, NOW, role="sponsor"))
    store.record_rating(first, rating("U1", "PAY-7", 2, NOW - timedelta(days=14)))
    store.record_rating(first, rating("U2", "PAY-8", 3, NOW - timedelta(days=13)))
    assert store.ratings_for(["PAY-7"]) == [
        rating("U1", "PAY-7", 2, NOW - timedelta(days=14)),
        rating("U1", "PAY-7", 5, NOW, role="sponsor"),
    ]
    assert len(store.ratings_for(["PAY-7", "PAY-8", "PAY-9"])) == 3
    assert store.ratings_for([]) == []


def test_ratings_for_many_keys_at_once(store):
    """A backlog's worth of keys is more than an old SQLite allows in one statement."""
    round_id = new_round(store)
    store.record_rating(round_id, rating("U1", "PAY-7", 4))
    many = [f"PAY-{n}" for n in range(2000)]
    assert [r.item_key for r in store.ratings_for(many)] == ["PAY-7"]


def test_responders_and_reminded_people_are_remembered_per_round(store):
    round_id = new_round(store)
    other = new_round(store)
    store.record_rating(round_id, rating("U1", "PAY-7", 4))
    store.record_rating(round_id, rating("U1", "PAY-8", 2))
    store.mark_reminded(round_id, "U2", NOW)
    store.mark_reminded(round_id, "U2", NOW + timedelta(hours=1))
    assert store.responders(round_id) == {"U1"}
    assert store.reminded(round_id) == {"U2"}
    assert store.responders(other) == set()
    assert store.reminded(other) == set()


def test_realisation_answers_are_kept_and_a_later_one_replaces_the_persons_earlier(store):
    store.record_realisation("PAY-900", "U1", "partly", None, NOW)
    store.record_realisation("PAY-901", "U2", "no", "never shipped", NOW)
    store.record_realisation("PAY-900", "U1", "yes", "it came", NOW + timedelta(days=1))
    assert store.realisations(["PAY-900"]) == [
        RealisationRecord("PAY-900", "U1", "yes", "it came", NOW + timedelta(days=1))
    ]
    everything = store.realisations()
    assert [(answer.key, answer.user) for answer in everything] == [
        ("PAY-901", "U2"),
        ("PAY-900", "U1"),
    ]
