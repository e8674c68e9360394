"""The validity programme's segment tree against the programme written out on plain lists.

``longest_valid`` runs the programme with its tree inlined for speed; the reference below runs
the same recurrence (same weights, same packing of the starter into the low digits, so the
same tie-breaks) with one list cell per distinct score and linear scans. Both must keep
exactly the same items, not just as many.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.validity import Scale, _rebuild_kept, longest_valid


def plain_programme(scores: list[float], unchanged: list[bool], tolerance: float) -> list[int]:
    """The kept indices, by the module docstring's recurrence over a plain list of states."""
    if not scores:
        return []
    scale = Scale(scores, tolerance)
    unit, mod = len(scores) + 2, len(scores) + 1
    states: list[int | None] = [None] * len(scale.distinct)  # None: no subsequence ends there
    parent = []
    for index, score in enumerate(scores):
        at = scale.index[score]
        above = max([0, *(value for value in states[at + 1 :] if value is not None)])
        starter = above % mod
        parent.append(starter - 1)
        weight = (unit + 1 if unchanged[index] else unit) * mod
        for low in range(scale.floor[at], at + 1):
            value = states[low]
            if value is not None:
                states[low] = value + weight
        start = above - starter + weight + index + 1
        current = states[at]
        states[at] = start if current is None else max(current, start)
    best = max(value for value in states if value is not None)
    return _rebuild_kept(scores, parent, best % mod - 1, scale)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=-30, max_value=60).map(lambda x: x / 4), st.booleans()),
        max_size=120,
    ),
    st.sampled_from([0.0, 0.05, 0.1, 0.3]),
)
def test_the_tree_keeps_exactly_what_the_plain_programme_keeps(pairs, tolerance):
    scores = [score for score, _ in pairs]
    unchanged = [flag for _, flag in pairs]
    assert longest_valid(scores, unchanged, Scale(scores, tolerance)) == plain_programme(
        scores, unchanged, tolerance
    )


def test_one_distinct_score_makes_a_one_cell_tree():
    # the smallest tree: the root is the only cell
    assert longest_valid([2.0, 2.0, 2.0], [True, False, True], Scale([2.0], 0.05)) == [0, 1, 2]
