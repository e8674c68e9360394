"""Block Kit and plain text of the weekly digest and the sprint-start reminder.

Both are built from the same parts (lists of lines), so the blocks the channel sees, the
notification fallback and the terminal preview always say the same thing. A part is one or
more sections (split at 3000 characters); lists show their top few and end with "…and N more",
pointing at ``/value top``, and every line is cut to :data:`MAX_LINE` characters. So however
big the backlog, a digest is a dozen blocks or so, far below Slack's 50.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from slack_sdk.models.blocks import Block

from bot.chat import blocks, limits, messages
from bot.chat.mrkdwn import escape
from rules.assessment import PortfolioSummary
from rules.digest import Digest, DigestItem, Reminder
from rules.model import ValueGoal

#: items a list shows before "…and N more"
LIST_SHOWN = 5
#: goals shown before "…and N more"
GOALS_SHOWN = 10
#: rank-change reasons are cut to this many characters
REASON_IN_LIST = 200
#: any one line is cut to this many characters, so a part fits in a section or two
MAX_LINE = 500
_EMPHASIS = re.compile(r"\*([^*\n]+)\*")
#: a mrkdwn link ``<url|label>``; plain text shows the label, then the address in brackets
_LINK = re.compile(r"<([^|>\s]+)\|([^>]+)>")
#: a message's parts: each a list of lines, rendered as one or more sections
Parts = Sequence[Sequence[str]]


def _items(entries: Sequence[DigestItem], where: str, shown: int = LIST_SHOWN) -> list[str]:
    lines = [
        messages.item_line(escape(entry.key), blocks.list_summary(entry.summary), entry.value)
        for entry in entries[:shown]
    ]
    if len(entries) > shown:
        lines.append(messages.more_items(len(entries) - shown, where))
    return lines


def _goals(team: str, goals: Sequence[ValueGoal]) -> list[str]:
    if not goals:
        return [messages.goals_none(team)]
    lines = [messages.goals_title(), *blocks.goal_lines(goals[:GOALS_SHOWN])]
    if len(goals) > GOALS_SHOWN:
        lines.append(messages.more_items(len(goals) - GOALS_SHOWN, "/value goals"))
    return lines


def _digest_parts(digest: Digest) -> list[list[str]]:
    """The digest's sections, each a list of lines, in reading order."""
    hint = messages.FULL_LIST_COMMAND
    parts = [_goals(digest.team, digest.goals)]
    delivered = [
        messages.delivered_title(digest.value_delivered, len(digest.delivered), digest.value_unit),
        messages.delivered_compared(digest.value_delivered, digest.previous_value_delivered),
    ]
    delivered += _items(digest.delivered, hint) or [messages.delivered_none()]
    parts.append(delivered)
    if digest.sprint is None:
        parts.append([messages.sprint_none()])
    else:
        sprint = digest.sprint
        parts.append(
            [
                messages.sprint_line(escape(sprint.name), sprint.goal and escape(sprint.goal)),
                messages.sprint_value(
                    sprint.committed, sprint.delivered, sprint.items, digest.value_unit
                ),
            ]
        )
    if digest.movers:
        parts.append(
            [messages.movers_title(digest.moved, digest.moved_rescored)]
            + [
                messages.mover_line(
                    escape(mover.key),
                    blocks.list_summary(mover.summary),
                    mover.old_rank,
                    mover.new_rank,
                    blocks.data(mover.reason, REASON_IN_LIST),
                )
                for mover in digest.movers
            ]
        )
    else:
        parts.append([messages.movers_none()])
    parts.append([messages.response_rate(digest.response.answered, digest.response.asked)])
    parts.append(
        [messages.stale_title(len(digest.stale), digest.stale_days), *_items(digest.stale, hint, 3)]
    )
    parts.append(
        [messages.unestimated_title(len(digest.unestimated)), *_items(digest.unestimated, hint, 3)]
    )
    review = digest.benefits
    if review.rows:
        answers = review.answers
        parts.append(
            [
                messages.benefits_title(),
                messages.benefits_totals(review.planned, review.realised, len(review.rows)),
                messages.benefits_answers(answers["yes"], answers["partly"], answers["no"]),
            ]
        )
    else:
        parts.append([messages.benefits_none()])
    if digest.portfolio is not None:
        parts.append(_register(digest.portfolio, digest.lessons))
    return parts


def _register(week: PortfolioSummary, lessons: Sequence[tuple[str, str]]) -> list[str]:
    """The register's week: realised, at risk, money planned vs realised, reviews, lessons."""
    lines = [messages.register_title()]
    if week.realised:
        lines.append(messages.register_realised(", ".join(week.realised)))
    lines.extend(
        messages.register_at_risk(
            escape(risk.benefit_id), blocks.list_summary(risk.title), escape(risk.reason)
        )
        for risk in week.at_risk[:LIST_SHOWN]
    )
    if week.planned_npv:
        lines.append(
            messages.register_money(week.planned_npv_to_date, week.realised_npv, week.planned_npv)
        )
    if week.reviews_due:
        due = ", ".join(
            f"{review.benefit_id} {review.kind} {review.due:%a %d %b}"
            for review in week.reviews_due[:LIST_SHOWN]
        )
        lines.append(messages.register_reviews_due(len(week.reviews_due), due))
    lines.extend(
        messages.register_lesson(escape(benefit_id), blocks.data(text, REASON_IN_LIST))
        for benefit_id, text in lessons[:3]
    )
    return lines


def _period(digest: Digest) -> str:
    zone = digest.start.tzinfo
    last = (digest.end - timedelta(microseconds=1)).astimezone(zone)
    return messages.digest_period(digest.start.date(), last.date())


def _cut(part: Sequence[str]) -> list[str]:
    return [limits.truncate(line, MAX_LINE) for line in part]


def _footer(hint: str, url: str | None) -> str:
    pointer = messages.full_list(hint)
    return f"{messages.full_list_link(url)} {pointer}" if url else pointer


def _render(title: str, intro: str | None, parts: Parts, hint: str, url: str | None) -> list[Block]:
    page: list[Block] = [blocks.header(title)]
    if intro:
        page.append(blocks.context(intro))
    for part in parts:
        page.extend(blocks.sections("\n".join(_cut(part))))
    page.append(blocks.context(_footer(hint, url)))
    return page


def _plain(title: str, intro: str | None, parts: Parts, hint: str, url: str | None) -> str:
    # the title (a plain-text header in the blocks) becomes mrkdwn here, so it is escaped too
    lines = [escape(title), *([intro] if intro else [])]
    for part in parts:
        lines.extend(["", *_cut(part)])
    lines.extend(["", _footer(hint, url)])
    text = _LINK.sub(r"\2 (\1)", "\n".join(lines))
    return _EMPHASIS.sub(r"\1", text)


def digest_blocks(digest: Digest) -> list[Block]:
    """The digest as one channel message: at most 50 blocks, each within Slack's limits."""
    title = messages.digest_header(digest.team, digest.week)
    return _render(
        title,
        _period(digest),
        _digest_parts(digest),
        messages.FULL_LIST_COMMAND,
        digest.full_list_url,
    )


def digest_text(digest: Digest) -> str:
    """The digest as plain text: the notification fallback and the terminal preview."""
    title = messages.digest_header(digest.team, digest.week)
    return _plain(
        title,
        _period(digest),
        _digest_parts(digest),
        messages.FULL_LIST_COMMAND,
        digest.full_list_url,
    )


def _reminder_parts(reminder: Reminder) -> list[list[str]]:
    hint = messages.FULL_LIST_COMMAND
    parts = [
        [messages.reminder_goal(reminder.goal and escape(reminder.goal))],
        [messages.reminder_committed(reminder.committed, reminder.items, reminder.value_unit)],
    ]
    if reminder.top:
        parts.append([messages.reminder_top_title(len(reminder.top)), *_items(reminder.top, hint)])
    else:
        parts.append([messages.reminder_empty()])
    parts.append(_goals(reminder.team, reminder.goals))
    if reminder.benefits:
        parts.append(
            [
                messages.reminder_benefits_title(len(reminder.benefits)),
                *(
                    messages.reminder_benefit_line(served.benefit_id, served.title, served.keys)
                    for served in reminder.benefits[:LIST_SHOWN]
                ),
            ]
        )
    if reminder.unvalued:
        parts.append(
            [
                messages.reminder_unvalued_title(len(reminder.unvalued)),
                *_items(reminder.unvalued, hint),
            ]
        )
    return parts


def reminder_blocks(reminder: Reminder) -> list[Block]:
    """The sprint-start reminder as one channel message."""
    title = messages.reminder_header(reminder.sprint, reminder.team)
    return _render(
        title, None, _reminder_parts(reminder), messages.FULL_LIST_COMMAND, reminder.full_list_url
    )


def reminder_text(reminder: Reminder) -> str:
    """The sprint-start reminder as plain text (the notification fallback)."""
    title = messages.reminder_header(reminder.sprint, reminder.team)
    return _plain(
        title, None, _reminder_parts(reminder), messages.FULL_LIST_COMMAND, reminder.full_list_url
    )
