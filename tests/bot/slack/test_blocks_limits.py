"""Every payload the bot sends is valid Block Kit within Slack's limits, even for large inputs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.chat import blocks, limits
from bot.usecases import checkins, realisation
from rules.explain import top_by_value
from rules.model import Item, RankedItem, Ranking, Score, ValueGoal
from tests.bot.slack.support import ADMIN, SlackWorld, command_body, dispatch

SURFACES = {
    "chat.postMessage": "message",
    "chat.update": "message",
    "response_url": "message",
    "views.open": "modal",
    "views.publish": "home",
}


def check_blocks(raw: list[dict[str, Any]], surface: str) -> None:
    """Parse with slack_sdk.models (its validators run in to_dict) and check our limits."""
    parsed = Block.parse_all(raw)
    assert len(parsed) == len(raw), "a block type slack_sdk does not know"
    assert [block.to_dict() for block in parsed] == raw
    limits.validate_blocks(raw, surface=surface)
    cap = limits.MAX_MESSAGE_BLOCKS if surface == "message" else limits.MAX_VIEW_BLOCKS
    assert len(raw) <= cap
    for block in raw:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= limits.MAX_SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= limits.MAX_HEADER_TEXT
        if block["type"] == "actions":
            for element in block["elements"]:
                assert len(element.get("value", "")) <= limits.MAX_BUTTON_VALUE
                assert len(element["text"]["text"]) <= limits.MAX_BUTTON_TEXT


def check_recorded(world: SlackWorld) -> int:
    checked = 0
    for call in world.slack.state.calls:
        surface = SURFACES.get(call.method)
        if surface is None:
            continue
        if call.method.startswith("views."):
            view = call.view()
            View(**view).to_dict()  # slack_sdk's own view validation
            check_blocks(view["blocks"], surface)
        else:
            check_blocks(call.blocks(), surface)
        checked += 1
    return checked


def test_every_payload_of_a_busy_session_is_valid(world: SlackWorld):
    texts = [
        "help",
        "help whatif",
        "top 50 payments",
        "why PAY-3",
        "whatif PAY-3 cost=1",
        "goals",
        "reorder payments",
        "checkin payments",
        "tpo",
        "why PAY-99999",
    ]
    for text in texts:
        dispatch(
            world.app, command_body(text, user_id=ADMIN, response_url=world.slack.response_url())
        )
    world.slack.state.wait_for("response_url", len(texts), timeout=30)
    started = checkins.open_round(
        world.svc, world.team(), started_by=ADMIN, messenger=world.messenger
    )
    for key in started.items:
        checkins.record_answer(
            world.svc,
            user="U0111",
            round_id=started.round_id,
            key=key,
            value=3,
            channel="D0111",
            ts="1.0",
            messenger=world.messenger,
        )
    world.client.views_open(
        trigger_id="t",
        view=checkins.comment_modal(
            world.svc,
            user="U0222",
            round_id=started.round_id,
            key=started.items[0],
            channel="D0222",
            ts="1.0",
        ),
    )
    checkins.remind_non_responders(
        world.svc, started.round_id, world.clock.advance(hours=30), messenger=world.messenger
    )
    checkins.close_round(world.svc, started.round_id, world.clock.now, messenger=world.messenger)
    realisation.ask_realisation(world.svc, world.team(), world.clock.now, messenger=world.messenger)
    world.client.views_open(
        trigger_id="t",
        view=realisation.realisation_modal(
            world.svc,
            user="U0111",
            key="PAY-900",
            channel="D0111",
            ts="1.0",
        ),
    )
    realisation.record_realisation_answer(
        world.svc,
        user="U0111",
        key="PAY-900",
        answer="partly",
        comment="half",
        channel="D0111",
        ts="1.0",
        messenger=world.messenger,
    )
    from bot.slack.home import publish_home

    publish_home(world.svc, world.client, "U0111")
    assert check_recorded(world) >= len(texts) + 10


def _ranked(count: int, summary_length: int) -> list[RankedItem]:
    return [
        RankedItem(
            item=Item(key=f"PAY-{i}", summary="x" * summary_length),
            score=Score(
                key=f"PAY-{i}", model="wsjf", value=i * 1.5, formula="f", needs_estimate=True
            ),
            rank=i,
            previous_rank=i + 3,
        )
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize("summary_length", [0, 80, 5000], ids=["empty", "normal", "huge"])
def test_top_fifty_with_long_summaries_fits_one_message(summary_length):
    entries = top_by_value(Ranking(items=tuple(_ranked(50, summary_length))), 50)
    reply = blocks.top_reply("payments", entries)
    check_blocks(reply.payload()["blocks"], "message")


def test_a_preview_of_thousands_of_moves_fits_and_keeps_its_buttons():
    rows = [
        blocks.PreviewRow(f"PAY-{i}", "s" * 300, i, 5000 - i, "r" * 500) for i in range(1, 3000)
    ]
    reply = blocks.reorder_preview_reply(
        "payments",
        rows,
        summary="s" * 3000,
        calls=120,
        naive_calls=2999,
        fingerprint="f" * 16,
        can_apply=True,
        roles=["U0ADMIN"],
    )
    raw = reply.payload()["blocks"]
    check_blocks(raw, "message")
    assert raw[-1]["type"] == "actions"
    assert "more move(s)" in json.dumps(raw)


def test_a_summary_with_many_long_comments_fits():
    rows = [
        blocks.SummaryRow(
            f"PAY-{i}", "s" * 200, 3.0, 40, 1.4, 1, 5, 2.0, tuple(f"U{j:04d}" for j in range(40))
        )
        for i in range(10)
    ]
    comments = [blocks.SummaryComment(f"PAY-{i % 10}", "c" * 1000, f"U{i:04d}") for i in range(200)]
    reply = blocks.checkin_summary_reply(
        "payments", answered=40, asked=50, rows=rows, comments=comments
    )
    check_blocks(reply.payload()["blocks"], "message")


def test_a_check_in_of_ten_items_fits():
    entries = [
        blocks.CheckinEntry(f"PAY-{i}", "s" * 4000, rated=3, note="n" * 3000) for i in range(10)
    ]
    reply = blocks.checkin_dm_reply(
        1, "payments", entries, started_by="U1", anonymous=True, hidden=True
    )
    check_blocks(reply.payload()["blocks"], "message")


def test_the_comment_modal_is_a_valid_view():
    view = blocks.comment_modal(
        7, "PAY-1", "s" * 5000, current=4, anonymous=False, channel="D1", ts="1.0"
    )
    raw = view.to_dict()
    check_blocks(raw["blocks"], "modal")
    assert len(raw["private_metadata"]) <= 3000


def test_goals_and_why_answers_fit():
    goals = [
        ValueGoal(name="g" * 500, metric="m" * 500, baseline=1, target=2, due=date(2027, 1, 1))
    ] * 40
    check_blocks(blocks.goals_reply("payments", goals).payload()["blocks"], "message")
    why = blocks.why_reply(
        "PAY-1",
        ["line " * 100] * 100,
        rank_line="r",
        pairs=["q" * 4000] * 30,
        position="p" * 9000,
        ratings_line="x" * 5000,
    )
    check_blocks(why.payload()["blocks"], "message")


def test_home_view_is_capped_at_the_view_limit():
    page = [blocks.section(f"part {i}") for i in range(300)]
    check_blocks(blocks.home_view(page).to_dict()["blocks"], "home")


def test_button_values_round_trip_and_foreign_values_decode_to_nothing():
    value = blocks.encode_value(r=12, k="PAY-1", v=5)
    assert blocks.decode_value(value) == {"r": 12, "k": "PAY-1", "v": 5}
    for foreign in (None, "", "[1]", "{", "x" * 3000, 42):
        assert blocks.decode_value(foreign) == {}


def test_the_realisation_question_modal_and_answer_are_valid():
    reply = blocks.realisation_reply(
        "PAY-1", "s" * 5000, 6, "b" * 5000, why="w" * 5000, url="https://jira.example/browse/PAY-1"
    )
    check_blocks(reply.payload()["blocks"], "message")
    view = blocks.realisation_modal("PAY-1", "s" * 5000, current="partly", channel="D1", ts="1.0")
    View(**view.to_dict()).to_dict()
    check_blocks(view.to_dict()["blocks"], "modal")
    answered = blocks.realisation_answered_reply(
        "PAY-1", "s" * 5000, "no", comment="c" * 5000, url="https://jira.example/browse/PAY-1"
    )
    check_blocks(answered.payload()["blocks"], "message")
