"""Every sentence Northstar says in Slack, as small functions (bolt's ``logger/messages``).

Longer than 400 lines on purpose: the whole voice of the bot (answers, check-ins, the digest,
the reminder, what the scheduler writes) is in this one module, so a reviewer can read it at once,
tests can assert on the same function the code used, and a wording change touches one place.
Text is Slack ``mrkdwn``; user ids render as ``<@U...>`` and user groups as ``<!subteam^S...>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from rules.reasons import number

#: Where the digest and the reminder point for the whole list when they show only its top.
FULL_LIST_COMMAND = "/value top"


def _did_you_mean(suggestion: str | None) -> str:
    return f" Did you mean `{suggestion}`?" if suggestion else ""


#: One line of usage and one worked example per ``/value`` sub-command, in help order.
USAGE: dict[str, tuple[str, str]] = {
    "help": ("/value help [command]", "/value help whatif"),
    "top": ("/value top [N] [team]", "/value top 10 payments"),
    "why": ("/value why KEY  (alias: score KEY)", "/value why PAY-12"),
    "whatif": ("/value whatif KEY input=value ...", "/value whatif PAY-12 cost=3 business_value=8"),
    "set": ("/value set KEY input=value ...", "/value set PAY-12 business_value=8"),
    "checkin": (
        "/value checkin KEY|team [anonymous] [hidden]",
        "/value checkin payments anonymous",
    ),
    "reorder": ("/value reorder [team]", "/value reorder payments"),
    "undo": ("/value undo [team]", "/value undo payments"),
    "digest": ("/value digest [team]", "/value digest payments"),
    "goals": ("/value goals [team]", "/value goals payments"),
    "benefits": ("/value benefits [team]", "/value benefits payments"),
    "benefit": ("/value benefit BEN-ID|new", "/value benefit BEN-3"),
    "measure": (
        "/value measure BEN-ID|goal VALUE [on-track|at-risk|off-track] [note]",
        "/value measure BEN-3 95 on-track refunds down after the release",
    ),
}

_PURPOSE: dict[str, str] = {
    "help": "this help, or the help of one command",
    "top": "the N most valuable open items by score (10 unless you say), with their backlog rank",
    "why": "how an item's score is made, term by term, and why it sits where it does",
    "whatif": "the score and rank an item would get with other inputs; nothing is changed",
    "set": "change an item's inputs in Jira and show its new rank",
    "checkin": "ask the team's stakeholders to rate items 1-5 (one item, or the top of a team)",
    "reorder": "preview the new backlog order, with an Apply button",
    "undo": "put back the order the last applied reorder replaced",
    "digest": "a private preview of the weekly value digest",
    "goals": "the team's value goals",
    "benefits": "the team's benefit register: status against plan, owner, SMART check",
    "benefit": "one benefit in full (plan, actuals, NPV and ROI, risks); `new` opens a form",
    "measure": "record an actual of a benefit or a value goal (a goal by its id, see `goals`)",
}


def example_for(command: str) -> str:
    """The worked example of ``command`` (the help example when the command is unknown)."""
    return USAGE.get(command, USAGE["help"])[1]


def usage_for(command: str) -> str:
    """Usage, purpose and example of one sub-command."""
    usage, example = USAGE.get(command, USAGE["help"])
    purpose = _PURPOSE.get(command, "")
    return f"`{usage}`: {purpose}\nExample: `{example}`"


def usage_value(input_help: dict[str, str] | None = None) -> str:
    """The full ``/value help`` text, with one line per value input when known."""
    lines = ["*Northstar: value-ordered backlog.* Commands:"]
    lines.extend(f"• `{usage}`: {_PURPOSE[name]}" for name, (usage, _) in USAGE.items())
    if input_help:
        lines.append("*Inputs* for `whatif` and `set`:")
        lines.extend(f"• `{name}`: {text}" for name, text in input_help.items())
    lines.append("Only you see these answers unless a command says otherwise.")
    return "\n".join(lines)


# ---------------------------------------------------------------- acknowledgements


def ack_working() -> str:
    """What the person sees at once, while the answer is being prepared."""
    return ":hourglass_flowing_sand: Working on it…"


def ack_applying(team: str) -> str:
    return f":hourglass_flowing_sand: Applying the new order of *{team}* to Jira…"


# ---------------------------------------------------------------- parse errors


def error_parse(problem: str, example: str) -> str:
    """A malformed command: what was wrong and the right form."""
    return f":warning: {problem}\nFor example: `{example}`"


def parse_empty_key(command: str) -> str:
    return f"`{command}` needs an issue key such as PAY-12"


def parse_bad_key(command: str, token: str) -> str:
    return f"`{token}` is not an issue key; `{command}` needs a key such as PAY-12"


def parse_unknown_command(word: str, suggestion: str | None) -> str:
    hint = _did_you_mean(suggestion)
    return f"There is no `/value {word}` command.{hint} `/value help` lists them all."


def parse_too_long(length: int, limit: int) -> str:
    return f"That command is {length} characters long; the limit is {limit}."


def parse_unexpected(command: str, extra: Sequence[str]) -> str:
    listed = " ".join(extra)
    return f"`{command}` does not take `{listed}`"


def parse_bad_number(command: str, token: str, low: int, high: int) -> str:
    return f"`{command}` takes a count from {low} to {high}, not `{token}`"


def parse_no_changes(command: str) -> str:
    return f"`{command}` needs at least one `input=value` after the issue key"


def parse_bad_pair(token: str) -> str:
    return f"`{token}` is not `input=value`"


def parse_unknown_input(name: str, suggestion: str | None, names: Sequence[str]) -> str:
    hint = _did_you_mean(suggestion)
    return f"There is no input called `{name}`.{hint} Inputs: {', '.join(names)}."


def parse_bad_value(name: str, value: str) -> str:
    return f"`{name}` needs a plain number of 0 or more (like 8 or 2.5), not `{value}`"


def parse_zero_cost() -> str:
    return "`cost` must be more than 0 (it divides the value)"


def parse_value_too_large(name: str, limit: float) -> str:
    return f"`{name}` may be at most {limit:g}"


def parse_duplicate_input(name: str) -> str:
    return f"`{name}` is given twice"


def parse_unknown_team(name: str, suggestion: str | None, teams: Sequence[str]) -> str:
    hint = _did_you_mean(suggestion)
    known = ", ".join(teams) or "none configured"
    return f"There is no team called `{name}`.{hint} Teams: {known}."


def parse_unknown_topic(word: str, suggestion: str | None) -> str:
    hint = _did_you_mean(suggestion)
    return f"There is no help on `{word}`.{hint}"


# ---------------------------------------------------------------- errors from the work


def error_unknown_issue(key: str) -> str:
    return (
        f":mag: {key} is in no team's backlog. Check the key (`/value top` lists the keys, "
        "for example: `/value why PAY-12`); if the issue is new, it appears after the next sync."
    )


def error_not_allowed(action: str, roles: Sequence[str]) -> str:
    """Refusal that names who *may* do it, so the person knows whom to ask."""
    if not roles:
        return (
            f":lock: Nobody may {action}: no role is set for it in northstar.toml "
            "(`roles` of the team)."
        )
    return f":lock: You may not {action}. Ask {mention_all(roles)}."


def error_user(message: str) -> str:
    """A problem with the request that our own code described (safe to show as is)."""
    return f":warning: {message}"


def error_team_needed(teams: Sequence[str], example: str) -> str:
    listed = ", ".join(teams) or "none configured"
    return (
        f":warning: Several teams are configured ({listed}) and this channel belongs to none. "
        f"Name the team, for example: `{example}`"
    )


def error_no_teams() -> str:
    return ":warning: No team is configured in northstar.toml yet."


def error_jira(detail: str, error_id: str) -> str:
    return (
        f":warning: Jira could not do that: {detail}\n"
        f"Nothing was lost; try again in a minute. (error id `{error_id}`)"
    )


def error_slack(error_id: str) -> str:
    return (
        ":warning: Slack refused one of Northstar's requests, so this answer is incomplete. "
        f"Try again in a minute; if it keeps happening, tell an admin (error id `{error_id}`)."
    )


def error_database(error_id: str) -> str:
    return (
        ":warning: Northstar's database could not be reached, so nothing was changed. "
        f"Try again in a minute; if it keeps happening, tell an admin (error id `{error_id}`)."
    )


def error_unexpected(error_id: str) -> str:
    return (
        ":warning: Something unexpected went wrong and nothing was changed. "
        f"An admin can find the details in the logs under error id `{error_id}`."
    )


def error_stale_button() -> str:
    return ":warning: This button is from an older message and no longer works."


# ---------------------------------------------------------------- answers


def top_header(team: str, count: int) -> str:
    return f"Top {count} of {team} by value"


def top_legend() -> str:
    return (
        "By score, most valuable first; _backlog #_ is the item's place in the ranked backlog. "
        "Items held by the sprint or the manual zone, and pinned ones, keep their backlog place "
        "and are marked."
    )


def top_empty(team: str) -> str:
    return f"The backlog of *{team}* has no open items to rank."


def top_line(
    place: int, key: str, summary: str, score: float, model: str, backlog: int, flags: str
) -> str:
    value = f"{number(score)} {model.upper()}"
    return f"*{place}.* *{key}* {summary} — {value} · backlog #{backlog}{flags}"


def flag_needs_estimate() -> str:
    return " · _needs estimate_"


def flag_held(mark: str) -> str:
    """``mark`` is "active sprint", "manual zone", "pinned top" ... (rules.explain.ValueRow)."""
    return f" · _{mark}_"


def why_header(key: str) -> str:
    return f"Why {key} sits where it does"


def why_rank(rank: int, total: int, team: str) -> str:
    return f"Rank *{rank}* of {total} in *{team}*."


def why_not_ranked(key: str) -> str:
    return f"{key} is done or excluded by a rule, so it has a score but no rank."


def why_ratings(value: float, raters: int, spread: float) -> str:
    return (
        f"Stakeholders rate it {value:.1f} of 5 ({raters} rater(s), spread {spread:.1f}"
        f"{'; they disagree' if raters >= 2 and spread >= 1.0 else ''})."
    )


def whatif_answer(
    key: str, old_score: float, new_score: float, old_rank: int, new_rank: int
) -> str:
    return (
        f"*{key}* would score {new_score:.2f} (now {old_score:.2f}) and rank "
        f"*{new_rank}* (now {old_rank}). {_moved_words(old_rank, new_rank)}\n"
        "_Nothing was changed: this is a what-if._"
    )


def set_answer(
    key: str, changes: str, old_score: float, new_score: float, old: int, new: int
) -> str:
    return (
        f":white_check_mark: Saved {changes} on *{key}*. It now scores {new_score:.2f} "
        f"(was {old_score:.2f}) and ranks *{new}* (was {old}). {_moved_words(old, new)}"
    )


def _moved_words(old: int, new: int) -> str:
    if new < old:
        return f"That is {old - new} place(s) up."
    if new > old:
        return f"That is {new - old} place(s) down."
    return "Its place does not change."


def goals_header(team: str) -> str:
    return f"Value goals of {team}"


def goals_empty(team: str) -> str:
    return f"*{team}* has no value goals yet: add `goals = [...]` to the team in northstar.toml."


def goal_line(
    name: str, metric: str, baseline: float | None, target: float | None, due: str | None
) -> str:
    parts = [f"*{name}*"]
    if metric:
        parts.append(f"({metric})")
    if baseline is not None and target is not None:
        parts.append(f"from {baseline:g} to {target:g}")
    elif target is not None:
        parts.append(f"to {target:g}")
    if due:
        parts.append(f"by {due}")
    return " ".join(parts)


def digest_preview_title(team: str) -> str:
    return f"Digest preview of {team} (only you see this)"


# ---------------------------------------------------------------- reorder


def reorder_header(team: str) -> str:
    return f"Reorder preview: {team}"


def reorder_nothing(team: str) -> str:
    return f":white_check_mark: The backlog of *{team}* is already in value order. Nothing to move."


def reorder_summary(summary: str, naive: int) -> str:
    """``summary`` is :func:`rules.explain.summary_text`: moved, re-scored, optimum, calls."""
    return f"{summary} With one call per issue it would take {naive}."


def reorder_row(key: str, summary: str, old: int, new: int, reason: str) -> str:
    arrow = ":arrow_up:" if new < old else ":arrow_down:"
    why = f" — {reason}" if reason else ""
    return f"{arrow} *{key}* {old} → {new} {summary}{why}"


def reorder_more(count: int) -> str:
    return f"…and {count} more move(s), all applied together."


def reorder_apply_button() -> str:
    return "Apply"


def reorder_cancel_button() -> str:
    return "Cancel"


def reorder_confirm_title() -> str:
    return "Apply the new order?"


def reorder_confirm_text(team: str, calls: int) -> str:
    return (
        f"This ranks the backlog of {team} in Jira with {calls} call(s). `/value undo` reverts it."
    )


def reorder_only_roles(roles: Sequence[str]) -> str:
    who = mention_all(roles) if roles else "nobody (no role is configured)"
    return f"Only {who} may apply it."


def reorder_applied(team: str, moved: int, calls: int, verified: bool, resumed: bool) -> str:
    how = "resumed and finished" if resumed else "applied"
    check = "Jira's order now matches." if verified else "Jira's order differs in places; see logs."
    return (
        f":white_check_mark: Reorder of *{team}* {how}: {moved} item(s) moved with "
        f"{calls} call(s). {check} `/value undo {team}` reverts it."
    )


def reorder_changed(team: str) -> str:
    return (
        f":arrows_counterclockwise: The backlog of *{team}* changed since that preview, so "
        "nothing was applied. Here is the new plan:"
    )


def reorder_cancelled() -> str:
    return "Reorder cancelled; nothing was changed."


def undo_done(team: str, calls: int) -> str:
    if calls == 0:
        return f":white_check_mark: The backlog of *{team}* already has its previous order."
    return (
        f":leftwards_arrow_with_hook: Restored the previous order of *{team}* with {calls} call(s)."
    )


# ---------------------------------------------------------------- check-ins


def checkin_started(team: str, people: int, items: int, failed: Sequence[str] = ()) -> str:
    text = (
        f":ballot_box_with_ballot: Check-in started for *{team}*: {people} stakeholder(s) "
        f"asked to rate {items} item(s)."
    )
    if failed:
        text += (
            f"\n:warning: Could not send it to {mention_all(failed)}: Slack refused the direct "
            "message (the logs say why). Ask them directly, or check the bot's scopes."
        )
    return text


def checkin_close_button() -> str:
    return "Close and post results"


def checkin_close_confirm_title() -> str:
    return "Close the check-in?"


def checkin_close_confirm_text(channel: str | None) -> str:
    where = f"<#{channel}>" if channel else "you (the team has no channel)"
    return f"Nobody can rate any more, and the results are posted to {where}."


def checkin_closed_posted(team: str, channel: str) -> str:
    return f":white_check_mark: Check-in of *{team}* closed; the results are in <#{channel}>."


def checkin_closed_already() -> str:
    return "This check-in was already closed; its results were posted then."


def checkin_no_stakeholders(team: str) -> str:
    return f"*{team}* has no stakeholders in northstar.toml, so there is nobody to ask."


def checkin_no_items(team: str) -> str:
    return f"*{team}* has no open items to ask about."


def checkin_dm_header(team: str) -> str:
    return f"Value check-in: {team}"


def checkin_dm_intro(team: str, started_by: str | None, anonymous: bool, hidden: bool) -> str:
    who = f"<@{started_by}>" if started_by else "Northstar"
    lines = [
        f"You are a stakeholder of *{team}*, so {who} would like your view. "
        "How much value would each item bring? *1* = little, *5* = a lot. One click per item "
        "is enough; your answer changes the backlog order at once."
    ]
    if anonymous:
        lines.append("This check-in is anonymous: your name is never shown with your rating.")
    if hidden:
        lines.append("Ratings stay hidden until the check-in closes.")
    return "\n".join(lines)


def checkin_reminder_intro() -> str:
    return ":wave: A gentle reminder: your rating is still missing from this check-in."


def checkin_item(key: str, summary: str, url: str | None = None) -> str:
    """An item as a line: its key (a link to the issue when known) and its summary."""
    name = f"<{url}|{key}>" if url else key
    return f"*{name}* {summary}"


def checkin_comment_button() -> str:
    return "Add comment"


def checkin_you_rated(value: int) -> str:
    return f"You rated {value} of 5."


def checkin_rank_now(key: str, old: int | None, new: int | None) -> str:
    if new is None:
        return f"Thanks! {key} is not in the ranked backlog any more."
    if old is None or old == new:
        return f"Thanks! {key} ranks *{new}*."
    return f"Thanks! {key} now ranks *{new}* (was {old})."


def checkin_recorded_hidden(key: str) -> str:
    return f"Thanks! Your rating of {key} is recorded; results are shown when the check-in closes."


def checkin_already(key: str, value: int) -> str:
    return f"You already rated {key} {value}; nothing changed."


def checkin_closed() -> str:
    return "This check-in has closed; thank you all the same."


def checkin_not_asked() -> str:
    return "This check-in was sent to other people, so your rating was not recorded."


def comment_modal_title() -> str:
    return "Comment"


def comment_modal_submit() -> str:
    return "Save"


def comment_modal_rating_label() -> str:
    return "Your rating (1 = little value, 5 = a lot)"


def comment_modal_comment_label() -> str:
    return "What value do you expect; has it changed?"


def comment_modal_hint(anonymous: bool) -> str:
    if anonymous:
        return "Shown without your name when the check-in closes."
    return "Shown with your name in the check-in summary."


def comment_too_long(limit: int) -> str:
    return f"Please keep the comment under {limit} characters."


def comment_saved(key: str) -> str:
    return f"Comment on {key} saved. Thank you!"


def summary_header(team: str) -> str:
    return f"Check-in results: {team}"


def summary_response_rate(answered: int, asked: int) -> str:
    share = (100 * answered // asked) if asked else 0
    return f"*Response rate:* {answered} of {asked} stakeholder(s) ({share}%)."


def summary_moved_title() -> str:
    return "*Value moved most*"


def summary_moved(key: str, summary: str, before: float | None, after: float) -> str:
    was = f"{before:.1f}" if before is not None else "unrated"
    return f"• *{key}* {summary}: stakeholder value {was} → {after:.1f}"


def summary_disagreement(key: str, summary: str, low: int, high: int, spread: float) -> str:
    return (
        f"*Widest disagreement:* *{key}* {summary}: ratings from {low} to {high} "
        f"(spread {spread:.1f}). Worth a conversation."
    )


def summary_agreement() -> str:
    return "*Disagreement:* none worth noting; raters broadly agree."


def summary_no_answers() -> str:
    return "Nobody answered this time, so the backlog is unchanged."


def summary_comments_title() -> str:
    return "*Comments*"


def summary_comment(key: str, comment: str, who: str | None) -> str:
    by = f" (<@{who}>)" if who else ""
    return f"• *{key}*{by}: {comment}"


def summary_rating(key: str, value: float, raters: int, who: Sequence[str]) -> str:
    names = f" — {mention_all(who)}" if who else ""
    return f"• *{key}* {value:.1f} of 5 from {raters} rater(s){names}"


def realisation_header() -> str:
    return "Did the benefit come?"


def realisation_question(
    key: str, summary: str, weeks: int, benefit: str, url: str | None = None
) -> str:
    return (
        f"{checkin_item(key, summary, url)} was delivered about {weeks} week(s) ago.\n"
        f"The planned benefit: {benefit}\nHas it come?"
    )


def realisation_why(team: str, owner: bool) -> str:
    if owner:
        return "You are asked because you own this benefit. Your answer feeds planned-vs-realised."
    return f"You are asked as a stakeholder of *{team}*. Your answer feeds planned-vs-realised."


def realisation_modal_title() -> str:
    return "Benefit review"


def realisation_modal_placeholder() -> str:
    return "Yes, partly or no"


def realisation_comment_label() -> str:
    return "What came, what did not, and why?"


def realisation_your_comment(comment: str) -> str:
    return f"Your comment: {comment}"


def realisation_answer_label(answer: str) -> str:
    return {"yes": "Yes", "partly": "Partly", "no": "No"}[answer]


def realisation_thanks(key: str, answer: str) -> str:
    return f"Thanks! Recorded *{answer}* for {key}."


# ---------------------------------------------------------------- benefits
# Callers pass user-written text (titles, notes, lessons) through ``bot.chat.mrkdwn.escape``.


def parse_bad_benefit_id(command: str, token: str) -> str:
    return f"`{token}` is not a benefit id; `{command}` needs an id such as BEN-3"


def parse_no_benefit_id(command: str) -> str:
    return f"`{command}` needs a benefit id such as BEN-3 (`/value benefits` lists them)"


def parse_no_measure_value(subject: str) -> str:
    return f"`measure` needs a value after {subject}, such as `95`"


def parse_measure_not_number(raw: str) -> str:
    return f"`{raw}` is not a number; write the actual as digits, such as `95` or `12.5`"


def error_unknown_goal(goal: str, known: Sequence[str]) -> str:
    listed = ", ".join(f"`{name}`" for name in known) or "none configured"
    return f"No value goal or benefit `{goal}`. Goal ids: {listed}."


def benefits_header(team: str, count: int) -> str:
    return f"Benefits of {team} ({count})"


def benefits_empty(team: str) -> str:
    return (
        f"No benefits registered for *{team}* yet. Import a register with "
        "`northstar benefits import FILE`, or `/value benefit new`."
    )


def benefits_more(count: int) -> str:
    return f"…and {count} more: `northstar benefits list` shows them all."


def benefit_status(track: str) -> str:
    return f"*Status* {track}"


def benefit_track(state: str, colour: str) -> str:
    """The status against plan with a dot in the variance's colour (red only when worse)."""
    dots = {
        "green": ":large_green_circle:",
        "amber": ":large_yellow_circle:",
        "red": ":red_circle:",
    }
    return f"{dots.get(colour, ':white_circle:')} {state}"


def benefit_record_button() -> str:
    return "Record actual"


def benefit_edit_button() -> str:
    return "Edit"


def benefit_modal_title(is_new: bool) -> str:
    return "New benefit" if is_new else "Edit benefit"


def benefit_modal_submit() -> str:
    return "Save"


def benefit_saved(benefit_id: str, created: bool, smart: str) -> str:
    verb = "Created" if created else "Saved"
    return f":white_check_mark: {verb} *{benefit_id}*. {smart}"


def benefit_field_not_number(label: str) -> str:
    return f"{label} must be a number, such as 120 or 12.5"


def benefit_field_not_date(label: str) -> str:
    return f"{label} must be a date as YYYY-MM-DD, such as 2027-03-31"


def benefit_field_bad_links(tokens: Sequence[str]) -> str:
    return f"not issue keys: {', '.join(tokens)}; write keys such as PAY-12, comma-separated"


def actual_modal_title() -> str:
    return "Record an actual"


def actual_value_label(metric: str, unit: str) -> str:
    name = metric or "value"
    return f"Actual {name} ({unit})" if unit else f"Actual {name}"


def actual_confidence_label() -> str:
    return "Your confidence"


def actual_note_label() -> str:
    return "Note (optional)"


def confidence_label(confidence: str) -> str:
    return {"on track": "On track", "at risk": "At risk", "off track": "Off track"}[confidence]


def actual_request_header() -> str:
    return "Time to record an actual"


def actual_request(
    benefit_id: str, title: str, metric: str, planned: float | None, last: str | None
) -> str:
    plan = f" The plan expects {planned:g} by now." if planned is not None else ""
    previous = f" Last actual: {last}." if last else " No actual recorded yet."
    return f"*{benefit_id}* {title}: what is the {metric or 'value'} now?{plan}{previous}"


def actual_nudge_header() -> str:
    return "Reminder: an actual is still missing"


def actual_request_why(team: str, owner: bool) -> str:
    who = "you own this benefit" if owner else f"you are a stakeholder of {team}"
    return f"You get this because {who}. Or: `/value measure BENEFIT VALUE`."


def review_header(kind: str) -> str:
    return "Sustainment review" if kind == "sustainment" else "Post-implementation review"


def review_question(
    benefit_id: str, title: str, kind: str, offset_days: int, planned: float | None
) -> str:
    after = "the target date" if kind == "sustainment" else "delivery"
    plan = f" The plan expects {planned:g} now." if planned is not None else ""
    return (
        f"*{benefit_id}* {title}: {offset_days} days after {after}. Did the benefit come? "
        f"Record the actual value, your confidence and a lesson learned.{plan}"
    )


def review_answer_button() -> str:
    return "Answer review"


def review_modal_title() -> str:
    return "Benefit review"


def review_came_label() -> str:
    return "Did the benefit come?"


def review_lesson_label() -> str:
    return "Lesson learned"


def review_came_option(answer: str) -> str:
    return {"yes": "Yes", "partly": "Partly", "no": "No"}[answer]


def review_thanks(benefit_id: str, answer: str) -> str:
    return f"Thanks! Recorded *{answer}* for the review of {benefit_id}."


def review_answered_already() -> str:
    return "This review is answered already; a new answer replaced the old one."


def risk_header() -> str:
    return ":warning: A benefit is at risk"


def risk_dm(benefit_id: str, title: str, reason: str) -> str:
    return (
        f"*{benefit_id}* {title} is at risk: {reason}. A risk was added to the register; "
        "record a mitigation with `northstar benefits import` or close the benefit if it no "
        "longer applies."
    )


def home_benefits_title(count: int) -> str:
    return f"*Your benefits* ({count})"


def home_no_benefits() -> str:
    return "You own no benefits. `/value benefits` shows your team's register."


def field_required(label: str) -> str:
    return f"{label} is required"


# ---------------------------------------------------------------- App Home


def home_title() -> str:
    return "Northstar"


def home_team_header(team: str) -> str:
    return f"{team}"


def home_top_title(count: int) -> str:
    return f"*Top {count} by value* (by score; _backlog #_ is the place in the ranked backlog)"


def home_pending_title() -> str:
    return "*Waiting for your rating*"


def home_pending_round(team: str, items: int, opened: str) -> str:
    return f"• Check-in of *{team}* from {opened}: {items} item(s) to rate (see your DMs)"


def home_no_pending() -> str:
    return "Nothing waits for your rating. :sparkles:"


def home_digest_title() -> str:
    return "*Latest digest*"


def home_no_teams() -> str:
    return "No team is configured yet. Add teams to northstar.toml."


def home_error(error_id: str) -> str:
    return f"Part of this page could not be loaded (error id `{error_id}`)."


# ---------------------------------------------------------------- helpers


def mention(entity: str) -> str:
    """``U...``/``W...`` render as a user mention, ``S...`` as a user group mention."""
    if entity.startswith("S"):
        return f"<!subteam^{entity}>"
    return f"<@{entity}>"


def mention_all(entities: Sequence[str]) -> str:
    return ", ".join(mention(entity) for entity in entities)


# ---------------------------------------------------------------- the digest and the reminder


def digest_header(team: str, week: str) -> str:
    return f"Weekly value digest: {team}, {week}"


def digest_period(first: date, last: date) -> str:
    return f"Work done from {first:%a %d %b} to {last:%a %d %b %Y}."


def goals_title() -> str:
    return "*Value goals*"


def goals_none(team: str) -> str:
    return f"No value goals yet: add `goals` to team {team} in northstar.toml."


def delivered_title(value: float, count: int, unit: str = "cost of delay points") -> str:
    return f"*Value delivered: {value:.1f} {unit}* from {count} item(s)"


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


def sprint_value(
    committed: float, delivered: float, items: int, unit: str = "cost of delay points"
) -> str:
    share = f" ({delivered / committed:.0%})" if committed > 0 else ""
    return (
        f"Value committed {committed:.1f} {unit} across {items} item(s); "
        f"done so far {delivered:.1f}{share}."
    )


def sprint_none() -> str:
    return "*Active sprint:* none right now."


def movers_title(moved: int, rescored: int | None) -> str:
    """``moved``: items that changed place since last week; ``rescored``: of them, re-scored."""
    why = "" if rescored is None else f", {rescored} of them re-scored"
    return f"*Biggest rank changes since last week* ({moved} item(s) changed place{why})"


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


def register_title() -> str:
    return "*Benefit register*"


def register_realised(ids: str) -> str:
    return f"Realised: {ids}."


def register_at_risk(benefit_id: str, title: str, reason: str) -> str:
    return f"• At risk: {benefit_id} {title}: {reason}"


def register_money(planned_to_date: float, realised: float, planned: float) -> str:
    """Planned vs realised NPV of the financial benefits, with the real figures."""
    return (
        f"Financial benefits: NPV realised {realised:,.0f} against {planned_to_date:,.0f} "
        f"planned by now ({planned:,.0f} planned over their horizons)."
    )


def register_reviews_due(count: int, lines: str) -> str:
    return f"Reviews due this week: {count}: {lines}"


def register_lesson(benefit_id: str, text: str) -> str:
    return f"• Lesson ({benefit_id}): {text}"


def portfolio_chart_title(team: str, week: str) -> str:
    return f"Planned vs realised benefit value of {team}, {week}"


def full_list(where: str) -> str:
    return f"The whole ranked backlog: `{where}`. Each score explained: `/value why KEY`."


def reminder_header(sprint: str, team: str) -> str:
    return f"Sprint starts: {sprint} ({team})"


def reminder_goal(goal: str | None) -> str:
    return f"*Sprint goal:* {goal}" if goal else "*Sprint goal:* none set in the backlog tool."


def reminder_committed(value: float, items: int, unit: str = "cost of delay points") -> str:
    return f"*Value committed:* {value:.1f} {unit} across {items} item(s)."


def reminder_benefits_title(count: int) -> str:
    return f"*Benefits this sprint serves:* {count}"


def reminder_benefit_line(benefit_id: str, title: str, keys: str) -> str:
    return f"• {benefit_id} {title} (through {keys})"


def reminder_top_title(count: int) -> str:
    return f"*Top {count} by value*"


def reminder_unvalued_title(count: int) -> str:
    return f"*Without a value score:* {count} item(s) nobody has valued yet"


def reminder_empty() -> str:
    return "The sprint has no items yet."


# ---------------------------------------------------------------- what the scheduler writes itself


def batch_header(count: int) -> str:
    """Heading of the message that carries posts held back by the notification budget."""
    return f"{count} Northstar updates, held back to keep this channel quiet"


def batch_continued(page: int, pages: int) -> str:
    """Heading of each further message when held-back posts need more than one."""
    return f"Held-back updates, continued ({page} of {pages})"


def sprint_empty(sprint: str) -> str:
    return f"{sprint} has no items yet; its reminder waits until it has some"


def chart_title(team: str, week: str) -> str:
    return f"Value burn-up, {team}, {week}"


def post_failed(what: str, channel: str, error: str) -> str:
    return (
        f"could not post the {what} to {channel}: Slack answered {error!r}; check that the bot "
        "is a member of the channel and that NORTHSTAR_SLACK_BOT_TOKEN is valid"
    )


def deferred(until: datetime, reason: str) -> str:
    return f"held back ({reason}) until {until:%Y-%m-%d %H:%M %Z}"


def slack_unreachable(what: str, channel: str, error: str) -> str:
    return (
        f"could not post the {what} to {channel}: Slack could not be reached "
        f"({error}); check the network and NORTHSTAR_SLACK_API_URL, then run again"
    )


def slack_refused(method: str, where: str, error: str) -> str:
    return f"Slack refused {method} to {where}: {error}"


def slack_down(method: str, where: str, error: str) -> str:
    return f"Slack could not be reached for {method} to {where} ({error})"
