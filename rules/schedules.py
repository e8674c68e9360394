"""Schedule strings as a team writes them: days, times of day, quiet hours, crontab fields.

Pure parsing, so the config can refuse a bad schedule when it loads (naming file, team and
key) without importing the scheduler, and the scheduler builds its triggers from exactly what
was accepted (:func:`cron_fields`). Calendar periods (ISO week, local day) are in
:mod:`rules.calendar`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

#: Day names in calendar order (``date.weekday()``: 0 = Monday).
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Words that stand for a set of days in the short form.
DAY_WORDS: dict[str, tuple[str, ...]] = {
    "daily": WEEKDAY_NAMES,
    "everyday": WEEKDAY_NAMES,
    "weekdays": WEEKDAY_NAMES[:5],
    "weekends": WEEKDAY_NAMES[5:],
    "weekend": WEEKDAY_NAMES[5:],
}
TIME_PATTERN = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")


class ScheduleError(ValueError):
    """A schedule, quiet-hours or quiet-days string cannot be understood; says what to write."""


def parse_time(text: str, *, what: str = "time") -> tuple[int, int]:
    """``"08:30"`` -> ``(8, 30)``; 24-hour clock, minutes required."""
    match = TIME_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ScheduleError(f'{what} {text!r} must be HH:MM on a 24-hour clock, e.g. "08:30"')
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ScheduleError(f"{what} {text!r} is not a time of day (00:00 to 23:59)")
    return hour, minute


def day_name(text: str) -> str:
    """``"Monday"``, ``"thur"``, ``"mon"`` -> ``"mon"``; else a :class:`ScheduleError`."""
    word = text.strip().lower()
    for name, full in zip(WEEKDAY_NAMES, FULL_DAY_NAMES, strict=True):
        if len(word) >= 3 and full.startswith(word):
            return name
    raise ScheduleError(f"unknown day {text!r}; use mon, tue, wed, thu, fri, sat or sun")


def parse_days(text: str) -> tuple[str, ...]:
    """``"mon,thu"``, ``"mon-fri"``, ``"weekdays"``, ``"daily"`` -> day names in calendar order."""
    chosen: set[str] = set()
    for part in text.lower().split(","):
        word = part.strip()
        if not word:
            raise ScheduleError(f"empty day in {text!r}; separate days with commas: mon,thu")
        if word in DAY_WORDS:
            chosen.update(DAY_WORDS[word])
        elif "-" in word:
            first, _, last = word.partition("-")
            start, end = WEEKDAY_NAMES.index(day_name(first)), WEEKDAY_NAMES.index(day_name(last))
            if start > end:
                raise ScheduleError(
                    f"day range {word!r} runs backwards; write it Monday-first, e.g. mon-fri"
                )
            chosen.update(WEEKDAY_NAMES[start : end + 1])
        else:
            chosen.add(day_name(word))
    return tuple(name for name in WEEKDAY_NAMES if name in chosen)


#: Day names in crontab order (0 = Sunday); APScheduler accepts these names as they are.
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
EXAMPLES = '"mon 09:00", "mon,thu 14:00", "weekdays 08:30", "daily 18:00" or "0 9 * * 1"'
#: crontab fields whose numbers are checked here: name, lowest, highest
_NUMERIC_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12))
_CRON_PART = re.compile(r"(?P<body>\*|\d+|\d+-\d+)(?:/(?P<step>\d+))?")


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


def _check_numbers(field: str, low: int, high: int, what: str) -> None:
    """Refuse numbers outside a crontab field's range; other forms are left to the scheduler."""
    for part in field.split(","):
        match = _CRON_PART.fullmatch(part)
        if match is None:
            continue
        if match["step"] is not None and int(match["step"]) == 0:
            raise ScheduleError(f"bad step {part!r} in the {what} field")
        if match["body"] == "*":
            continue
        for number in map(int, match["body"].split("-")):
            if not low <= number <= high:
                raise ScheduleError(f"{what} {number} is outside {low}-{high}")


def _crontab_fields(fields: list[str]) -> dict[str, str]:
    minute, hour, day, month, weekday = fields
    if day not in ("*", "?") and weekday not in ("*", "?"):
        # crontab ORs the two fields, APScheduler ANDs them: refuse rather than guess
        raise ScheduleError(
            "a crontab schedule may restrict day-of-month or day-of-week, not both "
            "(cron would run on either, APScheduler only on both)"
        )
    day = "*" if day == "?" else day
    for value, (what, low, high) in zip((minute, hour, day, month), _NUMERIC_FIELDS, strict=True):
        _check_numbers(value, low, high, what)
    return {
        "minute": minute,
        "hour": hour,
        "day": day,
        "month": month,
        "day_of_week": _cron_weekdays("*" if weekday == "?" else weekday),
    }


def cron_fields(text: str) -> dict[str, str]:
    """A team schedule as cron fields (APScheduler's names) on the team's wall clock.

    Forms: ``"<days> HH:MM"`` where days are day names (``mon``, ``Monday``), lists (``mon,thu``),
    ranges (``mon-fri``) or one of ``daily``, ``weekdays``, ``weekends``; ``"HH:MM"`` alone
    means daily; or a standard 5-field crontab (``"30 8 * * 1-5"``, Sunday = 0 or 7).

    Raises:
        ScheduleError: the string matches none of the forms; the message shows examples.
    """
    words = text.split()
    if not words:
        raise ScheduleError(f"empty schedule; write e.g. {EXAMPLES}")
    if len(words) == 1 and TIME_PATTERN.fullmatch(words[0]):
        words = ["daily", words[0]]
    if len(words) not in (2, 5):
        raise ScheduleError(f"cannot read schedule {text!r}; write e.g. {EXAMPLES}")
    try:
        if len(words) == 5:
            return _crontab_fields(words)
        days = parse_days(words[0])
        hour, minute = parse_time(words[1])
    except ScheduleError as e:
        raise ScheduleError(f"schedule {text!r}: {e}") from e
    return {
        "day_of_week": "*" if len(days) == 7 else ",".join(days),
        "hour": str(hour),
        "minute": str(minute),
    }


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily stretch of wall-clock time without posts; ``start > end`` crosses midnight."""

    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, wall: time) -> bool:
        """Whether the wall-clock time ``wall`` falls inside (start inclusive, end exclusive)."""
        if self.crosses_midnight:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str) -> QuietHours:
    """``"18:00-08:30"`` -> :class:`QuietHours`; the stretch may cross midnight.

    Raises:
        ScheduleError: not two HH:MM times joined by a dash, or an empty stretch.
    """
    first, dash, last = text.partition("-")
    if not dash:
        raise ScheduleError(
            f'quiet_hours {text!r} must be two times with a dash, e.g. "18:00-08:30"'
        )
    start = time(*parse_time(first, what="quiet_hours start"))
    end = time(*parse_time(last, what="quiet_hours end"))
    if start == end:
        raise ScheduleError(
            f"quiet_hours {text!r} starts and ends at the same time; remove it or widen it"
        )
    return QuietHours(start, end)


def parse_quiet_days(days: Iterable[str]) -> frozenset[int]:
    """``["sat", "sun"]`` -> ``{5, 6}`` (``date.weekday()`` numbers).

    Raises:
        ScheduleError: an unknown day name, or every day of the week is quiet.
    """
    numbers = frozenset(WEEKDAY_NAMES.index(day_name(day)) for day in days)
    if len(numbers) == len(WEEKDAY_NAMES):
        raise ScheduleError("quiet_days covers the whole week, so nothing could ever be posted")
    return numbers
