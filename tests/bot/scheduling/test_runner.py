"""The scheduler process: planned jobs, the persistent job store, misfires and leadership.

Where APScheduler reads the clock itself (its loop, ``add_job``), time-machine moves it; the
waits are on real events with short deadlines, never fixed sleeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_MISSED

from bot.config import NorthstarConfig, load_config
from bot.scheduling import jobs
from bot.scheduling.jobs import Deferred
from bot.scheduling.leader import FileElector
from bot.scheduling.runner import (
    SchedulerDeferrals,
    build_scheduler,
    planned_jobs,
    run_scheduler,
    sync_jobs,
)
from bot.scheduling.triggers import ScheduleError, next_fire
from bot.usecases.runs import JobName
from tests.bot.scheduling.support import BERLIN
from tests.bot.scheduling.world import PAYMENTS_CHANNEL, World, make_world, scheduler_config

MONDAY_0800 = datetime(2026, 11, 2, 8, 0, tzinfo=BERLIN)
MONDAY_0900 = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
#: Subprocesses import the repository's packages first, then whatever the caller had.
PYTHONPATH = os.pathsep.join(path for path in (REPO, os.environ.get("PYTHONPATH")) if path)


def payments_only(**schedule: Any) -> NorthstarConfig:
    """Payments alone, its polls daily, so the digest is the only job due on a Monday morning."""
    config = scheduler_config(reminder_poll_minutes=1440, **schedule)
    return config.model_copy(update={"teams": config.teams[:1]})


@pytest.fixture
def payments_world(sqlite_url, slack_api, clock, uploads):
    world = make_world(sqlite_url, slack_api, clock, config=payments_only())
    yield world
    jobs.uninstall()
    world.store.close()


def started(world: World, *, paused: bool = True):
    scheduler = build_scheduler(world.svc)
    scheduler.start(paused=paused)
    sync_jobs(scheduler, world.svc)
    return scheduler


# ---------------------------------------------------------------- which jobs a config asks for


def test_the_example_config_plans_each_teams_jobs_on_its_own_clock():
    config = load_config(None)

    planned = {job.id: job for team in config.teams for job in planned_jobs(team)}

    assert set(planned) == {
        "weekly_digest:payments",
        "sprint_start_reminder:payments",
        "checkin_round:payments",
        "checkin_reminders:payments",
        "checkin_close:payments",
        "realisation_reviews:payments",
        "benefit_follow_up:payments",
        "weekly_digest:growth",
        "sprint_start_reminder:growth",
        "checkin_reminders:growth",
        "checkin_close:growth",
        "realisation_reviews:growth",
        "benefit_follow_up:growth",
    }
    friday = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    assert next_fire(planned["weekly_digest:payments"].trigger, friday) == datetime(
        2026, 3, 30, 9, 0, tzinfo=BERLIN
    )
    growth = next_fire(planned["weekly_digest:growth"].trigger, friday)
    assert growth is not None
    assert (str(growth.tzinfo), growth.hour, growth.minute) == ("America/New_York", 9, 30)


def test_a_bad_schedule_names_the_team_and_the_key():
    team = load_config(None).teams[0]
    broken = team.model_copy(
        update={"schedule": team.schedule.model_copy(update={"checkin": "thursday afternoon"})}
    )

    with pytest.raises(ScheduleError, match=r"team 'payments', schedule\.checkin"):
        planned_jobs(broken)


def test_a_bad_schedule_stops_the_scheduler_before_it_waits_to_lead(payments_world):
    payments_world.svc = replace(payments_world.svc, config=payments_only(digest="monday morning"))

    with pytest.raises(ScheduleError, match=r"schedule\.digest"):
        run_scheduler(payments_world.svc, stop=threading.Event())


# ---------------------------------------------------------------- the persistent job store


def test_restarting_keeps_the_stored_next_run_time_of_an_unchanged_job(payments_world):
    """Plain add_job(replace_existing=True) would move the 09:00 run to next Monday and so
    silently drop the digest missed while the scheduler was down.
    """
    with time_machine.travel(MONDAY_0800, tick=False):
        first = started(payments_world)
        assert first.get_job("weekly_digest:payments").next_run_time == MONDAY_0900
        first.shutdown()

    with time_machine.travel(MONDAY_0900 + timedelta(minutes=20), tick=False):
        second = started(payments_world)
        kept = second.get_job("weekly_digest:payments").next_run_time
        second.shutdown()

    assert kept == MONDAY_0900


def test_a_changed_schedule_replaces_the_stored_job(payments_world):
    with time_machine.travel(MONDAY_0800, tick=False):
        first = started(payments_world)
        first.shutdown()
        payments_world.svc = replace(payments_world.svc, config=payments_only(digest="tue 10:00"))
        second = started(payments_world)
        moved = second.get_job("weekly_digest:payments").next_run_time
        second.shutdown()

    assert moved == datetime(2026, 11, 3, 10, 0, tzinfo=BERLIN)


def test_jobs_of_teams_no_longer_configured_are_removed(sqlite_url, slack_api, clock, uploads):
    world = make_world(sqlite_url, slack_api, clock)  # payments and growth
    try:
        scheduler = started(world)
        SchedulerDeferrals(scheduler).defer(
            "growth", Deferred(JobName.WEEKLY_DIGEST, "2026-W45"), datetime.now(tz=UTC)
        )
        assert scheduler.get_job("weekly_digest:growth") is not None
        world.svc = replace(world.svc, config=payments_only())

        sync_jobs(scheduler, world.svc)

        ids = {job.id for job in scheduler.get_jobs()}
        assert not any(job_id.endswith(":growth") for job_id in ids)
        assert "weekly_digest:payments" in ids
        scheduler.shutdown()
    finally:
        jobs.uninstall()
        world.store.close()


def test_held_back_posts_wait_in_the_job_store_as_one_batch_across_a_restart(payments_world):
    opens = datetime(2026, 11, 3, 8, 30, tzinfo=BERLIN)
    with time_machine.travel(datetime(2026, 11, 2, 20, 0, tzinfo=BERLIN), tick=False):
        scheduler = started(payments_world)
        deferrals = SchedulerDeferrals(scheduler)
        deferrals.defer("payments", Deferred(JobName.WEEKLY_DIGEST, "2026-W45"), opens)
        deferrals.defer("payments", Deferred(JobName.SPRINT_START_REMINDER, "sprint-1394"), opens)
        deferrals.defer("payments", Deferred(JobName.SPRINT_START_REMINDER, "sprint-1394"), opens)
        scheduler.shutdown()

        restarted = started(payments_world)
        batch = restarted.get_job("batch:payments")
        restarted.shutdown()

    assert batch.next_run_time == opens
    assert batch.args == (
        "payments",
        ((JobName.WEEKLY_DIGEST, "2026-W45", 0), (JobName.SPRINT_START_REMINDER, "sprint-1394", 0)),
    )
    assert batch.func_ref == "bot.scheduling.jobs:run_batch"


# ---------------------------------------------------------------- misfires


@pytest.mark.parametrize(
    ("down_until", "period"),
    [
        (MONDAY_0900 + timedelta(minutes=20), "2026-W45"),
        (MONDAY_0900 + timedelta(days=7, minutes=20), "2026-W46"),
    ],
    ids=["missed_this_morning", "missed_two_mondays"],
)
@pytest.mark.slow
def test_a_scheduler_started_after_a_missed_digest_posts_it_once(
    payments_world, down_until, period
):
    """Down from 08:00 until after 09:00: within the grace time (an hour) the missed digest is
    posted once when the scheduler comes back, and coalescing folds several missed Mondays into
    one run.
    """
    world = payments_world
    with time_machine.travel(MONDAY_0800, tick=False):
        started(world).shutdown()

    world.clock.set(down_until)
    with time_machine.travel(down_until, tick=True):
        scheduler = started(world, paused=False)
        try:
            world.slack.state.wait_for(
                "chat.postMessage",
                1,
                timeout=20,
                where=lambda call: call.body["channel"] == PAYMENTS_CHANNEL,
            )
            following = scheduler.get_job("weekly_digest:payments").next_run_time
        finally:
            scheduler.shutdown(wait=True)

    assert len(world.posts(PAYMENTS_CHANNEL)) == 1
    assert following.astimezone(BERLIN).date() == (down_until + timedelta(days=7)).date()
    assert world.store.claim_run(JobName.WEEKLY_DIGEST, "payments", period, down_until) is False


def test_past_the_grace_time_a_missed_digest_is_skipped(payments_world):
    world = payments_world
    with time_machine.travel(MONDAY_0800, tick=False):
        started(world).shutdown()
    missed = threading.Event()
    late = MONDAY_0900 + timedelta(hours=1, minutes=30)

    world.clock.set(late)
    with time_machine.travel(late, tick=True):
        scheduler = build_scheduler(world.svc)
        scheduler.add_listener(lambda event: missed.set(), EVENT_JOB_MISSED)
        scheduler.start(paused=True)
        sync_jobs(scheduler, world.svc)
        scheduler.resume()
        try:
            assert missed.wait(20)
        finally:
            scheduler.shutdown(wait=True)

    assert world.posts(PAYMENTS_CHANNEL) == []


def test_the_grace_time_comes_from_the_settings(payments_world):
    settings = payments_world.svc.settings.model_copy(
        update={"scheduler_misfire_grace_seconds": 120}
    )
    payments_world.svc = replace(payments_world.svc, settings=settings)

    scheduler = started(payments_world)
    try:
        job = scheduler.get_job("weekly_digest:payments")
    finally:
        scheduler.shutdown()

    assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (120, True, 1)


# ---------------------------------------------------------------- leadership


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_of_two_scheduler_processes_one_schedules_and_the_other_takes_over(payments_world):
    lock = payments_world.url.removeprefix("sqlite:///") + ".scheduler.lock"
    rival_world = payments_world.restart()
    electors = [FileElector(lock), FileElector(lock)]
    stops = [threading.Event(), threading.Event()]
    threads = [
        threading.Thread(
            target=run_scheduler,
            args=(world.svc,),
            kwargs={"stop": stop, "elector": elector, "poll_seconds": 0.05},
            daemon=True,
        )
        for world, stop, elector in zip((payments_world, rival_world), stops, electors, strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        assert wait_until(lambda: any(e.still_leader() for e in electors))
        time.sleep(0.2)  # give the other a few polls: it must stay a standby
        leaders = [index for index, e in enumerate(electors) if e.still_leader()]
        assert len(leaders) == 1

        stops[leaders[0]].set()
        threads[leaders[0]].join(10)
        other = 1 - leaders[0]

        assert wait_until(electors[other].still_leader)
        assert not electors[leaders[0]].still_leader()
    finally:
        for stop in stops:
            stop.set()
        for thread in threads:
            thread.join(10)
        rival_world.store.close()


@pytest.mark.slow
def test_the_scheduler_process_stops_cleanly_on_sigterm(tmp_path):
    script = (
        "import logging\n"
        "from bot.scheduling.runner import run_scheduler\n"
        "from bot.settings import Settings\n"
        "from bot.wiring import build_services\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "run_scheduler(build_services(Settings(_env_file=None)), poll_seconds=0.1)\n"
    )
    env = {
        **os.environ,
        "NORTHSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'northstar.db'}",
        "PYTHONPATH": PYTHONPATH,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if "scheduler started" in line:
                break
        else:
            pytest.fail("the scheduler never started:\n" + "".join(seen))
        process.send_signal(signal.SIGTERM)
        _, remaining = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)

    assert process.returncode == 0
    assert "scheduler stopped" in (remaining or "")


@pytest.mark.slow
def test_web_processes_never_load_the_scheduler():
    """`serve` imports the Slack app, which imports jobs for /value digest: no APScheduler."""
    script = (
        "import sys\n"
        "import bot.cli, bot.slack.app, bot.slack.server, bot.scheduling.jobs\n"
        "loaded = sorted(m for m in sys.modules\n"
        "    if m.startswith('apscheduler') or m == 'bot.scheduling.runner')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": PYTHONPATH},
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_with_slack_off_only_the_syncs_are_scheduled_and_it_says_so_once(
    sqlite_url, slack_api, clock, uploads, caplog
):
    world = make_world(sqlite_url, slack_api, clock, config=payments_only(sync="0 * * * *"))
    world.svc = replace(
        world.svc, settings=world.svc.settings.model_copy(update={"slack_bot_token": None})
    )
    try:
        with caplog.at_level("WARNING", logger="bot.scheduling.runner"):
            scheduler = started(world)
        ids = {job.id for job in scheduler.get_jobs()}
        scheduler.shutdown()
    finally:
        jobs.uninstall()
        world.store.close()
    assert ids == {"sync_and_score:payments"}
    [warning] = [r.getMessage() for r in caplog.records if "Slack" in r.getMessage()]
    assert "set NORTHSTAR_SLACK_BOT_TOKEN" in warning
    assert "weekly_digest:payments" in warning
