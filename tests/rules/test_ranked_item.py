"""RankedItem is a plain class now: it keeps the value semantics it had as a pydantic model."""

from __future__ import annotations

import pytest

from rules.model import Item, RankedItem, Ranking, Score
from rules.reasons import Moved


def ranked(rank: int = 2) -> RankedItem:
    item = Item(key="PAY-1")
    score = Score(key="PAY-1", model="wsjf", value=4.5, formula="f")
    moved = Moved(previous=5, rank=rank, score=4.5, below="PAY-7")
    return RankedItem(item=item, score=score, rank=rank, previous_rank=5, reasons=(moved,))


def test_equal_fields_make_equal_and_equally_hashed_items():
    assert ranked() == ranked()
    assert hash(ranked()) == hash(ranked())
    assert ranked() != ranked(rank=3)


def test_a_ranked_item_cannot_be_changed():
    with pytest.raises(AttributeError, match="immutable; rank cannot be set"):
        ranked().rank = 1


def test_the_reason_text_and_move_come_from_the_fields():
    item = ranked()
    assert (item.key, item.moved_by) == ("PAY-1", 3)
    assert item.reason == "score 4.5, moved from 5 to 2, below PAY-7"


def test_a_ranking_holds_ranked_items_and_refuses_anything_else():
    assert Ranking(items=(ranked(),)).find("PAY-1") == ranked()
    with pytest.raises(ValueError, match="RankedItem"):
        Ranking(items=("PAY-1",))
