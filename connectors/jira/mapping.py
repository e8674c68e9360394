"""Jira JSON -> ``rules`` models, and field discovery by name: pure functions, no HTTP.

Field ids differ from site to site (``customfield_10016`` here, ``customfield_10106`` there),
so every field is found by its *name* in the ``/field`` list, and the rank and sprint fields by
their schema type. A value Jira holds in an unexpected shape becomes ``None`` with a warning
that names the issue and the field: one odd issue must never stop a sync.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.base import ConnectorConfigError
from rules.model import BenefitCategory, Item, Sprint, SprintState, StatusCategory

logger = logging.getLogger(__name__)

RANK_TYPE = "com.pyxis.greenhopper.jira:gh-lexo-rank"
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"

#: Names that mean the same estimate: company-managed projects say "Story Points",
#: team-managed ones "Story point estimate"; either is accepted for the other.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "story points": ("Story point estimate",),
    "story point estimate": ("Story Points",),
}

#: System fields scoring reads, besides the mapped, score, rank and sprint fields.
SYSTEM_FIELDS: tuple[str, ...] = (
    "summary",
    "issuetype",
    "status",
    "labels",
    "components",
    "priority",
    "created",
    "updated",
    "resolutiondate",
    "duedate",
    "parent",
    "issuelinks",
)

_SPRINT_ORDER = {SprintState.ACTIVE: 2, SprintState.FUTURE: 1, SprintState.CLOSED: 0}


class JiraField(BaseModel):
    """One entry of Jira's ``/field`` list, reduced to what discovery needs."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    type: str | None = None
    custom_type: str | None = None

    @property
    def is_number(self) -> bool:
        return self.type == "number"


class FieldMap(BaseModel):
    """The Jira fields of one team: value inputs, score, rank and sprint, by input name."""

    model_config = ConfigDict(frozen=True)

    inputs: dict[str, JiraField]
    score: JiraField
    rank: JiraField | None = None
    sprint: JiraField | None = None

    @property
    def rank_custom_field_id(self) -> int | None:
        """The number Jira's rank call takes as ``rankCustomFieldId``."""
        if self.rank is None:
            return None
        digits = self.rank.id.removeprefix("customfield_")
        return int(digits) if digits.isdigit() else None

    def request_fields(self) -> list[str]:
        """The field ids a backlog search asks for: only what scoring needs."""
        wanted = [*SYSTEM_FIELDS, *(field.id for field in self.inputs.values()), self.score.id]
        wanted.extend(field.id for field in (self.rank, self.sprint) if field is not None)
        return list(dict.fromkeys(wanted))


def parse_fields(payload: Iterable[Mapping[str, Any]]) -> tuple[JiraField, ...]:
    """Jira's ``/field`` answer (a list of ``FieldDetails``) as :class:`JiraField` values."""
    fields = []
    for entry in payload:
        schema = entry.get("schema") or {}
        fields.append(
            JiraField(
                id=str(entry["id"]),
                name=str(entry.get("name", entry["id"])),
                type=schema.get("type"),
                custom_type=schema.get("custom"),
            )
        )
    return tuple(fields)


def _find(fields: Sequence[JiraField], name: str) -> JiraField | None:
    wanted = [name, *_SYNONYMS.get(name.casefold(), ())]
    for candidate in wanted:
        matches = [field for field in fields if field.name.casefold() == candidate.casefold()]
        if matches:
            # two fields may share a name (a classic after migrations): prefer the number one
            return next((field for field in matches if field.is_number), matches[0])
    return None


def _unknown_field(role: str, name: str, fields: Sequence[JiraField]) -> ConnectorConfigError:
    names = sorted({field.name for field in fields})
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; closest names: {', '.join(repr(n) for n in close)}" if close else ""
    return ConnectorConfigError(
        f"Jira has no field named {name!r} (mapped as {role} under [jira.fields] in "
        f"northstar.toml){hint}; fix the name or create the field in Jira"
    )


def resolve_fields(
    fields: Sequence[JiraField], mapping: Mapping[str, str], score_name: str
) -> FieldMap:
    """Find the mapped fields by name and the rank and sprint fields by their schema type.

    Raises:
        ConnectorConfigError: A mapped name matches no field; the message lists the closest.
    """
    inputs: dict[str, JiraField] = {}
    for role, name in mapping.items():
        found = _find(fields, name)
        if found is None:
            raise _unknown_field(role, name, fields)
        inputs[role] = found
    score = _find(fields, score_name)
    if score is None:
        raise _unknown_field("score", score_name, fields)
    rank = next((field for field in fields if field.custom_type == RANK_TYPE), None)
    sprint = next((field for field in fields if field.custom_type == SPRINT_TYPE), None)
    return FieldMap(inputs=inputs, score=score, rank=rank, sprint=sprint)


def parse_datetime(value: object) -> datetime | None:
    """Jira's ``2026-10-20T09:15:00.000+0200`` (or ISO 8601) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_LEGACY_SPRINT = re.compile(r"([A-Za-z]+)=([^,\]]*)")


def parse_sprint(value: object) -> Sprint | None:
    """A sprint from Jira's JSON object, or Data Center's legacy ``...Sprint@1a2b[id=7,...]``."""
    raw: Mapping[str, Any]
    if isinstance(value, str):
        raw = {
            key: (None if text == "<null>" else text) for key, text in _LEGACY_SPRINT.findall(value)
        }
    elif isinstance(value, Mapping):
        raw = value
    else:
        return None
    try:
        sprint_id = int(raw["id"])
        state = SprintState(str(raw["state"]).lower())
    except (KeyError, TypeError, ValueError):
        return None
    return Sprint(
        id=sprint_id,
        name=str(raw.get("name") or f"Sprint {sprint_id}"),
        state=state,
        goal=raw.get("goal") or None,
        start=parse_datetime(raw.get("startDate")),
        end=parse_datetime(raw.get("endDate")),
    )


def pick_sprint(value: object) -> Sprint | None:
    """The sprint that matters for an issue: the active one, else the planned, else the last."""
    values = value if isinstance(value, list) else [value]
    sprints = [sprint for sprint in map(parse_sprint, values) if sprint is not None]
    if not sprints:
        return None

    def newest(sprint: Sprint) -> tuple[int, float, int]:
        moment = sprint.end or sprint.start
        return _SPRINT_ORDER[sprint.state], moment.timestamp() if moment else 0.0, sprint.id

    return max(sprints, key=newest)


def _number(issue_key: str, field: JiraField, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, Mapping):  # a select list holding numbers, e.g. {"value": "8"}
        value = value.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    logger.warning(
        "%s: field %r (%s) holds %r, not a number; treated as not given",
        issue_key,
        field.name,
        field.id,
        value,
    )
    return None


def _benefit_category(issue_key: str, field: JiraField, value: object) -> BenefitCategory | None:
    if value is None:
        return None
    text = value.get("value") if isinstance(value, Mapping) else value
    if isinstance(text, str):
        try:
            return BenefitCategory(text.strip().lower())
        except ValueError:
            pass
    logger.warning(
        "%s: field %r (%s) holds %r, not a benefit category (%s); treated as not given",
        issue_key,
        field.name,
        field.id,
        text,
        ", ".join(category.value for category in BenefitCategory),
    )
    return None


def _names(values: object, key: str = "name") -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(
        str(value[key] if isinstance(value, Mapping) else value)
        for value in values
        if value is not None and (not isinstance(value, Mapping) or key in value)
    )


def _links(issue_links: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``blocks`` and ``blocked_by`` from links of type *Blocks* (outward / inward issue)."""
    blocks: list[str] = []
    blocked_by: list[str] = []
    for link in issue_links if isinstance(issue_links, list) else ():
        kind = link.get("type") or {}
        if str(kind.get("name", "")).casefold() != "blocks" and kind.get("outward") != "blocks":
            continue
        if isinstance(link.get("outwardIssue"), Mapping):
            blocks.append(str(link["outwardIssue"]["key"]))
        if isinstance(link.get("inwardIssue"), Mapping):
            blocked_by.append(str(link["inwardIssue"]["key"]))
    return tuple(blocks), tuple(blocked_by)


def _status_category(fields: Mapping[str, Any]) -> StatusCategory:
    key = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
    try:
        return StatusCategory(str(key))
    except ValueError:
        return StatusCategory.TODO


def issue_to_item(issue: Mapping[str, Any], field_map: FieldMap, team: str | None) -> Item:
    """One issue of a search or backlog answer as an :class:`~rules.model.Item`."""
    key = str(issue["key"])
    fields: Mapping[str, Any] = issue.get("fields") or {}
    blocks, blocked_by = _links(fields.get("issuelinks"))
    values: dict[str, Any] = {}
    for role, field in field_map.inputs.items():
        raw = fields.get(field.id)
        if role == "benefit_category":
            values[role] = _benefit_category(key, field, raw)
        else:
            values[role] = _number(key, field, raw)
    rank = fields.get(field_map.rank.id) if field_map.rank is not None else None
    sprint = pick_sprint(fields.get(field_map.sprint.id)) if field_map.sprint else None
    parent = fields.get("parent")
    return Item(
        key=key,
        summary=str(fields.get("summary") or ""),
        type=str((fields.get("issuetype") or {}).get("name") or "Story"),
        status=str((fields.get("status") or {}).get("name") or "To Do"),
        status_category=_status_category(fields),
        labels=tuple(str(label) for label in fields.get("labels") or ()),
        components=_names(fields.get("components")),
        priority=(fields.get("priority") or {}).get("name"),
        created=parse_datetime(fields.get("created")),
        updated=parse_datetime(fields.get("updated")),
        resolved=parse_datetime(fields.get("resolutiondate")),
        due=parse_date(fields.get("duedate")),
        sprint=sprint,
        parent=str(parent["key"]) if isinstance(parent, Mapping) and "key" in parent else None,
        blocks=blocks,
        blocked_by=blocked_by,
        team=team,
        score=_number(key, field_map.score, fields.get(field_map.score.id)),
        order_key=rank if isinstance(rank, str) and rank else None,
        **values,
    )
