from __future__ import annotations

import logging
import os
import re
from unittest import mock

import pytest

from bot.settings import Settings, SettingsError, unknown_variables


def test_settings_read_the_northstar_prefix():
    env = {"NORTHSTAR_DATABASE_URL": "sqlite:///x.db", "NORTHSTAR_JIRA_EMAIL": "po@example.com"}
    with mock.patch.dict(os.environ, env):
        settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///x.db"
    assert settings.jira_email == "po@example.com"


def test_secrets_never_show_in_repr_or_str():
    witness = "witness-7f3a9c"
    settings = Settings(
        _env_file=None,
        jira_api_token=witness,
        jira_pat=witness,
        slack_bot_token=witness,
        slack_signing_secret=witness,
        slack_app_token=witness,
        slack_client_secret=witness,
    )
    assert witness not in repr(settings)
    assert witness not in str(settings)
    assert witness not in settings.model_dump_json()


def test_defaults_need_no_environment():
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///northstar.db"
    assert settings.slack_api_url == "https://slack.com/api/"


# --- empty secrets are unset (issue 12: deployment templates broke sign-in) -----------------


def test_an_empty_pat_beside_cloud_credentials_selects_basic_auth_not_bearer():
    from bot.config import parse_config
    from bot.jira_wiring import jira_config
    from connectors.jira.config import CloudAuth

    env = {
        "NORTHSTAR_JIRA_URL": "https://acme.atlassian.net",
        "NORTHSTAR_JIRA_EMAIL": "bot@acme.example",
        "NORTHSTAR_JIRA_API_TOKEN": "cloud-token",
        "NORTHSTAR_JIRA_PAT": "",
    }
    with mock.patch.dict(os.environ, env):
        settings = Settings(_env_file=None)
    config = parse_config('[[teams]]\nname = "payments"\nboard = 42\n')
    auth = jira_config(settings, config, config.teams[0]).auth
    assert isinstance(auth, CloudAuth)
    assert auth.api_token.get_secret_value() == "cloud-token"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NORTHSTAR_JIRA_PAT", ""),
        ("NORTHSTAR_JIRA_PAT", "   "),
        ("NORTHSTAR_JIRA_API_TOKEN", ""),
        ("NORTHSTAR_SLACK_BOT_TOKEN", "xoxb-"),
        ("NORTHSTAR_SLACK_BOT_TOKEN", ""),
        ("NORTHSTAR_SLACK_SIGNING_SECRET", ""),
        ("NORTHSTAR_SLACK_APP_TOKEN", "xapp-"),
        ("NORTHSTAR_SLACK_CLIENT_SECRET", ""),
        ("NORTHSTAR_SLACK_CLIENT_ID", ""),
        ("NORTHSTAR_JIRA_EMAIL", ""),
        ("NORTHSTAR_JIRA_URL", ""),
    ],
)
def test_an_empty_or_placeholder_value_counts_as_unset(variable: str, value: str):
    with mock.patch.dict(os.environ, {variable: value}):
        settings = Settings(_env_file=None)
    field = variable.removeprefix("NORTHSTAR_").lower()
    assert getattr(settings, field) is None


def test_a_real_token_with_the_prefix_is_kept():
    with mock.patch.dict(os.environ, {"NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-123-abc"}):
        settings = Settings(_env_file=None)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-123-abc"


def test_doctor_does_not_call_an_empty_slack_set_up_ok_with_a_signing_secret_missing():
    from bot.usecases.doctor import _slack_check

    env = {"NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-", "NORTHSTAR_SLACK_SIGNING_SECRET": ""}
    with mock.patch.dict(os.environ, env):
        check = _slack_check(Settings(_env_file=None))
    assert check.detail.startswith("not configured")


# --- bad values: one line naming the variable -----------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("NORTHSTAR_JIRA_URL", "notaurl", r"NORTHSTAR_JIRA_URL='notaurl': .*URL.*atlassian"),
        ("NORTHSTAR_JIRA_TIMEOUT_SECONDS", "abc", r"_TIMEOUT_SECONDS='abc': .*number.*Seconds"),
        ("NORTHSTAR_LOG_LEVEL", "LOUD", r"NORTHSTAR_LOG_LEVEL='LOUD': .*'DEBUG'"),
        ("NORTHSTAR_LOG_FORMAT", "xml", r"NORTHSTAR_LOG_FORMAT='xml': .*'text' or 'json'"),
    ],
)
def test_a_bad_value_is_a_one_line_settings_error_naming_the_variable(
    variable: str, value: str, expected: str
):
    with mock.patch.dict(os.environ, {variable: value}), pytest.raises(SettingsError) as caught:
        Settings(_env_file=None)
    message = str(caught.value)
    assert "\n" not in message
    assert re.search(expected, message), message


def test_a_malformed_secret_is_named_but_never_echoed():
    witness = "witness-9d2"
    with mock.patch.dict(os.environ, {"NORTHSTAR_SLACK_BOT_TOKEN": witness}):
        settings = Settings(_env_file=None)
    assert settings.slack_bot_token is not None
    with pytest.raises(SettingsError) as caught:
        Settings(_env_file=None, slack_bot_token=123)
    assert "NORTHSTAR_SLACK_BOT_TOKEN" in str(caught.value)
    assert "123" not in str(caught.value)


def test_log_level_and_format_accept_any_case():
    env = {"NORTHSTAR_LOG_LEVEL": "debug", "NORTHSTAR_LOG_FORMAT": "JSON"}
    with mock.patch.dict(os.environ, env):
        settings = Settings(_env_file=None)
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


# --- unknown variables ----------------------------------------------------------------------


def test_an_unknown_northstar_variable_is_warned_about_with_the_closest_name(
    caplog: pytest.LogCaptureFixture,
):
    env = {"NORTHSTAR_JIRA_TOKEN": "x", "NORTHSTAR_SLACK_BOT_TOKNE": "y", "OTHER_THING": "z"}
    with mock.patch.dict(os.environ, env), caplog.at_level(logging.WARNING, "bot.settings"):
        Settings(_env_file=None)
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        "NORTHSTAR_SLACK_BOT_TOKNE is not a Northstar setting" in m
        and "did you mean NORTHSTAR_SLACK_BOT_TOKEN?" in m
        for m in messages
    ), messages
    assert any("NORTHSTAR_JIRA_TOKEN" in m and "mean NORTHSTAR_JIRA_" in m for m in messages)
    assert not any("OTHER_THING" in m for m in messages)


def test_known_variables_and_the_test_database_url_raise_no_warning():
    env = {"NORTHSTAR_JIRA_URL": "https://a.example", "NORTHSTAR_TEST_DATABASE_URL": "sqlite://"}
    assert unknown_variables(env) == []


def test_the_slack_app_refuses_to_start_with_an_empty_signing_secret():
    from types import SimpleNamespace

    from bot.errors import ConfigError
    from bot.slack.app import build_app

    env = {"NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-1-real", "NORTHSTAR_SLACK_SIGNING_SECRET": ""}
    with mock.patch.dict(os.environ, env):
        services = SimpleNamespace(settings=Settings(_env_file=None))
    with pytest.raises(ConfigError, match="NORTHSTAR_SLACK_SIGNING_SECRET is not set"):
        build_app(services)  # type: ignore[arg-type]  # only the settings are read before it


@pytest.mark.parametrize(
    "variable", ["NORTHSTAR_JIRA_URL=notaurl", "NORTHSTAR_JIRA_TIMEOUT_SECONDS=abc"]
)
@pytest.mark.parametrize("command", [["rank", "--limit", "1"], ["sync"], ["digest"]])
def test_every_command_reports_a_bad_setting_in_one_line(
    variable: str, command: list[str], capsys: pytest.CaptureFixture[str]
):
    """Through the CLI's own boundary (it builds Settings itself): one line, exit 1."""
    from bot.cli import main

    name, _, value = variable.partition("=")
    with mock.patch.dict(os.environ, {name: value}), pytest.raises(SystemExit) as exited:
        main(command)
    captured = capsys.readouterr()
    assert exited.value.code == 1
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"error: bad setting: {name}={value!r}: ")
    assert captured.out == ""


@pytest.mark.parametrize(
    "variable", ["NORTHSTAR_JIRA_URL=notaurl", "NORTHSTAR_JIRA_TIMEOUT_SECONDS=abc"]
)
def test_doctor_reports_a_bad_setting_as_a_failed_check(
    variable: str, capsys: pytest.CaptureFixture[str]
):
    """doctor is where an admin looks first, so it must not stop at the setting it checks."""
    from bot.cli import main

    name, _, value = variable.partition("=")
    with mock.patch.dict(os.environ, {name: value}), pytest.raises(SystemExit) as exited:
        main(["doctor"])
    captured = capsys.readouterr()
    assert exited.value.code == 1
    assert captured.err == ""
    assert f"FAIL settings: bad setting: {name}={value!r}" in captured.out
    assert "fix: correct or unset that variable" in captured.out


def test_an_unknown_variable_is_warned_about_once_per_process(caplog: pytest.LogCaptureFixture):
    with (
        mock.patch.dict(os.environ, {"NORTHSTAR_SLACK_SIGNING_SECRT": "x"}),
        caplog.at_level(logging.WARNING, "bot.settings"),
    ):
        Settings(_env_file=None)
        Settings(_env_file=None)
    assert [record.getMessage() for record in caplog.records] == [
        "NORTHSTAR_SLACK_SIGNING_SECRT is not a Northstar setting and is ignored; "
        "did you mean NORTHSTAR_SLACK_SIGNING_SECRET?"
    ]
