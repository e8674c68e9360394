"""The work queue defers to acks in flight; the score cache shares one computation per team."""

from __future__ import annotations

import threading
import time

import pytest

from bot.slack.workqueue import InFlight, WorkQueue
from bot.usecases.score import score_team
from bot.usecases.score_cache import ScoreCache
from tests.bot.slack.support import SlackWorld


def test_work_waits_while_requests_are_in_flight():
    in_flight = InFlight()
    queue = WorkQueue(1, in_flight=in_flight, ack_priority=5)
    started = threading.Event()
    in_flight.enter()
    future = queue.submit(started.set)
    assert not started.wait(0.1)
    in_flight.leave()
    future.result(timeout=5)
    assert started.is_set()
    queue.shutdown()


def test_work_starts_anyway_after_the_priority_window():
    in_flight = InFlight()
    queue = WorkQueue(1, in_flight=in_flight, ack_priority=0.05)
    in_flight.enter()
    began = time.monotonic()
    queue.submit(lambda: None).result(timeout=5)
    assert time.monotonic() - began < 2
    in_flight.leave()
    queue.shutdown()


def test_a_failing_job_is_logged_and_the_queue_goes_on(caplog):
    queue = WorkQueue(1, in_flight=InFlight())

    def boom() -> None:
        raise RuntimeError("job failed")

    queue.submit(boom).result(timeout=5)
    queue.submit(lambda: None).result(timeout=5)
    assert "a Slack work job failed" in caplog.text
    queue.shutdown()


def test_concurrent_readers_share_one_computation(world: SlackWorld):
    world.svc.store.load_snapshot(world.team().name)
    score_team(world.svc, world.team())  # synced, so every reader does the same work
    fetches = world.backlog.fetch_calls
    cache = ScoreCache(ttl=60)
    calls = []
    original = world.store.ratings_for

    def counting(keys=None):
        calls.append(1)
        time.sleep(0.05)  # a slow computation, so the readers overlap
        return original(keys)

    world.store.ratings_for = counting
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(world.svc, world.team())))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(result) for result in results}) == 1
    assert world.backlog.fetch_calls == fetches


def test_a_write_makes_the_next_reader_compute_again(world: SlackWorld):
    cache = ScoreCache(ttl=60)
    first = cache.get(world.svc, world.team())
    assert cache.get(world.svc, world.team()) is first
    cache.invalidate(world.team().name)
    assert cache.get(world.svc, world.team()) is not first


def test_cached_rankings_expire(world: SlackWorld):
    now = [0.0]
    cache = ScoreCache(ttl=10, clock=lambda: now[0])
    first = cache.get(world.svc, world.team())
    now[0] = 11
    assert cache.get(world.svc, world.team()) is not first


def test_a_failed_computation_reaches_every_waiting_reader(world: SlackWorld):
    cache = ScoreCache()

    def broken(since=None):
        raise RuntimeError("tool down")

    world.backlog.fetch_items = broken
    with pytest.raises(RuntimeError, match="tool down"):
        cache.get(world.svc, world.team())


def test_work_waits_for_a_quiet_moment_not_a_gap_inside_a_burst():
    in_flight = InFlight(quiet=1.0)
    queue = WorkQueue(1, in_flight=in_flight, ack_priority=10)
    started = threading.Event()
    in_flight.enter()
    future = queue.submit(started.set)
    in_flight.leave()  # the count touches zero between two requests of one burst
    time.sleep(0.1)  # long enough for the work thread to see the gap
    assert not started.is_set()
    in_flight.enter()
    in_flight.leave()
    future.result(timeout=5)
    assert started.is_set()
    queue.shutdown()
