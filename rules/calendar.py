"""Periods on a team's calendar: the idempotency keys of scheduled work and the digest's week.

Pure: the zone is passed in and ``now`` is an argument, so the same instant gives the same
period in every process, and the Slack app, the CLI and the scheduler agree on "this week".
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def iso_week(now: datetime, zone: tzinfo) -> str:
    """The ISO week of ``now`` on the team's calendar, e.g. ``"2026-W48"``: a digest's period."""
    year, week, _ = now.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def local_day(now: datetime, zone: tzinfo) -> str:
    """The team's calendar day of ``now``, e.g. ``"2026-11-19"``: a daily job's period."""
    return now.astimezone(zone).date().isoformat()


def local_slot(now: datetime, zone: tzinfo, minutes: int = 1) -> str:
    """``now`` truncated to a ``minutes`` slot on the team's clock: a frequent job's period."""
    local = now.astimezone(zone)
    floored = local - timedelta(
        minutes=local.minute % minutes, seconds=local.second, microseconds=local.microsecond
    )
    return floored.strftime("%Y-%m-%dT%H:%M%z")
