"""The digest's numbers: value delivered and committed, movers, stale and unestimated items,
check-in turnout, planned versus realised benefit, the burn-up series, and the two bundles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules.digest import (
    RealisationAnswer,
    ScorePoint,
    benefit_review,
    burn_up,
    delivered_in,
    has_no_value_inputs,
    make_digest,
    make_reminder,
    response_rate,
    shift_weeks,
    stale_items,
    top_movers,
    unestimated,
    value_committed,
    value_delivered,
    week_start,
)
from rules.model import (
    BenefitCategory,
    BenefitRegisterEntry,
    Item,
    RankedItem,
    Ranking,
    Rating,
    Score,
    ScoredItem,
    ScoreTerm,
    Sprint,
    SprintState,
    StatusCategory,
    ValueGoal,
)
from rules.reasons import KeptBelow, Moved, Reason

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)
END = datetime(2026, 11, 2, 0, 0, tzinfo=BERLIN)
ACTIVE = Sprint(id=7, name="Sprint 7", state=SprintState.ACTIVE, goal="Refunds without tickets")
CLOSED = Sprint(id=6, name="Sprint 6", state=SprintState.CLOSED)


def entry(
    key: str,
    value: float,
    *,
    done_at: datetime | None = None,
    sprint: Sprint | None = None,
    created: datetime | None = None,
    needs_estimate: bool = False,
    defaults: tuple[str, ...] = (),
    ratings: tuple[Rating, ...] = (),
    benefit: BenefitRegisterEntry | None = None,
    summary: str = "",
    cost: float = 1.0,
) -> ScoredItem:
    """A WSJF-scored item whose cost of delay is ``value``; its score is ``value / cost``.

    With the default 1-point size the score and the value delivered are the same number.
    """
    done = done_at is not None
    item = Item(
        key=key,
        summary=summary or f"summary of {key}",
        status="Done" if done else "To Do",
        status_category=StatusCategory.DONE if done else StatusCategory.TODO,
        resolved=done_at,
        sprint=sprint,
        created=created,
        ratings=ratings,
        benefit=benefit,
    )
    terms = (
        ScoreTerm(name="business_value", value=value),
        ScoreTerm(name="time_criticality", value=0.0),
        ScoreTerm(name="risk_reduction", value=0.0),
        ScoreTerm(name="cost", value=cost),
    )
    score = Score(
        key=key,
        model="wsjf",
        value=value / cost,
        formula="cost_of_delay / cost",
        terms=terms,
        defaults=defaults,
        needs_estimate=needs_estimate,
    )
    return ScoredItem(item=item, score=score)


def ranking_of(entries: list[ScoredItem], reasons: dict[str, Reason] | None = None) -> Ranking:
    given = reasons or {}
    return Ranking(
        items=tuple(
            RankedItem(
                item=scored.item,
                score=scored.score,
                rank=rank,
                previous_rank=None,
                reasons=(given[scored.key],) if scored.key in given else (),
            )
            for rank, scored in enumerate(entries, 1)
        )
    )


# ---------------------------------------------------------------- value delivered and committed


def test_value_delivered_counts_items_resolved_from_the_start_up_to_but_not_at_the_end():
    scored = [
        entry("A-1", 5, done_at=START),
        entry("A-2", 3, done_at=END - timedelta(seconds=1)),
        entry("A-3", 100, done_at=END),
        entry("A-4", 100, done_at=START - timedelta(seconds=1)),
        entry("A-5", 100),
    ]

    assert value_delivered(scored, START, END) == 8
    assert [e.key for e in delivered_in(scored, START, END)] == ["A-1", "A-2"]


def test_delivered_items_are_listed_by_value_then_key():
    scored = [
        entry("A-2", 3, done_at=START),
        entry("A-1", 3, done_at=START),
        entry("A-3", 9, done_at=START),
    ]

    assert [e.key for e in delivered_in(scored, START, END)] == ["A-3", "A-1", "A-2"]


def test_nothing_delivered_is_zero():
    assert value_delivered([], START, END) == 0


def test_value_committed_sums_the_whole_sprint_including_its_done_items():
    scored = [
        entry("A-1", 4, sprint=ACTIVE),
        entry("A-2", 6, sprint=ACTIVE, done_at=START),
        entry("A-3", 50, sprint=CLOSED),
        entry("A-4", 50),
    ]

    assert value_committed(scored, ACTIVE.id) == 10
    assert value_committed(scored, 999) == 0


# ---------------------------------------------------------------- movers


def test_top_movers_are_the_largest_rank_changes_with_the_newer_reason():
    scored = [entry(f"A-{i}", 10 - i) for i in range(1, 6)]
    newer = ranking_of(
        [scored[4], scored[0], scored[1], scored[2], scored[3]],
        {"A-5": Moved(previous=5, rank=1, score=5)},
    )

    movers = top_movers(["A-1", "A-2", "A-3", "A-4", "A-5"], newer, limit=2)

    assert [(m.key, m.old_rank, m.new_rank, m.moved_by) for m in movers] == [
        ("A-5", 5, 1, 4),
        ("A-1", 1, 2, -1),
    ]
    assert movers[0].reason == "score 5, moved from 5 to 1, first"
    assert movers[1].reason == scored[0].score.explain()[0]  # no reason: the score's first line


def test_a_mover_kept_below_a_neighbour_is_explained_by_its_score_and_that_neighbour():
    scored = [entry(f"A-{i}", 10 - i) for i in range(1, 4)]
    newer = ranking_of([scored[2], scored[0], scored[1]], {"A-3": KeptBelow(key="A-9")})

    [mover, *_] = top_movers(["A-1", "A-2", "A-3"], newer)

    assert mover.key == "A-3"
    assert mover.reason == "score 7, stops below A-9 (within tolerance)"


def test_movers_tie_break_gains_first_then_the_better_new_rank():
    scored = [entry(f"A-{i}", 1) for i in range(1, 5)]
    newer = ranking_of([scored[1], scored[0], scored[3], scored[2]])

    movers = top_movers(["A-1", "A-2", "A-3", "A-4"], newer)

    assert [m.key for m in movers] == ["A-2", "A-4", "A-1", "A-3"]


def test_new_items_and_items_that_left_are_not_movers():
    scored = [entry("A-1", 1), entry("A-2", 1), entry("A-9", 1)]
    newer = ranking_of([scored[2], scored[0], scored[1]])

    # A-0 left the ranking (done): do not "gain" from its leaving
    movers = top_movers(["A-0", "A-1", "A-2"], newer)

    assert [(m.key, m.old_rank, m.new_rank) for m in movers] == [
        ("A-1", 1, 2),
        ("A-2", 2, 3),
    ]
    assert top_movers([], newer) == []
    assert top_movers(["A-1"], ranking_of([])) == []


# ---------------------------------------------------------------- stale and unestimated


def test_an_item_rated_or_rescored_lately_is_not_stale():
    old = NOW - timedelta(days=200)
    rated = Rating(stakeholder="U1", item_key="A-1", value=3, at=NOW - timedelta(days=2))
    scored = [
        entry("A-1", 1, created=old),
        entry("A-2", 1, created=old),
        entry("A-3", 1, created=old, ratings=(rated.model_copy(update={"item_key": "A-3"}),)),
        entry("A-4", 1, created=old),
    ]
    history = [ScorePoint(key="A-2", value=1.0, at=NOW - timedelta(days=1))]

    stale = stale_items(scored, [rated], history, NOW, days=30)

    assert [e.key for e in stale] == ["A-4"]


def test_a_score_recorded_again_unchanged_is_not_a_change():
    scored = [entry("A-1", 1, created=NOW - timedelta(days=200))]
    history = [
        ScorePoint(key="A-1", value=2.0, at=NOW - timedelta(days=90)),
        ScorePoint(key="A-1", value=2.0, at=NOW - timedelta(days=1)),
    ]

    assert [e.key for e in stale_items(scored, [], history, NOW, days=30)] == ["A-1"]
    changed = [*history, ScorePoint(key="A-1", value=3.0, at=NOW - timedelta(days=5))]
    assert stale_items(scored, [], changed, NOW, days=30) == []


def test_without_history_an_item_is_stale_by_age_and_done_items_never_are():
    scored = [
        entry("A-1", 1, created=NOW - timedelta(days=5)),
        entry("A-2", 1, created=NOW - timedelta(days=31)),
        entry("A-3", 1),  # no creation date either: nothing says it was looked at
        entry("A-4", 1, created=NOW - timedelta(days=300), done_at=NOW - timedelta(days=40)),
    ]

    assert [e.key for e in stale_items(scored, [], [], NOW, days=30)] == ["A-2", "A-3"]
    assert stale_items([], [], [], NOW, days=30) == []


def test_unestimated_lists_open_items_without_story_points_by_value():
    scored = [
        entry("A-1", 1, needs_estimate=True),
        entry("A-2", 5, needs_estimate=True),
        entry("A-3", 9),
        entry("A-4", 9, needs_estimate=True, done_at=START),
    ]

    assert [e.key for e in unestimated(scored)] == ["A-2", "A-1"]


def test_an_item_is_without_value_only_when_every_value_term_is_a_default():
    every = ("business_value", "time_criticality", "risk_reduction")

    assert has_no_value_inputs(entry("A-1", 1, defaults=every).score)
    assert has_no_value_inputs(entry("A-1", 1, defaults=(*every, "cost")).score)
    assert not has_no_value_inputs(entry("A-1", 1, defaults=every[:2]).score)
    assert not has_no_value_inputs(Score(key="A-1", model="wsjf", value=1, formula="f"))


# ---------------------------------------------------------------- check-ins and benefits


def test_response_rate_sums_rounds_and_counts_only_the_people_asked():
    rate = response_rate([(("U1", "U2", "U3"), {"U1", "U9"}), (("U1", "U2"), {"U1", "U2"})])

    assert (rate.answered, rate.asked) == (3, 5)
    assert rate.rate == pytest.approx(0.6)


def test_with_nobody_asked_the_response_rate_is_unknown_not_zero():
    rate = response_rate([])

    assert (rate.answered, rate.asked, rate.rate) == (0, 0, None)
    assert response_rate([((), {"U1"})]).rate is None


def _benefit(planned: float | None, realised: float | None = None) -> BenefitRegisterEntry:
    return BenefitRegisterEntry(
        category=BenefitCategory.FINANCIAL, planned_value=planned, realised_value=realised
    )


def test_benefit_review_compares_planned_with_realised_for_delivered_items():
    items = [
        entry("A-1", 1, done_at=START, benefit=_benefit(100, 60)).item,
        entry("A-2", 1, done_at=START, benefit=_benefit(50)).item,
        entry("A-3", 1, benefit=_benefit(900, 900)).item,  # not delivered yet
        entry("A-4", 1, done_at=START).item,  # delivered, no benefit planned
    ]

    review = benefit_review(items, [])

    assert [row.key for row in review.rows] == ["A-1", "A-2"]
    assert (review.planned, review.realised) == (150, 60)
    assert review.answers == {"yes": 0, "partly": 0, "no": 0}


def test_each_persons_newest_realisation_answer_counts_once():
    items = [entry("A-1", 1, done_at=START, benefit=_benefit(10)).item, entry("A-2", 1).item]

    def answer(key: str, user: str, value: str, day: int) -> RealisationAnswer:
        return RealisationAnswer.model_validate(
            {"key": key, "user": user, "answer": value, "at": START + timedelta(days=day)}
        )

    answers = [
        answer("A-1", "U1", "yes", 2),
        answer("A-1", "U1", "no", 1),  # older than the "yes": replaced
        answer("A-1", "U2", "partly", 1),
        answer("A-2", "U1", "no", 1),  # an answer makes the item part of the review
    ]

    review = benefit_review(items, answers)

    assert [(row.key, row.yes, row.partly, row.no) for row in review.rows] == [
        ("A-1", 1, 1, 0),
        ("A-2", 0, 0, 1),
    ]
    assert review.answers == {"yes": 1, "partly": 1, "no": 1}


def test_an_empty_benefit_review_sums_to_zero():
    review = benefit_review([], [])

    assert (review.rows, review.planned, review.realised) == ((), 0, 0)


# ---------------------------------------------------------------- calendar and burn-up


def test_week_start_is_monday_midnight_on_the_teams_calendar():
    # Monday 00:30 in Berlin is still Sunday in UTC
    moment = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)

    assert week_start(moment, BERLIN) == datetime(2026, 11, 2, 0, 0, tzinfo=BERLIN)
    assert week_start(moment, UTC) == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)


def test_shifting_weeks_keeps_midnight_across_the_change_of_clocks():
    # Berlin leaves summer time on 25 Oct 2026, so the week of 19 Oct is an hour longer
    earlier = shift_weeks(END, -1, BERLIN)

    assert earlier == datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)
    assert shift_weeks(earlier, -1, BERLIN).astimezone(BERLIN).hour == 0
    elapsed = END.astimezone(UTC) - shift_weeks(END, -2, BERLIN).astimezone(UTC)
    assert elapsed == timedelta(days=14, hours=1)


def test_burn_up_is_cumulative_from_the_first_point_and_never_above_scope():
    t0 = START - timedelta(weeks=2)
    moments = [t0, t0 + timedelta(weeks=1), START, NOW]
    scored = [
        entry("A-1", 10, created=t0 - timedelta(days=30), done_at=t0 - timedelta(days=1)),
        entry("A-2", 4, created=t0 - timedelta(days=30), done_at=t0 + timedelta(days=2)),
        entry("A-3", 6, created=t0 - timedelta(days=30), done_at=START + timedelta(days=1)),
        entry("A-4", 5, created=START + timedelta(days=3)),
        entry("A-5", 1),
    ]

    points = burn_up(scored, moments).points

    assert [p.delivered for p in points] == [0, 4, 4, 10]
    # A-1 was done before the chart starts; A-4 joins the scope when it is created
    assert [p.scope for p in points] == [11, 11, 11, 16]
    assert all(p.delivered <= p.scope for p in points)
    assert burn_up(scored, []).points == ()
    assert [p.delivered for p in burn_up([], moments).points] == [0, 0, 0, 0]


# ---------------------------------------------------------------- the bundles


GOALS = (ValueGoal(name="Cut support cost", metric="tickets a week", baseline=420, target=300),)


def test_make_digest_bundles_the_weeks_numbers():
    scored = [
        entry("A-1", 6, sprint=ACTIVE, done_at=START + timedelta(days=1)),
        entry("A-2", 4, sprint=ACTIVE, needs_estimate=True, created=NOW),
        entry("A-3", 2, created=NOW - timedelta(days=90)),
    ]
    ranking = ranking_of([scored[2], scored[1]])

    digest = make_digest(
        team="payments",
        week="2026-W45",
        start=START,
        end=END,
        now=NOW,
        zone=BERLIN,
        goals=GOALS,
        scored=scored,
        ranking=ranking,
        previous_order=["A-2", "A-3"],
        rounds=[(("U1", "U2"), {"U1"})],
        burn_up_weeks=4,
    )

    assert (digest.team, digest.week, digest.goals) == ("payments", "2026-W45", GOALS)
    assert digest.value_delivered == 6
    assert [item.key for item in digest.delivered] == ["A-1"]
    assert digest.sprint is not None
    assert (digest.sprint.name, digest.sprint.goal) == ("Sprint 7", "Refunds without tickets")
    assert (digest.sprint.committed, digest.sprint.delivered, digest.sprint.items) == (10, 6, 2)
    assert [(m.key, m.old_rank, m.new_rank) for m in digest.movers] == [
        ("A-3", 2, 1),
        ("A-2", 1, 2),
    ]
    assert [item.key for item in digest.stale] == ["A-3"]
    assert [item.key for item in digest.unestimated] == ["A-2"]
    assert digest.response.rate == pytest.approx(0.5)
    points = digest.burn_up.points
    assert len(points) == 5
    assert points[0].at == datetime(2026, 10, 5, 0, 0, tzinfo=BERLIN)
    assert points[-1].at == NOW
    assert points[-1].delivered == 6


def test_a_digest_of_an_empty_backlog_has_no_sprint_and_zeros():
    digest = make_digest(
        team="t",
        week="2026-W45",
        start=START,
        end=END,
        now=NOW,
        zone=BERLIN,
        goals=(),
        scored=[],
        ranking=Ranking(items=()),
        previous_order=[],
    )

    assert digest.sprint is None
    assert digest.value_delivered == 0
    assert (digest.delivered, digest.movers, digest.stale, digest.unestimated) == ((), (), (), ())
    assert digest.response.rate is None
    assert all(point.delivered == point.scope == 0 for point in digest.burn_up.points)


def test_the_reminder_lists_the_top_five_by_value_and_what_nobody_valued():
    every = ("business_value", "time_criticality", "risk_reduction")
    scored = [entry(f"A-{i}", float(i), sprint=ACTIVE) for i in range(1, 8)]
    scored.append(entry("A-8", 0.5, sprint=ACTIVE, defaults=every))
    scored.append(entry("A-9", 99, sprint=CLOSED))

    reminder = make_reminder(team="payments", sprint=ACTIVE, scored=scored, goals=GOALS)

    assert (reminder.sprint, reminder.goal) == ("Sprint 7", "Refunds without tickets")
    assert reminder.committed == sum(range(1, 8)) + 0.5
    assert reminder.items == 8
    assert [item.key for item in reminder.top] == ["A-7", "A-6", "A-5", "A-4", "A-3"]
    assert [item.key for item in reminder.unvalued] == ["A-8"]
    assert reminder.goals == GOALS


def test_a_reminder_of_an_empty_sprint_commits_nothing():
    reminder = make_reminder(team="payments", sprint=ACTIVE, scored=[], goals=())

    assert (reminder.committed, reminder.items, reminder.top) == (0, 0, ())
