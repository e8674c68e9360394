"""The notification budget: quiet hours, quiet days and a daily cap on a team's channel posts.

A team configures, in its own time zone::

    schedule = { quiet_hours = "18:00-08:30", quiet_days = ["sat", "sun"], max_messages_a_day = 5 }

:func:`decide` answers "send now" or "defer until <the next allowed moment>". Deferred channel
posts are not dropped: the jobs collect them into one batch that is posted, as a single message,
when the window opens (:mod:`bot.scheduling.jobs`). All wall-clock arithmetic goes through
:mod:`zoneinfo`, so "08:30" is 08:30 on the team's clock on both sides of a daylight-saving
change. When the wall time a window opens at does not exist that day (clocks jump over it), the
window opens at the jump; when it happens twice, at the first pass.

The pure part (:func:`decide`, :func:`next_allowed`) takes the count of messages already sent
as an argument; :class:`NotificationBudget` reads that count from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.config import Team
from rules.schedules import QuietHours, ScheduleError, parse_quiet_days, parse_quiet_hours

if TYPE_CHECKING:
    from datetime import tzinfo

#: The most quiet stretches :func:`next_allowed` steps over (7 quiet days + their quiet hours).
_MAX_STEPS = 16


class Reason(StrEnum):
    """Why a message may or may not go out now."""

    OK = "ok"
    QUIET_HOURS = "quiet hours"
    QUIET_DAY = "quiet day"
    DAILY_CAP = "daily cap"


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """A team's budget, parsed once: its zone, quiet hours and days, and daily cap."""

    zone: ZoneInfo
    quiet_hours: QuietHours | None = None
    quiet_days: frozenset[int] = frozenset()
    max_messages_a_day: int = 5

    @classmethod
    def for_team(cls, team: Team) -> BudgetPolicy:
        """The policy in ``team.schedule``; bad strings raise a :class:`ScheduleError` naming it."""
        schedule = team.schedule
        try:
            hours = parse_quiet_hours(schedule.quiet_hours) if schedule.quiet_hours else None
            days = parse_quiet_days(schedule.quiet_days)
        except ScheduleError as e:
            raise ScheduleError(f"team {team.name!r}: {e}") from e
        return cls(
            zone=team.zone,
            quiet_hours=hours,
            quiet_days=days,
            max_messages_a_day=schedule.max_messages_a_day,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """Send now, or hold until ``until`` (an aware datetime, the next allowed moment)."""

    send: bool
    reason: Reason
    until: datetime | None = None

    def __str__(self) -> str:
        if self.send or self.until is None:
            return "send now"
        return f"defer until {self.until:%Y-%m-%d %H:%M %Z} ({self.reason})"


def wall_instant(
    day: date, wall: time, zone: tzinfo, *, not_before: datetime | None = None
) -> datetime:
    """The first instant at which the clock in ``zone`` reads ``wall`` or later on ``day``.

    A repeated wall time (clocks going back) gives its first pass, or its second when the first
    is before ``not_before``; a skipped one (clocks going forward) gives the instant of the
    jump, when the clock first reads a later time.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        # compare in UTC: between datetimes of one zone, Python ignores fold
        second = naive.replace(tzinfo=zone, fold=1)
        if not_before is not None and (
            first.astimezone(UTC) < not_before.astimezone(UTC) <= second.astimezone(UTC)
        ):
            return second
        return first
    # In a gap: fold=1 reads the new offset (an earlier instant), fold=0 the old (a later one).
    # The jump lies between them; find it to the second.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0).astimezone(zone)


def quiet_reason(now: datetime, policy: BudgetPolicy) -> Reason | None:
    """Why ``now`` is quiet for this team (quiet day first), or None when posting is allowed."""
    local = now.astimezone(policy.zone)
    if local.weekday() in policy.quiet_days:
        return Reason.QUIET_DAY
    if policy.quiet_hours is not None and policy.quiet_hours.contains(local.time()):
        return Reason.QUIET_HOURS
    return None


def next_allowed(now: datetime, policy: BudgetPolicy) -> datetime:
    """The earliest moment at or after ``now`` outside quiet hours and quiet days."""
    moment = now
    for _ in range(_MAX_STEPS):
        local = moment.astimezone(policy.zone)
        reason = quiet_reason(moment, policy)
        if reason is None:
            return moment
        if reason is Reason.QUIET_DAY:
            moment = wall_instant(local.date() + timedelta(days=1), time(0), policy.zone)
            continue
        hours = policy.quiet_hours
        assert hours is not None  # noqa: S101 - quiet_reason said quiet hours
        opens_on = local.date()
        if hours.crosses_midnight and local.time() >= hours.start:
            opens_on += timedelta(days=1)
        moment = wall_instant(opens_on, hours.end, policy.zone, not_before=moment)
    raise ScheduleError("no allowed time found within a week; check quiet_hours and quiet_days")


def decide(now: datetime, policy: BudgetPolicy, *, sent_today: int) -> Decision:
    """Whether a channel post may go out at ``now``, given ``sent_today`` posts on this day.

    Quiet days and hours defer to when they end; a full daily cap defers to the first allowed
    moment of the next day.
    """
    reason = quiet_reason(now, policy)
    if reason is not None:
        return Decision(False, reason, next_allowed(now, policy))
    if sent_today >= policy.max_messages_a_day:
        local = now.astimezone(policy.zone)
        tomorrow = wall_instant(local.date() + timedelta(days=1), time(0), policy.zone)
        return Decision(False, Reason.DAILY_CAP, next_allowed(tomorrow, policy))
    return Decision(True, Reason.OK)


class MessageLog(Protocol):
    """The part of the store the budget reads (``bot.storage.Store`` satisfies it)."""

    def messages_on(self, team: str, day: date, tz: ZoneInfo) -> int: ...


class NotificationBudget:
    """:func:`decide` with the day's count read from the store's message log.

    The cap is per channel: when several teams post to one channel, their messages count
    together against the smallest cap among them (``teams`` are all the configured teams).
    """

    def __init__(self, log: MessageLog, teams: Iterable[Team] = ()):
        self._log = log
        self._teams = tuple(teams)

    def decide(self, now: datetime, team: Team, *, channel_post: bool = True) -> Decision:
        """Send now, or defer; direct messages (``channel_post=False``) skip the daily cap.

        The cap is about noise in a channel; quiet hours and days protect people, so they
        apply to direct messages too.
        """
        policy = BudgetPolicy.for_team(team)
        if not channel_post:
            reason = quiet_reason(now, policy)
            if reason is None:
                return Decision(True, Reason.OK)
            return Decision(False, reason, next_allowed(now, policy))
        sharing = [
            other
            for other in self._teams
            if other.name != team.name and team.channel and other.channel == team.channel
        ]
        local_day = now.astimezone(policy.zone).date()
        sent = sum(
            self._log.messages_on(member.name, local_day, policy.zone)
            for member in (team, *sharing)
        )
        cap = min(member.schedule.max_messages_a_day for member in (team, *sharing))
        return decide(now, replace(policy, max_messages_a_day=cap), sent_today=sent)
