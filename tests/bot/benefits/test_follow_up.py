"""The benefit follow-up job with a hand-moved clock: reviews, actuals, nudges and risks.

The world is the Slack tests' one: a real store (SQLite, and PostgreSQL when configured), the
fake Slack Web API, the payments backlog where PAY-900 was delivered on 2026-09-24. Each DM is
read back from the fake, so "exactly once" is what reached Slack, not what the code meant to do.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from bot.chat import messages
from bot.config import Schedule
from bot.scheduling.jobs import JobEnv, Status, benefit_follow_up
from bot.usecases.benefit_reviews import follow_up_benefits
from bot.usecases.runs import RunKey
from rules.benefits import BenefitStatus, Confidence, Measurement
from tests.bot.benefits.support import DELIVERED, OWNER, dms_to, refunds_benefit, register
from tests.bot.slack.support import NOW, STAKEHOLDERS, SlackWorld, make_world, slack_config


def sweep(world: SlackWorld):
    return follow_up_benefits(world.svc, world.team(), world.clock(), messenger=world.messenger)


def texts(world: SlackWorld, user: str = OWNER) -> list[str]:
    return [call.all_text() for call in dms_to(world, user)]


@pytest.fixture
def world(any_db_world: SlackWorld) -> SlackWorld:
    return any_db_world


def test_delivery_starts_realisation_and_schedules_the_reviews_from_the_delivery_date(world):
    register(world)

    done = sweep(world)

    assert world.store.benefit("BEN-1").status is BenefitStatus.REALISING
    assert done.realising == ["BEN-1"]
    reviews = world.store.reviews("BEN-1")
    assert [(r.kind, r.due) for r in reviews] == [
        ("post-implementation", DELIVERED + timedelta(days=30)),
        ("post-implementation", DELIVERED + timedelta(days=90)),
        ("post-implementation", DELIVERED + timedelta(days=180)),
        ("sustainment", date(2027, 6, 30) + timedelta(days=90)),
    ]


def test_the_review_due_is_asked_of_the_owner_exactly_once(world):
    register(world)

    sweep(world)
    again = sweep(world)

    reviews = [text for text in texts(world) if messages.review_header("x") in text]
    assert len(reviews) == 1
    assert "30 days after delivery" in reviews[0]
    assert again.reviews == []
    asked = [r for r in world.store.reviews("BEN-1") if r.asked_at is not None]
    assert [r.offset_days for r in asked] == [30]


def test_the_next_review_follows_when_its_offset_is_reached(world, clock):
    register(world)
    sweep(world)

    clock.now = NOW.replace(year=2026, month=12, day=23, hour=10)
    later = sweep(world)

    assert later.reviews == ["BEN-1 post-implementation 90d"]


@pytest.fixture
def tuned(slack_api, clock, sqlite_url):
    """A world whose payments team has its own schedule (``tuned(review_offsets=...)``)."""
    made = []

    def build(**schedule) -> SlackWorld:
        base = slack_config()
        payments = base.teams[0].model_copy(update={"schedule": Schedule(**schedule)})
        config = base.model_copy(update={"teams": (payments, *base.teams[1:])})
        made.append(make_world(sqlite_url, slack_api, clock, config=config))
        return made[-1]

    yield build
    for world in made:
        world.store.close()


def test_a_team_s_review_offsets_replace_the_default_but_not_an_entry_s_own(tuned):
    world = tuned(review_offsets=(14, 45))
    register(world, refunds_benefit(), refunds_benefit(id="BEN-2", review_offsets=(60,)))
    sweep(world)
    team_offsets = {(r.kind, r.offset_days) for r in world.store.reviews("BEN-1")}
    own_offsets = {(r.kind, r.offset_days) for r in world.store.reviews("BEN-2")}
    assert {offset for kind, offset in team_offsets if kind == "post-implementation"} == {14, 45}
    assert {offset for kind, offset in own_offsets if kind == "post-implementation"} == {60}


def test_the_owner_is_asked_for_an_actual_nudged_once_then_asked_at_the_next_date(tuned, clock):
    """Monthly from 2026-09-24: the 2026-10-24 actual is missing on 2026-11-19; nudge: 3 days."""
    world = tuned(actual_nudge_days=3)
    register(world)

    first = sweep(world)
    clock.advance(days=1)
    next_day = sweep(world)
    clock.advance(days=2)
    three_days_later = sweep(world)
    clock.advance(days=1)
    after_the_nudge = sweep(world)

    assert (first.asked, next_day.asked, next_day.nudged) == (["BEN-1"], [], [])
    assert three_days_later.nudged == ["BEN-1"]
    assert (after_the_nudge.asked, after_the_nudge.nudged) == ([], [])
    asks = [t for t in texts(world) if messages.actual_request_header() in t]
    nudges = [t for t in texts(world) if messages.actual_nudge_header() in t]
    assert (len(asks), len(nudges)) == (1, 1)
    assert "The plan expects" in asks[0]

    clock.now = NOW.replace(day=24, hour=10)  # the next cadence date
    assert sweep(world).asked == ["BEN-1"]


def test_an_actual_that_came_stops_the_question(world):
    register(world)
    world.store.record_measurement(
        Measurement(benefit_id="BEN-1", value=100, on=date(2026, 11, 1), who=OWNER), at=NOW
    )

    done = sweep(world)

    assert done.asked == []
    assert not [t for t in texts(world) if messages.actual_request_header() in t]


def test_a_closed_benefit_gets_no_reminder_and_no_risk(world):
    register(world, refunds_benefit(status="realised"))
    world.store.record_measurement(
        Measurement(
            benefit_id="BEN-1",
            value=119,
            on=date(2026, 11, 1),
            who=OWNER,
            confidence=Confidence.OFF_TRACK,
        ),
        at=NOW,
    )

    done = sweep(world)

    assert (done.asked, done.risks) == ([], [])
    assert not [t for t in texts(world) if messages.actual_request_header() in t]


def test_off_track_raises_one_risk_and_dms_the_owner_once(world, clock):
    register(world)
    world.store.record_measurement(
        Measurement(
            benefit_id="BEN-1",
            value=118,
            on=date(2026, 11, 18),
            who=OWNER,
            confidence=Confidence.OFF_TRACK,
        ),
        at=NOW,
    )

    first = sweep(world)
    clock.advance(days=1)
    second = sweep(world)

    assert (first.risks, second.risks) == (["BEN-1"], [])
    risks = [t for t in texts(world) if "is at risk" in t]
    assert len(risks) == 1
    assert "said off track" in risks[0]
    [risk] = [r for r in world.store.benefit("BEN-1").risks if r.automatic]
    assert risk.open


def test_back_on_track_closes_the_automatic_risk(world, clock):
    register(world)
    world.store.record_measurement(
        Measurement(
            benefit_id="BEN-1", value=118, on=date(2026, 11, 18), confidence=Confidence.OFF_TRACK
        ),
        at=NOW,
    )
    sweep(world)
    world.store.record_measurement(
        Measurement(
            benefit_id="BEN-1", value=60, on=date(2026, 11, 19), confidence=Confidence.ON_TRACK
        ),
        at=NOW,
    )

    sweep(world)

    assert not [r for r in world.store.benefit("BEN-1").risks if r.automatic and r.open]


def test_without_an_owner_the_team_s_stakeholders_are_asked(world):
    register(world, refunds_benefit(owner=None))

    sweep(world)

    for user in STAKEHOLDERS:
        assert any(messages.review_header("x") in text for text in texts(world, user))


def test_a_failed_dm_is_retried_by_the_next_sweep_and_then_sent_once(world):
    register(world)
    world.slack.state.fail("chat.postMessage", "channel_not_found", times=10)

    failed = sweep(world)
    retried = sweep(world)
    world.slack.state.scripted.clear()
    delivered = sweep(world)
    again = sweep(world)

    assert failed.failed
    assert retried.failed
    assert delivered.reviews == ["BEN-1 post-implementation 30d"]
    assert again.reviews == []


def test_the_job_runs_the_sweep_once_even_when_two_replicas_race(world):
    register(world)
    env = JobEnv(client=world.client)
    outcomes = []

    def replica() -> None:
        outcomes.append(benefit_follow_up(world.svc, "payments", world.clock(), env=env))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {outcome.status for outcome in outcomes} == {Status.DONE}
    reviews = [t for t in texts(world) if messages.review_header("x") in t]
    asks = [t for t in texts(world) if messages.actual_request_header() in t]
    assert (len(reviews), len(asks)) == (1, 1)
    assert world.store.run_finished_at(RunKey.BENEFIT_REVIEW, "payments", "review-1") is not None
