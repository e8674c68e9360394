"""Reasons are data, written in words in one place, with numbers shown one way."""

from __future__ import annotations

import pytest

from rules.reasons import (
    Blocks,
    Capped,
    Held,
    KeptBelow,
    Moved,
    Pinned,
    Scored,
    number,
    render,
    render_one,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.34567, "12.35"), (12.0, "12"), (0.5, "0.5"), (-0.001, "0"), (2.5e6, "2500000")],
)
def test_numbers_are_shown_to_two_decimals_at_most_and_whole_numbers_bare(value, text):
    assert number(value) == text


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (Held(held="manual zone"), "manual zone"),
        (Held(held="excluded", rule="Spikes out"), "excluded by rule 'Spikes out'"),
        (Pinned(side="top", rule="Incidents first"), "pinned top by rule 'Incidents first'"),
        (Pinned(side="bottom"), "pinned bottom"),
        (Blocks(key="PAY-12"), "blocks PAY-12"),
        (KeptBelow(key="PAY-7"), "kept: within tolerance of PAY-7"),
        (
            Moved(previous=9, rank=2, score=12.34567, below="PAY-1"),
            "score 12.35, moved from 9 to 2, below PAY-1",
        ),
        (Moved(previous=3, rank=1, score=4), "score 4, moved from 3 to 1, first"),
        (Moved(previous=None, rank=5, score=7), "new, score 7"),
        (Moved(previous=3, rank=3, score=3, below="D"), "score 3, moved; still at 3, below D"),
        (Scored(score=12.4), "score 12.4"),
        (Capped(limit=10), "capped: max_move 10"),
    ],
)
def test_each_reason_reads_as_one_phrase(reason, text):
    assert render_one(reason) == text


def test_several_reasons_are_joined_most_important_first():
    assert render((Blocks(key="A-1"), Capped(limit=2))) == "blocks A-1; capped: max_move 2"
    assert render(()) == ""
