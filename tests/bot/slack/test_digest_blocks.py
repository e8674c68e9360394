"""The digest and reminder payloads: valid Block Kit within Slack's limits, even for huge inputs,
saying the same in blocks and text; and the limits module that checks them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.chat import limits
from bot.chat.digest_blocks import (
    LIST_SHOWN,
    digest_blocks,
    digest_text,
    reminder_blocks,
    reminder_text,
)
from rules.digest import (
    BenefitReview,
    BenefitRow,
    Digest,
    DigestItem,
    Mover,
    Reminder,
    ResponseRate,
    SprintValue,
)
from rules.model import ValueGoal

START = datetime(2026, 10, 26, tzinfo=UTC)
GOAL = ValueGoal(
    name="Cut support cost",
    metric="tickets a week",
    baseline=420,
    target=300,
    due=date(2027, 3, 31),
)


def items(count: int, summary_length: int = 40) -> tuple[DigestItem, ...]:
    return tuple(
        DigestItem(key=f"PAY-{i}", summary="s" * summary_length, value=1000.0 - i)
        for i in range(count)
    )


def make(count: int, *, summary_length: int = 40, text_length: int = 40) -> Digest:
    """A digest whose every list holds ``count`` entries, with texts of the given lengths."""
    return Digest(
        team="t" * text_length,
        week="2026-W45",
        start=START,
        end=START + timedelta(weeks=1),
        goals=tuple(
            GOAL.model_copy(update={"name": "g" * text_length, "metric": "m" * text_length})
            for _ in range(min(count, 40))
        ),
        delivered=items(count, summary_length),
        value_delivered=123.456,
        sprint=SprintValue(
            id=1,
            name="n" * text_length,
            goal="g" * text_length,
            committed=80,
            delivered=20,
            items=9,
        ),
        movers=tuple(
            Mover(
                key=f"PAY-{i}",
                summary="s" * summary_length,
                old_rank=i + 10,
                new_rank=i + 1,
                reason="r" * text_length,
            )
            for i in range(min(count, 5))
        ),
        stale=items(count, summary_length),
        stale_days=30,
        unestimated=items(count, summary_length),
        response=ResponseRate(answered=count, asked=count * 2),
        benefits=BenefitReview(
            rows=tuple(
                BenefitRow(key=f"PAY-{i}", planned=100, realised=40, yes=1, partly=1, no=0)
                for i in range(count)
            )
        ),
    )


def reminder(count: int, *, summary_length: int = 40, text_length: int = 40) -> Reminder:
    return Reminder(
        team="payments",
        sprint="n" * text_length,
        goal="g" * text_length,
        committed=64.1,
        items=count,
        top=items(min(count, 5), summary_length),
        goals=(GOAL,) * min(count, 40),
        unvalued=items(count, summary_length),
    )


def check_message(raw: list[dict[str, Any]]) -> None:
    parsed = Block.parse_all(raw)
    assert len(parsed) == len(raw)
    assert [block.to_dict() for block in parsed] == raw
    limits.validate_blocks(raw, surface="message")
    assert 0 < len(raw) <= limits.MAX_MESSAGE_BLOCKS


SIZES = [
    pytest.param(0, 0, 0, id="empty"),
    pytest.param(3, 60, 40, id="normal"),
    pytest.param(5000, 5000, 5000, id="huge"),
]


@pytest.mark.parametrize(("count", "summary_length", "text_length"), SIZES)
def test_the_digest_is_one_valid_message_whatever_its_size(count, summary_length, text_length):
    digest = make(count, summary_length=summary_length, text_length=text_length)

    check_message([block.to_dict() for block in digest_blocks(digest)])
    assert digest_text(digest)


@pytest.mark.parametrize(("count", "summary_length", "text_length"), SIZES)
def test_the_reminder_is_one_valid_message_whatever_its_size(count, summary_length, text_length):
    made = reminder(count, summary_length=summary_length, text_length=text_length)

    check_message([block.to_dict() for block in reminder_blocks(made)])
    assert reminder_text(made)


def test_long_lists_show_their_top_and_point_to_the_full_list():
    digest = make(5000)
    raw = json.dumps([block.to_dict() for block in digest_blocks(digest)], ensure_ascii=False)

    assert f"…and {5000 - LIST_SHOWN} more; `/value top` shows the full list." in raw
    assert "PAY-0 " in raw
    assert f"PAY-{LIST_SHOWN} " not in raw.split("Value delivered")[1].split("Active sprint")[0]


def test_the_digest_says_what_the_week_brought():
    text = digest_text(make(3, text_length=8))

    assert text.startswith("Weekly value digest: tttttttt, 2026-W45")
    assert "Work done from Mon 26 Oct to Sun 01 Nov 2026." in text
    assert "Value delivered: 123.5 cost of delay points from 3 item(s)" in text
    assert (
        "Value committed 80.0 cost of delay points across 9 item(s); done so far 20.0 (25%)."
        in text
    )
    assert f"• PAY-0 {'s' * 40}: 10 → 1 (up 9): rrrrrrrr" in text
    assert "3 of 6 asked answered (50%)" in text
    assert "Stale: 3 open item(s) with no rating or score change for 30 days" in text
    assert "Planned 300, realised 120, over 3 item(s)." in text
    assert "yes 3, partly 3, no 0" in text
    assert "/value top" in text


def test_the_rank_changes_say_how_many_items_changed_place_and_how_many_were_re_scored():
    digest = make(3, text_length=8).model_copy(update={"moved": 12, "moved_rescored": 4})
    assert "(12 item(s) changed place, 4 of them re-scored)" in digest_text(digest)
    unknown = digest.model_copy(update={"moved_rescored": None})
    assert "(12 item(s) changed place)" in digest_text(unknown)


def test_an_empty_digest_says_so_instead_of_showing_empty_lists():
    text = digest_text(make(0))

    assert "Nothing was done in this period." in text
    assert "No value goals yet" in text
    assert "no check-in round in this period" in text
    assert "none since last week" in text
    assert "no delivered item with a planned benefit yet" in text


def test_the_digest_without_a_sprint_says_there_is_none():
    digest = make(2).model_copy(update={"sprint": None})

    assert "Active sprint: none right now." in digest_text(digest)


def test_blocks_and_text_say_the_same_and_the_text_is_plain():
    digest = make(3, text_length=8)
    text = digest_text(digest)
    shown = [
        block.to_dict()["text"]["text"]
        for block in digest_blocks(digest)
        if block.to_dict()["type"] == "section"
    ]

    assert "*" not in text
    for section in shown:
        for line in section.replace("*", "").splitlines():
            assert line in text


def test_the_reminder_quotes_goal_commitment_top_items_and_goals():
    made = reminder(7, text_length=10)
    text = reminder_text(made)

    assert text.startswith("Sprint starts: nnnnnnnnnn (payments)")
    assert "Sprint goal: gggggggggg" in text
    assert "Value committed: 64.1 cost of delay points across 7 item(s)." in text
    assert "Top 5 by value" in text
    assert "Cut support cost" in text
    assert "Without a value score: 7 item(s) nobody has valued yet" in text
    assert "…and 2 more" in text


def test_a_reminder_without_goal_or_items_says_so():
    made = Reminder(team="payments", sprint="PAY Sprint 1", committed=0, items=0)
    text = reminder_text(made)

    assert "none set in the backlog tool" in text
    assert "The sprint has no items yet." in text
    assert "Without a value score" not in text


# ---------------------------------------------------------------- the limits module


def test_truncate_cuts_with_an_ellipsis_within_the_limit():
    assert limits.truncate("abc", 3) == "abc"
    assert limits.truncate("abcdef", 4) == "abc…"
    assert len(limits.truncate("x" * 5000, limits.MAX_SECTION_TEXT)) == limits.MAX_SECTION_TEXT
    with pytest.raises(ValueError, match="at least 1"):
        limits.truncate("abc", 0)


def test_the_limits_are_slacks():
    assert (limits.MAX_MESSAGE_BLOCKS, limits.MAX_VIEW_BLOCKS) == (50, 100)
    assert (limits.MAX_SECTION_TEXT, limits.MAX_HEADER_TEXT) == (3000, 150)
    assert (limits.MAX_BUTTON_TEXT, limits.MAX_BUTTON_VALUE) == (75, 2000)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    ("raw", "surface", "message"),
    [
        ([section("x" * 3001)], "message", r"block 0 \(section\): text attribute cannot exceed"),
        ([section("ok"), {"type": "nonsense"}], "message", r"block 1 \(nonsense\): not a block"),
        ([section("ok")] * 51, "message", "51 blocks; a message holds at most 50"),
        ([section("ok")] * 101, "home", "101 blocks; a home holds at most 100"),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 2001}]}],
            "message",
            r"block 0 \(context\): context text of 2001 characters exceeds 2000",
        ),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "modal",
            r"block 0 \(header\)",
        ),
        ([section("ok")], "email", "unknown surface 'email'"),
    ],
    ids=[
        "long_section",
        "unknown_type",
        "too_many_in_message",
        "too_many_in_home",
        "long_context",
        "long_header",
        "unknown_surface",
    ],
)
def test_validate_blocks_names_the_block_and_the_limit(raw, surface, message):
    with pytest.raises(ValueError, match=message):
        limits.validate_blocks(raw, surface=surface)


def test_validate_blocks_accepts_a_full_view():
    limits.validate_blocks([section("x" * 3000)] * 100, surface="home")


@pytest.mark.parametrize(
    ("value", "previous", "line"),
    [
        (123.5, 100.0, "Up 23.5 on the week before (100.0)."),
        (80.0, 100.0, "Down 20.0 on the week before (100.0)."),
        (0.0, 0.0, "The week before: nothing either."),
    ],
    ids=["up", "down", "nothing_both_weeks"],
)
def test_value_delivered_is_set_against_the_week_before(value, previous, line):
    digest = make(3).model_copy(
        update={"value_delivered": value, "previous_value_delivered": previous}
    )

    assert line in digest_text(digest)


def test_goals_show_their_metric_now_against_the_target():
    on_the_way = GOAL.model_copy(update={"current": 380})
    digest = make(1, text_length=8).model_copy(update={"goals": (on_the_way, GOAL)})

    text = digest_text(digest)

    assert (
        "• Cut support cost (tickets a week): 380 now against a target of 300 by 2027-03-31 "
        "(from 420; 33% of the way)"
    ) in text
    assert "target 300 by 2027-03-31, from 420; no current value recorded yet" in text


def test_the_digest_links_to_the_full_list_in_jira_when_there_is_one():
    url = "https://acme.atlassian.net/secure/RapidBoard.jspa?rapidView=42&view=planning"
    digest = make(1).model_copy(update={"full_list_url": url})

    raw = [block.to_dict() for block in digest_blocks(digest)]
    text = digest_text(digest)

    footer = raw[-1]["elements"][0]["text"]
    assert f"<{url}|The ordered backlog in Jira>" in footer
    assert f"The ordered backlog in Jira ({url})." in text
    check_message(raw)
