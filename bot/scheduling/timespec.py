"""Days, times of day and periods on a team's calendar: the pure parsing behind schedules.

Kept apart from :mod:`bot.scheduling.triggers` so the budget never loads APScheduler. The periods
(ISO week, local day, local slot) are pure calendar arithmetic in :mod:`rules.calendar`.
"""

from __future__ import annotations

import re

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
