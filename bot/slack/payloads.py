"""Slack request payloads in, small typed records out: tolerant of every field Slack may send.

Bolt hands listeners plain dicts. Reading them through these functions keeps the ``.get``
chains in one place, gives mypy types to check, and makes missing or odd fields (Slack adds
fields over time; enterprise installs omit some) an empty value instead of a ``KeyError``.
The java-slack-sdk sample payloads in ``shared/vendor`` are run through these in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.chat import blocks, messages


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class SlashCommand:
    user_id: str
    channel_id: str | None
    text: str
    response_url: str | None
    team_id: str | None
    trigger_id: str | None = None


def slash_command(body: Mapping[str, Any]) -> SlashCommand:
    """The fields of a slash command request that the app uses."""
    return SlashCommand(
        user_id=_str(body.get("user_id")),
        channel_id=_opt(body.get("channel_id")),
        text=_str(body.get("text")),
        response_url=_opt(body.get("response_url")),
        team_id=_opt(body.get("team_id")),
        trigger_id=_opt(body.get("trigger_id")),
    )


@dataclass(frozen=True)
class BlockAction:
    """One clicked element of a ``block_actions`` payload and where its message lives."""

    user_id: str
    action_id: str
    value: dict[str, Any]
    channel_id: str | None
    message_ts: str | None
    trigger_id: str | None
    response_url: str | None


def block_action(body: Mapping[str, Any]) -> BlockAction:
    """The first action of a ``block_actions`` payload (Slack sends one per click)."""
    actions = body.get("actions")
    action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
    container = _dict(body.get("container"))
    channel = _opt(container.get("channel_id")) or _opt(_dict(body.get("channel")).get("id"))
    ts = _opt(container.get("message_ts")) or _opt(_dict(body.get("message")).get("ts"))
    return BlockAction(
        user_id=_str(_dict(body.get("user")).get("id")),
        action_id=_str(action.get("action_id")),
        value=blocks.decode_value(action.get("value")),
        channel_id=channel,
        message_ts=ts,
        trigger_id=_opt(body.get("trigger_id")),
        response_url=_opt(body.get("response_url")),
    )


@dataclass(frozen=True)
class CheckinRef:
    """What a check-in button names: the round, the item and (for rating buttons) the rating."""

    round_id: int
    key: str
    value: int | None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def checkin_ref(action: BlockAction) -> CheckinRef | None:
    """The round and item of a check-in button, or None when the value is not ours."""
    round_id, key, value = _int(action.value.get("r")), action.value.get("k"), action.value.get("v")
    if round_id is None or not isinstance(key, str) or not key:
        return None
    rating = _int(value)
    if value is not None and (rating is None or not 1 <= rating <= 5):
        return None
    return CheckinRef(round_id, key, rating)


@dataclass(frozen=True)
class CommentSubmission:
    """A submitted comment modal: which round and item, the rating and the comment."""

    user_id: str
    round_id: int | None
    key: str | None
    rating: int | None
    comment: str
    channel_id: str | None
    message_ts: str | None


def _state_value(values: Mapping[str, Any], block_id: str, action_id: str) -> Mapping[str, Any]:
    return _dict(_dict(values.get(block_id)).get(action_id))


def comment_submission(body: Mapping[str, Any]) -> CommentSubmission:
    """Read a ``view_submission`` of the comment modal; absent parts come back as None/""."""
    view = _dict(body.get("view"))
    meta = blocks.decode_value(view.get("private_metadata"))
    values = _dict(_dict(view.get("state")).get("values"))
    selected = _dict(
        _state_value(values, blocks.BLOCK_RATING, blocks.ELEMENT_RATING).get("selected_option")
    )
    raw_rating = _str(selected.get("value"))
    rating = int(raw_rating) if raw_rating in {"1", "2", "3", "4", "5"} else None
    comment = _str(_state_value(values, blocks.BLOCK_COMMENT, blocks.ELEMENT_COMMENT).get("value"))
    key = meta.get("k")
    return CommentSubmission(
        user_id=_str(_dict(body.get("user")).get("id")),
        round_id=_int(meta.get("r")),
        key=key if isinstance(key, str) and key else None,
        rating=rating,
        comment=comment.strip(),
        channel_id=_opt(meta.get("c")),
        message_ts=_opt(meta.get("ts")),
    )


def comment_errors(submission: CommentSubmission) -> dict[str, str]:
    """Per-block errors to show in the modal (``response_action: errors``); empty when valid."""
    errors: dict[str, str] = {}
    if submission.rating is None:
        errors[blocks.BLOCK_RATING] = messages.comment_modal_rating_label()
    if len(submission.comment) > blocks.MAX_COMMENT:
        errors[blocks.BLOCK_COMMENT] = messages.comment_too_long(blocks.MAX_COMMENT)
    return errors


@dataclass(frozen=True)
class RealisationSubmission:
    """A submitted realisation modal: which item, the answer and the comment."""

    user_id: str
    key: str | None
    answer: str | None
    comment: str
    channel_id: str | None
    message_ts: str | None


def realisation_submission(body: Mapping[str, Any]) -> RealisationSubmission:
    """Read a ``view_submission`` of the realisation modal; absent parts come back as None/""."""
    view = _dict(body.get("view"))
    meta = blocks.decode_value(view.get("private_metadata"))
    values = _dict(_dict(view.get("state")).get("values"))
    selected = _dict(
        _state_value(values, blocks.BLOCK_ANSWER, blocks.ELEMENT_ANSWER).get("selected_option")
    )
    answer = _str(selected.get("value"))
    comment = _str(_state_value(values, blocks.BLOCK_COMMENT, blocks.ELEMENT_COMMENT).get("value"))
    key = meta.get("k")
    return RealisationSubmission(
        user_id=_str(_dict(body.get("user")).get("id")),
        key=key if isinstance(key, str) and key else None,
        answer=answer if answer in blocks.REALISATION_ANSWERS else None,
        comment=comment.strip(),
        channel_id=_opt(meta.get("c")),
        message_ts=_opt(meta.get("ts")),
    )


def realisation_errors(submission: RealisationSubmission) -> dict[str, str]:
    """Per-block errors of the realisation modal; empty when valid."""
    errors: dict[str, str] = {}
    if submission.answer is None:
        errors[blocks.BLOCK_ANSWER] = messages.realisation_modal_placeholder()
    if len(submission.comment) > blocks.MAX_COMMENT:
        errors[blocks.BLOCK_COMMENT] = messages.comment_too_long(blocks.MAX_COMMENT)
    return errors


@dataclass(frozen=True)
class HomeOpened:
    user_id: str
    tab: str


def home_opened(event: Mapping[str, Any]) -> HomeOpened:
    """The ``app_home_opened`` event: whose Home and which tab (``home`` or ``messages``)."""
    return HomeOpened(user_id=_str(event.get("user")), tab=_str(event.get("tab")))
