"""Contract with Slack's published material (../shared/vendor/slack).

Every Web API method the bot calls exists in Slack's OpenAPI spec with the parameters we send,
and the java-slack-sdk sample payloads (every field Slack may send) feed our payload parsers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.chat import blocks
from bot.slack import payloads
from bot.slack.app import WEB_API_METHODS
from bot.slack.commands import ParseError, parse_command
from bot.usecases import checkins
from tests.bot.slack.support import ADMIN, OUTSIDER, PO, SlackWorld, command_body, dispatch

#: Methods newer than the frozen 2020 spec, with where their contract is checked instead.
NEWER_THAN_SPEC = {
    "apps.connections.open": "Socket Mode; java-slack-sdk-samples/api/apps.connections.open.json",
    "files.getUploadURLExternal": "files_upload_v2; tests/bot/scheduling/test_slack_post.py",
    "files.completeUploadExternal": "files_upload_v2; tests/bot/scheduling/test_slack_post.py",
}


@pytest.fixture
def spec(vendor: Path) -> dict[str, Any]:
    return json.loads((vendor / "slack" / "slack_web_openapi_v2.json").read_text())


@pytest.fixture
def samples(vendor: Path) -> Path:
    return vendor / "slack" / "java-slack-sdk-samples"


def spec_params(spec: dict[str, Any], method: str) -> set[str]:
    operations = spec["paths"][f"/{method}"]
    return {param["name"] for op in operations.values() for param in op.get("parameters", [])}


def test_every_method_the_bot_may_call_is_in_the_spec_or_explained(spec):
    for method in WEB_API_METHODS:
        if method in NEWER_THAN_SPEC:
            continue
        assert f"/{method}" in spec["paths"], method


def test_every_call_of_a_busy_session_matches_the_spec(world: SlackWorld, spec):
    for text, user in [
        ("top 3", ADMIN),
        ("reorder payments", ADMIN),
        ("checkin payments", ADMIN),
        ("set PAY-2 business_value=3", PO),
        ("set PAY-2 business_value=3", OUTSIDER),
    ]:
        dispatch(
            world.app, command_body(text, user_id=user, response_url=world.slack.response_url())
        )
    world.slack.state.wait_for("response_url", 5, timeout=30)
    started = checkins.open_round(
        world.svc, world.team(), started_by=ADMIN, messenger=world.messenger
    )
    checkins.record_answer(
        world.svc,
        user="U0111",
        round_id=started.round_id,
        key=started.items[0],
        value=3,
        channel="D0111",
        ts="1.0",
        messenger=world.messenger,
    )
    world.client.views_open(
        trigger_id="t",
        view=checkins.comment_modal(
            world.svc,
            user="U0222",
            round_id=started.round_id,
            key=started.items[0],
            channel="D0222",
            ts="1.0",
        ),
    )
    checkins.close_round(world.svc, started.round_id, world.clock.now, messenger=world.messenger)
    from bot.slack.home import publish_home

    publish_home(world.svc, world.client, "U0111")
    called = {call.method for call in world.slack.state.calls if call.method != "response_url"}
    assert called <= set(WEB_API_METHODS), called - set(WEB_API_METHODS)
    assert {
        "chat.postMessage",
        "chat.update",
        "conversations.open",
        "views.open",
        "views.publish",
        "usergroups.users.list",
    } <= called
    for call in world.slack.state.calls:
        if call.method == "response_url":
            continue
        # team_id: slack_sdk adds it to every call of a Bolt request's client (Enterprise Grid
        # org-wide installs); it postdates the 2020 spec
        sent = set(call.body) - {"token", "team_id"}
        allowed = spec_params(spec, call.method)
        assert sent <= allowed, f"{call.method} sent {sorted(sent - allowed)} not in the spec"


def load(samples: Path, relative: str) -> dict[str, Any]:
    return json.loads((samples / relative).read_text())


def test_the_slash_command_sample_feeds_our_parser(samples):
    body = load(samples, "app-backend/slash-commands/SlashCommandPayload.json")
    request = payloads.slash_command(body)
    assert request.user_id == ""
    assert request.response_url is None
    try:
        parse_command(request.text)
    except ParseError:  # pragma: no cover - the sample's text is empty: help
        pytest.fail("empty text must be help")


def test_the_block_action_sample_feeds_our_parser(samples):
    body = load(samples, "app-backend/interactive-components/BlockActionPayload.json")
    action = payloads.block_action(body)
    assert action.value == {}  # a foreign value decodes to nothing, never raises
    assert isinstance(action.user_id, str)


def test_the_view_submission_sample_feeds_our_parser(samples):
    body = load(samples, "app-backend/views/ViewSubmissionPayload.json")
    submission = payloads.comment_submission(body)
    assert submission.round_id is None
    assert submission.rating is None
    assert blocks.BLOCK_RATING in payloads.comment_errors(submission)


def test_the_app_home_opened_sample_feeds_our_parser(samples):
    body = load(samples, "events/AppHomeOpenedPayload.json")
    opened = payloads.home_opened(body["event"])
    assert opened.tab == ""
    assert opened.user_id == ""


def test_sample_web_api_responses_of_the_methods_we_read_have_the_fields_we_read(samples):
    opened = load(samples, "api/conversations.open.json")
    assert "id" in opened["channel"]
    posted = load(samples, "api/chat.postMessage.json")
    assert "ts" in posted
    members = load(samples, "api/usergroups.users.list.json")
    assert isinstance(members["users"], list)
    connections = load(samples, "api/apps.connections.open.json")
    assert "url" in connections


def test_sample_payloads_dispatched_to_the_app_are_acknowledged(world: SlackWorld, samples):
    """Bolt accepts the samples once signed; an unknown action is simply not ours (404)."""
    body = load(samples, "app-backend/interactive-components/BlockActionPayload.json")
    from urllib.parse import urlencode

    response = dispatch(world.app, urlencode({"payload": json.dumps(body)}))
    assert response.status in (200, 404)
