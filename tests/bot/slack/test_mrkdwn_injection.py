"""No Jira or user text can ping a channel or plant a link: every message kind, hostile input.

Slack turns ``<!channel>``, ``<!here>``, ``<!subteam^ID>`` and ``<url|label>`` into mentions
and links wherever mrkdwn is read, in blocks and in the notification text alike. Each builder
gets the same hostile summary (and sprint goal, comment, benefit) and no raw ``<`` from it may
reach the payload; the escaped form (``&lt;!channel&gt;``) must, so the text is still shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.chat import blocks
from bot.chat.digest_blocks import digest_blocks, digest_text, reminder_blocks, reminder_text
from bot.chat.mrkdwn import escape, unescape
from bot.slack import home
from rules.digest import (
    Digest,
    DigestItem,
    Mover,
    Reminder,
    SprintValue,
)
from rules.explain import ValueRow
from rules.model import Item, RankedItem, Score
from tests.bot.slack.support import FakeClock, SlackWorld, backlog_items, make_world
from tests.fakes.slack_api import FakeSlackServer

HOSTILE = "<!channel> <!here> <!subteam^S0PO> <https://evil.example|click> & more"
RAW = ("<!channel>", "<!here>", "<!subteam^S0PO>", "<https://evil.example|click>")
START = datetime(2026, 10, 26, tzinfo=UTC)


def assert_inert(payload: Any) -> None:
    """No hostile token survives raw, and the escaped text is there (nothing was dropped)."""
    text = json.dumps(payload) if not isinstance(payload, str) else payload
    for token in RAW:
        assert token not in text
    assert "&lt;!channel&gt;" in text
    assert "&lt;https://evil.example|click&gt;" in text


def reply_payload(reply: blocks.Reply) -> dict[str, Any]:
    return reply.payload()


def ranked(summary: str = HOSTILE) -> RankedItem:
    return RankedItem(
        item=Item(key="PAY-1", summary=summary),
        score=Score(key="PAY-1", model="wsjf", value=3.0, formula="f"),
        rank=1,
        previous_rank=2,
    )


def digest_item() -> DigestItem:
    return DigestItem(key="PAY-1", summary=HOSTILE, value=5.0)


def test_escape_round_trips_and_touches_only_the_three_characters():
    assert escape("a & b <c> d") == "a &amp; b &lt;c&gt; d"
    assert unescape(escape(HOSTILE)) == HOSTILE
    assert escape("*bold* _it_ `code`") == "*bold* _it_ `code`"


def test_the_digest_blocks_and_its_notification_text():
    digest = Digest(
        team="payments",
        week="2026-W44",
        start=START,
        end=START + timedelta(weeks=1),
        goals=(),
        delivered=(digest_item(),),
        value_delivered=5.0,
        sprint=SprintValue(id=1, name=HOSTILE, goal=HOSTILE, committed=8, delivered=5, items=2),
        movers=(Mover(key="PAY-1", summary=HOSTILE, old_rank=9, new_rank=1, reason=HOSTILE),),
        stale=(digest_item(),),
        stale_days=14,
        unestimated=(digest_item(),),
    )
    assert_inert([block.to_dict() for block in digest_blocks(digest)])
    assert_inert(digest_text(digest))


def test_the_sprint_start_reminder():
    reminder = Reminder(
        team="payments",
        sprint=HOSTILE,
        goal=HOSTILE,
        committed=8,
        items=1,
        top=(digest_item(),),
        unvalued=(digest_item(),),
    )
    shown = [block.to_dict() for block in reminder_blocks(reminder)]
    # the header is plain text (never parsed); every mrkdwn block is escaped
    mrkdwn = [block for block in shown if block["type"] != "header"]
    assert_inert(mrkdwn)
    assert_inert(reminder_text(reminder))


def test_value_top():
    entry = ranked()
    row = ValueRow(key=entry.key, score=entry.score.value, value_rank=1, backlog_rank=1, mark=None)
    assert_inert(reply_payload(blocks.top_reply("payments", [(row, entry)])))


def test_value_why():
    reply = blocks.why_reply(
        "PAY-1",
        [f"rule {HOSTILE}: +1"],
        rank_line="Rank *1* of 1 in *payments*.",
        pairs=[f"sits below PAY-2 {HOSTILE}"],
        position=f"above PAY-2 {HOSTILE}",
        ratings_line=None,
    )
    assert_inert(reply_payload(reply))


def test_the_check_in_dm_and_comment_modal():
    entry = blocks.CheckinEntry("PAY-1", HOSTILE, note=HOSTILE)
    reply = blocks.checkin_dm_reply(
        1, "payments", [entry], started_by="U1", anonymous=True, hidden=False
    )
    assert_inert(reply_payload(reply))
    modal = blocks.comment_modal(
        1, "PAY-1", HOSTILE, current=None, anonymous=True, channel=None, ts=None
    )
    assert_inert(modal.to_dict()["blocks"])


def test_the_realisation_dm_modal_and_answer():
    reply = blocks.realisation_reply("PAY-1", HOSTILE, 6, HOSTILE, why="because")
    assert_inert(reply_payload(reply))
    modal = blocks.realisation_modal("PAY-1", HOSTILE, current=None, channel=None, ts=None)
    assert_inert(modal.to_dict()["blocks"])
    answered = blocks.realisation_answered_reply("PAY-1", HOSTILE, "yes", comment=HOSTILE)
    assert_inert(reply_payload(answered))


def test_the_close_summary():
    row = blocks.SummaryRow("PAY-1", HOSTILE, 4.0, 2, 2.0, 2, 5, 3.0)
    comment = blocks.SummaryComment("PAY-1", HOSTILE, "U1")
    reply = blocks.checkin_summary_reply(
        "payments", answered=2, asked=2, rows=[row], comments=[comment]
    )
    payload = reply_payload(reply)
    assert_inert(payload)
    assert "<@U1>" in json.dumps(payload)  # our own mention of the commenter stays live


def test_the_reorder_preview():
    row = blocks.PreviewRow("PAY-1", HOSTILE, 5, 1, HOSTILE)
    reply = blocks.reorder_preview_reply(
        "payments",
        [row],
        calls=1,
        naive_calls=1,
        summary="1 of 2 items change place",
        fingerprint="f",
        can_apply=False,
        roles=[],
    )
    assert_inert(reply_payload(reply))


@pytest.fixture
def hostile_world(
    sqlite_url: str, slack_api: FakeSlackServer, clock: FakeClock
) -> Iterator[SlackWorld]:
    items = [item.model_copy(update={"summary": HOSTILE}) for item in backlog_items()]
    built = make_world(sqlite_url, slack_api, clock, items=items)
    yield built
    built.store.close()


def test_app_home(hostile_world: SlackWorld):
    view = home.build_home(hostile_world.svc, "U0111", hostile_world.clock.now).to_dict()
    assert_inert(view["blocks"])
