"""Block Kit builders for everything the Slack app shows: pure functions, data in, blocks out.

Builders return :mod:`slack_sdk.models` objects so Slack's own validators run on ``to_dict()``,
and they keep within Slack's limits (see :mod:`bot.chat.limits`): long text is cut or split
into several sections, long lists are capped with a "…and N more" line. Buttons carry a small
JSON value that the action handlers decode with :func:`decode_value`.

Over 400 lines on purpose: every message's layout sits beside the others, so the limits and the
look are applied the same way everywhere; each builder is small and independent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.chat import limits, messages
from bot.chat.benefit_text import trend_text
from bot.chat.mrkdwn import escape
from rules.explain import ValueRow
from rules.model import RankedItem, ValueGoal

# ---------------------------------------------------------------- action and view ids

ACTION_REORDER_APPLY = "reorder_apply"
ACTION_REORDER_CANCEL = "reorder_cancel"
#: rating buttons are ``checkin_rate_1`` … ``checkin_rate_5`` (ids must differ within a block)
ACTION_RATE_PREFIX = "checkin_rate_"
ACTION_RATE_PATTERN = r"^checkin_rate_[1-5]$"
ACTION_COMMENT = "checkin_comment"
ACTION_REALISATION_PREFIX = "realisation_"
ACTION_REALISATION_PATTERN = r"^realisation_(yes|partly|no)$"
ACTION_REALISATION_COMMENT = "realisation_comment"
ACTION_CHECKIN_CLOSE = "checkin_close"
VIEW_COMMENT = "checkin_comment_modal"
VIEW_REALISATION = "realisation_modal"
BLOCK_RATING = "rating"
BLOCK_COMMENT = "comment"
BLOCK_ANSWER = "answer"
ELEMENT_RATING = "rating_value"
ELEMENT_COMMENT = "comment_text"
ELEMENT_ANSWER = "answer_value"
#: longest comment accepted in the modal
MAX_COMMENT = 1000
#: summaries are cut to this many characters in lists, so a list line stays one line
SUMMARY_IN_LIST = 80
REALISATION_ANSWERS = ("yes", "partly", "no")


def encode_value(**fields: object) -> str:
    """A compact JSON button value (Slack allows 2000 characters)."""
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)


def decode_value(raw: object) -> dict[str, Any]:
    """The fields of a button value, or ``{}`` for anything that is not our JSON object."""
    if not isinstance(raw, str) or len(raw) > limits.MAX_BUTTON_VALUE:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Reply:
    """One answer: ``text`` is the notification fallback, ``blocks`` what people see."""

    text: str
    blocks: list[Block]

    def payload(self) -> dict[str, Any]:
        """Keyword arguments for ``respond``/``chat.postMessage``."""
        return {"text": self.text, "blocks": [block.to_dict() for block in self.blocks]}


# ---------------------------------------------------------------- small pieces


def _cut(text: str, limit: int) -> str:
    return limits.truncate(text, limit)


def split_text(text: str, limit: int | None = None) -> list[str]:
    """Split text at line breaks into chunks of at most ``limit`` characters each."""
    limit = limit or limits.MAX_SECTION_TEXT
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        line = _cut(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def section(text: str) -> SectionBlock:
    """One mrkdwn section, cut to the section limit."""
    return SectionBlock(text=MarkdownTextObject(text=_cut(text or " ", limits.MAX_SECTION_TEXT)))


def sections(text: str) -> list[Block]:
    """As many sections as ``text`` needs, split at line breaks."""
    return [section(chunk) for chunk in split_text(text)]


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=_cut(text, limits.MAX_HEADER_TEXT)))


def context(text: str) -> ContextBlock:
    return ContextBlock(
        elements=[MarkdownTextObject(text=_cut(text or " ", limits.MAX_CONTEXT_TEXT))]
    )


def button(
    label: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=_cut(label, limits.MAX_BUTTON_TEXT)),
        action_id=action_id,
        value=value,
        style=style,
        confirm=confirm,
    )


def cap_blocks(blocks: list[Block], limit: int) -> list[Block]:
    """Keep at most ``limit`` blocks, replacing the tail by a "…and N more" context."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    return [*kept, context(messages.reorder_more(len(blocks) - len(kept)))]


def text_reply(text: str) -> Reply:
    """A plain answer: the text in as many sections as it needs."""
    return Reply(text=_cut(text, limits.MAX_SECTION_TEXT), blocks=sections(text))


def data(text: str, limit: int) -> str:
    """User or Jira text for a mrkdwn field: cut to ``limit`` and escaped, so it stays text."""
    return escape(_cut(text, limit))


def list_summary(text: str) -> str:
    """An issue summary as one list line: whitespace folded, cut, escaped."""
    return data(" ".join(text.split()), SUMMARY_IN_LIST)


# ---------------------------------------------------------------- command answers


def help_reply(input_help: Mapping[str, str] | None = None, topic: str | None = None) -> Reply:
    if topic is not None:
        return text_reply(messages.usage_for(topic))
    return text_reply(messages.usage_value(dict(input_help) if input_help else None))


def error_reply(text: str) -> Reply:
    return text_reply(text)


#: One line of a by-value list: the item's place by score and the item itself.
ValueEntry = tuple[ValueRow, RankedItem]


def value_lines(entries: Sequence[ValueEntry]) -> list[str]:
    """By-value lines (``/value top``, App Home): score, backlog rank, and what holds the item."""
    lines = []
    for row, ranked in entries:
        flags = messages.flag_needs_estimate() if ranked.score.needs_estimate else ""
        if row.mark is not None:
            flags += messages.flag_held(row.mark)
        lines.append(
            messages.top_line(
                row.value_rank,
                escape(ranked.key),
                list_summary(ranked.item.summary),
                row.score,
                ranked.score.model,
                row.backlog_rank,
                flags,
            )
        )
    return lines


def top_reply(team: str, entries: Sequence[ValueEntry]) -> Reply:
    """The N most valuable items by score, one line each, with their place in the backlog."""
    if not entries:
        return text_reply(messages.top_empty(team))
    title = messages.top_header(team, len(entries))
    blocks: list[Block] = [
        header(title),
        context(messages.top_legend()),
        *sections("\n".join(value_lines(entries))),
    ]
    return Reply(text=title, blocks=cap_blocks(blocks, limits.MAX_MESSAGE_BLOCKS))


def why_reply(
    key: str,
    explanation: Sequence[str],
    *,
    rank_line: str,
    pairs: Sequence[str],
    position: str | None,
    ratings_line: str | None,
) -> Reply:
    """A score explained term by term, where the item ranks, and the pairs that decide it."""
    blocks: list[Block] = [header(messages.why_header(key)), section(rank_line)]
    code = split_text(escape("\n".join(explanation)), limits.MAX_SECTION_TEXT - 6)
    blocks.extend(section(f"```{chunk}```") for chunk in code)
    if pairs:
        blocks.extend(sections(escape("\n".join(pairs))))
    if position:
        blocks.extend(sections(escape(position)))
    if ratings_line:
        blocks.append(context(ratings_line))
    text = f"{escape(key)}: {rank_line}"
    return Reply(text=text, blocks=cap_blocks(blocks, limits.MAX_MESSAGE_BLOCKS))


def goal_lines(goals: Sequence[ValueGoal]) -> list[str]:
    """One bullet a goal: its figure now against target, and the trend of its measurements.

    The one rendering of goals: ``/value goals``, App Home, the digest and the reminder. Pass
    goals from :func:`bot.usecases.benefits.current_goals` so the figure is the measured one.
    """
    return [
        "• "
        + messages.goal_status(
            escape(goal.name),
            escape(goal.metric),
            goal.baseline,
            goal.target,
            goal.current,
            goal.due.isoformat() if goal.due else None,
        )
        + trend_text(goal)
        for goal in goals
    ]


def goals_reply(team: str, goals: Sequence[ValueGoal]) -> Reply:
    if not goals:
        return text_reply(messages.goals_empty(team))
    title = messages.goals_header(team)
    return Reply(text=title, blocks=[header(title), *sections("\n".join(goal_lines(goals)))])


@dataclass(frozen=True)
class PreviewRow:
    """One moved item in a reorder preview (a view of the use case's ``DiffRow``)."""

    key: str
    summary: str
    old: int
    new: int
    reason: str


#: rows shown in a preview; the rest are summarised (all are applied)
MAX_PREVIEW_ROWS = 40


def reorder_preview_reply(
    team: str,
    rows: Sequence[PreviewRow],
    *,
    summary: str,
    calls: int,
    naive_calls: int,
    fingerprint: str,
    can_apply: bool,
    roles: Sequence[str],
    note: str | None = None,
) -> Reply:
    """The dry-run diff with an Apply button (carrying team and plan fingerprint) and Cancel."""
    if not rows:
        text = messages.reorder_nothing(team)
        return Reply(text=text, blocks=[*([section(note)] if note else []), section(text)])
    title = messages.reorder_header(team)
    blocks: list[Block] = [header(title)]
    if note:
        blocks.append(section(note))
    blocks.append(section(messages.reorder_summary(summary, naive_calls)))
    lines = [
        messages.reorder_row(
            escape(row.key), list_summary(row.summary), row.old, row.new, data(row.reason, 200)
        )
        for row in rows[:MAX_PREVIEW_ROWS]
    ]
    if len(rows) > MAX_PREVIEW_ROWS:
        lines.append(messages.reorder_more(len(rows) - MAX_PREVIEW_ROWS))
    blocks.extend(sections("\n".join(lines)))
    value = encode_value(team=team, fp=fingerprint)
    if can_apply:
        confirm = ConfirmObject(
            title=messages.reorder_confirm_title(),
            text=_cut(messages.reorder_confirm_text(team, calls), 300),
            confirm=messages.reorder_apply_button(),
            deny=messages.reorder_cancel_button(),
        )
        blocks.append(
            ActionsBlock(
                block_id="reorder_actions",
                elements=[
                    button(
                        messages.reorder_apply_button(),
                        ACTION_REORDER_APPLY,
                        value,
                        style="primary",
                        confirm=confirm,
                    ),
                    button(messages.reorder_cancel_button(), ACTION_REORDER_CANCEL, value),
                ],
            )
        )
    else:
        blocks.append(context(messages.reorder_only_roles(roles)))
    # the actions block must survive capping, so cap everything before it
    capped = cap_blocks(blocks[:-1], limits.MAX_MESSAGE_BLOCKS - 1) + blocks[-1:]
    return Reply(text=title, blocks=capped)


# ---------------------------------------------------------------- check-ins


@dataclass(frozen=True)
class CheckinEntry:
    """One item in a check-in DM, with what this person has said about it so far."""

    key: str
    summary: str
    url: str | None = None
    rated: int | None = None
    note: str | None = None


def checkin_dm_reply(
    round_id: int,
    team: str,
    entries: Sequence[CheckinEntry],
    *,
    started_by: str | None,
    anonymous: bool,
    hidden: bool,
    reminder: bool = False,
) -> Reply:
    """The check-in DM: per item a line, 1-5 buttons and "Add comment"; ratings marked."""
    title = messages.checkin_dm_header(team)
    blocks: list[Block] = [header(title)]
    if reminder:
        blocks.append(section(messages.checkin_reminder_intro()))
    blocks.append(section(messages.checkin_dm_intro(team, started_by, anonymous, hidden)))
    for entry in entries:
        blocks.append(DividerBlock())
        blocks.append(
            section(messages.checkin_item(escape(entry.key), data(entry.summary, 300), entry.url))
        )
        elements: list[ButtonElement] = []
        for value in range(1, 6):
            elements.append(
                button(
                    str(value),
                    f"{ACTION_RATE_PREFIX}{value}",
                    encode_value(r=round_id, k=entry.key, v=value),
                    style="primary" if entry.rated == value else None,
                )
            )
        elements.append(
            button(
                messages.checkin_comment_button(),
                ACTION_COMMENT,
                encode_value(r=round_id, k=entry.key),
            )
        )
        blocks.append(ActionsBlock(block_id=f"rate:{round_id}:{entry.key}", elements=elements))
        notes = []
        if entry.rated is not None:
            notes.append(messages.checkin_you_rated(entry.rated))
        if entry.note:
            notes.append(escape(entry.note))
        if notes:
            blocks.append(context(" ".join(notes)))
    return Reply(text=title, blocks=cap_blocks(blocks, limits.MAX_MESSAGE_BLOCKS))


def checkin_started_reply(text: str, round_id: int, channel: str | None) -> Reply:
    """The starter's private confirmation, with a button to close the round and post results."""
    confirm = ConfirmObject(
        title=messages.checkin_close_confirm_title(),
        text=_cut(messages.checkin_close_confirm_text(channel), 300),
        confirm=messages.checkin_close_button(),
        deny=messages.reorder_cancel_button(),
    )
    close = button(
        messages.checkin_close_button(),
        ACTION_CHECKIN_CLOSE,
        encode_value(r=round_id),
        confirm=confirm,
    )
    return Reply(
        text=_cut(text, limits.MAX_SECTION_TEXT),
        blocks=[*sections(text), ActionsBlock(block_id="checkin_actions", elements=[close])],
    )


def comment_modal(
    round_id: int,
    key: str,
    summary: str,
    *,
    current: int | None,
    anonymous: bool,
    channel: str | None,
    ts: str | None,
) -> View:
    """The "Add comment" modal: a required 1-5 rating (pre-set if given) and the comment."""
    options = [Option(value=str(value), label=str(value)) for value in range(1, 6)]
    initial = options[current - 1] if current is not None and 1 <= current <= 5 else None
    metadata = encode_value(r=round_id, k=key, c=channel, ts=ts)
    return View(
        type="modal",
        callback_id=VIEW_COMMENT,
        title=PlainTextObject(text=messages.comment_modal_title()),
        submit=PlainTextObject(text=messages.comment_modal_submit()),
        private_metadata=metadata,
        blocks=[
            section(messages.checkin_item(escape(key), data(summary, 300))),
            InputBlock(
                block_id=BLOCK_RATING,
                label=PlainTextObject(text=messages.comment_modal_rating_label()),
                element=StaticSelectElement(
                    action_id=ELEMENT_RATING,
                    placeholder=PlainTextObject(text="1-5"),
                    options=options,
                    initial_option=initial,
                ),
            ),
            InputBlock(
                block_id=BLOCK_COMMENT,
                label=PlainTextObject(text=messages.comment_modal_comment_label()),
                hint=PlainTextObject(text=messages.comment_modal_hint(anonymous)),
                element=PlainTextInputElement(
                    action_id=ELEMENT_COMMENT, multiline=True, max_length=MAX_COMMENT
                ),
            ),
        ],
    )


@dataclass(frozen=True)
class SummaryRow:
    """One item of a closed check-in: aggregate value, spread and, when allowed, who rated."""

    key: str
    summary: str
    value: float
    raters: int
    spread: float
    low: int
    high: int
    before: float | None
    who: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryComment:
    key: str
    comment: str
    who: str | None


#: spread (on the 1-5 scale) above which raters are said to disagree
DISAGREEMENT_SPREAD = 1.0
#: items listed under "value moved most"
MOVERS_SHOWN = 3


def checkin_summary_reply(
    team: str,
    *,
    answered: int,
    asked: int,
    rows: Sequence[SummaryRow],
    comments: Sequence[SummaryComment],
) -> Reply:
    """Response rate, the items whose value moved most, and the widest disagreement."""
    title = messages.summary_header(team)
    blocks: list[Block] = [header(title), section(messages.summary_response_rate(answered, asked))]
    if not rows:
        blocks.append(section(messages.summary_no_answers()))
        return Reply(text=title, blocks=blocks)

    def moved(row: SummaryRow) -> float:
        return abs(row.value - (row.before if row.before is not None else 3.0))

    movers = sorted(rows, key=lambda row: (-moved(row), row.key))[:MOVERS_SHOWN]
    lines = [messages.summary_moved_title()]
    lines += [
        messages.summary_moved(escape(row.key), list_summary(row.summary), row.before, row.value)
        for row in movers
    ]
    blocks.extend(sections("\n".join(lines)))
    widest = max(rows, key=lambda row: (row.spread, row.key))
    if widest.raters >= 2 and widest.spread >= DISAGREEMENT_SPREAD:
        blocks.append(
            section(
                messages.summary_disagreement(
                    escape(widest.key),
                    list_summary(widest.summary),
                    widest.low,
                    widest.high,
                    widest.spread,
                )
            )
        )
    else:
        blocks.append(section(messages.summary_agreement()))
    all_lines = [
        messages.summary_rating(escape(row.key), row.value, row.raters, row.who)
        for row in sorted(rows, key=lambda row: -row.value)
    ]
    blocks.extend(sections("\n".join(all_lines)))
    if comments:
        comment_lines = [messages.summary_comments_title()]
        comment_lines += [
            messages.summary_comment(escape(item.key), data(item.comment, 500), item.who)
            for item in comments
        ]
        blocks.extend(sections("\n".join(comment_lines)))
    return Reply(text=title, blocks=cap_blocks(blocks, limits.MAX_MESSAGE_BLOCKS))


def realisation_reply(
    key: str, summary: str, weeks: int, benefit: str, *, why: str, url: str | None = None
) -> Reply:
    """The benefits-realisation question: Yes / Partly / No, and a comment in a modal."""
    title = messages.realisation_header()
    question = messages.realisation_question(
        escape(key), data(summary, 300), weeks, data(benefit, 1000), url
    )
    elements = [
        button(
            messages.realisation_answer_label(answer),
            f"{ACTION_REALISATION_PREFIX}{answer}",
            encode_value(k=key),
            style="primary" if answer == "yes" else None,
        )
        for answer in REALISATION_ANSWERS
    ]
    elements.append(
        button(messages.checkin_comment_button(), ACTION_REALISATION_COMMENT, encode_value(k=key))
    )
    return Reply(
        text=title,
        blocks=[
            header(title),
            section(question),
            context(why),
            ActionsBlock(block_id=f"realisation:{key}"[:255], elements=elements),
        ],
    )


def realisation_modal(
    key: str, summary: str, *, current: str | None, channel: str | None, ts: str | None
) -> View:
    """The realisation modal: a required yes/partly/no (pre-set if answered) and a comment."""
    options = [
        Option(value=answer, label=messages.realisation_answer_label(answer))
        for answer in REALISATION_ANSWERS
    ]
    initial = next((option for option in options if option.value == current), None)
    return View(
        type="modal",
        callback_id=VIEW_REALISATION,
        title=PlainTextObject(text=messages.realisation_modal_title()),
        submit=PlainTextObject(text=messages.comment_modal_submit()),
        private_metadata=encode_value(k=key, c=channel, ts=ts),
        blocks=[
            section(messages.checkin_item(escape(key), data(summary, 300))),
            InputBlock(
                block_id=BLOCK_ANSWER,
                label=PlainTextObject(text=messages.realisation_header()),
                element=StaticSelectElement(
                    action_id=ELEMENT_ANSWER,
                    placeholder=PlainTextObject(text=messages.realisation_modal_placeholder()),
                    options=options,
                    initial_option=initial,
                ),
            ),
            InputBlock(
                block_id=BLOCK_COMMENT,
                label=PlainTextObject(text=messages.realisation_comment_label()),
                element=PlainTextInputElement(
                    action_id=ELEMENT_COMMENT, multiline=True, max_length=MAX_COMMENT
                ),
            ),
        ],
    )


def realisation_answered_reply(
    key: str, summary: str, answer: str, *, comment: str | None = None, url: str | None = None
) -> Reply:
    text = messages.realisation_thanks(escape(key), answer)
    shown: list[Block] = [
        section(messages.checkin_item(escape(key), list_summary(summary), url)),
        section(text),
    ]
    if comment:
        shown.append(context(messages.realisation_your_comment(data(comment, 500))))
    return Reply(text=text, blocks=shown)


# ---------------------------------------------------------------- App Home


def home_view(blocks: Sequence[Block]) -> View:
    """The Home tab, capped at the view limit of blocks."""
    return View(type="home", blocks=cap_blocks(list(blocks), limits.MAX_VIEW_BLOCKS))
