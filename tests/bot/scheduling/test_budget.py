"""The notification budget: quiet hours (across midnight), quiet days, a daily cap, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Schedule, Team
from bot.scheduling.budget import (
    BudgetPolicy,
    Decision,
    NotificationBudget,
    QuietHours,
    Reason,
    decide,
    next_allowed,
    parse_quiet_days,
    parse_quiet_hours,
    quiet_reason,
    wall_instant,
)
from bot.scheduling.triggers import ScheduleError
from tests.bot.scheduling.support import BERLIN, NEW_YORK

EVENINGS = QuietHours(time(18, 0), time(8, 30))


def policy(
    zone: ZoneInfo = BERLIN,
    hours: QuietHours | None = EVENINGS,
    days: frozenset[int] = frozenset(),
    cap: int = 5,
) -> BudgetPolicy:
    return BudgetPolicy(zone=zone, quiet_hours=hours, quiet_days=days, max_messages_a_day=cap)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 18, 22, 0), datetime(2026, 11, 19, 8, 30)),
        (datetime(2026, 11, 19, 7, 0), datetime(2026, 11, 19, 8, 30)),
        (datetime(2026, 11, 19, 0, 0), datetime(2026, 11, 19, 8, 30)),
        (datetime(2026, 11, 18, 18, 0), datetime(2026, 11, 19, 8, 30)),
    ],
    ids=["late_evening", "early_morning", "midnight", "start_is_quiet"],
)
def test_quiet_hours_across_midnight_defer_to_the_morning(local, expected):
    now = local.replace(tzinfo=BERLIN)

    decision = decide(now, policy(), sent_today=0)

    assert decision.send is False
    assert decision.reason is Reason.QUIET_HOURS
    assert decision.until == expected.replace(tzinfo=BERLIN)


@pytest.mark.parametrize(
    "local",
    [datetime(2026, 11, 19, 8, 30), datetime(2026, 11, 19, 12, 0), datetime(2026, 11, 19, 17, 59)],
    ids=["end_is_allowed", "noon", "just_before_start"],
)
def test_outside_quiet_hours_a_message_goes_now(local):
    decision = decide(local.replace(tzinfo=BERLIN), policy(), sent_today=4)

    assert decision == Decision(True, Reason.OK)
    assert str(decision) == "send now"


def test_quiet_hours_within_a_day_end_the_same_day():
    lunch = QuietHours(time(12, 0), time(13, 0))
    now = datetime(2026, 11, 19, 12, 15, tzinfo=BERLIN)

    assert next_allowed(now, policy(hours=lunch)) == datetime(2026, 11, 19, 13, 0, tzinfo=BERLIN)
    assert quiet_reason(datetime(2026, 11, 19, 11, 59, tzinfo=BERLIN), policy(hours=lunch)) is None


def test_quiet_days_push_friday_evening_to_monday_morning():
    weekend = parse_quiet_days(["sat", "Sunday"])
    friday_evening = datetime(2026, 11, 20, 19, 0, tzinfo=BERLIN)

    decision = decide(friday_evening, policy(days=weekend), sent_today=0)

    assert decision.until == datetime(2026, 11, 23, 8, 30, tzinfo=BERLIN)
    assert decision.reason is Reason.QUIET_HOURS
    saturday_noon = datetime(2026, 11, 21, 12, 0, tzinfo=BERLIN)
    saturday = decide(saturday_noon, policy(days=weekend), sent_today=0)
    assert saturday.reason is Reason.QUIET_DAY
    assert saturday.until == datetime(2026, 11, 23, 8, 30, tzinfo=BERLIN)


def test_a_full_daily_cap_defers_to_the_next_allowed_morning():
    now = datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN)

    decision = decide(now, policy(cap=3), sent_today=3)

    assert decision.send is False
    assert decision.reason is Reason.DAILY_CAP
    assert decision.until == datetime(2026, 11, 20, 8, 30, tzinfo=BERLIN)
    assert "defer until 2026-11-20 08:30" in str(decision)


def test_a_full_cap_on_friday_waits_for_monday_when_weekends_are_quiet():
    now = datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN)

    decision = decide(now, policy(days=frozenset({5, 6}), cap=1), sent_today=1)

    assert decision.until == datetime(2026, 11, 23, 8, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("now", "opens_utc"),
    [
        (datetime(2026, 10, 24, 20, 0, tzinfo=BERLIN), datetime(2026, 10, 25, 7, 30, tzinfo=UTC)),
        (datetime(2026, 3, 28, 20, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 6, 30, tzinfo=UTC)),
        (
            datetime(2026, 10, 31, 20, 0, tzinfo=NEW_YORK),
            datetime(2026, 11, 1, 13, 30, tzinfo=UTC),
        ),
        (datetime(2026, 3, 7, 20, 0, tzinfo=NEW_YORK), datetime(2026, 3, 8, 12, 30, tzinfo=UTC)),
    ],
    ids=["berlin_fall_back", "berlin_spring_forward", "new_york_fall_back", "new_york_spring"],
)
def test_the_window_opens_at_0830_local_on_both_sides_of_a_dst_change(now, opens_utc):
    """The night is 13 or 11 hours long on a change day; 08:30 stays 08:30 on the wall."""
    zone = now.tzinfo

    until = decide(now, policy(zone=zone), sent_today=0).until

    assert until is not None
    assert until.astimezone(UTC) == opens_utc
    assert until.astimezone(zone).strftime("%H:%M") == "08:30"


def test_a_window_opening_in_the_skipped_hour_opens_at_the_jump():
    """Quiet until 02:30, but on 2026-03-29 Berlin's clocks jump from 02:00 to 03:00."""
    hours = parse_quiet_hours("23:00-02:30")
    now = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)

    until = next_allowed(now, policy(hours=hours))

    assert until.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert until.astimezone(BERLIN).strftime("%H:%M") == "03:00"


def test_a_window_opening_in_the_repeated_hour_opens_at_its_first_pass():
    hours = parse_quiet_hours("22:00-02:30")
    now = datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN)

    until = next_allowed(now, policy(hours=hours))

    assert until.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_in_the_second_pass_of_the_repeated_hour_the_window_opens_in_that_pass():
    """At 02:10 CET (the second 02:10) the first 02:30 is already past: wait for the second."""
    hours = parse_quiet_hours("22:00-02:30")
    second_pass = datetime(2026, 10, 25, 2, 10, tzinfo=BERLIN, fold=1)

    until = next_allowed(second_pass, policy(hours=hours))

    assert until.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET


def test_wall_instant_finds_the_first_moment_the_clock_shows_a_time():
    assert wall_instant(date(2026, 11, 19), time(8, 30), BERLIN) == datetime(
        2026, 11, 19, 7, 30, tzinfo=UTC
    )
    jump = wall_instant(date(2026, 3, 8), time(2, 15), NEW_YORK)
    assert jump.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(UTC),
    ),
    start=st.times(),
    end=st.times(),
    zone=st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), UTC]),
    days=st.frozensets(st.integers(0, 6), max_size=5),
)
def test_next_allowed_is_the_first_moment_outside_quiet_time(moment, start, end, zone, days):
    """Half-hour DST shifts (Lord Howe) included: the answer is allowed, and not later than
    needed: a minute earlier is still quiet (or before ``moment``).
    """
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    hours = None if start == end else QuietHours(start, end)
    budget = policy(zone=zone, hours=hours, days=days)

    found = next_allowed(moment, budget)

    assert found >= moment
    assert quiet_reason(found, budget) is None
    if found > moment:
        assert quiet_reason(found - timedelta(minutes=1), budget) is not None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("18-08", "HH:MM"),
        ("18:00", "two times with a dash"),
        ("18:00-18:00", "same time"),
        ("18:00-24:00", "not a time of day"),
    ],
    ids=["no_minutes", "one_time", "empty_stretch", "hour_24"],
)
def test_bad_quiet_hours_are_refused(text, fragment):
    with pytest.raises(ScheduleError, match=fragment):
        parse_quiet_hours(text)


def test_quiet_days_must_be_days_and_leave_some_day_free():
    with pytest.raises(ScheduleError, match="unknown day 'holiday'"):
        parse_quiet_days(["sat", "holiday"])
    with pytest.raises(ScheduleError, match="whole week"):
        parse_quiet_days(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])


def test_a_teams_bad_budget_names_the_team():
    team = Team(name="payments", source="sample", schedule=Schedule(quiet_hours="late"))

    with pytest.raises(ScheduleError, match="team 'payments'"):
        BudgetPolicy.for_team(team)


class FakeMessageLog:
    """The store's message log, counting what a test says was sent on each day."""

    def __init__(self, sent: dict[date, int]):
        self.sent = sent
        self.asked: list[tuple[str, date, ZoneInfo]] = []

    def messages_on(self, team: str, day: date, tz: ZoneInfo) -> int:
        self.asked.append((team, day, tz))
        return self.sent.get(day, 0)


def test_the_budget_counts_messages_on_the_teams_local_day():
    """00:30 in Berlin is still yesterday in UTC: the cap is about the team's day."""
    team = Team(
        name="payments",
        source="sample",
        timezone="Europe/Berlin",
        schedule=Schedule(max_messages_a_day=2),
    )
    log = FakeMessageLog({date(2026, 11, 20): 2})
    budget = NotificationBudget(log)

    after_midnight = budget.decide(datetime(2026, 11, 19, 23, 30, tzinfo=UTC), team)
    before_midnight = budget.decide(datetime(2026, 11, 19, 22, 30, tzinfo=UTC), team)

    assert after_midnight.reason is Reason.DAILY_CAP
    assert before_midnight.send is True
    assert log.asked == [
        ("payments", date(2026, 11, 20), BERLIN),
        ("payments", date(2026, 11, 19), BERLIN),
    ]


def test_direct_messages_respect_quiet_hours_but_not_the_channel_cap():
    team = Team(
        name="payments",
        source="sample",
        timezone="Europe/Berlin",
        schedule=Schedule(quiet_hours="18:00-08:30", max_messages_a_day=1),
    )
    log = FakeMessageLog({date(2026, 11, 19): 9})
    budget = NotificationBudget(log)

    morning = budget.decide(datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN), team, channel_post=False)
    evening = budget.decide(datetime(2026, 11, 19, 20, 0, tzinfo=BERLIN), team, channel_post=False)
    assert morning.send is True
    assert evening.until == datetime(2026, 11, 20, 8, 30, tzinfo=BERLIN)
    assert log.asked == []


class TeamMessageLog:
    """Messages already sent today, per team."""

    def __init__(self, sent: dict[str, int]):
        self.sent = sent

    def messages_on(self, team: str, day: date, tz: ZoneInfo) -> int:
        return self.sent.get(team, 0)


def test_teams_sharing_a_channel_share_its_daily_cap():
    """No channel gets more than the cap, however many teams post to it (the smallest cap)."""
    noon = datetime(2026, 11, 19, 12, 0, tzinfo=BERLIN)
    payments, growth, alone = (
        Team(
            name=name,
            source="sample",
            timezone="Europe/Berlin",
            channel=channel,
            schedule=Schedule(max_messages_a_day=cap),
        )
        for name, channel, cap in (("payments", "C1", 3), ("growth", "C1", 2), ("ops", "C2", 1))
    )
    teams = (payments, growth, alone)
    log = TeamMessageLog({"payments": 1, "growth": 1})

    shared = NotificationBudget(log, teams).decide(noon, payments)
    own_channel = NotificationBudget(log, teams).decide(noon, alone)
    without_the_others = NotificationBudget(log).decide(noon, payments)

    assert shared.reason is Reason.DAILY_CAP  # 1 + 1 sent, growth's cap of 2 reached
    assert own_channel.send is True
    assert without_the_others.send is True
