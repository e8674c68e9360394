"""Errors of the pure core. Each names what was wrong and where, so the edge can show it as is."""

from __future__ import annotations


class RulesError(ValueError):
    """Base of every error raised by ``rules``: bad config, bad rule, bad plan input."""


class RuleSyntaxError(RulesError):
    """A rule or formula that cannot be accepted, with the rule's name, its line and the reason."""

    def __init__(self, name: str, reason: str, line: int | None = None, column: int | None = None):
        self.name = name
        self.reason = reason
        self.line = line
        self.column = column
        # the line is where the rule starts in the file; the column is within its expression
        where = f" (defined at line {line})" if line is not None else ""
        at = f" (column {column} of the expression)" if column is not None else ""
        super().__init__(f"rule {name!r}{where}: {reason}{at}")


class RuleEvaluationError(RulesError):
    """A rule that loaded but failed on one item (e.g. a comparison of None with a number)."""

    def __init__(self, name: str, key: str, reason: str):
        self.name = name
        self.key = key
        self.reason = reason
        super().__init__(f"rule {name!r} failed on {key}: {reason}")


class PlanInputError(RulesError):
    """Current and target orders that cannot be planned: different keys, duplicates, blanks."""
