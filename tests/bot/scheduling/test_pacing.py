"""Posting from jobs: one message a second per channel, 429s waited out, nothing dropped."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.chat.client import build_web_client
from bot.chat.pacing import ChannelPacer, post_message, upload_file
from bot.settings import Settings
from tests.bot.scheduling.support import FakeTime, UploadReceiver, allow_uploads
from tests.fakes.slack_api import FakeSlackServer


@pytest.fixture
def handler_sleeps(monkeypatch) -> list[float]:
    """slack_sdk's RateLimitErrorRetryHandler sleeps Retry-After (+ jitter): record, don't wait."""
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    return slept


@pytest.fixture
def pacer(fake_time: FakeTime) -> ChannelPacer:
    return ChannelPacer(clock=fake_time.clock, sleep=fake_time.sleep)


def client_for(slack_api: FakeSlackServer, retries: int = 1) -> WebClient:
    return WebClient(
        token="xoxb-test",
        base_url=slack_api.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=retries)],
    )


def test_posts_to_one_channel_go_out_a_second_apart(fake_time, pacer):
    waits = [pacer.wait("C1"), pacer.wait("C1"), pacer.wait("C1")]

    assert waits == [0, 1.0, 1.0]
    assert fake_time.slept == [1.0, 1.0]


def test_posts_to_different_channels_are_not_held_back(fake_time, pacer):
    waits = [pacer.wait(f"C{n}") for n in range(50)]

    assert waits == [0] * 50
    assert fake_time.slept == []


def test_concurrent_posters_to_one_channel_each_get_their_own_slot():
    """The clock stands still, so every wait is a reservation: 0, 1, 2 ... seconds out."""
    delays: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            delays.append(seconds)

    pacer = ChannelPacer(clock=lambda: 0.0, sleep=record)
    threads = [threading.Thread(target=pacer.wait, args=("C1",)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(delays) == [float(n) for n in range(1, 10)]


def test_posting_to_200_channels_delivers_all_200_despite_rate_limits(
    slack_api, pacer, fake_time, handler_sleeps
):
    """30 scripted 429s (Retry-After: 2) land on the first posts: slack_sdk's handler retries
    each once, post_message waits out the rest itself. Every channel gets its message once.
    """
    slack_api.state.rate_limit("chat.postMessage", retry_after=2, times=30)
    client = client_for(slack_api, retries=1)
    channels = [f"C{n:04d}" for n in range(200)]

    stamps = [post_message(client, channel, text="digest", pacer=pacer) for channel in channels]

    calls = slack_api.state.calls_to("chat.postMessage")
    assert len(calls) == 200 + 30
    delivered = calls[30:]  # the fake answers in order: the first 30 requests got the 429s
    assert [call.body["channel"] for call in delivered] == channels
    assert all(stamps)
    assert len(handler_sleeps) == 15  # one handler retry per request that met a 429 first
    assert all(2 <= seconds < 3 for seconds in handler_sleeps)
    assert fake_time.slept.count(2.0) == 15  # post_message's own waits, on the pacer


def test_a_channel_that_stays_rate_limited_fails_loudly_instead_of_dropping(
    slack_api, pacer, handler_sleeps
):
    slack_api.state.rate_limit("chat.postMessage", retry_after=2, times=10)
    client = client_for(slack_api, retries=0)

    with pytest.raises(SlackApiError) as raised:
        post_message(client, "C1", text="digest", pacer=pacer, patience=3)

    assert raised.value.response.status_code == 429
    assert len(slack_api.state.calls_to("chat.postMessage")) == 2  # waited 2 s once, then gave up


def test_other_slack_errors_are_not_retried(slack_api, pacer):
    slack_api.state.fail("chat.postMessage", "channel_not_found")

    with pytest.raises(SlackApiError, match="channel_not_found"):
        post_message(client_for(slack_api), "C404", text="digest", pacer=pacer)

    assert len(slack_api.state.calls_to("chat.postMessage")) == 1


def test_the_bots_own_client_retries_429s_through_slack_sdk(slack_api, pacer, handler_sleeps):
    settings = Settings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=slack_api.url)
    slack_api.state.rate_limit("chat.postMessage", retry_after=1, times=2)

    stamp = post_message(build_web_client(settings), "C1", text="hello", pacer=pacer)

    assert stamp
    assert len(slack_api.state.calls_to("chat.postMessage")) == 3
    assert len(handler_sleeps) == 2


def test_files_are_shared_into_the_channel_with_files_upload_v2(slack_api, pacer):
    with UploadReceiver() as receiver:
        allow_uploads(slack_api.state, receiver, count=1)

        upload_file(
            client_for(slack_api),
            "C1",
            content=b"\x89PNG fake",
            filename="chart.png",
            title="Value burn-up",
            pacer=pacer,
        )

    completed = slack_api.state.calls_to("files.completeUploadExternal")
    assert len(completed) == 1
    assert completed[0].body["channel_id"] == "C1"
    assert "F0001" in completed[0].body["files"]
    assert receiver.received == [("/upload/F0001", b"\x89PNG fake")]
