"""Periods on a team's calendar: the zone decides the day and the week, not UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rules.calendar import iso_week, local_day, local_slot

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_digest_period_is_the_iso_week_on_the_teams_calendar():
    """Sunday 23:30 UTC is already Monday in Berlin: the team's week, not UTC's."""
    late_sunday = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)

    assert iso_week(late_sunday, UTC) == "2026-W48"
    assert iso_week(late_sunday, BERLIN) == "2026-W49"
    assert local_day(late_sunday, BERLIN) == "2026-11-30"
    assert iso_week(datetime(2027, 1, 1, 12, tzinfo=BERLIN), BERLIN) == "2026-W53"


def test_a_slot_is_the_minute_on_the_teams_clock_floored_to_the_slot_size():
    moment = datetime(2026, 11, 29, 23, 37, 42, tzinfo=UTC)

    assert local_slot(moment, BERLIN) == "2026-11-30T00:37+0100"
    assert local_slot(moment, BERLIN, minutes=15) == "2026-11-30T00:30+0100"
    assert local_slot(moment, UTC, minutes=15) == "2026-11-29T23:30+0000"
