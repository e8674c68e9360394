"""Links into the team's tool, so a message about an item or the backlog can point at it."""

from __future__ import annotations

from urllib.parse import quote

from bot.config import Team
from bot.settings import Settings


def issue_url(settings: Settings, team: Team, key: str) -> str | None:
    """The item's page in Jira (``<jira>/browse/KEY``), when the team's backlog is in Jira."""
    base = settings.jira_url
    if team.source != "jira" or base is None:
        return None
    return f"{str(base).rstrip('/')}/browse/{key}"


def backlog_url(settings: Settings, team: Team) -> str | None:
    """The team's ordered backlog in Jira (its board's backlog, or its JQL), else None."""
    if team.source != "jira" or settings.jira_url is None:
        return None
    base = str(settings.jira_url).rstrip("/")
    if team.board is not None:
        return f"{base}/secure/RapidBoard.jspa?rapidView={team.board}&view=planning"
    if team.jql:
        return f"{base}/issues/?jql={quote(team.jql)}"
    return None
