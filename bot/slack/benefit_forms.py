"""The benefit forms' submissions in, checked values out: pure, so the ack can carry the errors.

Slack shows a modal's field errors only in the acknowledgement of its submission, within 3
seconds, so every check here is pure (no database): numbers, dates, keys, and the entry's own
rules (:class:`rules.benefits.Benefit` refuses a target date before the baseline date, a
decrease metric with a target above its baseline, ...), each mapped to the field to fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from pydantic import ValidationError

from bot.chat import benefit_blocks as bb
from bot.chat import messages
from bot.chat.blocks import decode_value
from rules.benefits import Benefit, Confidence, PlanError
from rules.digest import RealisationAnswerValue

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,49}-[1-9][0-9]{0,9}", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
#: placeholder id while a new entry is checked; the real id is given when it is stored
_NEW_ID = "BEN-1"
#: model fields that live in the form under another block id
_FIELD_BLOCK = {"measure": "metric", "metric": "metric", "cost": "money_per_month"}


class FormError(ValueError):
    """A submission with problems: block id -> what to fix (shown under each field)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {text}" for key, text in errors.items()))


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _raw(element: Mapping[str, Any]) -> str | None:
    """What a person entered in one element, whatever its type."""
    for key in ("value", "selected_date", "selected_user"):
        found = element.get(key)
        if isinstance(found, str) and found.strip():
            return found.strip()
    option = _dict(element.get("selected_option")).get("value")
    return option if isinstance(option, str) and option else None


@dataclass(frozen=True)
class Submission:
    """A submitted benefit modal: who, its private metadata and each block's raw value."""

    user_id: str
    meta: dict[str, Any]
    values: dict[str, str | None]

    def text(self, block_id: str) -> str:
        return self.values.get(block_id) or ""


def submission(body: Mapping[str, Any]) -> Submission:
    """Read any of the benefit modals' ``view_submission`` payloads."""
    view = _dict(body.get("view"))
    state = _dict(_dict(view.get("state")).get("values"))
    values = {block: _raw(_dict(_dict(state.get(block)).get(bb.ELEMENT))) for block in state}
    user = _dict(body.get("user")).get("id")
    return Submission(
        user_id=user if isinstance(user, str) else "",
        meta=decode_value(view.get("private_metadata")),
        values={str(key): value for key, value in values.items()},
    )


def parse_number(raw: str) -> float | None:
    """A finite number as people type it (``1,200`` too), or None."""
    cleaned = raw.strip().replace(",", "").replace("_", "")
    if not _NUMBER.fullmatch(cleaned):
        return None
    value = float(cleaned)
    return value if math.isfinite(value) else None


def _field(name: str) -> bb.FormField:
    return next(field for field in bb.BENEFIT_FORM if field.block_id == name)


def benefit_from_form(sub: Submission, *, existing: Benefit | None) -> Benefit:
    """The entry the form describes (its id is ``existing``'s, or a placeholder for a new one).

    The form is authoritative for its own fields (a field left empty clears it); what the form
    does not show (milestones, risks, cadence, status ...) is kept from ``existing``.

    Raises:
        FormError: one message per field to fix.
    """
    errors: dict[str, str] = {}
    converted: dict[str, object] = {}
    for field in bb.BENEFIT_FORM:
        raw = sub.values.get(field.block_id)
        if raw is None:
            if field.required:
                errors[field.block_id] = messages.field_required(field.label)
            continue
        if field.kind == "number":
            number = parse_number(raw)
            if number is None:
                errors[field.block_id] = messages.benefit_field_not_number(field.label)
            converted[field.block_id] = number
        elif field.kind == "date":
            try:
                converted[field.block_id] = date.fromisoformat(raw)
            except ValueError:
                errors[field.block_id] = messages.benefit_field_not_date(field.label)
        elif field.block_id == "links":
            tokens = [token for token in re.split(r"[\s,;]+", raw) if token]
            bad = [token[:30] for token in tokens if not _KEY.fullmatch(token)]
            if bad:
                errors["links"] = messages.benefit_field_bad_links(bad)
            converted["links"] = tuple(dict.fromkeys(token.upper() for token in tokens))
        else:
            converted[field.block_id] = raw
    if errors:
        raise FormError(errors)
    measure = {
        "metric": converted.pop("metric", ""),
        "unit": converted.pop("unit", ""),
        "direction": converted.pop("direction", "increase"),
        "low": converted.pop("low", None),
        "high": converted.pop("high", None),
    }
    shown = {field.block_id for field in bb.BENEFIT_FORM} | {"measure"}
    kept = existing.model_dump(exclude=shown) if existing else {}
    data = {**kept, **converted, "measure": measure}
    data["id"] = existing.id if existing else _NEW_ID
    try:
        return Benefit.model_validate(data)
    except ValidationError as e:
        raise FormError(_validation_errors(e)) from e


def _validation_errors(error: ValidationError) -> dict[str, str]:
    """Each problem under the field that causes it (the plan's own column, when it names one)."""
    found: dict[str, str] = {}
    for problem in error.errors():
        cause = _dict(problem.get("ctx")).get("error")
        location = [str(part) for part in problem.get("loc", ())]
        if isinstance(cause, PlanError):
            block = cause.column
        elif location:
            block = location[-1] if location[0] == "measure" else location[0]
        else:
            block = "title"
        block = _FIELD_BLOCK.get(block, block)
        if all(field.block_id != block for field in bb.BENEFIT_FORM):
            block = "title"
        text = str(cause) if cause is not None else str(problem.get("msg", ""))
        found.setdefault(block, text.removeprefix(f"{_NEW_ID}: ").removeprefix("Value error, "))
    return found


@dataclass(frozen=True)
class Actual:
    """A checked actual from the actual or the review modal."""

    value: float | None
    confidence: Confidence | None
    note: str


def actual_from_form(sub: Submission, *, required: bool, note_block: str) -> Actual:
    """The value, confidence and note (or lesson) of a submitted actual or review modal.

    Raises:
        FormError: the value is missing (when ``required``), not a number, or the note too long.
    """
    errors: dict[str, str] = {}
    raw = sub.values.get(bb.BLOCK_ACTUAL)
    value = parse_number(raw) if raw is not None else None
    if raw is None and required:
        errors[bb.BLOCK_ACTUAL] = messages.field_required("The actual value")
    elif raw is not None and value is None:
        errors[bb.BLOCK_ACTUAL] = messages.parse_measure_not_number(raw[:30])
    note = sub.text(note_block)
    if len(note) > bb.MAX_NOTE:
        errors[note_block] = messages.comment_too_long(bb.MAX_NOTE)
    raw_confidence = sub.values.get(bb.BLOCK_CONFIDENCE)
    confidence = (
        Confidence(raw_confidence) if raw_confidence in {c.value for c in Confidence} else None
    )
    if errors:
        raise FormError(errors)
    return Actual(value=value, confidence=confidence, note=note)


def review_came(sub: Submission) -> RealisationAnswerValue:
    """The yes/partly/no of a review modal.

    Raises:
        FormError: none chosen.
    """
    came = sub.values.get(bb.BLOCK_CAME)
    if came not in bb.REVIEW_ANSWERS:
        raise FormError({bb.BLOCK_CAME: messages.field_required(messages.review_came_label())})
    return cast(RealisationAnswerValue, came)


def form_errors(check: Callable[[], object]) -> dict[str, str]:
    """The errors ``check()`` raises as :class:`FormError`, or none."""
    try:
        check()
    except FormError as e:
        return e.errors
    return {}
