"""Roles: user ids match directly, user groups are asked of Slack and cached briefly."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.slack.roles import GroupCache, is_allowed
from tests.fakes.slack_api import FakeSlackServer


class _Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client_for(slack: FakeSlackServer, token: str = "xoxb-roles") -> WebClient:  # noqa: S107
    return WebClient(token=token, base_url=slack.url)


def test_a_listed_user_is_allowed_without_asking_slack(slack_api):
    assert is_allowed("U1", ["U1", "S9"], client_for(slack_api), cache=GroupCache())
    assert slack_api.state.calls == []


def test_a_member_of_a_listed_user_group_is_allowed(slack_api):
    slack_api.state.usergroups["S9"] = ["U2", "U3"]
    assert is_allowed("U3", ["U1", "S9"], client_for(slack_api), cache=GroupCache())
    [call] = slack_api.state.calls_to("usergroups.users.list")
    assert call.body["usergroup"] == "S9"
    assert call.token == "xoxb-roles"


def test_someone_in_no_role_is_refused(slack_api):
    slack_api.state.usergroups["S9"] = ["U2"]
    assert not is_allowed("U7", ["U1", "S9"], client_for(slack_api), cache=GroupCache())


def test_an_empty_role_allows_nobody(slack_api):
    assert not is_allowed("U1", [], client_for(slack_api), cache=GroupCache())
    assert not is_allowed("", ["U1"], client_for(slack_api), cache=GroupCache())


def test_group_members_are_cached_briefly_then_asked_again(slack_api):
    slack_api.state.usergroups["S9"] = ["U2"]
    ticks = _Ticks()
    cache = GroupCache(ttl=60, clock=ticks)
    client = client_for(slack_api)
    assert is_allowed("U2", ["S9"], client, cache=cache)
    assert is_allowed("U2", ["S9"], client, cache=cache)
    assert len(slack_api.state.calls_to("usergroups.users.list")) == 1
    slack_api.state.usergroups["S9"] = []  # U2 left the group
    ticks.now = 61
    assert not is_allowed("U2", ["S9"], client, cache=cache)
    assert len(slack_api.state.calls_to("usergroups.users.list")) == 2


def test_the_cache_is_per_workspace_token(slack_api):
    slack_api.state.usergroups["S9"] = ["U2"]
    cache = GroupCache()
    assert is_allowed("U2", ["S9"], client_for(slack_api, "xoxb-a"), cache=cache)
    assert is_allowed("U2", ["S9"], client_for(slack_api, "xoxb-b"), cache=cache)
    assert len(slack_api.state.calls_to("usergroups.users.list")) == 2


def test_a_failed_group_lookup_denies_and_logs_without_the_token(slack_api, caplog):
    caplog.set_level(logging.WARNING)
    slack_api.state.fail("usergroups.users.list", "missing_scope")
    assert not is_allowed("U2", ["S9"], client_for(slack_api), cache=GroupCache())
    assert "missing_scope" in caplog.text
    assert "xoxb-roles" not in caplog.text


def test_a_rate_limited_lookup_is_denied_not_raised(slack_api):
    slack_api.state.rate_limit("usergroups.users.list", retry_after=0)
    assert not is_allowed("U2", ["S9"], client_for(slack_api), cache=GroupCache())
