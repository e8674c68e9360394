"""The digest and reminder use cases: the sample backlog plus what the store remembers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Team
from bot.usecases.digest import STALE_AFTER_DAYS, build_digest, digest_post, preview_digest
from bot.usecases.links import backlog_url
from bot.usecases.reminder import build_reminder
from bot.usecases.score import rank_snapshot
from bot.wiring import Services
from connectors.registry import open_source
from rules.calendar import iso_week
from rules.model import Rating, Score, SprintState
from rules.reasons import number
from rules.value import item_value
from tests.bot.sample_services import sample_services

BERLIN = ZoneInfo("Europe/Berlin")
#: Monday of the sample backlog's week, 09:00 in Berlin (the payments team's zone)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN)
LAST_MONDAY = datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)
THIS_MONDAY = datetime(2026, 11, 2, 0, 0, tzinfo=BERLIN)


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    with sample_services(tmp_path, NOW) as services:
        yield services


def payments(svc: Services) -> Team:
    return svc.config.team("payments")


def test_the_digest_reports_on_last_week_of_the_teams_calendar(svc):
    team = payments(svc)
    items = open_source("sample:payments").fetch_items().items

    digest = build_digest(svc, team, NOW)

    assert (digest.start, digest.end) == (LAST_MONDAY, THIS_MONDAY)
    # the label names the week reported on (Mon 26 Oct - Sun 1 Nov), not the posting week
    assert (digest.team, digest.week) == ("payments", iso_week(LAST_MONDAY, team.zone))
    assert digest.week == "2026-W44"
    expected = {
        item.key
        for item in items
        if item.is_done and item.resolved and LAST_MONDAY <= item.resolved < THIS_MONDAY
    }
    assert expected, "the sample has work done last week"
    assert {entry.key for entry in digest.delivered} == expected
    assert digest.value_delivered == pytest.approx(sum(e.value for e in digest.delivered))
    assert [goal.name for goal in digest.goals] == [goal.name for goal in team.goals]
    assert digest.sprint is not None
    assert digest.sprint.goal == "Refunds without a support ticket"
    assert digest.response.rate is None  # no check-in round yet


def test_rank_changes_compare_with_the_ranking_recorded_a_week_before(svc):
    team = payments(svc)
    build_digest(svc, team, NOW)  # the first use syncs the snapshot
    keys = rank_snapshot(svc, team, svc.store.load_snapshot("payments"), NOW).ranking.keys
    week_ago = list(reversed(keys))
    svc.store.record_ranking("payments", week_ago, NOW - timedelta(days=8))
    svc.store.record_ranking("payments", keys, NOW - timedelta(days=2))  # too recent to count

    digest = build_digest(svc, team, NOW)

    assert digest.movers
    for mover in digest.movers:
        assert mover.old_rank == week_ago.index(mover.key) + 1
        assert mover.new_rank == keys.index(mover.key) + 1
        assert mover.reason
    moved = [abs(mover.moved_by) for mover in digest.movers]
    assert moved == sorted(moved, reverse=True)


def test_an_item_rescored_or_rated_lately_is_no_longer_stale(svc):
    team = payments(svc)
    before = build_digest(svc, team, NOW)
    rescored, rated = before.stale[0].key, before.stale[1].key
    svc.store.record_scores(
        "payments",
        [Score(key=rescored, model="wsjf", value=99.0, formula="f")],
        NOW - timedelta(days=1),
    )
    round_id = svc.store.create_round(
        "payments",
        items=[rated],
        stakeholders=["U0111", "U0222"],
        opened_at=NOW - timedelta(days=4),
    )
    svc.store.record_rating(
        round_id, Rating(stakeholder="U0111", item_key=rated, value=4, at=NOW - timedelta(days=3))
    )

    after = build_digest(svc, team, NOW)

    stale = {entry.key for entry in after.stale}
    assert rescored not in stale
    assert rated not in stale
    assert len(after.stale) == len(before.stale) - 2
    assert after.stale_days == STALE_AFTER_DAYS
    assert (after.response.answered, after.response.asked) == (1, 2)


def test_a_round_opened_before_last_week_does_not_count_towards_the_response_rate(svc):
    team = payments(svc)
    svc.store.create_round(
        "payments", items=["PAY-1"], stakeholders=["U0111"], opened_at=LAST_MONDAY - timedelta(1)
    )

    assert build_digest(svc, team, NOW).response.asked == 0


def test_realisation_answers_show_beside_the_planned_benefit(svc):
    team = payments(svc)
    done = next(
        item.key for item in open_source("sample:payments").fetch_items().items if item.is_done
    )
    svc.store.record_realisation(done, "U0111", "partly", None, NOW - timedelta(days=1))
    svc.store.record_realisation(done, "U0222", "yes", "it came", NOW - timedelta(days=1))

    review = build_digest(svc, team, NOW).benefits

    [row] = [row for row in review.rows if row.key == done]
    assert (row.yes, row.partly, row.no) == (1, 1, 0)


def test_the_reminder_quotes_the_sprint_goal_its_value_and_its_top_items(svc):
    team = payments(svc)
    connector = svc.connector_for(team)
    sprint = next(s for s in connector.list_sprints() if s.state is SprintState.ACTIVE)

    reminder = build_reminder(svc, team, sprint, NOW)

    in_sprint = [
        entry
        for entry in rank_snapshot(svc, team, svc.store.load_snapshot("payments"), NOW).scored
        if entry.item.sprint and entry.item.sprint.id == sprint.id
    ]
    assert (reminder.sprint, reminder.goal) == ("PAY Sprint 24", "Refunds without a support ticket")
    assert reminder.items == len(in_sprint)
    # the value committed is cost of delay (the sample scores with WSJF), not the WSJF ratio
    assert reminder.committed == pytest.approx(sum(item_value(entry.score) for entry in in_sprint))
    assert reminder.value_unit == "cost of delay points"
    values = [entry.value for entry in reminder.top]
    assert len(values) == 5
    assert values == sorted(values, reverse=True)
    assert [goal.name for goal in reminder.goals] == ["Cut support cost", "Faster checkout"]


def test_value_delivered_is_compared_with_the_week_before(svc):
    team = payments(svc)
    items = open_source("sample:payments").fetch_items().items
    week_before = LAST_MONDAY - timedelta(days=7)

    digest = build_digest(svc, team, NOW)

    done_before = [
        item.key
        for item in items
        if item.is_done and item.resolved and week_before <= item.resolved < LAST_MONDAY
    ]
    assert done_before, "the sample has work done the week before"
    scores = rank_snapshot(svc, team, svc.store.load_snapshot("payments"), NOW).scored_by_key()
    expected = sum(item_value(scores[key].score) for key in done_before)
    assert digest.previous_value_delivered == pytest.approx(expected)
    assert digest.has_news


def test_a_mover_says_how_its_score_changed_since_the_older_ranking(svc):
    team = payments(svc)
    build_digest(svc, team, NOW)
    result = rank_snapshot(svc, team, svc.store.load_snapshot("payments"), NOW)
    keys = list(result.ranking.keys)
    last = keys[-1]
    week_ago = [last, *keys[:-1]]  # the last item was first a week ago
    then = NOW - timedelta(days=8)
    svc.store.record_ranking("payments", week_ago, then)
    old = result.scored_by_key()[last].score.model_copy(update={"value": 99.0})
    svc.store.record_scores("payments", [old], then)

    digest = build_digest(svc, team, NOW)

    [mover] = [mover for mover in digest.movers if mover.key == last]
    assert mover.old_score == 99.0
    now = number(result.scored_by_key()[last].score.value)
    assert mover.reason.startswith(f"score 99 → {now}")
    # only that item changed place (the others kept their order), and it was re-scored
    assert (digest.moved, digest.moved_rescored) == (1, 1)


def test_a_jira_team_links_to_its_board_and_other_sources_to_the_slash_command(svc):
    team = payments(svc)
    jira = team.model_copy(update={"source": "jira", "board": 42})
    settings = svc.settings.model_copy(update={"jira_url": "https://acme.atlassian.net"})

    assert backlog_url(settings, jira) == (
        "https://acme.atlassian.net/secure/RapidBoard.jspa?rapidView=42&view=planning"
    )
    by_jql = jira.model_copy(update={"board": None, "jql": "project = PAY ORDER BY Rank"})
    assert backlog_url(settings, by_jql) == (
        "https://acme.atlassian.net/issues/?jql=project%20%3D%20PAY%20ORDER%20BY%20Rank"
    )
    assert build_digest(svc, team, NOW).full_list_url is None  # the sample: /value top only


def test_the_posted_digest_carries_the_chart_and_the_preview_draws_none(svc):
    team = payments(svc)

    _, post = digest_post(svc, team, NOW)
    _, preview = digest_post(svc, team, NOW, chart=False)
    _, blocks = preview_digest(svc, team, NOW)

    [chart] = post.uploads
    assert chart.content.startswith(b"\x89PNG")
    assert preview.uploads == ()
    assert [block.to_dict() for block in blocks] == [block.to_dict() for block in post.blocks]
