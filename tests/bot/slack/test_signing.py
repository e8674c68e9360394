"""Request signatures: Slack's published example verifies; forged or stale requests get 401."""

from __future__ import annotations

import dataclasses
import json
import time
from types import SimpleNamespace

import pytest
from pydantic import SecretStr
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy import create_engine

from bot.slack.app import build_app
from bot.slack.server import create_wsgi_app
from tests.bot.slack.support import (
    SIGNING_SECRET,
    call_wsgi,
    command_body,
    sign,
    signed_headers,
)


class _PinnedClock(Clock):
    def __init__(self, now: float):
        self._now = now

    def now(self) -> float:
        return self._now


@pytest.fixture
def vector(vendor):
    return json.loads((vendor / "slack" / "signing-test-vector.json").read_text())


def test_slacks_published_signing_example_verifies(vector):
    verifier = SignatureVerifier(
        vector["signing_secret"], clock=_PinnedClock(int(vector["timestamp"]))
    )
    assert (
        verifier.generate_signature(timestamp=vector["timestamp"], body=vector["raw_body"])
        == (vector["expected_signature"])
    )
    assert verifier.is_valid(
        body=vector["raw_body"],
        timestamp=vector["timestamp"],
        signature=vector["expected_signature"],
    )
    assert (
        sign(vector["raw_body"], vector["timestamp"], vector["signing_secret"])
        == (vector["expected_signature"])
    )


def test_published_example_is_stale_after_the_replay_window(vector):
    late = int(vector["timestamp"]) + vector["replay_window_seconds"] + 1
    verifier = SignatureVerifier(vector["signing_secret"], clock=_PinnedClock(late))
    assert not verifier.is_valid(
        body=vector["raw_body"],
        timestamp=vector["timestamp"],
        signature=vector["expected_signature"],
    )


def test_signed_slash_command_is_acknowledged_through_wsgi(world):
    wsgi = create_wsgi_app(world.svc, app=world.app)
    body = command_body("help", response_url=world.slack.response_url())
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", body, headers)
    assert status == 200
    world.slack.state.wait_for("response_url")


def test_forged_signature_gets_401_and_no_work_is_done(world):
    wsgi = create_wsgi_app(world.svc, app=world.app)
    body = command_body("help", response_url=world.slack.response_url())
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    headers["x-slack-signature"] = sign(body, headers["x-slack-request-timestamp"], "wrong-secret")
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", body, headers)
    assert status == 401
    assert world.slack.state.calls_to("response_url") == []


def test_body_changed_after_signing_gets_401(world):
    wsgi = create_wsgi_app(world.svc, app=world.app)
    body = command_body("help", response_url=world.slack.response_url())
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", body.replace("help", "undo"), headers)
    assert status == 401


def test_stale_timestamp_gets_401_even_when_correctly_signed(world):
    wsgi = create_wsgi_app(world.svc, app=world.app)
    body = command_body("help", response_url=world.slack.response_url())
    stale = int(time.time()) - 60 * 5 - 10
    headers = signed_headers(
        body, timestamp=stale, content_type="application/x-www-form-urlencoded"
    )
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", body, headers)
    assert status == 401


def test_missing_signature_headers_get_401(world):
    wsgi = create_wsgi_app(world.svc, app=world.app)
    body = command_body("help", response_url=world.slack.response_url())
    status, _, _ = call_wsgi(
        wsgi, "POST", "/slack/events", body, {"content-type": "application/x-www-form-urlencoded"}
    )
    assert status == 401


def test_health_and_readiness_endpoints(world):
    wsgi = create_wsgi_app(world.svc, app=world.app)
    assert call_wsgi(wsgi, "GET", "/healthz")[0] == 200
    assert call_wsgi(wsgi, "GET", "/readyz")[0] == 200
    assert call_wsgi(wsgi, "GET", "/nowhere")[0] == 404


def test_readiness_fails_when_the_database_is_unreachable(world, tmp_path):
    # a database file inside a missing folder cannot be opened
    unreachable = SimpleNamespace(engine=create_engine(f"sqlite:///{tmp_path / 'no' / 'x.db'}"))
    svc = dataclasses.replace(world.svc, store=unreachable)
    wsgi = create_wsgi_app(svc, app=world.app)
    status, _, body = call_wsgi(wsgi, "GET", "/readyz")
    assert status == 503
    assert b"database" in body
    assert call_wsgi(wsgi, "GET", "/healthz")[0] == 200


def test_signing_secret_never_appears_in_logs_or_answers(world, caplog):
    caplog.set_level("DEBUG")
    wsgi = create_wsgi_app(world.svc, app=world.app)
    body = command_body("top 3 payments", response_url=world.slack.response_url())
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    assert call_wsgi(wsgi, "POST", "/slack/events", body, headers)[0] == 200
    world.slack.state.wait_for("response_url")
    forged = dict(headers, **{"x-slack-signature": "v0=deadbeef"})
    assert call_wsgi(wsgi, "POST", "/slack/events", body, forged)[0] == 401
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert SIGNING_SECRET not in logged
    assert "xoxb-test-token" not in logged
    for call in world.slack.state.calls:
        assert SIGNING_SECRET not in json.dumps(call.body)


def test_replaying_slacks_published_example_to_the_app_gets_401(world, vector):
    """The example is correctly signed but from 2018: the app must refuse it as a replay."""
    settings = world.svc.settings.model_copy(
        update={"slack_signing_secret": SecretStr(vector["signing_secret"])}
    )
    svc = dataclasses.replace(world.svc, settings=settings)
    wsgi = create_wsgi_app(svc, app=build_app(svc, client=world.client))
    headers = {name.lower(): value for name, value in vector["headers"].items()}
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", vector["raw_body"], headers)
    assert status == 401
    assert world.slack.state.calls_to("response_url") == []
