"""Building a team's Jira connector from settings and ``northstar.toml``, with metrics attached.

The connector never imports the bot: this module unwraps the settings into a
:class:`~connectors.jira.config.JiraConfig` and hands the connector a callback that counts its
requests (and rank calls) in Prometheus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from bot.config import NorthstarConfig, Team
from bot.metrics import JIRA_CALLS, RANK_CALLS
from bot.progress import report_fetched
from bot.settings import Settings
from connectors.base import Connector, ConnectorConfigError
from connectors.jira.config import CloudAuth, JiraConfig, TokenAuth
from connectors.jira.connector import RANK, Discovery, JiraConnector
from connectors.jira.http import RequestHook

logger = logging.getLogger(__name__)


class DiscoveryCache(Protocol):
    """The part of the store that keeps a connector's discovery between processes."""

    def connector_state(self, team: str) -> dict[str, Any] | None: ...

    def save_connector_state(self, team: str, data: dict[str, Any], at: datetime) -> None: ...


def jira_config(settings: Settings, config: NorthstarConfig, team: Team) -> JiraConfig:
    """The connector's config; a PAT (Data Center) wins over email + API token (Cloud)."""
    if settings.jira_url is None:
        raise ConnectorConfigError(
            f"team {team.name!r} reads Jira but NORTHSTAR_JIRA_URL is not set; set it, with "
            "NORTHSTAR_JIRA_EMAIL and NORTHSTAR_JIRA_API_TOKEN (Cloud) or NORTHSTAR_JIRA_PAT "
            "(Data Center)"
        )
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
        write_concurrency=settings.jira_write_concurrency,
    )


def metrics_hook(team: str) -> RequestHook:
    """Count every Jira request by endpoint and status, and applied rank calls by team."""

    def on_request(endpoint: str, status: int) -> None:
        JIRA_CALLS.labels(endpoint=endpoint, status=str(status)).inc()
        if endpoint == RANK and 200 <= status < 300:
            RANK_CALLS.labels(team=team).inc()

    return on_request


def _saved_discovery(cache: DiscoveryCache, team: str, base_url: str) -> Discovery | None:
    saved = cache.connector_state(team)
    if not saved or saved.get("base_url") != base_url:
        return None
    try:
        return Discovery.model_validate(saved.get("discovery"))
    except ValidationError:
        logger.info("the saved Jira discovery of %s is unreadable; asking Jira again", team)
        return None


def build_jira_connector(
    settings: Settings,
    config: NorthstarConfig,
    team: Team,
    *,
    cache: DiscoveryCache | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Connector:
    """The team's :class:`~connectors.jira.connector.JiraConnector`, reporting to metrics.

    With a ``cache`` (the store), the deployment type and field list learnt by an earlier
    process are handed in, so an unchanged incremental sync costs two requests, not four; the
    connector asks again in ``doctor`` and when the saved fields no longer resolve the mapping.
    """
    jira = jira_config(settings, config, team)
    saved: Discovery | None = None
    on_discovery: Callable[[Discovery], None] | None = None
    if cache is not None and clock is not None:
        store, now = cache, clock
        saved = _saved_discovery(store, team.name, jira.base_url)

        def on_discovery(discovery: Discovery) -> None:
            data = {"base_url": jira.base_url, "discovery": discovery.model_dump(mode="json")}
            store.save_connector_state(team.name, data, now())

    return JiraConnector(
        jira,
        discovery=saved,
        on_discovery=on_discovery,
        on_progress=report_fetched,
        on_request=metrics_hook(team.name),
    )
