"""Check-in ratings folded into a value per item: recency decay, role weights, disagreement."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.checkins import RatingSummary, aggregate_ratings, apply_ratings, is_disputed
from rules.config import ScoringConfig
from rules.errors import RulesError
from rules.model import Item, Rating

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
HALF_LIFE = 60.0


def rating(
    who: str, value: int, *, days_ago: float = 0, key: str = "PAY-1", role: str | None = None
) -> Rating:
    return Rating(
        stakeholder=who, item_key=key, value=value, at=NOW - timedelta(days=days_ago), role=role
    )


def summarise(ratings: list[Rating], **role_weights: float) -> dict[str, RatingSummary]:
    return aggregate_ratings(ratings, NOW, HALF_LIFE, role_weights)


def test_one_fresh_rating_is_the_value_with_half_confidence():
    summary = summarise([rating("U1", 4)])["PAY-1"]
    assert summary == RatingSummary(value=4, confidence=0.5, raters=1, spread=0, ratings=1)


def test_a_newer_rating_by_the_same_stakeholder_replaces_the_older_one():
    summary = summarise([rating("U1", 5), rating("U1", 1, days_ago=10)])["PAY-1"]
    assert summary.value == 5
    assert summary.raters == 1
    assert summary.ratings == 2


def test_the_same_rating_seen_twice_counts_once():
    """The score use case passes ratings embedded in items and stored ones; they may overlap."""
    summary = summarise([rating("U1", 3), rating("U1", 3)])["PAY-1"]
    assert summary.ratings == 1


def test_an_older_rating_weighs_half_after_one_half_life():
    summary = summarise([rating("U1", 5), rating("U2", 1, days_ago=HALF_LIFE)])["PAY-1"]
    assert summary.value == pytest.approx((5 * 1 + 1 * 0.5) / 1.5)


def test_role_weights_scale_a_rater_and_unknown_roles_weigh_one():
    ratings = [rating("PO", 5, role="product_owner"), rating("U2", 2, role="engineer")]
    summary = summarise(ratings, product_owner=2.0)["PAY-1"]
    assert summary.value == pytest.approx((5 * 2 + 2 * 1) / 3)
    assert summary.confidence == pytest.approx(0.75)  # role weight does not add certainty


def test_a_role_weighing_zero_is_not_counted():
    ratings = [rating("U1", 5, role="observer"), rating("U2", 3)]
    summary = summarise(ratings, observer=0.0)["PAY-1"]
    assert (summary.value, summary.raters, summary.ratings) == (3, 1, 1)
    assert summarise([rating("U1", 5, role="observer")], observer=0.0) == {}


def test_the_spread_is_the_weighted_standard_deviation():
    summary = summarise([rating("U1", 1), rating("U2", 5)])["PAY-1"]
    assert (summary.value, summary.spread) == (3, 2)


@pytest.mark.parametrize(
    ("ratings", "confidence"),
    [
        ([rating("U1", 3)], 0.5),
        ([rating("U1", 3), rating("U2", 4)], 0.75),
        ([rating("U1", 3), rating("U2", 4), rating("U3", 4)], 0.875),
        ([rating("U1", 3, days_ago=HALF_LIFE)], 1 - math.sqrt(0.5)),
        ([rating("U1", 3, days_ago=10 * HALF_LIFE)], 1 - 0.5 ** (0.5**10)),
    ],
    ids=["one_fresh", "two_fresh", "three_fresh", "one_a_half_life_old", "one_very_old"],
)
def test_confidence_grows_with_raters_and_falls_with_age(ratings, confidence):
    assert summarise(ratings)["PAY-1"].confidence == pytest.approx(confidence)


def test_a_rating_dated_in_the_future_counts_as_made_now():
    """Clock skew between a Slack worker and the scorer must not give a rating extra weight."""
    ratings = [rating("U1", 5, days_ago=-30), rating("U2", 1)]
    summary = summarise(ratings)["PAY-1"]
    assert summary.value == 3
    assert summary.confidence == 0.75


def test_each_item_gets_its_own_summary():
    summaries = summarise([rating("U1", 5, key="PAY-1"), rating("U1", 2, key="PAY-2")])
    assert {key: s.value for key, s in summaries.items()} == {"PAY-1": 5, "PAY-2": 2}


def test_naive_datetimes_are_refused():
    naive_now = datetime(2026, 5, 4, 9, 0)
    with pytest.raises(RulesError, match="now has no time zone"):
        aggregate_ratings([rating("U1", 3)], naive_now, HALF_LIFE, {})
    naive = Rating(stakeholder="U1", item_key="PAY-1", value=3, at=naive_now)
    with pytest.raises(RulesError, match="rating of PAY-1 by U1 has no time zone"):
        aggregate_ratings([naive], NOW, HALF_LIFE, {})


@pytest.mark.parametrize(
    ("half_life", "weights", "message"),
    [(0, {}, "half-life"), (-5, {}, "half-life"), (60, {"po": -1.0}, "role weight for 'po'")],
    ids=["zero_half_life", "negative_half_life", "negative_role_weight"],
)
def test_nonsense_settings_are_refused(half_life, weights, message):
    with pytest.raises(RulesError, match=message):
        aggregate_ratings([rating("U1", 3)], NOW, half_life, weights)


def test_no_ratings_give_no_summaries():
    assert summarise([]) == {}


@pytest.mark.parametrize(
    ("values", "threshold", "disputed"),
    [([1, 5], 1.0, True), ([3, 4], 1.0, False), ([3, 4], 0.5, True), ([1], 0.0, False)],
    ids=["far_apart", "close", "close_under_a_low_threshold", "one_rater_never_disputes"],
)
def test_disputed_means_two_raters_or_more_and_a_wide_spread(values, threshold, disputed):
    ratings = [rating(f"U{n}", value) for n, value in enumerate(values)]
    assert is_disputed(summarise(ratings)["PAY-1"], threshold) is disputed


def test_apply_ratings_sets_stakeholder_value_and_leaves_unrated_items_alone():
    rated, unrated = Item(key="PAY-1"), Item(key="PAY-2", stakeholder_value=2.0)
    ratings = [rating("U1", 5), rating("U2", 4, role="dev"), rating("U9", 1, key="GONE-1")]
    config = ScoringConfig(rating_half_life_days=HALF_LIFE, role_weights={"dev": 2.0})
    result = apply_ratings([rated, unrated], ratings, NOW, config)
    assert [item.key for item in result] == ["PAY-1", "PAY-2"]
    assert result[0].stakeholder_value == 4.33  # (5 + 2 * 4) / 3, rounded to 2 decimals
    assert result[1] is unrated


def test_apply_ratings_uses_the_configured_half_life():
    ratings = [rating("U1", 5), rating("U2", 1, days_ago=10)]
    short = apply_ratings(
        [Item(key="PAY-1")], ratings, NOW, ScoringConfig(rating_half_life_days=10)
    )
    long = apply_ratings(
        [Item(key="PAY-1")], ratings, NOW, ScoringConfig(rating_half_life_days=1e6)
    )
    assert short[0].stakeholder_value == pytest.approx(3.67, abs=0.01)
    assert long[0].stakeholder_value == 3


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["U1", "U2", "U3", "U4"]),
            st.integers(min_value=1, max_value=5),
            st.floats(min_value=-5, max_value=400),
            st.sampled_from([None, "po", "dev"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_summary_stays_within_the_ratings_it_is_made_of(rows):
    ratings = [rating(who, value, days_ago=age, role=role) for who, value, age, role in rows]
    summary = summarise(ratings, po=2.0, dev=0.5)["PAY-1"]
    newest = {}
    for r in sorted(ratings, key=lambda r: r.at):
        newest[r.stakeholder] = r.value
    assert min(newest.values()) - 1e-9 <= summary.value <= max(newest.values()) + 1e-9
    assert 0 < summary.confidence < 1
    assert summary.raters == len(newest)
    assert 0 <= summary.spread <= 2
