"""``/value``: signed requests dispatched to the Bolt app; answers read from the fake response_url.

Every command is acknowledged at once with a short text; the answer arrives later, from a lazy
listener, on the ``response_url``, ephemeral unless said otherwise.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat import blocks, messages
from bot.chat.limits import validate_blocks
from bot.slack.commands import SUBCOMMANDS
from bot.usecases.reorder import preview_reorder
from connectors.base import ConnectorError, FetchResult
from connectors.memory import MemoryConnector
from rules.model import RankMove
from tests.bot.slack.support import (
    ADMIN,
    CHANNEL,
    OUTSIDER,
    PO,
    SlackWorld,
    backlog_items,
    block_action_payload,
    command_body,
    dispatch,
    interaction_body,
    make_world,
)
from tests.fakes.slack_api import SlackCall


def ask(world: SlackWorld, text: str, *, user: str = ADMIN, channel: str = CHANNEL) -> SlackCall:
    """Send ``/value text``; check the quick ack; return the lazy answer on the response_url."""
    url = world.slack.response_url()
    response = dispatch(
        world.app, command_body(text, user_id=user, channel_id=channel, response_url=url)
    )
    assert response.status == 200
    assert response.body == messages.ack_working()
    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    [answer] = world.slack.state.wait_for("response_url", where=lambda c: c.path == f"/{path}")
    return answer


def click(
    world: SlackWorld, action_id: str, value: str, *, user: str = ADMIN, answers: int = 1
) -> SlackCall:
    """Click a button of an ephemeral answer; return the last of ``answers`` on its response_url.

    Apply answers twice: "Applying…" at once, then the outcome.
    """
    url = world.slack.response_url()
    payload = block_action_payload(
        action_id, value, user_id=user, response_url=url, channel_id=CHANNEL, message_ts=None
    )
    response = dispatch(world.app, interaction_body(payload))
    assert response.status == 200
    path = "/" + url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    return world.slack.state.wait_for("response_url", answers, where=lambda c: c.path == path)[-1]


def action_values(call: SlackCall, action_id: str) -> list[dict]:
    return [
        json.loads(element["value"])
        for block in call.blocks()
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]


class GatedConnector(MemoryConnector):
    """A backlog whose fetch waits until the test opens the gate (a slow Jira)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def fetch_items(self, since=None) -> FetchResult:
        assert self.gate.wait(10), "gate never opened"
        return super().fetch_items(since)


class BrokenConnector(MemoryConnector):
    """A backlog tool that fails the way we tell it to."""

    def __init__(self, error: Exception, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error = error

    def fetch_items(self, since=None) -> FetchResult:
        raise self.error


def world_with(connector: MemoryConnector, sqlite_url, slack_api, clock) -> SlackWorld:
    return make_world(sqlite_url, slack_api, clock, connector_factory=lambda team: connector)


# ---------------------------------------------------------------- ack, then answer


def test_ack_returns_before_the_work_is_done(sqlite_url, slack_api, clock):
    gated = GatedConnector(backlog_items(), name="gated", clock=clock)
    world = world_with(gated, sqlite_url, slack_api, clock)
    url = slack_api.response_url()
    response = dispatch(world.app, command_body("top 3 payments", response_url=url))
    assert response.status == 200
    assert response.body == messages.ack_working()
    assert slack_api.state.calls_to("response_url") == []
    gated.gate.set()
    [answer] = slack_api.state.wait_for("response_url")
    assert "PAY-" in answer.all_text()
    world.store.close()


def test_answers_are_ephemeral_by_default(world):
    answer = ask(world, "help")
    assert answer.body["response_type"] == "ephemeral"


def test_help_lists_every_command(world):
    text = ask(world, "help").all_text()
    for name in messages.USAGE:
        assert f"/value {name}" in text


def test_help_on_one_command_shows_its_example(world):
    assert "/value whatif PAY-12 cost=3" in ask(world, "help whatif").all_text()


def test_top_lists_the_best_items_with_scores(world):
    answer = ask(world, "top 3 payments")
    text = answer.all_text()
    assert "Top 3 of payments" in text
    assert "*1.*" in text
    assert "*3.*" in text
    assert "*4.*" not in text
    assert "WSJF" in text


TOP_LINE = re.compile(r"^\*(\d+)\.\* \*(PAY-\d+)\* .* — ([\d.]+) WSJF · backlog #(\d+)(.*)$")


def section_lines(call: SlackCall) -> list[str]:
    return [
        line
        for block in call.blocks()
        if block["type"] == "section"
        for line in block["text"]["text"].splitlines()
    ]


def held_world(sqlite_url, slack_api, clock, *, manual_zone: int) -> SlackWorld:
    from tests.bot.slack.support import slack_config

    config = slack_config()
    guardrails = config.guardrails.model_copy(update={"manual_zone": manual_zone})
    return make_world(
        sqlite_url, slack_api, clock, config=config.model_copy(update={"guardrails": guardrails})
    )


def test_top_lists_by_score_with_the_backlog_rank_and_marks_held_items(
    sqlite_url, slack_api, clock
):
    world = held_world(sqlite_url, slack_api, clock, manual_zone=2)
    answer = ask(world, "top 12 payments")
    assert "Top 12 of payments by value" in answer.all_text()
    rows = [TOP_LINE.match(line) for line in section_lines(answer)]
    parsed = [m.groups() for m in rows if m is not None]
    assert [int(place) for place, *_ in parsed] == list(range(1, 13))
    scores = [float(score) for _, _, score, _, _ in parsed]
    assert scores == sorted(scores, reverse=True)
    # the backlog's order is key order, and the manual zone holds its first two items there
    backlog = {key: int(rank) for _, key, _, rank, _ in parsed}
    assert (backlog["PAY-1"], backlog["PAY-2"]) == (1, 2)
    marked = {key for _, key, _, _, flags in parsed if "_manual zone_" in flags}
    assert marked == {"PAY-1", "PAY-2"}
    assert sorted(backlog.values()) == list(range(1, 13))
    world.store.close()


def test_why_names_the_item_above_and_the_held_items_it_beats(sqlite_url, slack_api, clock):
    from bot.usecases.score import score_team
    from rules.validity import clearly_beats

    world = held_world(sqlite_url, slack_api, clock, manual_zone=2)
    ranking = score_team(world.svc, world.team()).ranking
    zone = ranking.items[:2]
    tolerance = world.svc.config.scoring.tolerance
    subject = next(
        r
        for r in ranking.items[2:]
        if any(clearly_beats(r.score.value, z.score.value, tolerance) for z in zone)
    )
    text = ask(world, f"why {subject.key}").all_text()
    above = ranking.items[subject.rank - 2].key
    assert f"It sits below {above}: " in text
    assert "score clearly less; a guardrail allows each:" in text
    beaten = [z for z in zone if clearly_beats(subject.score.value, z.score.value, tolerance)]
    for held in beaten:
        assert f"- {held.key} (held): {held.key} is held in place (manual zone)" in text
    world.store.close()


def test_why_of_an_item_in_a_valid_order_says_nothing_it_beats_sits_above_it(world):
    text = ask(world, "why PAY-3").all_text()
    assert "It sits below " in text or "It is first in the ranked backlog." in text
    assert "No item it clearly beats sits above it." in text


def test_top_without_a_team_uses_the_team_of_the_channel(world):
    assert "Top 2 of payments" in ask(world, "top 2", channel=CHANNEL).all_text()


def test_top_in_a_channel_of_no_team_asks_which_team(world):
    text = ask(world, "top", channel="C0ELSEWHERE").all_text()
    assert "Several teams are configured" in text
    assert "/value top payments" in text


def test_why_explains_the_score_term_by_term(world):
    text = ask(world, "why pay-3").all_text()
    assert "PAY-3" in text
    assert "WSJF" in text
    assert "business_value" in text
    assert "Rank *" in text


def test_score_is_another_name_for_why(world):
    assert "Why PAY-3 sits where it does" in ask(world, "score PAY-3").all_text()


def test_whatif_shows_the_new_rank_and_changes_nothing(world):
    before = world.backlog.item("PAY-12")
    text = ask(world, "whatif PAY-12 business_value=20 cost=1").all_text()
    assert "would score" in text
    assert "Nothing was changed" in text
    assert world.backlog.item("PAY-12") == before
    assert world.backlog.write_input_calls == 0


def test_set_needs_the_set_inputs_role(world):
    text = ask(world, "set PAY-12 business_value=20", user=OUTSIDER).all_text()
    assert "You may not change inputs" in text
    assert "<!subteam^S0PO>" in text
    assert world.backlog.write_input_calls == 0


def test_set_by_a_member_of_the_role_group_writes_the_input(world):
    text = ask(world, "set PAY-12 business_value=20", user=PO).all_text()
    assert "Saved business_value=20 on *PAY-12*" in text
    assert world.backlog.item("PAY-12").business_value == 20
    assert world.slack.state.calls_to("usergroups.users.list")


def test_set_of_a_field_northstar_may_not_write_says_how_to_allow_it(world):
    text = ask(world, "set PAY-12 reach=3", user=PO).all_text()
    assert "writable" in text
    assert world.backlog.write_input_calls == 0


def test_unknown_issue_is_named(world):
    text = ask(world, "why PAY-9999").all_text()
    assert "PAY-9999 is in no team's backlog" in text


def test_malformed_command_is_answered_with_an_example(world):
    text = ask(world, "whatif PAY-1 busines_value=3").all_text()
    assert "Did you mean `business_value`?" in text
    assert "For example: `/value whatif PAY-12 cost=3 business_value=8`" in text


def test_goals_lists_the_goals_of_the_team(world):
    text = ask(world, "goals payments").all_text()
    assert "Cut support cost" in text
    assert "(tickets a week): target 300 by 2027-03-31, from 420" in text


def test_checkin_needs_the_checkin_role(world):
    text = ask(world, "checkin payments", user=OUTSIDER).all_text()
    assert "You may not start check-ins" in text
    assert world.slack.state.calls_to("conversations.open") == []


def test_checkin_dms_each_stakeholder(world):
    text = ask(world, "checkin payments").all_text()
    assert "3 stakeholder(s) asked to rate 3 item(s)" in text
    assert len(world.slack.state.calls_to("conversations.open")) == 3
    assert len(world.slack.state.calls_to("chat.postMessage")) == 3


def test_checkin_of_one_item_asks_about_that_item(world):
    text = ask(world, "checkin PAY-5 anonymous").all_text()
    assert "asked to rate 1 item(s)" in text
    dm = world.slack.state.calls_to("chat.postMessage")[0]
    assert "PAY-5" in dm.all_text()
    assert "anonymous" in dm.all_text()


def test_a_rate_limited_dm_is_retried(world):
    world.slack.state.rate_limit("conversations.open", retry_after=0)
    ask(world, "checkin payments")
    assert len(world.slack.state.calls_to("conversations.open")) == 4
    assert len(world.slack.state.calls_to("chat.postMessage")) == 3


def test_a_failed_dm_is_reported_not_fatal(world):
    world.slack.state.fail("chat.postMessage", "channel_not_found")
    text = ask(world, "checkin payments").all_text()
    assert "2 stakeholder(s) asked" in text


# ---------------------------------------------------------------- reorder, apply, undo


def test_reorder_shows_the_diff_with_an_apply_button(world):
    answer = ask(world, "reorder payments")
    text = answer.all_text()
    assert "Reorder preview: payments" in text
    preview = preview_reorder(world.svc, world.team())
    summary = preview.summary
    total = len(preview.plan.target)
    assert f"{summary.moved} of {total} item(s) move ({summary.rescored} re-scored)" in text
    assert f"the fewest a valid order allows ({summary.optimum})" in text
    assert f"{summary.calls} Jira rank call(s) touching {summary.touched} issue(s)" in text
    assert "one call per issue" in text
    assert "→" in text
    [value] = action_values(answer, blocks.ACTION_REORDER_APPLY)
    assert value["team"] == "payments"
    assert len(value["fp"]) == 16
    assert world.backlog.rank_calls == 0


def test_reorder_preview_without_the_role_has_no_apply_button(world):
    answer = ask(world, "reorder payments", user=OUTSIDER)
    assert action_values(answer, blocks.ACTION_REORDER_APPLY) == []
    assert "may apply it" in answer.all_text()


def test_apply_button_applies_the_previewed_plan(world):
    preview = ask(world, "reorder payments")
    [value] = action_values(preview, blocks.ACTION_REORDER_APPLY)
    answer = click(world, blocks.ACTION_REORDER_APPLY, json.dumps(value), answers=2)
    assert "applied" in answer.all_text()
    assert answer.body.get("replace_original") is True
    assert world.backlog.rank_calls > 0


def test_apply_button_checks_the_role_again(world):
    preview = ask(world, "reorder payments")
    [value] = action_values(preview, blocks.ACTION_REORDER_APPLY)
    answer = click(world, blocks.ACTION_REORDER_APPLY, json.dumps(value), user=OUTSIDER)
    assert "You may not apply a reorder" in answer.all_text()
    assert world.backlog.rank_calls == 0


def test_apply_after_the_backlog_changed_replans_and_says_so(world):
    preview = ask(world, "reorder payments")
    [value] = action_values(preview, blocks.ACTION_REORDER_APPLY)
    world.backlog.apply_move(RankMove(issues=("PAY-12",), before="PAY-1"))
    moves_before = world.backlog.rank_calls
    answer = click(world, blocks.ACTION_REORDER_APPLY, json.dumps(value), answers=2)
    assert "changed since that preview" in answer.all_text()
    assert world.backlog.rank_calls == moves_before
    [fresh] = action_values(answer, blocks.ACTION_REORDER_APPLY)
    assert fresh["fp"] != value["fp"]


def test_cancel_button_removes_the_preview(world):
    preview = ask(world, "reorder payments")
    [value] = action_values(preview, blocks.ACTION_REORDER_CANCEL)
    answer = click(world, blocks.ACTION_REORDER_CANCEL, json.dumps(value))
    assert "cancelled" in answer.all_text()


def test_a_forged_apply_value_is_refused_politely(world):
    answer = click(world, blocks.ACTION_REORDER_APPLY, "not json")
    assert "no longer works" in answer.all_text()


def test_undo_restores_the_order_before_the_reorder(world):
    before = world.backlog.read_order()
    preview = ask(world, "reorder payments")
    [value] = action_values(preview, blocks.ACTION_REORDER_APPLY)
    click(world, blocks.ACTION_REORDER_APPLY, json.dumps(value), answers=2)
    assert world.backlog.read_order() != before
    text = ask(world, "undo payments").all_text()
    assert "Restored the previous order" in text
    assert world.backlog.read_order() == before


def test_undo_needs_the_reorder_role(world):
    assert "You may not undo" in ask(world, "undo payments", user=OUTSIDER).all_text()


def test_undo_with_nothing_to_undo_says_so(world):
    assert "no applied reorder to undo" in ask(world, "undo payments").all_text()


def test_digest_preview_is_private(world):
    answer = ask(world, "digest payments")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.blocks()
    assert world.slack.state.calls_to("chat.postMessage") == []


# ---------------------------------------------------------------- failures


def test_jira_failure_is_told_in_plain_words_with_an_error_id(sqlite_url, slack_api, clock, caplog):
    broken = BrokenConnector(ConnectorError("Jira answered 503 three times"), [], name="jira")
    world = world_with(broken, sqlite_url, slack_api, clock)
    text = ask(world, "top 3 payments").all_text()
    assert "Jira could not do that: Jira answered 503 three times" in text
    assert "error id" in text
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    world.store.close()


def test_unexpected_error_shows_only_an_error_id(sqlite_url, slack_api, clock, caplog):
    witness = "witness-7f3a-not-for-users"
    broken = BrokenConnector(RuntimeError(witness), [], name="jira")
    world = world_with(broken, sqlite_url, slack_api, clock)
    answer = ask(world, "top 3 payments")
    assert witness not in answer.all_text()
    assert "error id" in answer.all_text()
    error_id = answer.all_text().split("error id `", 1)[1][:8]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    world.store.close()


def test_database_failure_is_told_in_plain_words(world, sqlite_url):
    ask(world, "top 1 payments")  # the snapshot exists; now the database goes away
    world.store.engine.dispose()
    Path(sqlite_url.removeprefix("sqlite:///")).unlink()
    text = ask(world, "whatif PAY-3 cost=2").all_text()
    assert "database could not be reached" in text
    assert "error id" in text


def test_invalid_bot_token_on_a_dm_is_reported_not_fatal(world):
    world.slack.state.fail("conversations.open", "invalid_auth", times=3)
    text = ask(world, "checkin payments").all_text()
    assert "0 stakeholder(s) asked" in text


# ---------------------------------------------------------------- bad input, private answers


@pytest.mark.parametrize(
    ("text", "problem", "example"),
    [
        ("dance", "There is no `/value dance` command", "/value help whatif"),
        ("why PAY-9999", "PAY-9999 is in no team's backlog", "/value why PAY-12"),
        ("checkin PAY-9999", "PAY-9999 is in no team's backlog", "/value why PAY-12"),
        ("top 500", "takes a count from 1 to 50", "/value top 10 payments"),
        ("whatif PAY-3 cost=lots", "needs a plain number", "/value whatif PAY-12 cost=3"),
        ("whatif PAY-3 valeu=3", "There is no input called `valeu`", "/value whatif PAY-12"),
        ("top " + "x" * 600, "the limit is 500", "/value help whatif"),
        ("top paymnts", "There is no team called `paymnts`", "/value top 10 payments"),
        ("reorder sales", "There is no team called `sales`", "/value reorder payments"),
    ],
    ids=[
        "unknown_command",
        "unknown_key",
        "unknown_key_to_check_in",
        "bad_number",
        "bad_value",
        "unknown_input",
        "text_over_the_limit",
        "team_typo",
        "unknown_team",
    ],
)
def test_bad_input_is_answered_privately_with_what_was_wrong_and_an_example(
    world, text, problem, example
):
    answer = ask(world, text)
    assert answer.body["response_type"] == "ephemeral"
    assert problem in answer.all_text()
    assert example in answer.all_text()
    assert world.slack.state.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "text",
    ["top 3 payments", "why PAY-3", "whatif PAY-3 cost=1", "goals payments", "help"],
    ids=["top", "why", "whatif", "goals", "help"],
)
def test_reading_is_open_to_everyone(world, text):
    answer = ask(world, text, user=OUTSIDER)
    assert "You may not" not in answer.all_text()
    assert ":warning:" not in answer.all_text()


def test_why_shows_ratings_with_their_spread_and_why_it_sits_above_the_next(world):
    from bot.usecases import checkins
    from bot.usecases.score import score_team
    from rules.explain import explain_position

    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-3"], started_by=None, messenger=world.messenger
    )
    for user, value in (("U0111", 1), ("U0222", 5)):
        checkins.record_answer(
            world.svc,
            user=user,
            round_id=started.round_id,
            key="PAY-3",
            value=value,
            messenger=world.messenger,
        )
    text = ask(world, "why PAY-3", user=OUTSIDER).all_text()
    assert "Stakeholders rate it" in text
    assert "2 rater(s), spread" in text
    assert "they disagree" in text
    ranking = score_team(world.svc, world.team()).ranking
    assert explain_position(ranking, "PAY-3") in text


def test_why_names_the_rules_that_fired(sqlite_url, slack_api, clock):
    from rules.config import RuleSpec
    from tests.bot.slack.support import slack_config

    config = slack_config()
    rule = RuleSpec(name="Item 3 is urgent", when="key == 'PAY-3'", set={"time_criticality": "13"})
    world = make_world(
        sqlite_url, slack_api, clock, config=config.model_copy(update={"rules": (rule,)})
    )
    assert "rule 'Item 3 is urgent'" in ask(world, "why PAY-3").all_text()
    world.store.close()


def test_a_checkin_that_could_not_reach_someone_names_them(world):
    world.slack.state.fail("chat.postMessage", "cannot_dm_bot")
    text = ask(world, "checkin payments").all_text()
    assert "2 stakeholder(s) asked" in text
    assert "Could not send it to <@U0111>" in text


def test_the_jira_failure_is_logged_with_who_asked_what(sqlite_url, slack_api, clock, caplog):
    broken = BrokenConnector(ConnectorError("Jira answered 503 three times"), [], name="jira")
    world = world_with(broken, sqlite_url, slack_api, clock)
    text = ask(world, "top 3 payments", user=PO).all_text()
    error_id = text.split("error id `", 1)[1][:8]
    [logged] = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged.getMessage().startswith(f"/value top by {PO} failed in Jira")
    assert logged.exc_info is not None
    world.store.close()


def test_the_log_lines_of_one_command_carry_one_request_id(sqlite_url, slack_api, clock, caplog):
    from bot.logs import RedactingFilter

    caplog.handler.addFilter(RedactingFilter([]))
    broken = BrokenConnector(ConnectorError("Jira answered 503 three times"), [], name="jira")
    world = world_with(broken, sqlite_url, slack_api, clock)
    ask(world, "top 3 payments", user=PO)
    ask(world, "top 3 payments", user=PO)
    failures = [r for r in caplog.records if "failed in Jira" in r.getMessage()]
    ids = [getattr(record, "request_id", None) for record in failures]
    assert len(ids) == 2
    assert all(ids)
    assert ids[0] != ids[1]  # one id a request
    world.store.close()


def test_a_whole_session_posts_nothing_to_a_channel_and_answers_only_the_caller(world):
    """Previews, errors and confirmations are private: only DMs to stakeholders go out."""
    texts = [
        "help",
        "top 5",
        "why PAY-3",
        "whatif PAY-3 cost=1",
        "goals",
        "digest",
        "reorder",
        "checkin payments",
        "undo",
        "set PAY-3 cost=2",
        "nonsense",
    ]
    for text in texts:
        ask(world, text)
    posts = world.slack.state.calls_to("chat.postMessage")
    assert posts
    assert all(post.body["channel"].startswith("D") for post in posts)
    answers = world.slack.state.calls_to("response_url")
    assert len(answers) == len(texts)
    assert {answer.body["response_type"] for answer in answers} == {"ephemeral"}


# ---------------------------------------------------------------- any text at all


_PIECES = st.sampled_from(
    [
        *SUBCOMMANDS,
        "PAY-3",
        "pay-9999",
        "payments",
        "growth",
        "cost=3",
        "cost=0",
        "business_value=8",
        "=",
        "anonymous",
        "hidden",
        "50",
        "0",
        "<@U123>",
        "&amp;",
        "\u0663",
        "\u00a0",
        "1e999",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.one_of(
        st.text(max_size=700),
        st.lists(_PIECES, max_size=6).map(" ".join),
    ),
    user=st.sampled_from([ADMIN, PO, OUTSIDER]),
)
def test_any_text_gets_a_private_answer_and_never_an_unhandled_error(world, text, user):
    """Whatever is typed after /value: an ack, then one valid private answer, never a crash.

    The world is shared by the examples on purpose: commands that change state (check-ins,
    reorders) then meet the state earlier examples left, as in real use.
    """
    answer = ask(world, text, user=user)
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body["text"].strip()
    validate_blocks(answer.blocks(), "message")
    assert "Something unexpected went wrong" not in answer.all_text()
    assert not [
        post
        for post in world.slack.state.calls_to("chat.postMessage")
        if not post.body["channel"].startswith("D")
    ]


# ---------------------------------------------------------------- closing a check-in from Slack


def test_the_starter_can_close_the_check_in_and_the_results_go_to_the_team_channel(world):
    started = ask(world, "checkin payments")
    [value] = action_values(started, blocks.ACTION_CHECKIN_CLOSE)
    [confirm] = [
        element["confirm"]
        for block in started.blocks()
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert f"<#{CHANNEL}>" in json.dumps(confirm)  # the person is told where results will go
    answer = click(world, blocks.ACTION_CHECKIN_CLOSE, json.dumps(value))
    assert f"the results are in <#{CHANNEL}>" in answer.all_text()
    [summary] = [
        c for c in world.slack.state.calls_to("chat.postMessage") if c.body["channel"] == CHANNEL
    ]
    assert "Check-in results: payments" in summary.all_text()
    assert world.store.get_round(value["r"]).closed_at is not None
    again = click(world, blocks.ACTION_CHECKIN_CLOSE, json.dumps(value))
    assert "already closed" in again.all_text()


def test_closing_a_check_in_needs_the_checkin_role(world):
    started = ask(world, "checkin payments")
    [value] = action_values(started, blocks.ACTION_CHECKIN_CLOSE)
    answer = click(world, blocks.ACTION_CHECKIN_CLOSE, json.dumps(value), user=OUTSIDER)
    assert "You may not close check-ins of payments" in answer.all_text()
    assert world.store.get_round(value["r"]).closed_at is None
    assert not [
        c for c in world.slack.state.calls_to("chat.postMessage") if c.body["channel"] == CHANNEL
    ]
