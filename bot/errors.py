"""Errors the bot raises for users: each message says what was wrong and what to do."""

from __future__ import annotations


class UserError(Exception):
    """A problem with what the user asked; its message is shown as is."""


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


class NotAllowedError(UserError):
    def __init__(self, action: str, allowed: list[str]):
        who = ", ".join(allowed) if allowed else "nobody (no role is configured)"
        super().__init__(f"you are not allowed to {action}; allowed: {who}")


class NothingToUndoError(UserError):
    def __init__(self, team: str):
        super().__init__(f"team {team!r} has no applied reorder to undo")
