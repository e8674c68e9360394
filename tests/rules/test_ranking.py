"""Ranking: score order, tie-breaks, stability, pins, dependencies and every guardrail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.config import GuardrailConfig
from rules.errors import RulesError
from rules.explain import explain_position
from rules.model import (
    Item,
    Ranking,
    RuleEffect,
    Score,
    ScoredItem,
    ScoreTerm,
    Sprint,
    SprintState,
    StatusCategory,
)
from rules.ranking import natural_key, rank_items, reason_for_move
from rules.validity import clearly_beats

NO_GUARDRAILS = GuardrailConfig(manual_zone=0, max_move=0, lock_active_sprint=True)
ACTIVE = Sprint(id=7, name="Sprint 7", state=SprintState.ACTIVE)


def entry(
    key: str,
    score: float,
    *,
    cost: float | None = None,
    model: str = "wsjf",
    terms: dict[str, float] | None = None,
    pin: str | None = None,
    rule: str | None = None,
    excluded: bool = False,
    **fields: object,
) -> ScoredItem:
    """A scored item; ``rule`` names the rule behind a pin or an exclusion."""
    named = dict(terms or {})
    if cost is not None:
        named["cost"] = cost
    effects = []
    if rule is not None and pin is not None:
        effects.append(RuleEffect(rule=rule, change=f"pinned to the {pin}"))
    if rule is not None and excluded:
        effects.append(RuleEffect(rule=rule, change="excluded from ranking"))
    return ScoredItem(
        item=Item.model_validate({"key": key, **fields}),
        score=Score(
            key=key,
            model=model,
            value=score,
            formula="",
            terms=tuple(ScoreTerm(name=name, value=value) for name, value in named.items()),
            rules_fired=tuple(effects),
            pin=pin,
            excluded=excluded,
            pinned_by=rule if pin is not None else None,
            excluded_by=rule if excluded else None,
        ),
    )


def rank(
    entries: list[ScoredItem],
    current: list[str] | None = None,
    tolerance: float = 0.0,
    **guardrails: object,
) -> Ranking:
    order = [e.key for e in entries] if current is None else current
    return rank_items(entries, order, GuardrailConfig.model_validate(guardrails), tolerance)


def reasons(ranking: Ranking) -> dict[str, str]:
    return {ranked.key: ranked.reason for ranked in ranking.items}


# --------------------------------------------------------------------------- scores


def test_items_are_ordered_by_score_highest_first():
    ranking = rank([entry("A", 1), entry("B", 3), entry("C", 2)])
    assert ranking.keys == ["B", "C", "A"]
    assert [r.rank for r in ranking.items] == [1, 2, 3]
    assert [r.previous_rank for r in ranking.items] == [2, 3, 1]
    assert [r.moved_by for r in ranking.items] == [1, 1, -2]
    assert reasons(ranking) == {
        "B": "score 3",
        "C": "score 2",
        "A": "score 1, moved from 1 to 3, below C",  # keeping B and C moves one item, not two
    }


JAN_2024 = datetime(2024, 1, 1, tzinfo=UTC)
JAN_2025 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("loser", "winner", "explanation"),
    [
        (entry("A", 2, cost=3), entry("B", 2, cost=5), "higher value (10 vs 6)"),
        (
            entry("A", 100, model="net_value", terms={"benefit_per_week": 10}, cost=5),
            entry("B", 100, model="net_value", terms={"benefit_per_week": 10}, cost=3),
            "lower cost (3 vs 5)",
        ),
        (
            entry("A", 4, created=JAN_2025),
            entry("B", 4, created=JAN_2024),
            "older item (created 2024-01-01 vs 2025-01-01)",
        ),
        (
            entry("A", 4),
            entry("B", 4, created=JAN_2025),
            "older item (created 2025-01-01 vs unknown)",
        ),
        (entry("PAY-10", 4), entry("PAY-9", 4), "key order (PAY-9 before PAY-10)"),
    ],
    ids=["higher_value", "lower_cost", "older_created", "known_date_before_unknown", "natural_key"],
)
def test_equal_scores_of_new_items_are_broken_by_value_cost_age_then_key(
    loser, winner, explanation
):
    """WSJF value is the cost of delay, score x cost: 2 x 5 = 10 beats 2 x 3 = 6."""
    ranking = rank([loser, winner], current=[], tolerance=0)
    assert ranking.keys == [winner.key, loser.key]
    assert explain_position(ranking, winner.key) == (
        f"{winner.key} sits above {loser.key}: equal scores ({winner.score.value:g}); "
        f"tie-break: {explanation}."
    )


def test_keys_sort_naturally_with_digits_as_numbers():
    keys = ["PAY-10", "PAY-9", "AB1", "AB", "PAY-100", "OPS-2"]
    assert sorted(keys, key=natural_key) == ["AB", "AB1", "OPS-2", "PAY-9", "PAY-10", "PAY-100"]


def test_a_missing_or_nan_score_ranks_last():
    ranking = rank([entry("A", float("nan")), entry("B", -3), entry("C", 0)])
    assert ranking.keys == ["C", "B", "A"]


# --------------------------------------------------------------------------- stability


def test_scores_within_the_tolerance_keep_the_current_order():
    ranking = rank([entry("A", 10), entry("B", 10.4)], tolerance=0.05)
    assert ranking.keys == ["A", "B"]
    assert reasons(ranking)["B"] == "kept: within tolerance of A"
    assert explain_position(ranking, "A") == (
        "A sits above B: their scores (10 vs 10.4) are within the tolerance, "
        "so the current order is kept."
    )


@pytest.mark.parametrize(
    ("lower_score", "expected"),
    [(94.9, ["B", "A"]), (95.1, ["A", "B"])],
    ids=["gap_above_tolerance_overtakes", "gap_within_tolerance_keeps"],
)
def test_the_tolerance_is_relative_to_the_larger_score(lower_score, expected):
    """5% of 100 is 5: a gap of 5.1 overtakes, a gap of 4.9 does not."""
    ranking = rank([entry("A", lower_score), entry("B", 100)], tolerance=0.05)
    assert ranking.keys == expected


def test_non_transitive_closeness_never_leaves_an_item_below_one_it_clearly_beats():
    """10.8 clearly beats 10.0 though 10.4 sits between them: one item moves, and no more."""
    ranking = rank([entry("A", 10), entry("B", 10.4), entry("C", 10.8)], tolerance=0.05)
    assert ranking.keys == ["B", "C", "A"]
    assert ranking.optimum == 1
    assert reasons(ranking) == {
        "B": "score 10.4",
        "C": "kept: within tolerance of B",
        "A": "score 10, moved from 1 to 3, below C",
    }


def test_a_moved_item_goes_where_the_plain_order_puts_it_among_the_kept_items():
    """D clearly beats C only; kept A B C stay, and D goes above B (10.2 > 10), not just above C."""
    current = ["A", "B", "C", "D"]
    entries = [entry("A", 20), entry("B", 10), entry("C", 5), entry("D", 10.2)]
    assert rank(entries, current, tolerance=0.05).keys == ["A", "D", "B", "C"]


def test_with_no_tolerance_equal_scores_keep_the_current_order():
    ranking = rank([entry("PAY-10", 4), entry("PAY-9", 4), entry("PAY-8", 5)], tolerance=0)
    assert ranking.keys == ["PAY-8", "PAY-10", "PAY-9"]


def test_equal_scores_keep_the_current_order_when_there_is_a_tolerance():
    ranking = rank([entry("PAY-10", 4), entry("PAY-9", 4)], tolerance=0.05)
    assert ranking.keys == ["PAY-10", "PAY-9"]
    assert "current order is kept" in explain_position(ranking, "PAY-10")


def test_a_tolerance_of_100_percent_keeps_the_current_order_altogether():
    assert rank([entry("A", 1), entry("B", 100)], tolerance=1.0).keys == ["A", "B"]


def test_clearly_beats_handles_signs_and_infinities():
    assert clearly_beats(10, -10, 0.05)
    assert not clearly_beats(-10, 10, 0.05)
    assert clearly_beats(0, float("-inf"), 0.5)
    assert not clearly_beats(1.0, 1.0, 0)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(min_value=10, max_value=10.45), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_score_noise_within_the_tolerance_never_churns_the_backlog(scores, rng):
    entries = [entry(f"K-{index}", score) for index, score in enumerate(scores)]
    current = [e.key for e in entries]
    rng.shuffle(current)
    assert rank(entries, current, tolerance=0.05).keys == current


def test_new_items_join_by_score_and_have_no_previous_rank():
    entries = [entry("A", 10), entry("B", 5), entry("N", 7)]
    ranking = rank(entries, ["A", "B"], tolerance=0.05)
    assert ranking.keys == ["A", "N", "B"]
    new = ranking.find("N")
    assert new is not None
    assert new.previous_rank is None
    assert new.moved_by == 0
    assert new.reason == "new, score 7"


def test_a_new_item_overtakes_a_close_score_since_it_has_no_order_to_keep():
    ranking = rank([entry("A", 10), entry("N", 10.2)], ["A"], tolerance=0.05)
    assert ranking.keys == ["N", "A"]


# --------------------------------------------------------------------------- pins


def test_pinned_items_go_first_or_last_in_their_current_relative_order():
    entries = [
        entry("A", 9),
        entry("T2", 1, pin="top", rule="Incidents first"),
        entry("B", 8),
        entry("Z", 99, pin="bottom", rule="Tech debt last"),
        entry("T1", 5, pin="top", rule="Incidents first"),
    ]
    ranking = rank(entries, tolerance=0.05)
    assert ranking.keys == ["T2", "T1", "A", "B", "Z"]
    assert reasons(ranking)["T2"] == "pinned top by rule 'Incidents first'"
    assert reasons(ranking)["Z"] == "pinned bottom by rule 'Tech debt last'"
    assert explain_position(ranking, "T1") == (
        "T1 sits above A: T1 is pinned top by rule 'Incidents first'."
    )
    assert explain_position(ranking, "B") == (
        "B sits above Z: Z is pinned bottom by rule 'Tech debt last'."
    )
    assert explain_position(ranking, "T2") == (
        "T2 sits above T1: both are pinned, and pinned items keep their current order."
    )


def test_a_pin_without_a_named_rule_still_says_pinned():
    ranking = rank([entry("A", 9), entry("B", 1, pin="top")])
    assert reasons(ranking)["B"] == "pinned top"


# --------------------------------------------------------------------------- held items


def test_excluded_items_keep_their_index_and_the_others_flow_around_them():
    entries = [entry("A", 1), entry("X", 100, excluded=True, rule="Spikes"), entry("B", 5)]
    ranking = rank(entries)
    assert ranking.keys == ["B", "X", "A"]
    assert reasons(ranking)["X"] == "excluded by rule 'Spikes'"
    assert explain_position(ranking, "B") == (
        "B sits above X: X is held in place (excluded by rule 'Spikes'), "
        "so the others flow around it."
    )
    assert explain_position(ranking, "X") == (
        "X sits above A: X is held in place (excluded by rule 'Spikes')."
    )


def test_active_sprint_items_stay_put_when_locked_and_move_when_not():
    entries = [entry("A", 1), entry("S", 0.5, sprint=ACTIVE), entry("B", 5)]
    locked = rank(entries, lock_active_sprint=True)
    assert locked.keys == ["B", "S", "A"]
    assert reasons(locked)["S"] == "active sprint"
    unlocked = rank(entries, lock_active_sprint=False)
    assert unlocked.keys == ["B", "A", "S"]


def test_done_items_keep_their_place():
    entries = [entry("D", 0, status_category=StatusCategory.DONE), entry("A", 1), entry("B", 5)]
    ranking = rank(entries)
    assert ranking.keys == ["D", "B", "A"]
    assert reasons(ranking)["D"] == "done"


def test_the_manual_zone_keeps_the_first_items_exactly_where_people_put_them():
    entries = [entry("A", 1), entry("B", 2), entry("C", 3), entry("D", 4)]
    ranking = rank(entries, manual_zone=2)
    assert ranking.keys == ["A", "B", "D", "C"]
    assert reasons(ranking)["A"] == "manual zone"
    assert explain_position(ranking, "A") == "A sits above B: A is held in place (manual zone)."


def test_a_manual_zone_larger_than_the_backlog_holds_everything():
    entries = [entry("A", 1), entry("B", 2)]
    assert rank(entries, manual_zone=10).keys == ["A", "B"]


def test_keys_that_are_not_scored_hold_their_place_and_are_left_out_of_the_ranking():
    ranking = rank([entry("A", 1), entry("B", 2)], ["A", "U", "B"])
    assert ranking.keys == ["B", "A"]
    assert [r.rank for r in ranking.items] == [1, 2]
    assert [r.previous_rank for r in ranking.items] == [2, 1]


# --------------------------------------------------------------------------- max_move


def test_max_move_caps_how_far_any_item_moves_in_one_run():
    """Desired E D C B A; with one position a run: B A D C E (filled top-down, always valid)."""
    entries = [entry(key, score) for key, score in zip("ABCDE", [1, 2, 3, 4, 5], strict=True)]
    ranking = rank(entries, max_move=1)
    assert ranking.keys == ["B", "A", "D", "C", "E"]
    assert all(abs(r.moved_by) <= 1 for r in ranking.items)
    assert reasons(ranking) == {
        "B": "score 2, moved from 2 to 1, first",
        "A": "score 1, moved from 1 to 2, below B; capped: max_move 1",
        "D": "score 4, moved from 4 to 3, below A; capped: max_move 1",
        "C": "score 3, moved from 3 to 4, below D; capped: max_move 1",
        "E": "capped: max_move 1",
    }
    assert explain_position(ranking, "C") == (
        "C sits above E: E scores higher (5 vs 3), but max_move held E back (capped: max_move 1)."
    )
    assert explain_position(ranking, "B") == ("B sits above A: it scores higher (2 vs 1).")


def test_an_item_held_back_from_dropping_explains_why_a_better_one_is_below_it():
    """Desired D C A B; D and C may rise one place, so A or B takes the top: A, the better."""
    entries = [entry("A", 2), entry("B", 1), entry("C", 3), entry("D", 4)]
    ranking = rank(entries, max_move=1)
    assert ranking.keys == ["A", "C", "B", "D"]
    assert explain_position(ranking, "A") == (
        "A sits above C: C scores higher (3 vs 2), but max_move held C back (capped: max_move 1)."
    )


def test_an_item_that_could_not_reach_a_place_under_the_cap_is_explained():
    """Desired E D C B A with two places a run: C takes the top (D may rise to 2nd at most)."""
    entries = [entry(key, score) for key, score in zip("ABCDE", [1, 2, 3, 4, 5], strict=True)]
    ranking = rank(entries, max_move=2)
    assert ranking.keys == ["C", "D", "A", "B", "E"]
    assert explain_position(ranking, "C") == (
        "C sits above D: D scores higher (4 vs 3), but max_move held D back (capped: max_move 2)."
    )


def test_max_move_counts_positions_in_the_whole_backlog_including_held_items():
    entries = [entry("A", 1), entry("X", 0, excluded=True), entry("B", 2), entry("C", 9)]
    ranking = rank(entries, max_move=2)
    assert ranking.keys == ["B", "X", "A", "C"]  # C may not pass X; A may not drop past 2
    assert reasons(ranking)["C"] == "capped: max_move 2"
    assert reasons(ranking)["A"] == "score 1, moved from 1 to 3, below B; capped: max_move 2"


def test_new_items_are_not_capped_by_max_move():
    entries = [entry(key, 1) for key in "ABCDE"] + [entry("N", 50)]
    ranking = rank(entries, list("ABCDE"), max_move=1)
    assert ranking.keys[0] == "N"


def test_max_move_never_needs_to_break_when_many_items_want_the_same_place():
    entries = [entry(f"K-{n}", n) for n in range(40)]
    ranking = rank(entries, max_move=3, manual_zone=2)
    assert all(abs(r.moved_by) <= 3 for r in ranking.items)
    assert ranking.keys[:2] == ["K-0", "K-1"]


# --------------------------------------------------------------------------- dependencies


def test_a_blocker_ranks_just_above_the_item_it_blocks():
    entries = [entry("A", 10), entry("B", 5), entry("C", 1, blocks=("A",))]
    ranking = rank(entries)
    assert ranking.keys == ["C", "A", "B"]
    assert reasons(ranking)["C"] == "blocks A"
    assert explain_position(ranking, "C") == "C sits above A: C blocks A, so it must be done first."


def test_blocked_by_on_the_blocked_item_counts_the_same():
    entries = [entry("A", 10, blocked_by=("C",)), entry("B", 5), entry("C", 1)]
    assert rank(entries).keys == ["C", "A", "B"]


def test_a_chain_of_blockers_moves_up_together():
    entries = [
        entry("A", 10),
        entry("B", 5),
        entry("C", 1, blocks=("A",)),
        entry("D", 0.5, blocks=("C",)),
    ]
    assert rank(entries).keys == ["D", "C", "A", "B"]


def test_a_blocker_goes_above_the_highest_ranked_item_it_blocks():
    entries = [entry("A", 10), entry("B", 5), entry("C", 1, blocks=("B", "A"))]
    ranking = rank(entries)
    assert ranking.keys == ["C", "A", "B"]
    assert explain_position(ranking, "A") == "A sits above B: it scores higher (10 vs 5)."


def test_a_blocker_that_already_ranks_higher_stays_where_it_is():
    entries = [entry("A", 10), entry("B", 5), entry("C", 20, blocks=("B",))]
    ranking = rank(entries)
    assert ranking.keys == ["C", "A", "B"]
    assert reasons(ranking)["C"] == "score 20, moved from 3 to 1, first"


def test_several_blockers_of_one_item_keep_their_own_order_above_it():
    entries = [
        entry("A", 10),
        entry("B", 2, blocks=("A",)),
        entry("C", 3, blocks=("A",)),
        entry("D", 1),
    ]
    ranking = rank(entries)
    assert ranking.keys == ["C", "B", "A", "D"]
    assert explain_position(ranking, "C") == "C sits above B: C blocks A, so it ranks above it."


def test_a_dependency_cycle_is_broken_instead_of_looping():
    entries = [
        entry("A", 10, blocks=("B",)),
        entry("B", 5, blocks=("C",)),
        entry("C", 1, blocks=("A",)),
    ]
    ranking = rank(entries)
    assert sorted(ranking.keys) == ["A", "B", "C"]
    assert ranking.keys == rank(entries, ranking.keys).keys


def test_a_dependency_outranks_a_bottom_pin():
    entries = [entry("A", 10), entry("B", 5), entry("Z", 1, pin="bottom", blocks=("A",))]
    ranking = rank(entries)
    assert ranking.keys == ["Z", "A", "B"]
    assert reasons(ranking)["Z"].startswith("blocks A")


def test_a_blocker_of_a_top_pinned_item_joins_the_top():
    entries = [entry("A", 10), entry("T", 1, pin="top"), entry("C", 0.1, blocks=("T",))]
    assert rank(entries).keys == ["C", "T", "A"]


def test_a_held_blocked_item_does_not_pull_its_blocker():
    entries = [entry("S", 1, sprint=ACTIVE), entry("A", 10), entry("C", 0.1, blocks=("S",))]
    assert rank(entries).keys == ["S", "A", "C"]


def test_a_done_blocker_stays_where_it_is():
    entries = [
        entry("A", 10),
        entry("D", 1, blocks=("A",), status_category=StatusCategory.DONE),
    ]
    assert rank(entries).keys == ["A", "D"]


def test_pulling_a_blocker_up_does_not_leave_work_for_the_next_run():
    """Stability had kept B (1.1) below C (1.06); C's dependency move lets B pass next time.

    The passes repeat until the order ranks to itself, so applying it and ranking again
    changes nothing.
    """
    entries = [
        entry("K", 3),
        entry("C", 1.06, blocks=("E",)),
        entry("E", 1.02, blocks=("F",)),
        entry("F", 1.02),
        entry("B", 1.1),
    ]
    current = ["F", "K", "C", "B", "E"]
    ranking = rank(entries, current, tolerance=0.05)
    assert rank(entries, ranking.keys, tolerance=0.05).keys == ranking.keys


# --------------------------------------------------------------------------- bad input


def test_an_item_scored_twice_is_refused():
    with pytest.raises(RulesError, match="A is scored twice"):
        rank([entry("A", 1), entry("A", 2)])


def test_a_current_order_listing_a_key_twice_is_refused():
    with pytest.raises(RulesError, match="lists A more than once"):
        rank([entry("A", 1)], ["A", "A"])


def test_a_negative_tolerance_is_refused():
    with pytest.raises(RulesError, match="tolerance"):
        rank([entry("A", 1)], tolerance=-0.1)


def test_explaining_an_unranked_key_says_so():
    with pytest.raises(RulesError, match="NOPE-1 is not in the ranking"):
        explain_position(rank([entry("A", 1)]), "NOPE-1")


def test_the_last_item_explains_itself():
    ranking = rank([entry("A", 2), entry("B", 1)])
    assert explain_position(ranking, "B") == "B is last of 2 ranked items (score 1)."


def test_an_empty_backlog_ranks_to_nothing():
    assert rank([], []).keys == []


# --------------------------------------------------------------------------- properties


@st.composite
def backlogs(draw: st.DrawFn) -> tuple[list[ScoredItem], list[str], GuardrailConfig, float]:
    size = draw(st.integers(min_value=1, max_value=25))
    keys = [f"K-{n}" for n in range(size)]
    entries = []
    for index, key in enumerate(keys):
        later = keys[index + 1 :]
        blocks = draw(st.lists(st.sampled_from(later), max_size=2, unique=True)) if later else []
        entries.append(
            entry(
                key,
                draw(st.sampled_from([0.5, 1, 1.02, 1.04, 1.1, 2, 2.05, 3, 8])),
                cost=draw(st.sampled_from([1, 2, 3])),
                pin=draw(st.sampled_from([None] * 8 + ["top", "bottom"])),
                excluded=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
                sprint=ACTIVE if draw(st.integers(0, 9)) == 0 else None,
                blocks=tuple(blocks),  # only to later keys: acyclic
            )
        )
    current = draw(st.permutations(keys))
    new = draw(st.integers(min_value=0, max_value=min(3, size - 1)))
    current = list(current[: size - new])
    guardrails = GuardrailConfig(
        manual_zone=draw(st.integers(0, 3)),
        max_move=draw(st.sampled_from([0, 0, 1, 2, 5])),
        lock_active_sprint=draw(st.booleans()),
    )
    tolerance = draw(st.sampled_from([0.0, 0.05, 0.3]))
    return entries, current, guardrails, tolerance


def _held(entry_: ScoredItem, index: int, guardrails: GuardrailConfig, existing: bool) -> bool:
    item = entry_.item
    return (
        (existing and index < guardrails.manual_zone)
        or (guardrails.lock_active_sprint and item.in_active_sprint)
        or entry_.score.excluded
    )


@settings(max_examples=150, deadline=None)
@given(backlogs())
@pytest.mark.slow
def test_every_ranking_respects_the_guardrails(case):
    entries, current, guardrails, tolerance = case
    ranking = rank_items(entries, current, guardrails, tolerance)
    by_key = {e.key: e for e in entries}
    assert sorted(ranking.keys) == sorted(by_key)
    assert rank_items(entries, current, guardrails, tolerance) == ranking  # deterministic
    for ranked in ranking.items:
        assert ranked.reason
        existing = ranked.key in current
        if existing and _held(by_key[ranked.key], current.index(ranked.key), guardrails, True):
            assert ranked.rank - 1 == current.index(ranked.key), ranked
        if existing and guardrails.max_move:
            assert abs(ranked.moved_by) <= guardrails.max_move, ranked
        assert explain_position(ranking, ranked.key).startswith(ranked.key)


@settings(max_examples=100, deadline=None)
@given(backlogs())
@pytest.mark.slow
def test_without_a_cap_blockers_rank_above_what_they_block(case):
    entries, current, guardrails, tolerance = case
    guardrails = guardrails.model_copy(update={"max_move": 0})
    ranking = rank_items(entries, current, guardrails, tolerance)
    position = {key: index for index, key in enumerate(ranking.keys)}
    by_key = {e.key: e for e in entries}
    order = current + [key for key in ranking.keys if key not in current]

    def held(key: str) -> bool:
        return _held(by_key[key], order.index(key), guardrails, key in current)

    for e in entries:
        for blocked in e.item.blocks:
            if not held(e.key) and not held(blocked):
                assert position[e.key] < position[blocked], (e.key, blocked)


@settings(max_examples=100, deadline=None)
@given(backlogs())
@pytest.mark.slow
def test_without_a_cap_ranking_the_result_again_changes_nothing(case):
    entries, current, guardrails, tolerance = case
    guardrails = guardrails.model_copy(update={"max_move": 0})
    first = rank_items(entries, current, guardrails, tolerance)
    again = rank_items(entries, first.keys, guardrails, tolerance)
    assert again.keys == first.keys


@settings(max_examples=100, deadline=None)
@given(backlogs())
@pytest.mark.slow
def test_a_cap_larger_than_the_backlog_changes_nothing(case):
    entries, current, guardrails, tolerance = case
    free = rank_items(entries, current, guardrails.model_copy(update={"max_move": 0}), tolerance)
    wide = rank_items(entries, current, guardrails.model_copy(update={"max_move": 100}), tolerance)
    assert wide.keys == free.keys


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([1.0, 2.0, 3.0, 5.0]), min_size=1, max_size=20))
def test_with_no_tolerance_and_no_guardrails_the_order_is_sorted_ties_in_current_order(scores):
    entries = [entry(f"K-{n}", score) for n, score in enumerate(scores)]
    current = [e.key for e in reversed(entries)]
    ranking = rank(entries, current)
    expected = sorted(entries, key=lambda e: (-e.score.value, current.index(e.key)))
    assert ranking.keys == [e.key for e in expected]


def test_an_item_kept_below_a_lower_neighbour_is_explained_for_a_move_by_score_and_neighbour():
    # A-1 moves below A-2 (10.8 clearly beats 10.0); A-3 stays below A-2, within tolerance
    entries = [entry("A-1", 10.0), entry("A-2", 10.4), entry("A-3", 10.8)]
    ranking = rank(entries, tolerance=0.05)
    kept = ranking.find("A-3")
    assert kept is not None
    assert kept.reason == "kept: within tolerance of A-2"

    assert reason_for_move(kept) == "score 10.8, stops below A-2 (within tolerance)"


def test_other_reasons_are_kept_as_they_are_for_a_move():
    ranked = rank([entry("A-1", 1.0), entry("A-2", 9.0)]).find("A-2")
    assert ranked is not None
    assert reason_for_move(ranked) == ranked.reason
