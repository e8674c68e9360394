"""``northstar doctor``: check everything a run needs and say what to fix, before anything runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import NorthstarConfig, load_config
from bot.errors import ConfigError
from bot.settings import Settings
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
        return Check(
            "database",
            False,
            f"cannot open the database: {type(e).__name__}",
            "check NORTHSTAR_DATABASE_URL and that the server is reachable",
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
    return Check("slack", True, "token and signing secret are set")


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
            checks.append(Check(f"{team.name}: jira", False, str(e), "see the message"))
            continue
        checks.extend(
            Check(f"{team.name}: {item.name}", item.ok, item.detail, item.fix) for item in access
        )
    return checks
