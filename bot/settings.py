"""Process settings from the environment (prefix ``NORTHSTAR_``) and an optional ``.env``.

Secrets are :class:`~pydantic.SecretStr`: their ``repr`` is masked, and they are unwrapped only
at the call that needs them (see :mod:`bot.wiring`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AnyHttpUrl, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything that differs between deployments; the team set-up lives in ``northstar.toml``."""

    model_config = SettingsConfigDict(
        env_prefix="NORTHSTAR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
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
        default=None, description="Jira Data Center: personal access token (bearer auth)."
    )
    jira_timeout_seconds: float = Field(default=30, gt=0, description="Per-request timeout.")
    jira_retry_budget_seconds: float = Field(
        default=120, gt=0, description="Give up retrying 429/503/dropped connections after this."
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
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_format: str = Field(default="text", description="text on a terminal, json in production.")
