"""Process settings from the environment (prefix ``NORTHSTAR_``) and an optional ``.env``.

Secrets are :class:`~pydantic.SecretStr`: their ``repr`` is masked, and they are unwrapped only
at the call that needs them (see :mod:`bot.wiring`).

Deployment templates leave unused settings empty (``NORTHSTAR_JIRA_PAT=``, the bare token
prefix ``xoxb-``), so an empty or placeholder value means "not set" here, once, and no caller
has to tell "" from None. Building :class:`Settings` turns every bad value into a
:class:`SettingsError` (a :class:`~bot.errors.ConfigError`) whose message is one line naming the
variable, so every edge reports it as it reports a bad config, and warns, once, about
``NORTHSTAR_*`` variables that no setting reads (usually a typo).
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

logger = logging.getLogger(__name__)

PREFIX = "NORTHSTAR_"
#: Variables with the prefix that are read by something other than :class:`Settings`.
OTHER_VARIABLES = frozenset({"NORTHSTAR_TEST_DATABASE_URL"})
#: Values that templates put in place of a secret and that can never be a working one.
_PLACEHOLDERS = frozenset({"", "xoxb-", "xoxp-", "xapp-"})
_SECRETS = (
    "jira_api_token",
    "jira_pat",
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "slack_client_secret",
)
_OPTIONAL_TEXT = ("config", "jira_url", "jira_email", "slack_client_id")
#: Values an error message must not repeat (a database URL may carry a password).
_NOT_ECHOED = frozenset({*_SECRETS, "database_url"})


class SettingsError(ConfigError):
    """A setting has a value Northstar cannot use; the message is one line fit for a user.

    A :class:`~bot.errors.ConfigError`, so every edge that reports a bad config reports a bad
    setting the same way: one line, no traceback.
    """


class Settings(BaseSettings):
    """Everything that differs between deployments; the team set-up lives in ``northstar.toml``."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    config: Path | None = Field(
        default=None, description="Path of northstar.toml (teams, scoring, rules, schedules)."
    )
    database_url: str = Field(
        default="sqlite:///northstar.db",
        description="SQLAlchemy URL; postgresql+psycopg://user:pass@host/db for several replicas.",
    )
    jira_url: AnyHttpUrl | None = Field(
        default=None, description="Base URL of Jira, e.g. https://acme.atlassian.net."
    )
    jira_email: str | None = Field(
        default=None, description="Jira Cloud: the account email that owns the API token."
    )
    jira_api_token: SecretStr | None = Field(
        default=None, description="Jira Cloud: API token (basic auth with jira_email)."
    )
    jira_pat: SecretStr | None = Field(
        default=None,
        description="Jira Data Center: personal access token (bearer auth); leave empty on Cloud.",
    )
    jira_timeout_seconds: float = Field(
        default=30, gt=0, description="Seconds one Jira request may take, e.g. 30."
    )
    jira_retry_budget_seconds: float = Field(
        default=120,
        gt=0,
        description="Seconds after which retrying 429/503/dropped connections stops.",
    )
    jira_write_concurrency: int = Field(
        default=4, ge=1, le=16, description="Score writes to Jira in flight at once."
    )
    slack_bot_token: SecretStr | None = Field(
        default=None, description="Bot token (xoxb-...) for a single-workspace install."
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret; Bolt checks every request with it."
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-...) for Socket Mode."
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL."
    )
    slack_client_id: str | None = Field(
        default=None, description="OAuth client id, for installing into several workspaces."
    )
    slack_client_secret: SecretStr | None = Field(
        default=None, description="OAuth client secret, for installing into several workspaces."
    )
    scheduler_misfire_grace_seconds: int = Field(
        default=3600,
        gt=0,
        description="A job missed while the scheduler was down still runs (once) within this.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="DEBUG, INFO, WARNING or ERROR."
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="text on a terminal, json in production."
    )

    def __init__(self, **values: Any) -> None:
        """Read and validate; a bad value is a :class:`SettingsError` naming the variable.

        Unknown ``NORTHSTAR_*`` variables are warnings, not errors: an old deployment with a
        retired variable keeps working, and a typo is still pointed out.
        """
        try:
            super().__init__(**values)
        except ValidationError as e:
            problems = "; ".join(_problem(error) for error in e.errors())
            raise SettingsError(f"bad setting: {problems}") from None
        for warning in unknown_variables(os.environ):
            _warn_once(warning)

    @property
    def slack_enabled(self) -> bool:
        """Whether Northstar can post on its own (digests, reminders, check-ins): a bot token."""
        return self.slack_bot_token is not None

    @field_validator(*_SECRETS, mode="before")
    @classmethod
    def _placeholder_is_unset(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str) and raw.strip() in _PLACEHOLDERS:
            return None
        return value

    @field_validator(*_OPTIONAL_TEXT, mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_in_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return f"{PREFIX}{field}".upper()


def _problem(error: Mapping[str, Any]) -> str:
    field = str(error["loc"][0]) if error["loc"] else ""
    if field not in Settings.model_fields:
        return f"{field}: {error['msg']}"
    expected = Settings.model_fields[field].description or ""
    # never echo a secret, not even a malformed one
    given = "" if field in _NOT_ECHOED else f"={error['input']!r}"
    return f"{env_name(field)}{given}: {error['msg']} (expected: {expected.rstrip('.')})"


@functools.cache
def _warn_once(warning: str) -> None:
    # once per process: a command builds its settings more than once
    logger.warning("%s", warning)


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A warning for each ``NORTHSTAR_*`` variable no setting reads, naming the closest one."""
    known = [env_name(field) for field in Settings.model_fields]
    warnings = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known or upper in OTHER_VARIABLES:
            continue
        close = difflib.get_close_matches(upper, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else " (see README, Configuration)"
        warnings.append(f"{name} is not a Northstar setting and is ignored{hint}")
    return warnings
