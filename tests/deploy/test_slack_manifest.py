"""The Slack app manifest asks for exactly what the code registers and calls.

The Web API methods are found in the source (every call of a ``WebClient`` method), so a new
call without its scope in the manifest fails here rather than in a customer's workspace.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from slack_sdk import WebClient

from bot.slack.app import BOT_EVENTS, BOT_SCOPES, COMMAND, WEB_API_METHODS
from bot.slack.commands import SUBCOMMANDS

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "deploy" / "slack-manifest.yaml"

#: Bot scope each Web API method needs (Slack's method reference); None: no scope.
SCOPES: dict[str, str | None] = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "usergroups.users.list": "usergroups:read",
    "views.publish": None,
    "views.open": None,
    "views.update": None,
    "auth.test": None,
}
#: files_upload_v2 is a helper over two methods
HELPERS = {"files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal")}
#: Scopes no single method call shows, and why the app needs them.
EXTRA_SCOPES = {
    "commands": "the /value slash command",
    "chat:write.public": "digests and reminders in channels the bot was not invited to",
}


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def source() -> str:
    return "\n".join(path.read_text() for path in sorted((REPO / "bot").rglob("*.py")))


def called_methods() -> set[str]:
    methods: set[str] = set()
    for name in set(re.findall(r"\.([a-z]+_[A-Za-z0-9_]+)\(", source())):
        if name in HELPERS:
            methods.update(HELPERS[name])
        elif callable(getattr(WebClient, name, None)) and not name.startswith("api_"):
            methods.add(name.replace("_", "."))
    return methods


def test_the_source_calls_the_web_api_methods_this_test_knows():
    methods = called_methods()
    assert {"chat.postMessage", "conversations.open", "views.publish"} <= methods
    unknown = methods - SCOPES.keys()
    assert not unknown, f"add the scope of {sorted(unknown)} to SCOPES and to the manifest"


def test_every_method_the_source_calls_is_declared_for_the_spec_contract_test():
    undeclared = called_methods() - set(WEB_API_METHODS)
    assert not undeclared, f"add {sorted(undeclared)} to bot.slack.app.WEB_API_METHODS"


def test_the_manifest_asks_for_the_scopes_an_oauth_install_asks_for():
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


def test_the_manifest_grants_every_scope_the_code_needs_and_no_other():
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    needed = {SCOPES[method] for method in called_methods()} - {None}
    assert needed <= granted, f"the manifest lacks {sorted(needed - granted)}"
    unused = granted - needed - EXTRA_SCOPES.keys()
    assert not unused, f"the manifest asks for {sorted(unused)}, which nothing uses"


def test_the_manifest_declares_the_slash_command_the_app_registers():
    commands = [entry["command"] for entry in manifest()["features"]["slash_commands"]]
    assert commands == [COMMAND]


def test_the_usage_hint_lists_every_sub_command():
    (entry,) = manifest()["features"]["slash_commands"]
    hinted = [part.split()[0] for part in entry["usage_hint"].split(" | ")]
    assert hinted == list(SUBCOMMANDS)


def test_the_manifest_subscribes_to_the_events_the_app_listens_to():
    registered = set(re.findall(r'app\.event\("([a-z_]+)"\)', source()))
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert registered == subscribed == set(BOT_EVENTS)


def test_interactivity_and_the_home_tab_are_on_because_buttons_modals_and_home_are_used():
    data = manifest()
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert re.search(r"app\.action\(", source())
    assert re.search(r"app\.view\(", source())
