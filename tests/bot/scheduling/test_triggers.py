"""When jobs fire: schedule strings, team time zones and daylight-saving changes.

Triggers are asked directly (``get_next_fire_time(previous, now)``); no scheduler is started.
DST dates used: Europe/Berlin springs forward 2026-03-29 02:00 -> 03:00 and falls back
2026-10-25 03:00 -> 02:00; America/New_York springs forward 2026-03-08 02:00 -> 03:00 and falls
back 2026-11-01 02:00 -> 01:00.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.scheduling.triggers import (
    ScheduleError,
    WallClockCronTrigger,
    next_fire,
    parse_schedule,
)
from rules.calendar import iso_week
from tests.bot.scheduling.support import BERLIN, NEW_YORK


def fires_between(trigger, start: datetime, end: datetime) -> list[datetime]:
    """Fire times in [start, end), computed the way APScheduler's scheduler loop does."""
    fires = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return fires


@pytest.mark.parametrize(
    ("schedule", "zone", "now", "expected"),
    [
        (
            "mon 09:00",
            BERLIN,
            datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN),
            datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN),
        ),
        (
            "mon 09:00",
            BERLIN,
            datetime(2026, 10, 23, 12, 0, tzinfo=BERLIN),
            datetime(2026, 10, 26, 9, 0, tzinfo=BERLIN),
        ),
        (
            "mon 09:00",
            NEW_YORK,
            datetime(2026, 3, 6, 12, 0, tzinfo=NEW_YORK),
            datetime(2026, 3, 9, 9, 0, tzinfo=NEW_YORK),
        ),
        (
            "mon 09:00",
            NEW_YORK,
            datetime(2026, 10, 30, 12, 0, tzinfo=NEW_YORK),
            datetime(2026, 11, 2, 9, 0, tzinfo=NEW_YORK),
        ),
        (
            "mon,thu 14:00",
            BERLIN,
            datetime(2026, 11, 16, 14, 0, 1, tzinfo=BERLIN),
            datetime(2026, 11, 19, 14, 0, tzinfo=BERLIN),
        ),
        (
            "weekdays 09:00",
            BERLIN,
            datetime(2026, 11, 20, 9, 30, tzinfo=BERLIN),
            datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN),
        ),
        (
            "daily 08:30",
            NEW_YORK,
            datetime(2026, 11, 21, 8, 31, tzinfo=NEW_YORK),
            datetime(2026, 11, 22, 8, 30, tzinfo=NEW_YORK),
        ),
        (
            "0 9 * * 1",
            BERLIN,
            datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN),
            datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN),
        ),
    ],
    ids=[
        "berlin_across_spring_forward",
        "berlin_across_fall_back",
        "new_york_across_spring_forward",
        "new_york_across_fall_back",
        "two_days_a_week",
        "weekdays_skip_the_weekend",
        "daily_new_york",
        "crontab_monday",
    ],
)
def test_schedule_fires_at_the_teams_wall_clock_time(schedule, zone, now, expected):
    fire = next_fire(parse_schedule(schedule, zone), now)

    assert fire == expected
    assert fire is not None
    assert fire.utcoffset() == expected.utcoffset()
    assert (fire.hour, fire.minute) == (expected.hour, expected.minute)


def test_same_instant_seen_from_utc_gives_the_same_next_monday():
    """The caller's clock is UTC; the trigger still reasons in the team's zone."""
    now = datetime(2026, 3, 27, 11, 0, tzinfo=UTC)

    fire = next_fire(parse_schedule("mon 09:00", "Europe/Berlin"), now)

    assert fire == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        (
            BERLIN,
            datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN),
            [
                datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 CEST: 02:30 does not exist
                datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
                datetime(2026, 3, 31, 0, 30, tzinfo=UTC),
            ],
        ),
        (
            NEW_YORK,
            datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK),
            [
                datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # 03:30 EDT
                datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
                datetime(2026, 3, 10, 6, 30, tzinfo=UTC),
            ],
        ),
    ],
    ids=["berlin_spring_forward", "new_york_spring_forward"],
)
def test_a_0230_job_on_the_spring_forward_day_runs_once_an_hour_late(zone, start, expected):
    """02:30 does not exist that night. APScheduler fires it at 02:30 in the old offset, which
    is 03:30 on the new wall clock: not skipped, not doubled, and back to 02:30 the next day.
    """
    trigger = parse_schedule("daily 02:30", zone)

    fires = fires_between(trigger, start, start + timedelta(days=3))

    assert fires == expected
    assert [fire.astimezone(zone).strftime("%H:%M") for fire in fires] == [
        "03:30",
        "02:30",
        "02:30",
    ]
    assert fires[0].tzinfo is not None
    assert fires[0].astimezone(zone).utcoffset() == fires[1].astimezone(zone).utcoffset()


@pytest.mark.parametrize(
    ("zone", "hour", "start", "first_pass"),
    [
        (
            BERLIN,
            2,
            datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN),
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first of two 02:30s
        ),
        (
            NEW_YORK,
            1,
            datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT, the first of two 01:30s
        ),
    ],
    ids=["berlin_fall_back", "new_york_fall_back"],
)
def test_a_job_in_the_repeated_hour_runs_once_on_the_fall_back_day(zone, hour, start, first_pass):
    """The hour before the change happens twice. Plain APScheduler fires in both passes; the
    wall-clock trigger fires in the first pass only, as cron does.
    """
    end = start + timedelta(days=2)
    plain = CronTrigger(hour=hour, minute=30, timezone=zone)

    ours = fires_between(parse_schedule(f"daily {hour:02d}:30", zone), start, end)
    theirs = fires_between(plain, start, end)

    # compare in UTC: Python never calls a repeated-hour time equal to one in another zone
    assert ours[0].astimezone(UTC) == first_pass
    assert ours[1].astimezone(UTC) - ours[0].astimezone(UTC) == timedelta(hours=25)
    assert len(ours) == 2  # the change day and the day after: once each
    assert len(theirs) == 3  # what we avoid: the change day twice


def test_an_hourly_schedule_keeps_one_fire_per_real_hour_across_spring_forward():
    trigger = parse_schedule("0 * * * *", BERLIN)
    start = datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN).astimezone(UTC)

    fires = fires_between(trigger, start, start + timedelta(hours=4))  # UTC: real hours

    assert [fire.astimezone(UTC).hour for fire in fires] == [0, 1, 2, 3]
    assert [fire.astimezone(BERLIN).hour for fire in fires] == [1, 3, 4, 5]  # 02:00 is 03:00


@pytest.mark.parametrize(
    ("crontab", "weekday"),
    [("0 9 * * 1", "mon"), ("0 9 * * 0", "sun"), ("0 9 * * 7", "sun"), ("0 9 * * 5", "fri")],
    ids=["one_is_monday", "zero_is_sunday", "seven_is_sunday", "five_is_friday"],
)
def test_crontab_weekday_numbers_mean_what_cron_means(crontab, weekday):
    """APScheduler 3's from_crontab counts Monday as 0 (its issue #286); we do not."""
    fire = next_fire(parse_schedule(crontab, BERLIN), datetime(2026, 11, 17, tzinfo=BERLIN))

    assert fire is not None
    assert fire.strftime("%a").lower() == weekday


@pytest.mark.parametrize(
    ("crontab", "days"),
    [
        ("0 9 * * 1-5", "mon,tue,wed,thu,fri"),
        ("0 9 * * 5-7", "fri,sat,sun"),
        ("0 9 * * 0,6", "sat,sun"),
        ("0 9 * * */2", "tue,thu,sat,sun"),
        ("0 9 * * mon-wed", "mon,tue,wed"),
        ("0 9 * * *", "*"),
    ],
    ids=["weekday_range", "range_ending_on_sunday", "list", "step", "names", "every_day"],
)
def test_crontab_weekday_fields_are_translated_to_day_names(crontab, days):
    trigger = parse_schedule(crontab, BERLIN)

    assert str(trigger.fields[4]) == days


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("mon 9am", "HH:MM"),
        ("funday 09:00", "unknown day 'funday'"),
        ("mon 25:00", "not a time of day"),
        ("fri-mon 09:00", "runs backwards"),
        ("", "empty schedule"),
        ("every monday at nine", "cannot read schedule"),
        ("0 9 1 * 1", "not both"),
        ("0 9 * * 8", "0-7"),
        ("61 9 * * *", "minute 61 is outside 0-59"),
    ],
    ids=[
        "am_pm_time",
        "unknown_day",
        "hour_out_of_range",
        "backwards_range",
        "empty",
        "prose",
        "day_of_month_and_week",
        "weekday_eight",
        "minute_out_of_range",
    ],
)
def test_bad_schedule_strings_are_refused_with_a_clear_reason(text, fragment):
    with pytest.raises(ScheduleError, match=fragment) as raised:
        parse_schedule(text, BERLIN)

    assert isinstance(raised.value, ValueError)


def test_day_names_and_a_bare_time_are_accepted():
    assert str(parse_schedule("Monday 09:05", BERLIN).fields[4]) == "mon"
    assert str(parse_schedule("Thur 09:05", BERLIN).fields[4]) == "thu"
    assert str(parse_schedule("09:05", BERLIN).fields[4]) == "*"


def test_triggers_survive_pickling_for_the_sqlalchemy_job_store():
    trigger = parse_schedule("mon 09:00", "Europe/Berlin")

    restored = pickle.loads(pickle.dumps(trigger))  # noqa: S301 - our own bytes

    assert isinstance(restored, WallClockCronTrigger)
    assert str(restored.timezone) == "Europe/Berlin"
    now = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN)
    assert restored.get_next_fire_time(None, now) == trigger.get_next_fire_time(None, now)


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK], ids=["berlin", "new_york"])
@pytest.mark.parametrize("schedule", ["mon 09:00", "sun 02:30"], ids=["monday_9", "sunday_0230"])
def test_a_weekly_schedule_fires_once_every_week_of_a_year_with_two_clock_changes(zone, schedule):
    """2026 in both zones: 52 runs, one per ISO week (the digest's run key), none skipped.

    "sun 02:30" falls in the skipped hour on the spring-forward Sunday (Berlin and New York
    both change on a Sunday) and, in Berlin, in the repeated hour on the fall-back Sunday.
    """
    start = datetime(2026, 1, 1, tzinfo=zone)
    fires = fires_between(parse_schedule(schedule, zone), start, start.replace(year=2027))

    weeks = [iso_week(fire, zone) for fire in fires]
    assert len(fires) == 52
    assert len(set(weeks)) == 52
    gaps = {fire.astimezone(UTC) - earlier.astimezone(UTC) for earlier, fire in pairwise(fires)}
    assert gaps <= {timedelta(days=7), timedelta(days=7, hours=-1), timedelta(days=7, hours=1)}
