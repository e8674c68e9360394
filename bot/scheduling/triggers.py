"""Team schedule strings ("mon 09:00", "weekdays 08:30", crontab) to APScheduler cron triggers.

Every trigger carries the team's own :class:`~zoneinfo.ZoneInfo`, so "mon 09:00" means nine
o'clock on the team's wall clock in summer and in winter alike. What happens on the two days a
year when the wall clock jumps (APScheduler 3.x semantics, kept on purpose, plus one fix):

* **Spring forward** (a wall time that does not exist, e.g. 02:30 in Berlin on 2026-03-29):
  the job fires **once**, at the instant 02:30 would have been in the old offset, which is
  03:30 on the new wall clock. It is never skipped.
* **Fall back** (a wall time that happens twice, e.g. 02:30 on 2026-10-25): plain APScheduler
  fires twice, once per pass. :class:`WallClockCronTrigger` skips the second pass, so each wall
  time fires **once**, the way cron does. Jobs are idempotent per period anyway
  (:mod:`bot.scheduling.jobs`), so even a doubled fire would post once.

Standard crontab expressions are accepted too. Beware of APScheduler 3.x's own
``CronTrigger.from_crontab``: it numbers weekdays from Monday = 0 (its issue #286), so
``0 9 * * 1`` would fire on *Tuesdays*. :func:`parse_schedule` translates crontab weekday numbers
(0 or 7 = Sunday) to names instead, so ``0 9 * * 1`` is Monday as every crontab reader expects.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from rules.schedules import (
    CRON_DAYS,
    FULL_DAY_NAMES,
    WEEKDAY_NAMES,
    ScheduleError,
    cron_fields,
    day_name,
    parse_days,
    parse_time,
)

__all__ = [
    "CRON_DAYS",
    "FULL_DAY_NAMES",
    "WEEKDAY_NAMES",
    "ScheduleError",
    "WallClockCronTrigger",
    "day_name",
    "is_repeated",
    "next_fire",
    "parse_days",
    "parse_schedule",
    "parse_time",
]


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]
    """A :class:`CronTrigger` that fires each wall-clock time once, even when it happens twice.

    When clocks fall back, the hour before the change is lived twice. APScheduler fires a cron
    time in that hour once per pass; this trigger drops the second pass (``fold=1``), so a
    "daily 02:30" job runs once on that day. Fire times in a spring-forward gap are returned as
    the real instant (03:30+02:00 rather than the non-existent 02:30+01:00): the same moment,
    displayed as people's clocks show it.
    """

    __slots__ = ()

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and fire.fold == 1 and is_repeated(fire):
            fire = super().get_next_fire_time(fire, fire)
        if fire is None:
            return None
        return fire.astimezone(UTC).astimezone(fire.tzinfo)


def is_repeated(moment: datetime) -> bool:
    """Whether ``moment``'s wall time happens twice (the hour lived again when clocks go back)."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def parse_schedule(text: str, zone: tzinfo | str) -> WallClockCronTrigger:
    """Parse a team schedule (see :func:`rules.schedules.cron_fields`) into a cron trigger.

    Args:
        text: The schedule as written in ``northstar.toml``.
        zone: The team's time zone (a ``ZoneInfo`` or an IANA name).

    Raises:
        ScheduleError: the string matches none of the forms; the message shows examples.
    """
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    fields = cron_fields(text)
    try:
        return WallClockCronTrigger(**fields, timezone=tz)
    except ValueError as e:
        raise ScheduleError(f"schedule {text!r}: bad crontab field: {e}") from e


def next_fire(trigger: Any, now: datetime) -> datetime | None:
    """When ``trigger`` fires next after ``now`` (APScheduler returns ``Any``; this is typed)."""
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire
