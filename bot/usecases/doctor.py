"""``northstar doctor``: check everything a run needs and say what to fix, before anything runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import NorthstarConfig, load_config
from bot.errors import ConfigError
from bot.settings import Settings, SettingsError
from connectors.base import ChecksAccess, ConnectorError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _config_check(settings: Settings) -> tuple[Check, NorthstarConfig | None]:
    try:
        config = load_config(settings.config)
    except ConfigError as e:
        return Check("config", False, str(e), "fix northstar.toml as the message says"), None
    where = settings.config or "the built-in example (NORTHSTAR_CONFIG is not set)"
    teams = ", ".join(team.name for team in config.teams) or "none"
    return Check("config", True, f"{where}: teams {teams}, {len(config.rules)} rule(s)"), config


def _database_check(settings: Settings) -> Check:
    from bot.storage import Store

    try:
        store = Store.open(settings.database_url)
        store.close()
    except Exception as e:
        logger.debug("database check failed", exc_info=True)
        cause = getattr(e, "orig", None) or e
        said = (str(cause).strip().splitlines() or [""])[0]
        return Check(
            "database",
            False,
            f"cannot open the database: {type(cause).__name__}: {said}",
            "check NORTHSTAR_DATABASE_URL and that the server is reachable, then run "
            "`northstar db upgrade`",
        )
    return Check("database", True, "reachable and migrated")


def _slack_check(settings: Settings) -> Check:
    if settings.slack_bot_token is None and settings.slack_client_id is None:
        return Check(
            "slack",
            True,
            "not configured (Slack features are off)",
            "set NORTHSTAR_SLACK_BOT_TOKEN and NORTHSTAR_SLACK_SIGNING_SECRET to enable them",
        )
    if settings.slack_signing_secret is None:
        return Check(
            "slack",
            False,
            "a bot token is set but no signing secret",
            "set NORTHSTAR_SLACK_SIGNING_SECRET (Slack app > Basic Information)",
        )
    if settings.slack_bot_token is None:
        return Check("slack", True, "OAuth install: tokens come per workspace")
    return _slack_token_check(settings)


def _slack_token_check(settings: Settings) -> Check:
    """Ask Slack who the token is (``auth.test``) and compare its scopes with what we use."""
    from slack_sdk.errors import SlackApiError

    from bot.chat.client import BOT_SCOPES, build_web_client

    fix = "reinstall the app from deploy/slack-manifest.yaml (README, Create the Slack app)"
    try:
        response = build_web_client(settings).auth_test()
    except SlackApiError as e:
        error = e.response.get("error", "refused")
        return Check("slack", False, f"Slack refused the bot token: {error}", fix)
    except Exception as e:  # unreachable: DNS, proxy, TLS
        logger.debug("auth.test failed", exc_info=True)
        return Check(
            "slack",
            False,
            f"cannot reach Slack: {type(e).__name__}",
            "check the network and NORTHSTAR_SLACK_API_URL",
        )
    headers = {name.lower(): value for name, value in response.headers.items()}
    granted = {scope.strip() for scope in str(headers.get("x-oauth-scopes", "")).split(",")}
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    who = f"token of {response.get('user', '?')} in {response.get('team', '?')}"
    if missing:
        return Check("slack", False, f"{who} lacks scope(s) {', '.join(missing)}", fix)
    return Check("slack", True, f"{who}, with every scope Northstar uses")


def diagnose(load_settings: Callable[[], Settings]) -> list[Check]:
    """Every check, starting with the settings themselves.

    A bad setting is reported as a failed check (the rest need valid settings), where any
    other command stops with its one line.
    """
    try:
        settings = load_settings()
    except SettingsError as e:
        fix = "correct or unset that variable (README, Settings), then run `northstar doctor`"
        return [Check("settings", False, str(e), fix)]
    return [Check("settings", True, "every NORTHSTAR_* value is valid"), *run_checks(settings)]


def run_checks(settings: Settings) -> list[Check]:
    """Config, database, Slack settings and, for every Jira team, access and field mapping."""
    from bot.wiring import build_connector

    config_check, config = _config_check(settings)
    checks = [config_check, _database_check(settings), _slack_check(settings)]
    if config is None:
        return checks
    for team in config.teams:
        if team.source != "jira":
            checks.append(Check(f"{team.name}: source", True, f"reads {team.source}"))
            continue
        try:
            connector = build_connector(settings, config, team)
            access = connector.check_access() if isinstance(connector, ChecksAccess) else []
        except ConnectorError as e:
            fix = "set what the message names (README, Settings), then run `northstar doctor`"
            checks.append(Check(f"{team.name}: jira", False, str(e), fix))
            continue
        checks.extend(
            Check(f"{team.name}: {item.name}", item.ok, item.detail, item.fix) for item in access
        )
    return checks
