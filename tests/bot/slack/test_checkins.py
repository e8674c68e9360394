"""Check-in rounds and realisation reviews, on SQLite and (when configured) PostgreSQL.

Rounds are started through the use case, answered by dispatching signed button clicks and
modal submissions to the Bolt app, and checked on what reached the fake Slack and the store.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.chat import blocks, messages
from bot.usecases import checkins, realisation
from tests.bot.slack.support import (
    CHANNEL,
    STAKEHOLDERS,
    SlackWorld,
    block_action_payload,
    dispatch,
    interaction_body,
)
from tests.fakes.slack_api import SlackCall


@pytest.fixture
def world(any_db_world: SlackWorld) -> SlackWorld:
    return any_db_world


def dm_to(world: SlackWorld, user: str) -> SlackCall:
    channel = "D" + user.lstrip("U")
    return [
        c for c in world.slack.state.calls_to("chat.postMessage") if c.body["channel"] == channel
    ][-1]


def rate_buttons(dm: SlackCall) -> dict[tuple[str, int], str]:
    """(item key, rating) -> button value, read from the DM as Slack would show it."""
    found = {}
    for block in dm.blocks():
        if block["type"] != "actions":
            continue
        for element in block["elements"]:
            if element["action_id"].startswith(blocks.ACTION_RATE_PREFIX):
                value = json.loads(element["value"])
                found[(value["k"], value["v"])] = element["value"]
    return found


def click_rating(world: SlackWorld, user: str, key: str, value: int) -> None:
    dm = dm_to(world, user)
    raw = rate_buttons(dm)[(key, value)]
    updates = len(world.slack.state.calls_to("chat.update"))
    payload = block_action_payload(
        f"{blocks.ACTION_RATE_PREFIX}{value}", raw, user_id=user, channel_id=dm.body["channel"]
    )
    response = dispatch(world.app, interaction_body(payload))
    assert response.status == 200
    world.slack.state.wait_for("chat.update", updates + 1)


def test_starting_a_round_dms_each_stakeholder_with_rating_buttons(world):
    started = checkins.open_round(
        world.svc, world.team(), started_by="U0ADMIN", messenger=world.messenger
    )
    assert started.asked == list(STAKEHOLDERS)
    assert len(started.items) == 3
    assert [c.body["users"] for c in world.slack.state.calls_to("conversations.open")] == list(
        STAKEHOLDERS
    )
    dm = dm_to(world, "U0111")
    buttons = rate_buttons(dm)
    assert {key for key, _ in buttons} == set(started.items)
    assert {value for _, value in buttons} == {1, 2, 3, 4, 5}
    assert "Add comment" in dm.all_text()
    checkin = world.store.get_round(started.round_id)
    assert list(checkin.stakeholders) == list(STAKEHOLDERS)
    assert checkin.remind_at == world.clock.now + timedelta(hours=24)


def test_a_round_about_one_item_stores_just_that_item(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-4"], started_by=None, messenger=world.messenger
    )
    assert started.items == ["PAY-4"]
    assert list(world.store.get_round(started.round_id).items) == ["PAY-4"]


def test_a_click_stores_the_rating_and_answers_with_the_new_rank(world):
    from bot.usecases.score import score_team

    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    before = score_team(world.svc, world.team()).ranking.find("PAY-7").rank
    click_rating(world, "U0111", "PAY-7", 5)
    after = score_team(world.svc, world.team()).ranking.find("PAY-7").rank
    [rating] = world.store.round_ratings(started.round_id)
    assert (rating.stakeholder, rating.item_key, rating.value) == ("U0111", "PAY-7", 5)
    assert rating.role == "sponsor"
    assert rating.at == world.clock.now
    update = world.slack.state.calls_to("chat.update")[-1]
    assert messages.checkin_rank_now("PAY-7", before, after) in update.all_text()
    assert "You rated 5 of 5" in update.all_text()


def test_rating_changes_the_score_at_once(world):
    from bot.usecases.score import score_team

    checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    before = score_team(world.svc, world.team()).ranking.find("PAY-7")
    for user in STAKEHOLDERS:
        click_rating(world, user, "PAY-7", 5)
    after = score_team(world.svc, world.team()).ranking.find("PAY-7")
    assert after.item.stakeholder_value == pytest.approx(5, abs=0.01)
    assert after.item.stakeholder_value != before.item.stakeholder_value


def test_a_double_click_is_counted_once(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    click_rating(world, "U0222", "PAY-7", 4)
    click_rating(world, "U0222", "PAY-7", 4)
    ratings = world.store.round_ratings(started.round_id)
    assert [(r.stakeholder, r.value) for r in ratings] == [("U0222", 4)]
    assert "already rated PAY-7 4" in world.slack.state.calls_to("chat.update")[-1].all_text()


def test_changing_ones_mind_replaces_the_rating(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    click_rating(world, "U0222", "PAY-7", 2)
    click_rating(world, "U0222", "PAY-7", 5)
    assert [(r.stakeholder, r.value) for r in world.store.round_ratings(started.round_id)] == [
        ("U0222", 5)
    ]


def test_someone_not_asked_cannot_rate(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    answer = checkins.record_answer(
        world.svc,
        user="U0OUTSIDER",
        round_id=started.round_id,
        key="PAY-7",
        value=5,
        messenger=world.messenger,
    )
    assert "sent to other people" in answer.note
    assert not answer.shown
    assert world.store.round_ratings(started.round_id) == []


def test_add_comment_opens_a_modal_and_its_submission_is_stored(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    dm = dm_to(world, "U0333")
    payload = block_action_payload(
        blocks.ACTION_COMMENT,
        blocks.encode_value(r=started.round_id, k="PAY-7"),
        user_id="U0333",
        channel_id=dm.body["channel"],
    )
    assert dispatch(world.app, interaction_body(payload)).status == 200
    [opened] = world.slack.state.wait_for("views.open")
    view = opened.view()
    assert opened.body["trigger_id"] == "1337.42.trigger"
    assert view["callback_id"] == blocks.VIEW_COMMENT
    submission = {
        "type": "view_submission",
        "team": {"id": "T0TEST", "domain": "northstar-test"},
        "user": {"id": "U0333", "username": "someone", "team_id": "T0TEST"},
        "api_app_id": "A0NORTHSTAR",
        "trigger_id": "1337.43.trigger",
        "view": {
            **view,
            "id": "V0001",
            "state": {
                "values": {
                    blocks.BLOCK_RATING: {
                        blocks.ELEMENT_RATING: {
                            "type": "static_select",
                            "selected_option": {
                                "value": "2",
                                "text": {"type": "plain_text", "text": "2"},
                            },
                        }
                    },
                    blocks.BLOCK_COMMENT: {
                        blocks.ELEMENT_COMMENT: {
                            "type": "plain_text_input",
                            "value": "Only if refunds drop",
                        }
                    },
                }
            },
        },
    }
    response = dispatch(world.app, interaction_body(submission))
    assert response.status == 200
    world.slack.state.wait_for("chat.update")
    [rating] = world.store.round_ratings(started.round_id)
    assert (rating.value, rating.comment) == (2, "Only if refunds drop")


def test_a_comment_modal_without_a_rating_is_refused_in_the_modal(world):
    payload = {
        "type": "view_submission",
        "user": {"id": "U0333"},
        "view": {
            "type": "modal",
            "callback_id": blocks.VIEW_COMMENT,
            "private_metadata": blocks.encode_value(r=1, k="PAY-7", c=None, ts=None),
            "state": {"values": {}},
        },
    }
    response = dispatch(world.app, interaction_body(payload))
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert blocks.BLOCK_RATING in answer["errors"]


def test_reminders_go_only_to_non_responders_and_only_once(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    click_rating(world, "U0111", "PAY-7", 3)
    early = checkins.remind_non_responders(
        world.svc, started.round_id, world.clock.now + timedelta(hours=1), messenger=world.messenger
    )
    assert early == []
    later = world.clock.now + timedelta(hours=25)
    assert checkins.remind_non_responders(
        world.svc, started.round_id, later, messenger=world.messenger
    ) == [
        "U0222",
        "U0333",
    ]
    reminders = [
        c for c in world.slack.state.calls_to("chat.postMessage") if "reminder" in c.all_text()
    ]
    assert {c.body["channel"] for c in reminders} == {"D0222", "D0333"}
    assert (
        checkins.remind_non_responders(
            world.svc, started.round_id, later, messenger=world.messenger
        )
        == []
    )


def test_closing_posts_response_rate_movers_and_disagreement_to_the_team_channel(world):
    started = checkins.open_round(
        world.svc,
        world.team(),
        items=["PAY-7", "PAY-8"],
        started_by=None,
        messenger=world.messenger,
    )
    click_rating(world, "U0111", "PAY-7", 1)
    click_rating(world, "U0222", "PAY-7", 5)
    click_rating(world, "U0111", "PAY-8", 4)
    summary = checkins.close_round(
        world.svc, started.round_id, world.clock.now, messenger=world.messenger
    )
    assert summary is not None
    [posted] = [
        c for c in world.slack.state.calls_to("chat.postMessage") if c.body["channel"] == CHANNEL
    ]
    text = posted.all_text()
    assert "2 of 3 stakeholder(s) (66%)" in text
    assert "Value moved most" in text
    assert "Widest disagreement:* *PAY-7*" in text
    assert "<@U0111>" in text
    assert world.store.get_round(started.round_id).closed_at is not None


def test_closing_twice_posts_once(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    assert checkins.close_round(
        world.svc, started.round_id, world.clock.now, messenger=world.messenger
    )
    assert (
        checkins.close_round(
            world.svc, started.round_id, world.clock.now, messenger=world.messenger
        )
        is None
    )
    assert (
        len(
            [
                c
                for c in world.slack.state.calls_to("chat.postMessage")
                if c.body["channel"] == CHANNEL
            ]
        )
        == 1
    )


def test_a_click_on_a_closed_round_is_answered_politely_and_stores_nothing(world):
    """The DM still shows buttons after the round closed; a click there must not go unanswered."""
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    checkins.close_round(world.svc, started.round_id, world.clock.now, messenger=world.messenger)
    dm = dm_to(world, "U0111")
    url = world.slack.response_url()
    payload = block_action_payload(
        f"{blocks.ACTION_RATE_PREFIX}5",
        rate_buttons(dm)[("PAY-7", 5)],
        user_id="U0111",
        channel_id=dm.body["channel"],
        response_url=url,
    )
    assert dispatch(world.app, interaction_body(payload)).status == 200
    [answer] = world.slack.state.wait_for("response_url")
    assert messages.checkin_closed() in answer.all_text()
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body["replace_original"] is False
    assert world.store.round_ratings(started.round_id) == []
    assert world.slack.state.calls_to("chat.update") == []


def test_anonymous_hidden_round_shows_no_names_and_no_values_until_closed(world):
    started = checkins.open_round(
        world.svc,
        world.team(),
        items=["PAY-7"],
        started_by=None,
        anonymous=True,
        hidden=True,
        messenger=world.messenger,
    )
    dm = dm_to(world, "U0111")
    assert "anonymous" in dm.all_text()
    assert "hidden until the check-in closes" in dm.all_text()
    click_rating(world, "U0111", "PAY-7", 5)
    click_rating(world, "U0222", "PAY-7", 1)
    update = world.slack.state.calls_to("chat.update")[-1].all_text()
    assert "results are shown when the check-in closes" in update
    assert "ranks" not in update
    checkins.close_round(world.svc, started.round_id, world.clock.now, messenger=world.messenger)
    [posted] = [
        c for c in world.slack.state.calls_to("chat.postMessage") if c.body["channel"] == CHANNEL
    ]
    text = posted.all_text()
    assert "PAY-7" in text
    assert "from 1 to 5" in text
    assert "<@U0111>" not in text
    assert "<@U0222>" not in text


def test_realisation_review_asks_the_benefit_owner_once(world):
    asked = realisation.ask_realisation(
        world.svc, world.team(), world.clock.now, messenger=world.messenger
    )
    assert asked == ["PAY-900"]
    [dm] = world.slack.state.calls_to("chat.postMessage")
    assert dm.body["channel"] == "D0111"
    assert "refund tickets a week" in dm.all_text()
    assert {
        e["action_id"] for b in dm.blocks() if b["type"] == "actions" for e in b["elements"]
    } == {
        "realisation_yes",
        "realisation_partly",
        "realisation_no",
        blocks.ACTION_REALISATION_COMMENT,
    }
    assert "you own this benefit" in dm.all_text()
    assert (
        realisation.ask_realisation(
            world.svc, world.team(), world.clock.now, messenger=world.messenger
        )
        == []
    )


def test_realisation_answer_is_stored(world):
    realisation.ask_realisation(world.svc, world.team(), world.clock.now, messenger=world.messenger)
    payload = block_action_payload(
        "realisation_partly", blocks.encode_value(k="PAY-900"), user_id="U0111", channel_id="D0111"
    )
    assert dispatch(world.app, interaction_body(payload)).status == 200
    world.slack.state.wait_for("chat.update")
    [answer] = world.store.realisations(["PAY-900"])
    assert (answer.key, answer.stakeholder, answer.answer) == ("PAY-900", "U0111", "partly")


def test_items_delivered_recently_are_not_asked_about_yet(world):
    early = world.clock.now - timedelta(weeks=4)
    assert (
        realisation.ask_realisation(world.svc, world.team(), early, messenger=world.messenger) == []
    )


def test_why_keeps_ratings_of_a_hidden_round_out_of_sight_until_it_closes(world):
    from bot.slack.value_command import Invocation, why

    started = checkins.open_round(
        world.svc,
        world.team(),
        items=["PAY-7"],
        started_by=None,
        hidden=True,
        messenger=world.messenger,
    )
    click_rating(world, "U0111", "PAY-7", 5)
    inv = Invocation("U0ADMIN", None, world.client, world.messenger)
    assert "Stakeholders rate it" not in json.dumps(why(world.svc, "PAY-7", inv).payload())
    checkins.close_round(world.svc, started.round_id, world.clock.now, messenger=world.messenger)
    assert "Stakeholders rate it 5.0 of 5" in json.dumps(why(world.svc, "PAY-7", inv).payload())


def submission_of(view: dict, user: str, values: dict) -> dict:
    """A ``view_submission`` of ``view`` as Slack sends it, with the person's inputs."""
    return {
        "type": "view_submission",
        "team": {"id": "T0TEST", "domain": "northstar-test"},
        "user": {"id": user, "username": "someone", "team_id": "T0TEST"},
        "api_app_id": "A0NORTHSTAR",
        "trigger_id": "1337.43.trigger",
        "view": {**view, "id": "V0002", "state": {"values": values}},
    }


def test_realisation_comment_opens_a_modal_and_its_answer_and_comment_are_stored(world):
    realisation.ask_realisation(world.svc, world.team(), world.clock.now, messenger=world.messenger)
    payload = block_action_payload(
        blocks.ACTION_REALISATION_COMMENT,
        blocks.encode_value(k="PAY-900"),
        user_id="U0111",
        channel_id="D0111",
    )
    assert dispatch(world.app, interaction_body(payload)).status == 200
    [opened] = world.slack.state.wait_for("views.open")
    view = opened.view()
    assert view["callback_id"] == blocks.VIEW_REALISATION
    submission = submission_of(
        view,
        "U0111",
        {
            blocks.BLOCK_ANSWER: {
                blocks.ELEMENT_ANSWER: {
                    "type": "static_select",
                    "selected_option": {
                        "value": "no",
                        "text": {"type": "plain_text", "text": "No"},
                    },
                }
            },
            blocks.BLOCK_COMMENT: {
                blocks.ELEMENT_COMMENT: {
                    "type": "plain_text_input",
                    "value": " Refund tickets stayed at 110: the form is hidden ",
                }
            },
        },
    )
    assert dispatch(world.app, interaction_body(submission)).status == 200
    [update] = world.slack.state.wait_for("chat.update")
    assert "Recorded *no* for PAY-900" in update.all_text()
    [answer] = world.store.realisations(["PAY-900"])
    assert (answer.stakeholder, answer.answer, answer.comment) == (
        "U0111",
        "no",
        "Refund tickets stayed at 110: the form is hidden",
    )
    assert answer.at == world.clock.now


def test_a_later_click_keeps_the_realisation_comment(world):
    realisation.record_realisation_answer(
        world.svc,
        user="U0111",
        key="PAY-900",
        answer="no",
        comment="not yet",
        messenger=world.messenger,
    )
    world.clock.advance(minutes=5)
    realisation.record_realisation_answer(
        world.svc, user="U0111", key="PAY-900", answer="partly", messenger=world.messenger
    )
    [answer] = world.store.realisations(["PAY-900"])
    assert (answer.answer, answer.comment) == ("partly", "not yet")


def test_a_realisation_modal_without_an_answer_is_refused_in_the_modal(world):
    view = blocks.realisation_modal("PAY-900", "Refunds", current=None, channel=None, ts=None)
    response = dispatch(world.app, interaction_body(submission_of(view.to_dict(), "U0111", {})))
    assert json.loads(response.body)["response_action"] == "errors"
    assert world.store.realisations(["PAY-900"]) == []


def test_the_check_in_dm_says_why_the_person_is_asked_and_links_each_item(world):
    """A stakeholder between two meetings must see what each item is and why they are asked."""
    team = world.team().model_copy(update={"source": "jira", "board": 42})
    settings = world.svc.settings.model_copy(update={"jira_url": "https://acme.atlassian.net/"})
    config = world.svc.config.model_copy(update={"teams": (team, *world.svc.config.teams[1:])})
    world.svc = replace(world.svc, settings=settings, config=config)
    checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by="U0ADMIN", messenger=world.messenger
    )
    text = dm_to(world, "U0222").all_text()
    assert "You are a stakeholder of *payments*" in text
    assert "<@U0ADMIN>" in text
    assert "<https://acme.atlassian.net/browse/PAY-7|PAY-7>" in text
    assert "Payments item 7" in text


def test_the_comment_modal_asks_what_value_is_expected(world):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    world.client.views_open(
        trigger_id="t",
        view=checkins.comment_modal(
            world.svc,
            user="U0111",
            round_id=started.round_id,
            key="PAY-7",
            channel="D0111",
            ts="1.0",
        ),
    )
    [opened] = world.slack.state.calls_to("views.open")
    assert "What value do you expect; has it changed?" in opened.all_text()
    assert "Payments item 7" in opened.all_text()


def test_a_slack_failure_opening_the_modal_is_told_in_plain_words_and_logged(world, caplog):
    started = checkins.open_round(
        world.svc, world.team(), items=["PAY-7"], started_by=None, messenger=world.messenger
    )
    world.slack.state.fail("views.open", "expired_trigger_id")
    url = world.slack.response_url()
    payload = block_action_payload(
        blocks.ACTION_COMMENT,
        blocks.encode_value(r=started.round_id, k="PAY-7"),
        user_id="U0333",
        channel_id="D0333",
        response_url=url,
    )
    assert dispatch(world.app, interaction_body(payload)).status == 200
    [answer] = world.slack.state.wait_for("response_url")
    assert "Slack refused one of Northstar's requests" in answer.all_text()
    assert answer.body["response_type"] == "ephemeral"
    error_id = answer.all_text().split("error id `", 1)[1][:8]
    [logged] = [r for r in caplog.records if error_id in r.getMessage()]
    assert "check-in comment modal for U0333" in logged.getMessage()
    assert "expired_trigger_id" in str(logged.exc_info[1])
