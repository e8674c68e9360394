"""The sentences of the weekly digest and the sprint-start reminder (``messages.py`` style).

Kept beside :mod:`bot.slack.messages` rather than in it, so the digest's voice reads in one
place. Text is Slack ``mrkdwn``; :func:`bot.slack.digest_blocks.digest_text` turns it plain.
"""

from __future__ import annotations

from datetime import date


def digest_header(team: str, week: str) -> str:
    return f"Weekly value digest: {team}, {week}"


def digest_period(first: date, last: date) -> str:
    return f"Work done from {first:%a %d %b} to {last:%a %d %b %Y}."


def goals_title() -> str:
    return "*Value goals*"


def goals_none(team: str) -> str:
    return f"No value goals yet: add `goals` to team {team} in northstar.toml."


def delivered_title(value: float, count: int) -> str:
    return f"*Value delivered: {value:.1f}* from {count} item(s)"


def delivered_compared(value: float, previous: float) -> str:
    """This week's value delivered against the week before's."""
    if not value and not previous:
        return "The week before: nothing either."
    if value == previous:
        return f"The same as the week before ({previous:.1f})."
    change = "up" if value > previous else "down"
    return f"{change.capitalize()} {abs(value - previous):.1f} on the week before ({previous:.1f})."


def goal_status(
    name: str,
    metric: str,
    baseline: float | None,
    target: float | None,
    current: float | None,
    due: str | None,
) -> str:
    """A value goal with its metric now against its target (and how far along it is)."""
    head = f"*{name}*" + (f" ({metric})" if metric else "")
    by = f" by {due}" if due else ""
    if target is None:
        now = f": {current:g} now" if current is not None else ""
        return f"{head}{now}{by}"
    if current is None:
        start = f", from {baseline:g}" if baseline is not None else ""
        return f"{head}: target {target:g}{by}{start}; no current value recorded yet"
    line = f"{head}: {current:g} now against a target of {target:g}{by}"
    if baseline is not None and baseline != target:
        share = (current - baseline) / (target - baseline)
        line += f" (from {baseline:g}; {share:.0%} of the way)"
    return line


def full_list_link(url: str) -> str:
    return f"<{url}|The ordered backlog in Jira>."


def delivered_none() -> str:
    return "Nothing was done in this period."


def item_line(key: str, summary: str, value: float) -> str:
    return f"• {key} {summary} — {value:.2f}"


def more_items(count: int, where: str) -> str:
    return f"…and {count} more; `{where}` shows the full list."


def sprint_line(name: str, goal: str | None) -> str:
    return f"*Active sprint:* {name}" + (f" — goal: {goal}" if goal else " (no sprint goal set)")


def sprint_value(committed: float, delivered: float, items: int) -> str:
    share = f" ({delivered / committed:.0%})" if committed > 0 else ""
    return (
        f"Value committed {committed:.1f} across {items} item(s); "
        f"done so far {delivered:.1f}{share}."
    )


def sprint_none() -> str:
    return "*Active sprint:* none right now."


def movers_title() -> str:
    return "*Biggest rank changes since last week*"


def mover_line(key: str, summary: str, old: int, new: int, reason: str) -> str:
    direction = f"up {old - new}" if new < old else f"down {new - old}"
    because = f": {reason}" if reason else ""
    return f"• {key} {summary}: {old} → {new} ({direction}){because}"


def movers_none() -> str:
    return "*Rank changes:* none since last week."


def response_rate(answered: int, asked: int) -> str:
    if not asked:
        return "*Check-in response rate:* no check-in round in this period."
    return (
        f"*Check-in response rate:* {answered} of {asked} asked answered ({answered / asked:.0%})."
    )


def stale_title(count: int, days: int) -> str:
    return f"*Stale:* {count} open item(s) with no rating or score change for {days} days"


def unestimated_title(count: int) -> str:
    return f"*Needs estimate:* {count} open item(s) without story points"


def benefits_title() -> str:
    return "*Planned vs realised benefit* (delivered items)"


def benefits_totals(planned: float, realised: float, items: int) -> str:
    return f"Planned {planned:g}, realised {realised:g}, over {items} item(s)."


def benefits_answers(yes: int, partly: int, no: int) -> str:
    if not yes + partly + no:
        return "Nobody has answered a realisation check-in yet."
    return f"Did the benefit come? yes {yes}, partly {partly}, no {no}."


def benefits_none() -> str:
    return "*Planned vs realised benefit:* no delivered item with a planned benefit yet."


def full_list(where: str) -> str:
    return f"The whole ranked backlog: `{where}`. Each score explained: `/value why KEY`."


def reminder_header(sprint: str, team: str) -> str:
    return f"Sprint starts: {sprint} ({team})"


def reminder_goal(goal: str | None) -> str:
    return f"*Sprint goal:* {goal}" if goal else "*Sprint goal:* none set in the backlog tool."


def reminder_committed(value: float, items: int) -> str:
    return f"*Value committed:* {value:.1f} across {items} item(s)."


def reminder_top_title(count: int) -> str:
    return f"*Top {count} by value*"


def reminder_unvalued_title(count: int) -> str:
    return f"*Without a value score:* {count} item(s) nobody has valued yet"


def reminder_empty() -> str:
    return "The sprint has no items yet."
