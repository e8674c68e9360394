"""The App Home tab: goals, the top 10, pending check-ins, the digest; always ≤ 100 blocks."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.chat.limits import MAX_VIEW_BLOCKS
from bot.config import Team
from bot.slack import home
from bot.usecases import checkins
from tests.bot.slack.support import SlackWorld, dispatch


def home_opened_event(user: str, tab: str = "home") -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": "T0TEST",
            "api_app_id": "A0NORTHSTAR",
            "type": "event_callback",
            "event_id": "Ev0HOME",
            "event_time": 1700000000,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D" + user.lstrip("U"),
                "tab": tab,
                "event_ts": "1700000000.000100",
            },
        }
    )


def view_text(view: dict) -> str:
    return json.dumps(view)


def test_opening_home_publishes_the_view_of_that_person(world: SlackWorld):
    response = dispatch(world.app, home_opened_event("U0111"), json_body=True)
    assert response.status == 200
    [published] = world.slack.state.wait_for("views.publish")
    assert published.body["user_id"] == "U0111"
    view = published.view()
    assert view["type"] == "home"
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS


def test_opening_the_messages_tab_publishes_nothing(world: SlackWorld):
    dispatch(world.app, home_opened_event("U0111", tab="messages"), json_body=True)
    dispatch(world.app, home_opened_event("U0222"), json_body=True)
    published = world.slack.state.wait_for("views.publish")
    assert [call.body["user_id"] for call in published] == ["U0222"]


def test_home_shows_goals_and_the_top_ten_with_scores(world: SlackWorld):
    view = home.build_home(world.svc, "U0111", world.clock.now).to_dict()
    text = view_text(view)
    assert "payments" in text
    assert "Cut support cost" in text
    assert "Top 10 by value" in text
    assert "*10.*" in text
    assert "*11.*" not in text
    assert "WSJF" in text


def test_home_lists_the_top_ten_by_score_each_with_its_backlog_rank(world: SlackWorld):
    from bot.usecases.score import score_team

    [section] = home.top_blocks(world.svc, world.team())
    lines = section.text.text.splitlines()[1:]
    ranking = score_team(world.svc, world.team()).ranking
    assert len(lines) == 10
    shown = []
    for place, line in enumerate(lines, start=1):
        assert line.startswith(f"*{place}.* *")
        ranked = ranking.find(line.split("*")[3])
        assert ranked is not None
        assert f"· backlog #{ranked.rank}" in line
        shown.append(ranked.score.value)
    best = sorted((r.score.value for r in ranking.items), reverse=True)[:10]
    assert shown == best


def test_home_lists_check_ins_waiting_for_the_persons_rating(world: SlackWorld):
    started = checkins.open_round(
        world.svc,
        world.team(),
        items=["PAY-2", "PAY-3"],
        started_by=None,
        messenger=world.messenger,
    )
    checkins.record_answer(
        world.svc,
        user="U0111",
        round_id=started.round_id,
        key="PAY-2",
        value=4,
        messenger=world.messenger,
    )
    text = view_text(home.build_home(world.svc, "U0111", world.clock.now).to_dict())
    assert "Waiting for your rating" in text
    assert "1 item(s) to rate" in text
    other = view_text(home.build_home(world.svc, "U0444", world.clock.now).to_dict())
    assert "Nothing waits for your rating" in other


def test_home_shows_only_the_teams_of_the_person(world: SlackWorld):
    text = view_text(home.build_home(world.svc, "U0444", world.clock.now).to_dict())
    assert '"text": "growth"' in text
    assert '"text": "payments"' not in text


def test_a_broken_part_shows_an_error_id_and_the_rest_still_renders(world: SlackWorld, caplog):
    world.backlog.fetch_items = _raise  # the tool is down while the Home tab opens
    text = view_text(home.build_home(world.svc, "U0111", world.clock.now).to_dict())
    assert "could not be loaded (error id" in text
    assert "Cut support cost" in text


def _raise(since=None):
    raise RuntimeError("tool down")


def test_home_stays_within_the_block_limit_with_many_teams(world: SlackWorld):
    many = tuple(
        Team(name=f"team{i}", source="memory", stakeholders=("U0111",), goals=world.team().goals)
        for i in range(30)
    )
    config = world.svc.config.model_copy(update={"teams": (world.team(), *many)})
    world.svc = replace(world.svc, config=config)
    view = home.build_home(world.svc, "U0111", world.clock.now).to_dict()
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS


def test_home_shows_the_latest_digest_of_the_team(world: SlackWorld):
    from bot.chat.digest_blocks import digest_text
    from bot.usecases.digest import build_digest

    digest = digest_text(build_digest(world.svc, world.team(), world.clock.now))
    first_line = next(line for line in digest.splitlines() if line.strip())
    view = home.build_home(world.svc, "U0111", world.clock.now).to_dict()
    text = "\n".join(
        block["text"]["text"] for block in view["blocks"] if block["type"] == "section"
    )
    assert "*Latest digest*" in text
    assert first_line in text
