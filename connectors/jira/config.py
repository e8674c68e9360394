"""What the Jira connector needs to know, built by the bot from settings and ``northstar.toml``.

The connector never reads ``bot.settings``: the bot turns its settings into this small frozen
model, so the connector can be tested (and reused) without the application around it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.base import WRITABLE_INPUTS, check_writable


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CloudAuth(_Frozen):
    """Jira Cloud: the account email and an API token, sent as HTTP basic auth."""

    email: str
    api_token: SecretStr


class TokenAuth(_Frozen):
    """Jira Data Center: a personal access token, sent as a bearer token."""

    pat: SecretStr


class JiraConfig(_Frozen):
    """One team's backlog in one Jira.

    Args:
        base_url: Jira's base URL, e.g. ``https://acme.atlassian.net``.
        auth: :class:`CloudAuth` (basic) or :class:`TokenAuth` (bearer).
        team: The team name, stamped on items and used in messages.
        board: The Agile board whose backlog is the team's backlog, or None for ``jql``.
        jql: The backlog as JQL when the team has no board (a board wins when both are set).
        extra_jql: JQL ANDed into every backlog query (e.g. leave out sub-tasks).
        fields: Value input -> Jira field *name* (not id), found through ``/field``.
        score_field: Name of the number field Northstar owns and writes the score to.
        writable: The only fields Northstar may write (``score`` and input names).
        project_key: The project permissions are checked in; found from the board if None.
        timeout_seconds: Per-request timeout.
        retry_budget_seconds: Total time retries of one request may take before giving up.
        write_concurrency: Score writes in flight at once: Jira has no bulk field write for an
            API-token client, so a first score of thousands of issues is bound by latency;
            a few parallel writes cut that without inviting Jira's rate limit.
    """

    base_url: str
    auth: CloudAuth | TokenAuth
    team: str
    board: int | None = None
    jql: str | None = None
    extra_jql: str = ""
    fields: dict[str, str] = Field(default_factory=dict)
    score_field: str = "Value Score"
    writable: frozenset[str] = frozenset({"score"})
    project_key: str | None = None
    timeout_seconds: float = Field(default=30, gt=0)
    retry_budget_seconds: float = Field(default=120, gt=0)
    write_concurrency: int = Field(default=4, ge=1, le=16)

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("writable")
    @classmethod
    def _known_writable(cls, value: frozenset[str]) -> frozenset[str]:
        return check_writable(value)

    @field_validator("fields")
    @classmethod
    def _known_inputs(cls, value: dict[str, str]) -> dict[str, str]:
        known = (*WRITABLE_INPUTS, "benefit_category")
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise ValueError(
                f"unknown value input(s) {', '.join(unknown)} in the field mapping "
                f"(inputs: {', '.join(known)})"
            )
        return value

    @model_validator(mode="after")
    def _has_backlog(self) -> JiraConfig:
        if self.board is None and not self.jql:
            raise ValueError(f"team {self.team!r} needs a board id or a JQL")
        return self

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values, unwrapped only so messages and logs can be checked against them."""
        if isinstance(self.auth, CloudAuth):
            return (self.auth.api_token.get_secret_value(),)
        return (self.auth.pat.get_secret_value(),)
