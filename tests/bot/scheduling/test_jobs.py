"""The jobs: what they post, exactly once per key, held back by the budget, retried on failure.

Each job is called directly with an explicit ``now`` (no scheduler runs), against a real SQLite
store, the sample backlogs of the example config, and the local Slack fake.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.models.blocks import Block, SectionBlock

from bot.chat.client import build_web_client
from bot.chat.posts import Post, combine
from bot.errors import DeliveryError
from bot.metrics import REGISTRY
from bot.scheduling import jobs
from bot.scheduling.deferrals import RETRY_DELAYS, Deferred
from bot.scheduling.jobs import (
    JobEnv,
    checkin_close,
    checkin_reminders,
    checkin_round,
    run_deferred,
    sprint_start_reminder,
    sync_and_score,
    weekly_digest,
)
from bot.usecases.channel_posts import post_digest, post_reminders
from bot.usecases.digest import preview_digest
from bot.usecases.runs import JobName, Outcome, Status
from connectors.registry import open_source
from tests.bot.scheduling.support import BERLIN
from tests.bot.scheduling.world import (
    MONDAY_0900,
    PAYMENTS_CHANNEL,
    World,
    make_world,
    scheduler_config,
)
from tests.fakes.slack_api import SlackCall

WEEK = "2026-W45"  # the ISO week of MONDAY_0900, the sample backlog's Monday
SPRINT = "sprint-1394"  # the sample payments backlog's active sprint, "PAY Sprint 24"
EVENING = datetime(2026, 11, 2, 20, 0, tzinfo=BERLIN)
NEXT_MORNING = datetime(2026, 11, 3, 8, 30, tzinfo=BERLIN)
THURSDAY_1400 = datetime(2026, 11, 5, 14, 0, tzinfo=BERLIN)


def assert_valid_message(call: SlackCall) -> None:
    """What Slack would accept: at most 50 blocks, each valid under slack_sdk.models."""
    raw = call.blocks()
    assert 0 < len(raw) <= 50
    for block in raw:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
    assert call.body.get("text")


def chart_uploads(world: World) -> list[SlackCall]:
    return world.slack.state.calls_to("files.completeUploadExternal")


@pytest.fixture
def other_world(sqlite_url, slack_api, clock, uploads):
    """Build a world with another config on the same fake; closed at the end."""
    made: list[World] = []

    def build(**schedule) -> World:
        world = make_world(sqlite_url, slack_api, clock, config=scheduler_config(**schedule))
        made.append(world)
        return world

    yield build
    for world in made:
        world.store.close()


# ---------------------------------------------------------------- the weekly digest


def test_the_weekly_digest_reaches_the_team_channel_with_its_burn_up_chart(world, uploads):
    outcome = weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert outcome == Outcome(
        JobName.WEEKLY_DIGEST, "payments", WEEK, Status.POSTED, f"posted to {PAYMENTS_CHANNEL}"
    )
    [post] = world.posts()
    assert_valid_message(post)
    assert post.token == "xoxb-scheduler-test"
    assert "Cut support cost" in post.all_text()  # the team's value goal
    [upload] = chart_uploads(world)
    assert upload.body["channel_id"] == PAYMENTS_CHANNEL
    [(_, png)] = uploads.received
    assert png.startswith(b"\x89PNG")


def test_calling_the_digest_twice_in_one_week_posts_once(world):
    first = weekly_digest(world.svc, "payments", world.clock(), env=world.env)
    world.clock.set(MONDAY_0900 + timedelta(hours=2))
    second = weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert first.status is Status.POSTED
    assert second.status is Status.SKIPPED
    assert second.detail == "already done"
    assert len(world.posts()) == 1
    assert len(chart_uploads(world)) == 1


def test_a_restarted_process_does_not_post_the_digest_again(any_world):
    world = any_world
    weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    restarted = world.restart()
    outcome = weekly_digest(restarted.svc, "payments", restarted.clock(), env=restarted.env)

    assert outcome.status is Status.SKIPPED
    assert len(world.posts()) == 1
    restarted.store.close()


@pytest.mark.parametrize(
    "job", [JobName.WEEKLY_DIGEST, JobName.SPRINT_START_REMINDER], ids=["digest", "reminder"]
)
def test_two_processes_racing_for_the_same_post_post_it_once(any_world, job):
    """Two stores on one database (two scheduler processes) run the same key at one moment."""
    world = any_world
    rivals = [world, world.restart(), world.restart()]
    barrier = threading.Barrier(len(rivals))
    outcomes: list[Outcome] = []

    def run(w: World) -> None:
        barrier.wait()
        outcomes.append(jobs.JOBS[job](w.svc, "payments", MONDAY_0900, env=w.env))

    threads = [threading.Thread(target=run, args=(w,)) for w in rivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(outcomes) == len(rivals)
    assert [outcome.status for outcome in outcomes].count(Status.POSTED) == 1
    assert len(world.posts()) == 1
    for rival in rivals[1:]:
        rival.store.close()


def test_the_next_week_gets_its_own_digest(world):
    weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    world.clock.set(MONDAY_0900 + timedelta(days=7))
    outcome = weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert outcome.period == "2026-W46"
    assert outcome.status is Status.POSTED
    assert len(world.posts()) == 2


def test_a_failed_post_leaves_the_run_failed_and_the_next_trigger_posts_it(world):
    world.slack.state.fail("chat.postMessage", "channel_not_found")
    no_retry = JobEnv(pacer=world.env.pacer)

    with pytest.raises(DeliveryError, match="channel_not_found") as raised:
        weekly_digest(world.svc, "payments", world.clock(), env=no_retry)
    again = weekly_digest(world.svc, "payments", world.clock(), env=no_retry)
    third = weekly_digest(world.svc, "payments", world.clock(), env=no_retry)

    assert "xoxb" not in str(raised.value)
    assert again.status is Status.POSTED
    assert third.status is Status.SKIPPED
    assert len(world.posts()) == 2  # the refused attempt and the one that went through


def test_a_failed_weekly_post_books_a_retry_instead_of_waiting_a_week(world):
    world.slack.state.fail("chat.postMessage", "internal_error")

    with pytest.raises(DeliveryError):
        weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert world.deferrals.until["payments"] == world.clock() + timedelta(minutes=5)
    held = world.deferrals.take("payments")
    assert held == [Deferred(JobName.WEEKLY_DIGEST, WEEK, attempts=1)]
    world.clock.set(MONDAY_0900 + timedelta(minutes=5))
    [outcome] = run_deferred(world.svc, "payments", held, world.clock(), world.env)
    assert outcome.status is Status.POSTED


def test_retries_stop_after_the_last_backoff(world, caplog):
    world.slack.state.fail("chat.postMessage", "internal_error")

    with pytest.raises(DeliveryError):
        weekly_digest(
            world.svc, "payments", world.clock(), env=world.env, attempts=len(RETRY_DELAYS)
        )

    assert world.deferrals.pending == {}
    assert "no retry left" in caplog.text


def test_a_failed_chart_upload_does_not_repost_the_digest(world, slack_api):
    slack_api.state.scripted.pop("files.getUploadURLExternal")
    slack_api.state.fail("files.getUploadURLExternal", "not_allowed_token_type")

    outcome = weekly_digest(world.svc, "payments", world.clock(), env=world.env)
    again = weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert outcome.status is Status.POSTED
    assert again.status is Status.SKIPPED
    assert len(world.posts()) == 1


def test_a_team_without_a_channel_is_skipped(world):
    team = world.team().model_copy(update={"channel": None})

    outcome = weekly_digest(world.svc, team, world.clock(), env=world.env)

    assert outcome.status is Status.SKIPPED
    assert world.slack.state.calls_to("chat.postMessage") == []


# ---------------------------------------------------------------- the notification budget


def test_quiet_hours_hold_posts_back_and_post_them_as_one_message_when_the_window_opens(world):
    world.clock.set(EVENING)

    digest = weekly_digest(world.svc, "payments", world.clock(), env=world.env)
    reminder = sprint_start_reminder(world.svc, "payments", world.clock(), env=world.env)

    assert (digest.status, reminder.status) == (Status.DEFERRED, Status.DEFERRED)
    assert digest.until == NEXT_MORNING
    assert world.posts() == []
    assert world.deferrals.until["payments"] == NEXT_MORNING

    world.clock.set(NEXT_MORNING)
    held = world.deferrals.take("payments")
    outcomes = run_deferred(world.svc, "payments", held, world.clock(), world.env)

    assert sorted((o.job, o.period, o.status) for o in outcomes) == [
        (JobName.SPRINT_START_REMINDER, SPRINT, Status.POSTED),
        (JobName.WEEKLY_DIGEST, WEEK, Status.POSTED),
    ]
    [batch] = world.posts()
    assert_valid_message(batch)
    assert "2 Northstar updates, held back to keep this channel quiet" in batch.all_text()
    assert len(chart_uploads(world)) == 1
    assert world.store.messages_on("payments", NEXT_MORNING.date(), BERLIN) == 1


def test_posts_that_went_out_in_a_batch_are_not_posted_again(world):
    world.clock.set(EVENING)
    weekly_digest(world.svc, "payments", world.clock(), env=world.env)
    sprint_start_reminder(world.svc, "payments", world.clock(), env=world.env)
    world.clock.set(NEXT_MORNING)
    run_deferred(world.svc, "payments", world.deferrals.take("payments"), world.clock(), world.env)

    digest = weekly_digest(world.svc, "payments", world.clock(), env=world.env)
    reminder = sprint_start_reminder(world.svc, "payments", world.clock(), env=world.env)

    assert digest.status is Status.SKIPPED
    assert reminder.status is Status.NOTHING
    assert len(world.posts()) == 1


def test_the_same_post_held_back_twice_is_sent_once(world):
    """The reminder poll runs every 15 minutes all evening; it is queued once."""
    for minutes in (0, 15, 30):
        world.clock.set(EVENING + timedelta(minutes=minutes))
        sprint_start_reminder(world.svc, "payments", world.clock(), env=world.env)

    held = world.deferrals.take("payments")

    assert held == [Deferred(JobName.SPRINT_START_REMINDER, SPRINT)]


def test_a_full_daily_cap_defers_the_digest_to_the_next_morning(other_world):
    world = other_world(max_messages_a_day=2)
    for _ in range(2):
        world.store.record_message("payments", PAYMENTS_CHANNEL, "test", world.clock())

    outcome = weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert outcome.status is Status.DEFERRED
    assert "daily cap" in outcome.detail
    assert outcome.until == NEXT_MORNING
    assert world.posts() == []


def test_a_batch_still_over_the_cap_is_held_back_again(other_world):
    world = other_world(max_messages_a_day=1)
    world.clock.set(NEXT_MORNING)
    world.store.record_message("payments", PAYMENTS_CHANNEL, "test", world.clock())

    outcomes = run_deferred(
        world.svc, "payments", [Deferred(JobName.WEEKLY_DIGEST, WEEK)], world.clock(), world.env
    )

    assert [outcome.status for outcome in outcomes] == [Status.DEFERRED]
    assert world.deferrals.until["payments"] == NEXT_MORNING + timedelta(days=1)
    assert world.posts() == []


def test_a_person_asking_for_the_digest_gets_it_even_in_quiet_hours(world):
    world.clock.set(EVENING)

    outcome = post_digest(world.svc, world.env.messenger(world.svc), world.team(), world.clock())

    assert outcome.status is Status.POSTED
    assert len(world.posts()) == 1


def test_forcing_the_digest_posts_it_again_and_plain_posting_does_not(world):
    weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    plain = post_digest(world.svc, world.env.messenger(world.svc), world.team(), world.clock())
    forced = post_digest(
        world.svc, world.env.messenger(world.svc), world.team(), world.clock(), force=True
    )

    assert plain.status is Status.SKIPPED
    assert forced.status is Status.POSTED
    assert len(world.posts()) == 2


def test_previewing_the_digest_posts_nothing(world):
    digest, blocks = preview_digest(world.svc, world.team(), world.clock())

    assert digest is not None
    assert 0 < len(blocks) <= 50
    assert all(isinstance(block, Block) for block in blocks)
    assert world.slack.state.calls == []


# ---------------------------------------------------------------- sprint-start reminders


def test_a_new_active_sprint_gets_one_reminder(world):
    first = sprint_start_reminder(world.svc, "payments", world.clock(), env=world.env)
    world.clock.set(MONDAY_0900 + timedelta(minutes=15))
    second = sprint_start_reminder(world.svc, "payments", world.clock(), env=world.env)

    assert (first.period, first.status) == (SPRINT, Status.POSTED)
    assert second.status is Status.NOTHING
    [post] = world.posts()
    assert_valid_message(post)
    text = post.all_text()
    assert "Refunds without a support ticket" in text  # the sprint goal
    assert "Cut support cost" in text  # the team's value goal
    assert world.store.sprint_seen("payments", 1394)


def test_northstar_remind_posts_new_sprints_now_but_only_once(world):
    world.clock.set(EVENING)

    first = post_reminders(world.svc, world.env.messenger(world.svc), world.team(), world.clock())
    second = post_reminders(world.svc, world.env.messenger(world.svc), world.team(), world.clock())

    assert first.status is Status.POSTED
    assert second.status is Status.NOTHING
    assert len(world.posts()) == 1


def test_a_sprint_that_closed_while_held_back_gets_no_reminder(world):
    outcomes = run_deferred(
        world.svc,
        "payments",
        [Deferred(JobName.SPRINT_START_REMINDER, "sprint-1393")],  # PAY Sprint 23, closed
        world.clock(),
        world.env,
    )

    assert [outcome.status for outcome in outcomes] == [Status.NOTHING]
    assert world.posts() == []
    assert world.store.sprint_seen("payments", 1393)


# ---------------------------------------------------------------- check-ins


def test_the_scheduled_check_in_round_starts_once_a_day(world):
    world.clock.set(THURSDAY_1400)

    first = checkin_round(world.svc, "payments", world.clock(), env=world.env)
    second = checkin_round(world.svc, "payments", world.clock(), env=world.env)

    assert first.status is Status.DONE
    assert first.period == "2026-11-05"
    assert second.status is Status.SKIPPED
    stakeholders = world.team().stakeholders
    assert len(world.slack.state.calls_to("conversations.open")) == len(stakeholders)
    assert len(world.store.open_rounds("payments")) == 1


def test_a_check_in_round_due_in_quiet_hours_waits_for_the_morning(world):
    world.clock.set(EVENING)

    outcome = checkin_round(world.svc, "payments", world.clock(), env=world.env)

    assert outcome.status is Status.DEFERRED
    assert world.deferrals.pending["payments"] == {
        (JobName.CHECKIN_ROUND, "2026-11-02"): Deferred(JobName.CHECKIN_ROUND, "2026-11-02")
    }
    assert world.slack.state.calls == []


def test_non_responders_are_reminded_once_after_the_reminder_time(world):
    world.clock.set(THURSDAY_1400)
    checkin_round(world.svc, "payments", world.clock(), env=world.env)
    dms_after_round = len(world.slack.state.calls_to("chat.postMessage"))

    early = checkin_reminders(world.svc, "payments", world.clock(), env=world.env)
    world.clock.set(THURSDAY_1400 + timedelta(hours=24, minutes=5))
    due = checkin_reminders(world.svc, "payments", world.clock(), env=world.env)
    again = checkin_reminders(world.svc, "payments", world.clock(), env=world.env)

    stakeholders = len(world.team().stakeholders)
    assert early.status is Status.NOTHING
    assert due.status is Status.DONE
    assert due.detail == f"reminded {stakeholders} of {stakeholders}"
    assert again.status is Status.SKIPPED
    reminders = len(world.slack.state.calls_to("chat.postMessage")) - dms_after_round
    assert reminders == stakeholders


def summaries(world) -> list:
    return [
        call
        for call in world.posts()
        if "check-in" in call.all_text().lower() and "answered" in call.all_text().lower()
    ]


def test_a_round_closes_after_its_time_and_posts_its_summary_once(world):
    world.clock.set(THURSDAY_1400)
    checkin_round(world.svc, "payments", world.clock(), env=world.env)
    hours = world.team().schedule.checkin_close_hours

    early = checkin_close(world.svc, "payments", world.clock(), env=world.env)
    world.clock.set(THURSDAY_1400 + timedelta(hours=hours, minutes=5))
    due = checkin_close(world.svc, "payments", world.clock(), env=world.env)
    again = checkin_close(world.svc, "payments", world.clock(), env=world.env)

    assert early.status is Status.NOTHING
    assert due.status is Status.POSTED
    assert again.status is Status.NOTHING
    assert world.store.open_rounds("payments") == []
    assert len(summaries(world)) == 1


def test_a_summary_slack_refused_is_posted_by_the_next_poll(world):
    world.clock.set(THURSDAY_1400)
    checkin_round(world.svc, "payments", world.clock(), env=world.env)
    world.clock.set(THURSDAY_1400 + timedelta(hours=world.team().schedule.checkin_close_hours))
    world.slack.state.fail("chat.postMessage", "internal_error")

    with pytest.raises(DeliveryError, match="internal_error"):
        checkin_close(world.svc, "payments", world.clock(), env=world.env)
    assert len(world.store.open_rounds("payments")) == 1  # still open: nothing is lost
    retried = checkin_close(world.svc, "payments", world.clock(), env=world.env)

    assert retried.status is Status.POSTED
    assert world.store.open_rounds("payments") == []
    assert len(summaries(world)) == 2  # the attempt Slack refused, and the one that landed


# ---------------------------------------------------------------- sync and score


def test_sync_and_score_stores_the_backlog_and_writes_scores_once_a_slot(world):
    first = sync_and_score(world.svc, "payments", world.clock(), env=world.env)
    second = sync_and_score(world.svc, "payments", world.clock(), env=world.env)

    assert first.status is Status.DONE
    assert first.detail.startswith("fetched 150")
    assert second.status is Status.SKIPPED
    assert len(world.store.load_snapshot("payments")) == 150
    assert world.slack.state.calls == []


def test_sync_and_score_reorders_when_the_team_asked_for_it(world):
    team = world.team().model_copy(update={"auto_reorder": True})
    before = world.connectors["payments"].read_order()

    outcome = sync_and_score(world.svc, team, world.clock(), env=world.env)

    assert "rank call(s)" in outcome.detail
    assert world.connectors["payments"].read_order() != before


# ---------------------------------------------------------------- the scheduler's entry points


def job_runs(job: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("northstar_job_runs_total", {"job": job, "outcome": outcome})
    return value or 0.0


@pytest.fixture
def installed(world):
    jobs.install(world.svc, world.env)
    yield world
    jobs.uninstall()


def test_run_job_runs_the_named_job_for_the_named_team(installed):
    before = job_runs(JobName.WEEKLY_DIGEST, "posted")

    jobs.run_job(JobName.WEEKLY_DIGEST, "payments")

    assert len(installed.posts()) == 1
    assert job_runs(JobName.WEEKLY_DIGEST, "posted") == before + 1


def test_run_job_logs_a_failure_and_never_raises(installed, caplog):
    installed.slack.state.fail("chat.postMessage", "channel_not_found")
    before = job_runs(JobName.WEEKLY_DIGEST, "failed")

    jobs.run_job(JobName.WEEKLY_DIGEST, "payments")

    assert job_runs(JobName.WEEKLY_DIGEST, "failed") == before + 1
    assert "job weekly_digest for payments failed" in caplog.text
    assert "xoxb-scheduler-test" not in caplog.text


def test_run_job_skips_a_team_that_left_the_config(installed, caplog):
    jobs.run_job(JobName.WEEKLY_DIGEST, "marketing")
    jobs.run_batch("marketing", [(JobName.WEEKLY_DIGEST, WEEK, 0)])

    assert "no longer configured" in caplog.text
    assert installed.slack.state.calls == []


def test_run_batch_posts_held_back_work(installed):
    installed.clock.set(NEXT_MORNING)

    jobs.run_batch(
        "payments", [(JobName.WEEKLY_DIGEST, WEEK, 0), (JobName.SPRINT_START_REMINDER, SPRINT, 0)]
    )

    [batch] = installed.posts()
    assert_valid_message(batch)


# ---------------------------------------------------------------- combining posts


def section_post(name: str, blocks: int) -> Post:
    return Post(
        kind="test",
        text=name,
        blocks=tuple(SectionBlock(text=f"{name} {n}") for n in range(blocks)),
    )


def test_one_held_back_post_goes_out_unchanged():
    post = section_post("digest", 3)

    assert combine([post]) == [((0,), post)]


def test_held_back_posts_too_big_for_one_message_go_out_in_several_and_none_is_cut():
    posts = [section_post(name, 20) for name in ("a", "b", "c")]

    messages = combine(posts)

    assert [carried for carried, _ in messages] == [(0, 1), (2,)]
    first, second = (message for _, message in messages)
    assert len(first.blocks) == 1 + 20 + 1 + 20  # heading, a, divider, b
    assert len(second.blocks) == 1 + 20
    assert first.blocks[0].to_dict()["text"]["text"].startswith("3 Northstar updates")
    assert "continued (2 of 2)" in second.blocks[0].to_dict()["text"]["text"]
    sent = [block.to_dict() for _, message in messages for block in message.blocks]
    for name in ("a", "b", "c"):
        assert (
            sum(1 for block in sent if block.get("text", {}).get("text", "").startswith(name)) == 20
        )
    for _, message in messages:
        assert len(message.blocks) <= 50
        for block in message.blocks:
            block.validate_json()


def test_an_outcome_reads_as_a_sentence():
    outcome = Outcome(JobName.WEEKLY_DIGEST, "payments", WEEK, Status.DEFERRED, "held back")

    assert str(outcome) == "weekly_digest for payments (2026-W45): deferred, held back"


def test_a_week_with_nothing_to_report_posts_no_digest(world, tmp_path):
    """Two open items in their value order, nothing done, no sprint: nothing worth a message."""
    backlog = tmp_path / "quiet.csv"
    backlog.write_text(
        "key,summary,cost,business_value,time_criticality,risk_reduction\n"
        "PAY-1,Most valuable,3,13,8,5\n"
        "PAY-2,Less valuable,3,2,1,1\n",
        encoding="utf-8",
    )
    world.connectors["payments"] = open_source(f"csv:{backlog}")

    outcome = weekly_digest(world.svc, "payments", world.clock(), env=world.env)
    again = weekly_digest(world.svc, "payments", world.clock(), env=world.env)

    assert outcome.status is Status.NOTHING
    assert again.status is Status.SKIPPED  # decided once for the week
    assert world.posts() == []
    assert chart_uploads(world) == []


def test_an_unreachable_slack_fails_the_post_with_one_clear_line_and_retries(world):
    unreachable = world.svc.settings.model_copy(
        update={"slack_api_url": "http://127.0.0.1:9/api/"}  # nothing listens on port 9
    )
    # slack_sdk still retries the connection three times, without sleeping between
    client = build_web_client(
        unreachable, connection_backoff=FixedValueRetryIntervalCalculator(0.0)
    )
    env = JobEnv(client=client, pacer=world.env.pacer, deferrals=world.deferrals)

    with pytest.raises(DeliveryError, match="Slack could not be reached"):
        weekly_digest(world.svc, "payments", world.clock(), env=env)

    assert world.deferrals.pending["payments"] == {
        (JobName.WEEKLY_DIGEST, WEEK): Deferred(JobName.WEEKLY_DIGEST, WEEK, attempts=1)
    }
