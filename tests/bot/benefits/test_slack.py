"""The benefit register in Slack: signed requests dispatched to the Bolt app, the fake Web API.

``/value benefits``, ``/value benefit``, ``/value measure`` answer on the response_url; the
entry form, the actual and the review modals open with ``views.open`` and are submitted as
``view_submission`` payloads whose field errors travel with the ack; App Home lists the
person's own benefits.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.chat import benefit_blocks as bb
from bot.chat import messages
from bot.chat.limits import validate_blocks
from bot.config import Roles
from bot.usecases.benefit_reviews import follow_up_benefits
from rules.benefits import Measurement
from tests.bot.benefits.support import OWNER, dms_to, refunds_benefit, register
from tests.bot.slack.support import (
    ADMIN,
    OUTSIDER,
    PO,
    PO_GROUP,
    SlackWorld,
    block_action_payload,
    command_body,
    dispatch,
    interaction_body,
    make_world,
    slack_config,
)
from tests.fakes.slack_api import SlackCall


@pytest.fixture
def world(sqlite_url, slack_api, clock):
    """The Slack test world; the payments team's ``benefits`` role is the PO user group."""
    base = slack_config()
    payments = base.teams[0]
    roles = Roles(**{**payments.roles.model_dump(), "benefits": (PO_GROUP,)})
    config = base.model_copy(
        update={"teams": (payments.model_copy(update={"roles": roles}), *base.teams[1:])}
    )
    built = make_world(sqlite_url, slack_api, clock, config=config)
    register(built)
    yield built
    built.store.close()


def ask(world: SlackWorld, text: str, *, user: str = ADMIN) -> SlackCall:
    url = world.slack.response_url()
    response = dispatch(world.app, command_body(text, user_id=user, response_url=url))
    assert response.status == 200
    path = "/" + url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    [answer] = world.slack.state.wait_for("response_url", where=lambda c: c.path == path)
    assert answer.body["response_type"] == "ephemeral"
    return answer


def click(world: SlackWorld, action_id: str, value: str, *, user: str = OWNER) -> SlackCall:
    """Click a button; return the modal it opened."""
    opened = len(world.slack.state.calls_to("views.open"))
    payload = block_action_payload(action_id, value, user_id=user, response_url=None)
    assert dispatch(world.app, interaction_body(payload)).status == 200
    return world.slack.state.wait_for("views.open", opened + 1)[-1]


def submit(world: SlackWorld, view: dict[str, Any], values: dict[str, Any], *, user: str):
    """Submit ``view`` with ``values`` (block id -> element state); return the ack's body."""
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEST", "domain": "northstar-test"},
        "user": {"id": user, "team_id": "T0TEST"},
        "api_app_id": "A0NORTHSTAR",
        "view": {**view, "id": "V0001", "state": {"values": values}},
    }
    response = dispatch(world.app, interaction_body(payload))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def text(value: str) -> dict[str, Any]:
    return {bb.ELEMENT: {"type": "plain_text_input", "value": value}}


def option(value: str) -> dict[str, Any]:
    return {bb.ELEMENT: {"type": "static_select", "selected_option": {"value": value}}}


def picked(day: str) -> dict[str, Any]:
    return {bb.ELEMENT: {"type": "datepicker", "selected_date": day}}


def last_dm_text(world: SlackWorld, user: str, count: int) -> str:
    channel = "D" + user.lstrip("U")
    calls = world.slack.state.wait_for(
        "chat.postMessage", count, where=lambda c: c.body["channel"] == channel
    )
    return calls[-1].all_text()


# ---------------------------------------------------------------- the command


def test_benefits_lists_the_team_s_register_with_status_and_smart_check(world):
    answer = ask(world, "benefits payments")
    shown = answer.all_text()
    assert "BEN-1 Fewer refund tickets" in shown
    assert "SMART" in shown
    validate_blocks(answer.blocks(), surface="message")


def test_benefits_of_a_team_without_any_says_how_to_add_them(world):
    assert "No benefits registered for *growth*" in ask(world, "benefits growth").all_text()


def test_benefit_shows_the_entry_with_money_terms_and_a_status_coloured_by_direction(world):
    world.store.upsert_benefits(
        [
            refunds_benefit(
                id="BEN-2",
                category="financial",
                money_per_month=1000.0,
                cost=5000.0,
                title="Refund fees",
                description="Tell <!channel> & co",
            )
        ],
        at=world.clock(),
        source="test",
    )
    world.store.record_measurement(
        Measurement(benefit_id="BEN-2", value=118, on=date(2026, 11, 18)), at=world.clock()
    )

    answer = ask(world, "benefit ben-2")

    shown = answer.all_text()
    assert "NPV = sum(amount_t / (1 + r)^t)" in shown
    assert "ROI planned = (NPV - PV of costs) / PV of costs" in shown
    assert ":red_circle: behind" in shown  # 118 tickets against a plan going down from 120
    mrkdwn = json.dumps([b for b in answer.blocks() if b["type"] == "section"])
    assert "Tell &lt;!channel&gt; &amp; co" in mrkdwn  # written text is escaped, never markup
    assert "<!channel>" not in mrkdwn
    assert [
        e["action_id"] for b in answer.blocks() if b["type"] == "actions" for e in b["elements"]
    ] == [bb.ACTION_BENEFIT_RECORD]


def test_the_edit_button_is_shown_only_to_the_benefits_role(world):
    def buttons(user: str) -> list[str]:
        answer = ask(world, "benefit BEN-1", user=user)
        return [
            element["action_id"]
            for block in answer.blocks()
            if block["type"] == "actions"
            for element in block["elements"]
        ]

    assert buttons(PO) == [bb.ACTION_BENEFIT_RECORD, bb.ACTION_BENEFIT_EDIT]
    assert buttons(OUTSIDER) == [bb.ACTION_BENEFIT_RECORD]


def test_measure_records_an_actual_with_confidence_and_the_note_as_typed(world):
    answer = ask(world, "measure BEN-1 95 at-risk refunds down, but = slower", user=OWNER)

    assert "Recorded 95 for BEN-1" in answer.all_text()
    [stored] = world.store.benefit_measurements(["BEN-1"])
    assert (stored.value, stored.confidence.value, stored.who, stored.source) == (
        95,
        "at risk",
        OWNER,
        "slack",
    )
    assert stored.note == "refunds down, but = slower"


def test_measure_records_a_value_goal_by_its_id(world):
    goal = world.team().goals[0]
    goal_id = "-".join("".join(c if c.isalnum() else " " for c in goal.name.lower()).split())

    answer = ask(world, f"measure {goal_id} 380")

    assert f"Recorded 380 for payments/{goal.name}" in answer.all_text()
    assert world.store.latest_goal_measurements("payments")[goal.name].value == 380


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("measure BEN-9 95", "no benefit BEN-9 in the register"),
        ("measure BEN-1 lots", "`lots` is not a number"),
        ("measure BEN-1", "`measure` needs a value after BEN-1"),
        ("measure cut-the-cake 3", "No value goal or benefit `cut-the-cake`"),
        ("benefit BEN-x", "`BEN-x` is not a benefit id"),
        ("benefit", "`benefit` needs a benefit id"),
    ],
    ids=["unknown_benefit", "not_a_number", "no_value", "unknown_goal", "bad_id", "no_id"],
)
def test_bad_input_gets_a_private_answer_naming_it_and_nothing_is_stored(world, text, expected):
    answer = ask(world, text)

    assert expected in answer.all_text()
    assert world.store.benefit_measurements() == []


# ---------------------------------------------------------------- the entry form


def open_new_form(world: SlackWorld, user: str = PO) -> SlackCall:
    url = world.slack.response_url()
    response = dispatch(world.app, command_body("benefit new", user_id=user, response_url=url))
    assert response.status == 200
    return world.slack.state.wait_for("views.open")[-1]


def test_benefit_new_opens_the_form_for_the_benefits_role(world):
    opened = open_new_form(world)

    view = opened.view()
    assert opened.body["trigger_id"] == "1337.42.abcdef"
    assert view["callback_id"] == bb.VIEW_BENEFIT
    assert {block["block_id"] for block in view["blocks"]} >= {"title", "target_date", "owner"}
    validate_blocks(view["blocks"], surface="modal")


def test_benefit_new_is_refused_privately_without_the_role(world):
    url = world.slack.response_url()
    dispatch(world.app, command_body("benefit new", user_id=OUTSIDER, response_url=url))
    [answer] = world.slack.state.wait_for("response_url")
    assert "create benefits" in answer.all_text()
    assert world.slack.state.calls_to("views.open") == []


def form_values(**changes: dict[str, Any]) -> dict[str, Any]:
    values = {
        "title": text("Faster payouts"),
        "description": text("Merchants are paid a day earlier"),
        "category": option("customer"),
        "owner": {bb.ELEMENT: {"type": "users_select", "selected_user": "U0222"}},
        "team": option("payments"),
        "links": text("pay-3, PAY-4"),
        "metric": text("payout days"),
        "direction": option("decrease"),
        "baseline": text("3"),
        "baseline_date": picked("2026-10-01"),
        "target": text("1"),
        "target_date": picked("2027-04-01"),
    }
    values.update(changes)
    return values


def test_a_submitted_form_creates_the_next_benefit_and_dms_its_smart_check(world):
    view = open_new_form(world).view()

    ack = submit(world, view, form_values(), user=PO)

    assert ack == {}
    assert "Created *BEN-2*" in last_dm_text(world, PO, 1)
    created = world.store.benefit("BEN-2")
    assert (created.title, created.links, created.owner, created.target) == (
        "Faster payouts",
        ("PAY-3", "PAY-4"),
        "U0222",
        1,
    )


@pytest.mark.parametrize(
    ("changes", "block", "words"),
    [
        ({"target_date": picked("2026-09-01")}, "target_date", "before baseline date"),
        ({"target": text("5")}, "target", "should decrease"),
        ({"baseline": text("three")}, "baseline", "must be a number"),
        ({"links": text("PAY-3, payments")}, "links", "not issue keys: payments"),
        ({"title": {bb.ELEMENT: {"type": "plain_text_input", "value": None}}}, "title", "required"),
    ],
    ids=[
        "target_before_baseline",
        "decrease_target_above_baseline",
        "not_a_number",
        "bad_key",
        "no_title",
    ],
)
def test_a_form_with_a_problem_shows_it_under_the_field_and_stores_nothing(
    world, changes, block, words
):
    view = open_new_form(world).view()

    ack = submit(world, view, form_values(**changes), user=PO)

    assert ack["response_action"] == "errors"
    assert words in ack["errors"][block]
    assert world.store.benefit_ids() == ["BEN-1"]


def test_the_edit_button_opens_the_form_filled_in_and_saving_keeps_the_id(world):
    opened = click(world, bb.ACTION_BENEFIT_EDIT, bb.encode_value(b="BEN-1"), user=PO)
    view = opened.view()
    initial = {
        block["block_id"]: block["element"].get("initial_value")
        for block in view["blocks"]
        if block["element"]["type"] == "plain_text_input"
    }
    assert initial["title"] == "Fewer refund tickets"

    submit(world, view, form_values(title=text("Fewer refund tickets, for real")), user=PO)

    assert "Saved *BEN-1*" in last_dm_text(world, PO, 1)
    assert world.store.benefit("BEN-1").title == "Fewer refund tickets, for real"
    assert world.store.benefit_ids() == ["BEN-1"]


# ---------------------------------------------------------------- buttons in DMs


def test_the_record_button_of_a_dm_opens_the_actual_modal_and_the_submission_records_it(world):
    follow_up_benefits(world.svc, world.team(), world.clock(), messenger=world.messenger)
    ask_dm = next(
        call for call in dms_to(world, OWNER) if messages.actual_request_header() in call.all_text()
    )
    [raw] = [
        element["value"]
        for block in ask_dm.blocks()
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == bb.ACTION_BENEFIT_RECORD
    ]
    dms = len(dms_to(world, OWNER))

    view = click(world, bb.ACTION_BENEFIT_RECORD, raw).view()
    bad = submit(world, view, {bb.BLOCK_ACTUAL: text("ninety")}, user=OWNER)
    good = submit(
        world,
        view,
        {bb.BLOCK_ACTUAL: text("90"), bb.BLOCK_CONFIDENCE: option("on track")},
        user=OWNER,
    )

    assert "not a number" in bad["errors"][bb.BLOCK_ACTUAL]
    assert good == {}
    assert "Recorded 90 for BEN-1" in last_dm_text(world, OWNER, dms + 1)
    [stored] = world.store.benefit_measurements(["BEN-1"])
    assert (stored.value, stored.confidence.value) == (90, "on track")


def test_the_review_dm_is_answered_in_a_modal_with_actual_and_lesson(world):
    follow_up_benefits(world.svc, world.team(), world.clock(), messenger=world.messenger)
    [review] = world.store.reviews("BEN-1", unasked=False)[:1]
    dms = len(dms_to(world, OWNER))

    view = click(world, bb.ACTION_REVIEW_ANSWER, bb.encode_value(r=review.id)).view()
    missing = submit(world, view, {bb.BLOCK_ACTUAL: text("80")}, user=OWNER)
    ack = submit(
        world,
        view,
        {
            bb.BLOCK_CAME: option("partly"),
            bb.BLOCK_ACTUAL: text("80"),
            bb.BLOCK_LESSON: text("Measure before the release, not after"),
        },
        user=OWNER,
    )

    assert bb.BLOCK_CAME in missing["errors"]
    assert ack == {}
    assert "Recorded *partly* for the review of BEN-1" in last_dm_text(world, OWNER, dms + 1)
    answered = world.store.reviews("BEN-1")[0]
    assert (answered.answer.answer, answered.answer.actual) == ("partly", 80)
    assert [lesson.text for lesson in world.store.lessons("payments")] == [
        "Measure before the release, not after"
    ]


def test_a_stale_review_button_is_answered_privately(world):
    url = world.slack.response_url()
    payload = block_action_payload(
        bb.ACTION_REVIEW_ANSWER, bb.encode_value(r=999), user_id=OWNER, response_url=url
    )
    dispatch(world.app, interaction_body(payload))
    [answer] = world.slack.state.wait_for("response_url")
    assert "no longer works" in answer.all_text()


# ---------------------------------------------------------------- App Home


def test_app_home_lists_the_owner_s_benefits_with_a_record_button(world):
    event = {
        "token": "legacy",
        "team_id": "T0TEST",
        "api_app_id": "A0NORTHSTAR",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": OWNER, "channel": "D0111", "tab": "home"},
    }
    assert dispatch(world.app, json.dumps(event), json_body=True).status == 200
    [published] = world.slack.state.wait_for("views.publish")
    view = published.view()
    shown = json.dumps(view)
    assert "*Your benefits* (1)" in shown
    assert "BEN-1" in shown
    assert bb.ACTION_BENEFIT_RECORD in shown
    validate_blocks(view["blocks"], surface="home")


def test_help_and_the_manifest_list_the_benefit_commands(world):
    shown = ask(world, "help").all_text()
    for name in ("benefits", "benefit", "measure"):
        assert f"/value {name}" in shown


def test_goals_and_app_home_show_the_latest_measured_figure(world):
    goal = world.team().goals[0]
    goal_id = "-".join("".join(c if c.isalnum() else " " for c in goal.name.lower()).split())
    before = ask(world, "goals payments").all_text()
    assert "377" not in before

    ask(world, f"measure {goal_id} 377")

    assert "377" in ask(world, "goals payments").all_text()
    from bot.slack.home import goals_blocks

    home = " ".join(str(block.to_dict()) for block in goals_blocks(world.svc, world.team()))
    assert "377" in home
