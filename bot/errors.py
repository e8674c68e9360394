"""The one classification of errors every edge (CLI, Slack, scheduler) reports from.

* :class:`ReportableError` and the other :data:`REPORTABLE` types carry a message written for a
  person: an edge shows it as is, as one line, with no traceback.
* :class:`UserError` (a kind of reportable error) says what the person asked was wrong.
* :class:`DeliveryError` (also reportable) says Slack or Jira was unreachable or refused: not the
  person's fault, so the scheduler retries it and Slack answers with an error id.

Anything else is a bug: edges log it with an error id and show only the id.
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Sequence

from connectors.errors import ConnectorError
from rules.errors import RulesError


class ConfigError(ValueError):
    """``northstar.toml`` cannot be used; the message says where and why."""


class ReportableError(Exception):
    """An error whose message says what was wrong and what to do; shown as is."""


class UserError(ReportableError):
    """A problem with what the user asked; its message is shown as is."""


class DeliveryError(ReportableError):
    """Slack (or Jira) could not take a message: unreachable, or it refused with an error code.

    ``code`` is Slack's error code (``channel_not_found``...) or the exception's type name,
    never the request or its token.
    """

    def __init__(self, message: str, code: str = "", *, reachable: bool = True):
        super().__init__(message)
        self.code = code
        self.reachable = reachable


#: What an edge shows as one line: our own reportable errors and those of the layers below.
REPORTABLE: tuple[type[Exception], ...] = (ReportableError, RulesError, ConnectorError, ConfigError)


class UnknownIssueError(UserError, KeyError):
    def __init__(self, key: str, teams: list[str]):
        self.key = key
        where = ", ".join(teams) if teams else "no configured team"
        super().__init__(
            f"{key} is not in the backlog of {where}; check the key, or run `northstar sync` "
            "if it was created a moment ago"
        )

    def __str__(self) -> str:
        # KeyError would quote the message; users should read it plainly
        return str(self.args[0])


class NotWritableError(UserError):
    def __init__(self, names: list[str]):
        listed = ", ".join(names)
        super().__init__(
            f"Northstar may not write {listed}: add it to `writable` under [jira.fields] in "
            "northstar.toml if it should"
        )


class NothingToUndoError(UserError):
    def __init__(self, team: str):
        super().__init__(f"team {team!r} has no applied reorder to undo")


def suggest(word: str, choices: Sequence[str], *, cutoff: float = 0.6) -> str | None:
    """The closest of ``choices`` to a mistyped ``word``, for a "did you mean" hint; or None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def new_error_id() -> str:
    """A short id that a person can quote and an admin can grep for in the logs."""
    return uuid.uuid4().hex[:8]
