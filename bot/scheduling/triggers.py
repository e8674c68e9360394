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

from bot.scheduling.timespec import (
    FULL_DAY_NAMES,
    TIME_PATTERN,
    WEEKDAY_NAMES,
    ScheduleError,
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

#: Day names in crontab order (0 = Sunday); APScheduler accepts these names as they are.
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
EXAMPLES = '"mon 09:00", "mon,thu 14:00", "weekdays 08:30", "daily 18:00" or "0 9 * * 1"'


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


def _cron_weekdays(field: str) -> str:
    """A crontab day-of-week field (0/7 = Sunday, names allowed) as APScheduler day names."""
    days: set[int] = set()
    for part in field.lower().split(","):
        body, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"bad step {part!r} in the day-of-week field")
            step = int(step_text)
        if body == "*":
            start, end = 0, 6
        elif "-" in body:
            first, _, last = body.partition("-")
            start, end = _cron_day(first), _cron_day(last, end_of_range=True)
        else:
            start = end = _cron_day(body)
            if step_text:
                end = 6
        if start > end:
            raise ScheduleError(f"day range {body!r} runs backwards in the day-of-week field")
        days.update(day % 7 for day in range(start, end + 1, step))
    if len(days) == 7:
        return "*"
    # APScheduler takes names in any order; list them Monday-first for readable logs.
    return ",".join(CRON_DAYS[(index + 1) % 7] for index in range(7) if (index + 1) % 7 in days)


def _cron_day(text: str, *, end_of_range: bool = False) -> int:
    if text.isdigit():
        number = int(text)
        if number > 7:
            raise ScheduleError(f"day of week {text!r} must be 0-7 (0 and 7 are Sunday)")
        return number
    name = day_name(text)
    number = CRON_DAYS.index(name)
    return 7 if end_of_range and number == 0 else number


def _parse_crontab(fields: list[str], zone: tzinfo) -> WallClockCronTrigger:
    minute, hour, day, month, weekday = fields
    if day not in ("*", "?") and weekday not in ("*", "?"):
        # crontab ORs the two fields, APScheduler ANDs them: refuse rather than guess
        raise ScheduleError(
            "a crontab schedule may restrict day-of-month or day-of-week, not both "
            "(cron would run on either, APScheduler only on both)"
        )
    try:
        return WallClockCronTrigger(
            minute=minute,
            hour=hour,
            day="*" if day == "?" else day,
            month=month,
            day_of_week=_cron_weekdays("*" if weekday == "?" else weekday),
            timezone=zone,
        )
    except ValueError as e:
        raise ScheduleError(f"bad crontab field: {e}") from e


def parse_schedule(text: str, zone: tzinfo | str) -> WallClockCronTrigger:
    """Parse a team schedule into a cron trigger on the team's wall clock.

    Forms: ``"<days> HH:MM"`` where days are day names (``mon``, ``Monday``), lists (``mon,thu``),
    ranges (``mon-fri``) or one of ``daily``, ``weekdays``, ``weekends``; ``"HH:MM"`` alone
    means daily; or a standard 5-field crontab (``"30 8 * * 1-5"``, Sunday = 0 or 7).

    Args:
        text: The schedule as written in ``northstar.toml``.
        zone: The team's time zone (a ``ZoneInfo`` or an IANA name).

    Raises:
        ScheduleError: the string matches none of the forms; the message shows examples.
    """
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    words = text.split()
    if not words:
        raise ScheduleError(f"empty schedule; write e.g. {EXAMPLES}")
    if len(words) == 1 and TIME_PATTERN.fullmatch(words[0]):
        words = ["daily", words[0]]
    if len(words) not in (2, 5):
        raise ScheduleError(f"cannot read schedule {text!r}; write e.g. {EXAMPLES}")
    try:
        if len(words) == 5:
            return _parse_crontab(words, tz)
        days = parse_days(words[0])
        hour, minute = parse_time(words[1])
    except ScheduleError as e:
        raise ScheduleError(f"schedule {text!r}: {e}") from e
    return WallClockCronTrigger(
        day_of_week="*" if len(days) == 7 else ",".join(days),
        hour=hour,
        minute=minute,
        timezone=tz,
    )


def next_fire(trigger: Any, now: datetime) -> datetime | None:
    """When ``trigger`` fires next after ``now`` (APScheduler returns ``Any``; this is typed)."""
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire
