"""Building a team's Jira connector from settings and ``northstar.toml``, with metrics attached.

The connector never imports the bot: this module unwraps the settings into a
:class:`~connectors.jira.config.JiraConfig` and hands the connector a callback that counts its
requests (and rank calls) in Prometheus.
"""

from __future__ import annotations

from bot.config import NorthstarConfig, Team
from bot.metrics import JIRA_CALLS, RANK_CALLS
from bot.settings import Settings
from connectors.base import Connector, ConnectorConfigError
from connectors.jira.config import CloudAuth, JiraConfig, TokenAuth
from connectors.jira.connector import RANK, JiraConnector
from connectors.jira.http import RequestHook


def jira_config(settings: Settings, config: NorthstarConfig, team: Team) -> JiraConfig:
    """The connector's config; a PAT (Data Center) wins over email + API token (Cloud)."""
    if settings.jira_url is None:
        raise ConnectorConfigError("NORTHSTAR_JIRA_URL is not set; set it to Jira's base URL")
    auth: CloudAuth | TokenAuth
    if settings.jira_pat is not None:
        auth = TokenAuth(pat=settings.jira_pat)
    elif settings.jira_email and settings.jira_api_token is not None:
        auth = CloudAuth(email=settings.jira_email, api_token=settings.jira_api_token)
    else:
        raise ConnectorConfigError(
            "no Jira credentials: set NORTHSTAR_JIRA_EMAIL and NORTHSTAR_JIRA_API_TOKEN (Cloud) "
            "or NORTHSTAR_JIRA_PAT (Data Center)"
        )
    fields = config.jira.fields
    mapping = fields.mapping()
    score_field = mapping.pop("score")
    return JiraConfig(
        base_url=str(settings.jira_url),
        auth=auth,
        team=team.name,
        board=team.board,
        jql=None if team.board is not None else team.jql,
        extra_jql=config.jira.extra_jql,
        fields=mapping,
        score_field=score_field,
        writable=frozenset(fields.writable),
        timeout_seconds=settings.jira_timeout_seconds,
        retry_budget_seconds=settings.jira_retry_budget_seconds,
    )


def metrics_hook(team: str) -> RequestHook:
    """Count every Jira request by endpoint and status, and applied rank calls by team."""

    def on_request(endpoint: str, status: int) -> None:
        JIRA_CALLS.labels(endpoint=endpoint, status=str(status)).inc()
        if endpoint == RANK and 200 <= status < 300:
            RANK_CALLS.labels(team=team).inc()

    return on_request


def build_jira_connector(settings: Settings, config: NorthstarConfig, team: Team) -> Connector:
    """The team's :class:`~connectors.jira.connector.JiraConnector`, reporting to metrics."""
    return JiraConnector(jira_config(settings, config, team), on_request=metrics_hook(team.name))
