"""Block Kit for the benefit register in Slack: lists, one benefit in full, forms and DMs.

Pure builders, like :mod:`bot.chat.blocks`. Everything a person wrote (titles, notes, risks,
lessons) goes through :func:`escape` before it is put into mrkdwn, so a title such as
``<!channel> & co`` shows as written and never pings a channel or breaks a link. Lists keep
within Slack's limits: at most :data:`MAX_LISTED` benefits in one answer, then a pointer to
the CLI, which lists them all.

Some 400 lines: the list, the detail, the three forms and the Home section of a benefit share
their field layout, so they are built side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.chat import benefit_text, limits, messages
from bot.chat.blocks import (
    Reply,
    button,
    cap_blocks,
    context,
    encode_value,
    header,
    section,
    sections,
    text_reply,
)
from bot.chat.mrkdwn import escape
from bot.storage.benefits import Lesson, StoredReview
from rules.assessment import Assessment
from rules.benefits import Benefit, Confidence, Direction, Measurement
from rules.model import BenefitCategory

ACTION_BENEFIT_RECORD = "benefit_record"
ACTION_BENEFIT_EDIT = "benefit_edit"
ACTION_REVIEW_ANSWER = "benefit_review_answer"
VIEW_BENEFIT = "benefit_modal"
VIEW_ACTUAL = "benefit_actual_modal"
VIEW_REVIEW = "benefit_review_modal"
#: benefits listed in one answer (two lines each, well within 50 blocks)
MAX_LISTED = 40
#: benefits with a button on the Home tab
MAX_HOME_BENEFITS = 10
MAX_NOTE = 1000
REVIEW_ANSWERS = ("yes", "partly", "no")

# block ids of the forms; each holds one element whose action id is "value"
ELEMENT = "value"
BLOCK_ACTUAL = "actual"
BLOCK_CONFIDENCE = "confidence"
BLOCK_NOTE = "note"
BLOCK_CAME = "came"
BLOCK_LESSON = "lesson"


@dataclass(frozen=True)
class FormField:
    """One input of the benefit form: block id (= the entry's field), label, kind, required."""

    block_id: str
    label: str
    kind: str  # text | long | number | date | user | category | direction | team
    required: bool = False


BENEFIT_FORM: tuple[FormField, ...] = (
    FormField("title", "Title", "text", required=True),
    FormField("description", "Description", "long"),
    FormField("category", "Category", "category", required=True),
    FormField("owner", "Owner", "user"),
    FormField("team", "Team", "team"),
    FormField("links", "Linked Jira issues or epics (comma-separated)", "text"),
    FormField("metric", "Metric", "text"),
    FormField("unit", "Unit", "text"),
    FormField("direction", "Direction", "direction"),
    FormField("baseline", "Baseline", "number"),
    FormField("baseline_date", "Baseline date", "date"),
    FormField("target", "Target", "number"),
    FormField("target_date", "Target date", "date"),
    FormField("low", "Range low (keep-within metrics)", "number"),
    FormField("high", "Range high (keep-within metrics)", "number"),
    FormField("money_per_month", "Money a month at target (financial)", "number"),
)


def _title(benefit: Benefit) -> str:
    return escape(limits.truncate(" ".join(benefit.title.split()), 80))


def _track(assessment: Assessment) -> str:
    variance = assessment.status.variance
    return messages.benefit_track(
        assessment.status.state, variance.colour if variance is not None else "none"
    )


def _record_button(benefit_id: str) -> Block:
    return ActionsBlock(
        block_id=f"benefit:{benefit_id}",
        elements=[
            button(
                messages.benefit_record_button(),
                ACTION_BENEFIT_RECORD,
                encode_value(b=benefit_id),
                style="primary",
            )
        ],
    )


# ---------------------------------------------------------------- answers


def benefits_reply(team: str, assessments: Sequence[Assessment]) -> Reply:
    """The register of a team, one line a benefit, capped with a pointer to the CLI."""
    if not assessments:
        return text_reply(messages.benefits_empty(team))
    title = messages.benefits_header(team, len(assessments))
    lines = [
        f"{_track(found)} {escape(benefit_text.listing_line(found))}"
        for found in assessments[:MAX_LISTED]
    ]
    shown: list[Block] = [header(title), *sections("\n".join(lines))]
    if len(assessments) > MAX_LISTED:
        shown.append(context(messages.benefits_more(len(assessments) - MAX_LISTED)))
    return Reply(text=title, blocks=cap_blocks(shown, limits.MAX_MESSAGE_BLOCKS))


def benefit_reply(
    assessment: Assessment,
    *,
    measurements: Sequence[Measurement],
    reviews: Sequence[StoredReview],
    lessons: Sequence[Lesson],
    unknown_links: Sequence[str],
    can_edit: bool,
) -> Reply:
    """One benefit in full (the lines ``benefits show`` prints), its status coloured by direction.

    The buttons: "Record actual" for everyone, "Edit" for holders of the ``benefits`` role.
    """
    benefit = assessment.benefit
    lines = benefit_text.benefit_lines(assessment, measurements, reviews, lessons, unknown_links)
    title = lines[0]
    shown: list[Block] = [
        header(title),
        section(messages.benefit_status(_track(assessment))),
        *sections("\n".join(escape(line) for line in lines[1:])),
    ]
    elements = [
        button(
            messages.benefit_record_button(),
            ACTION_BENEFIT_RECORD,
            encode_value(b=benefit.id),
            style="primary",
        )
    ]
    if can_edit:
        elements.append(
            button(messages.benefit_edit_button(), ACTION_BENEFIT_EDIT, encode_value(b=benefit.id))
        )
    shown.append(ActionsBlock(block_id=f"benefit:{benefit.id}", elements=elements))
    return Reply(text=title, blocks=cap_blocks(shown, limits.MAX_MESSAGE_BLOCKS))


# ---------------------------------------------------------------- forms


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=limits.truncate(text, 150))


def _option(value: str, label: str) -> Option:
    return Option(value=value, label=label)


def _select(options: list[Option], current: str | None) -> StaticSelectElement:
    initial = next((option for option in options if option.value == current), None)
    return StaticSelectElement(action_id=ELEMENT, options=options, initial_option=initial)


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _initial(benefit: Benefit | None, name: str) -> str | None:
    """The entry's current value of a form field, as the form shows it."""
    if benefit is None:
        return None
    measure = benefit.measure
    values: dict[str, str | None] = {
        "title": benefit.title or None,
        "description": benefit.description or None,
        "category": benefit.category.value,
        "owner": benefit.owner,
        "team": benefit.team,
        "links": ", ".join(benefit.links) or None,
        "metric": measure.metric or None,
        "unit": measure.unit or None,
        "direction": measure.direction.value,
        "baseline": _number(benefit.baseline),
        "baseline_date": benefit.baseline_date.isoformat() if benefit.baseline_date else None,
        "target": _number(benefit.target),
        "target_date": benefit.target_date.isoformat() if benefit.target_date else None,
        "low": _number(measure.low),
        "high": _number(measure.high),
        "money_per_month": _number(benefit.money_per_month),
    }
    return values[name]


def _element(
    field: FormField, current: str | None, teams: Sequence[str]
) -> PlainTextInputElement | StaticSelectElement | DatePickerElement | UserSelectElement:
    if field.kind == "category":
        options = [_option(c.value, c.value) for c in BenefitCategory]
        return _select(options, current)
    if field.kind == "direction":
        return _select([_option(d.value, d.value) for d in Direction], current or "increase")
    if field.kind == "team":
        return _select([_option(name, name) for name in teams], current)
    if field.kind == "date":
        return DatePickerElement(action_id=ELEMENT, initial_date=current)
    if field.kind == "user":
        return UserSelectElement(action_id=ELEMENT, initial_user=current)
    return PlainTextInputElement(
        action_id=ELEMENT,
        initial_value=current,
        multiline=field.kind == "long",
        max_length=MAX_NOTE if field.kind == "long" else 200,
    )


def benefit_modal(benefit: Benefit | None, *, teams: Sequence[str]) -> View:
    """The form to create (``benefit`` None) or edit an entry, pre-filled when editing."""
    inputs: list[Block] = [
        InputBlock(
            block_id=field.block_id,
            label=_plain(field.label),
            element=_element(field, _initial(benefit, field.block_id), teams),
            optional=not field.required,
        )
        for field in BENEFIT_FORM
        if field.kind != "team" or teams
    ]
    return View(
        type="modal",
        callback_id=VIEW_BENEFIT,
        title=_plain(messages.benefit_modal_title(benefit is None)),
        submit=_plain(messages.benefit_modal_submit()),
        private_metadata=encode_value(b=benefit.id if benefit else None),
        blocks=inputs,
    )


def _confidence_select() -> StaticSelectElement:
    return _select([_option(c.value, messages.confidence_label(c.value)) for c in Confidence], None)


def _note(block_id: str, label: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=_plain(label),
        element=PlainTextInputElement(action_id=ELEMENT, multiline=True, max_length=MAX_NOTE),
        optional=True,
    )


def actual_modal(benefit: Benefit, *, channel: str | None, ts: str | None) -> View:
    """Record an actual: the value (required), the owner's confidence and a note."""
    return View(
        type="modal",
        callback_id=VIEW_ACTUAL,
        title=_plain(messages.actual_modal_title()),
        submit=_plain(messages.benefit_modal_submit()),
        private_metadata=encode_value(b=benefit.id, c=channel, ts=ts),
        blocks=[
            section(f"*{benefit.id}* {_title(benefit)}"),
            InputBlock(
                block_id=BLOCK_ACTUAL,
                label=_plain(
                    messages.actual_value_label(benefit.measure.metric, benefit.measure.unit)
                ),
                element=PlainTextInputElement(action_id=ELEMENT, max_length=30),
            ),
            InputBlock(
                block_id=BLOCK_CONFIDENCE,
                label=_plain(messages.actual_confidence_label()),
                element=_confidence_select(),
                optional=True,
            ),
            _note(BLOCK_NOTE, messages.actual_note_label()),
        ],
    )


def review_modal(review_id: int, benefit: Benefit, kind: str) -> View:
    """Answer a review: did the benefit come, the actual, confidence, a lesson learned."""
    return View(
        type="modal",
        callback_id=VIEW_REVIEW,
        title=_plain(messages.review_modal_title()),
        submit=_plain(messages.benefit_modal_submit()),
        private_metadata=encode_value(r=review_id, b=benefit.id),
        blocks=[
            section(f"*{messages.review_header(kind)}* of *{benefit.id}* {_title(benefit)}"),
            InputBlock(
                block_id=BLOCK_CAME,
                label=_plain(messages.review_came_label()),
                element=_select(
                    [_option(a, messages.review_came_option(a)) for a in REVIEW_ANSWERS], None
                ),
            ),
            InputBlock(
                block_id=BLOCK_ACTUAL,
                label=_plain(
                    messages.actual_value_label(benefit.measure.metric, benefit.measure.unit)
                ),
                element=PlainTextInputElement(action_id=ELEMENT, max_length=30),
                optional=True,
            ),
            InputBlock(
                block_id=BLOCK_CONFIDENCE,
                label=_plain(messages.actual_confidence_label()),
                element=_confidence_select(),
                optional=True,
            ),
            _note(BLOCK_LESSON, messages.review_lesson_label()),
        ],
    )


# ---------------------------------------------------------------- direct messages


def actual_request_reply(
    benefit: Benefit, *, nudge: bool, why: str, last: str | None, planned: float | None
) -> Reply:
    """Ask the owner for an actual (or nudge, once), with a button to record it."""
    title = messages.actual_nudge_header() if nudge else messages.actual_request_header()
    text = messages.actual_request(
        benefit.id, _title(benefit), escape(benefit.measure.metric), planned, last
    )
    return Reply(
        text=title, blocks=[header(title), section(text), context(why), _record_button(benefit.id)]
    )


def review_request_reply(
    review_id: int,
    benefit: Benefit,
    *,
    kind: str,
    offset_days: int,
    planned: float | None,
    why: str,
) -> Reply:
    """A post-implementation or sustainment review, answered in a modal."""
    title = messages.review_header(kind)
    text = messages.review_question(benefit.id, _title(benefit), kind, offset_days, planned)
    answer = button(
        messages.review_answer_button(),
        ACTION_REVIEW_ANSWER,
        encode_value(r=review_id),
        style="primary",
    )
    return Reply(
        text=title,
        blocks=[
            header(title),
            section(text),
            context(why),
            ActionsBlock(block_id=f"review:{review_id}", elements=[answer]),
        ],
    )


def risk_reply(benefit: Benefit, reason: str) -> Reply:
    title = messages.risk_header()
    text = messages.risk_dm(benefit.id, _title(benefit), escape(reason))
    return Reply(text=title, blocks=[section(title), section(text), _record_button(benefit.id)])


# ---------------------------------------------------------------- App Home


def home_benefit_blocks(assessments: Sequence[Assessment]) -> list[Block]:
    """The person's own benefits, each with its status and a "Record actual" button."""
    if not assessments:
        return [context(messages.home_no_benefits())]
    shown: list[Block] = [section(messages.home_benefits_title(len(assessments)))]
    for a in assessments[:MAX_HOME_BENEFITS]:
        shown.append(
            section(f"*{a.benefit.id}* {_title(a.benefit)}: {a.benefit.status.value}, {_track(a)}")
        )
        shown.append(_record_button(a.benefit.id))
    if len(assessments) > MAX_HOME_BENEFITS:
        shown.append(context(messages.benefits_more(len(assessments) - MAX_HOME_BENEFITS)))
    return shown
