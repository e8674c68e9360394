"""The numbers of the weekly value digest and the sprint-start reminder, as pure functions.

Everything here is computed from values passed in: the scored backlog, an older ranking, the
score and rating history, check-in turnout and realisation answers. Periods are half-open
instants ``[start, end)`` chosen by the caller on the team's calendar, and ``now`` is always an
argument, so a digest computed twice from the same inputs is the same digest. Missing data
gives an empty list or ``None``, never a division by zero.

Value delivered, committed and burnt up sums each item's value as the scoring model counts it
(:func:`rules.value.item_value`: cost of delay for WSJF, benefit a week for CD3 ...), never the
score, which is value per unit of size; ``value_unit`` names what is summed.

Longer than 400 lines because the digest and the reminder share their inputs and periods; each
section is a small function of its own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from rules.assessment import PortfolioSummary
from rules.explain import changed_since
from rules.model import Frozen, Item, Ranking, Rating, Score, ScoredItem, Sprint, ValueGoal
from rules.ranking import reason_for_move
from rules.reasons import number
from rules.value import item_value, value_unit

#: What a stakeholder may answer when asked whether a delivered benefit came.
RealisationAnswerValue = Literal["yes", "partly", "no"]


class DigestItem(Frozen):
    """One backlog item as a digest lists it: key, summary and its value.

    The value is the score, except in the list of delivered items, where it is what the item
    delivered (:func:`rules.value.item_value`), in the digest's ``value_unit``.
    """

    key: str
    summary: str = ""
    value: float


class Mover(Frozen):
    """An item whose rank changed between two rankings, and why it sits where it is now."""

    key: str
    summary: str = ""
    old_rank: int
    new_rank: int
    reason: str = ""
    #: the item's score when the older ranking was taken, when a score was recorded by then
    old_score: float | None = None
    new_score: float | None = None

    @property
    def moved_by(self) -> int:
        """Positions gained (positive) or lost (negative)."""
        return self.old_rank - self.new_rank


class ScorePoint(Frozen):
    """One recorded score of one item (the store keeps one per scoring run that wrote it)."""

    key: str
    value: float
    at: datetime


class RealisationAnswer(Frozen):
    """A stakeholder's answer to "did the planned benefit of KEY come?"."""

    key: str
    user: str
    answer: RealisationAnswerValue
    at: datetime


class ResponseRate(Frozen):
    """How many of the stakeholders asked in check-in rounds answered."""

    answered: int = 0
    asked: int = 0

    @property
    def rate(self) -> float | None:
        """The share who answered, or None when nobody was asked (not 0: nothing to measure)."""
        return self.answered / self.asked if self.asked else None


class BenefitRow(Frozen):
    """Planned and realised benefit of one item, with the stakeholders' answers about it."""

    key: str
    summary: str = ""
    planned: float | None = None
    realised: float | None = None
    yes: int = 0
    partly: int = 0
    no: int = 0


class BenefitReview(Frozen):
    """Planned versus realised benefit over delivered items (DESIGN.md §1, benefits realisation)."""

    rows: tuple[BenefitRow, ...] = ()

    @property
    def planned(self) -> float:
        return sum(row.planned or 0.0 for row in self.rows)

    @property
    def realised(self) -> float:
        return sum(row.realised or 0.0 for row in self.rows)

    @property
    def answers(self) -> dict[str, int]:
        """Answers counted over all rows, in the order yes, partly, no."""
        return {
            "yes": sum(row.yes for row in self.rows),
            "partly": sum(row.partly for row in self.rows),
            "no": sum(row.no for row in self.rows),
        }


class BurnUpPoint(Frozen):
    """Cumulative value delivered and total value in scope at one moment."""

    at: datetime
    delivered: float
    scope: float


class BurnUp(Frozen):
    """The value burn-up series, oldest point first."""

    points: tuple[BurnUpPoint, ...] = ()


class SprintValue(Frozen):
    """The active sprint in value terms: what it committed to and what is done of it."""

    id: int
    name: str
    goal: str | None = None
    committed: float
    delivered: float
    items: int


class Digest(Frozen):
    """Everything the weekly digest says about one team, ready to render."""

    team: str
    week: str
    start: datetime
    end: datetime
    goals: tuple[ValueGoal, ...] = ()
    delivered: tuple[DigestItem, ...] = ()
    value_delivered: float = 0.0
    #: value delivered in the week before ``[start, end)``, to compare with
    previous_value_delivered: float = 0.0
    sprint: SprintValue | None = None
    movers: tuple[Mover, ...] = ()
    #: items that changed place since last week (``movers`` are the biggest of them)
    moved: int = 0
    #: how many of those had a new score since then (None: no scores recorded then)
    moved_rescored: int | None = None
    stale: tuple[DigestItem, ...] = ()
    stale_days: int
    unestimated: tuple[DigestItem, ...] = ()
    response: ResponseRate = ResponseRate()
    benefits: BenefitReview = BenefitReview()
    burn_up: BurnUp = BurnUp()
    #: what value_delivered, the sprint's value and the burn-up count (see rules.value)
    value_unit: str = "cost of delay points"
    #: a link to the whole ordered backlog in the tool, when there is one
    full_list_url: str | None = None
    #: the benefit register's week (realised, at risk, money, reviews due), when it has entries
    portfolio: PortfolioSummary | None = None
    #: the latest lessons learned, as (benefit id, lesson)
    lessons: tuple[tuple[str, str], ...] = ()

    @property
    def has_news(self) -> bool:
        """Whether the week gave anything to report; a team wants no digest that says nothing.

        Stale and unestimated items alone are standing backlog state, the same every week, so
        they do not make a digest worth posting.
        """
        return bool(
            self.delivered
            or self.previous_value_delivered
            or self.sprint is not None
            or self.movers
            or self.response.asked
            or self.benefits.rows
            or (self.portfolio is not None and self.portfolio.has_news)
        )


class ServedBenefit(Frozen):
    """A benefit a sprint works towards, and through which of its items or their epics."""

    benefit_id: str
    title: str
    keys: str


class Reminder(Frozen):
    """What the sprint-start reminder says: goal, value committed, top items, goals, gaps."""

    team: str
    sprint: str
    goal: str | None = None
    committed: float
    value_unit: str = "cost of delay points"
    items: int
    top: tuple[DigestItem, ...] = ()
    goals: tuple[ValueGoal, ...] = ()
    unvalued: tuple[DigestItem, ...] = ()
    full_list_url: str | None = None
    #: the register's benefits the sprint's items (or their epics) deliver
    benefits: tuple[ServedBenefit, ...] = ()


# ---------------------------------------------------------------- single metrics


def digest_item(entry: ScoredItem) -> DigestItem:
    return DigestItem(key=entry.key, summary=entry.item.summary, value=entry.score.value)


def _by_value(entries: Iterable[ScoredItem]) -> list[ScoredItem]:
    """Highest value first; equal values in key order, so a listing never flickers."""
    return sorted(entries, key=lambda entry: (-entry.score.value, entry.key))


def delivered_in(scored: Iterable[ScoredItem], start: datetime, end: datetime) -> list[ScoredItem]:
    """Done items resolved in ``[start, end)``, most value delivered first."""
    return sorted(
        (
            entry
            for entry in scored
            if entry.item.is_done
            and entry.item.resolved is not None
            and start <= entry.item.resolved < end
        ),
        key=lambda entry: (-item_value(entry.score), entry.key),
    )


def delivered_item(entry: ScoredItem) -> DigestItem:
    """A delivered item with the value it delivered, so the listed values add up to the total."""
    return DigestItem(key=entry.key, summary=entry.item.summary, value=item_value(entry.score))


def value_delivered(scored: Iterable[ScoredItem], start: datetime, end: datetime) -> float:
    """The summed value (:func:`rules.value.item_value`) of the items done in ``[start, end)``."""
    return sum(item_value(entry.score) for entry in delivered_in(scored, start, end))


def sprint_items(scored: Iterable[ScoredItem], sprint_id: int) -> list[ScoredItem]:
    """Items in sprint ``sprint_id`` (done ones too: they were committed), by value."""
    return _by_value(
        entry for entry in scored if entry.item.sprint and entry.item.sprint.id == sprint_id
    )


def value_committed(scored: Iterable[ScoredItem], sprint_id: int) -> float:
    """The summed value (:func:`rules.value.item_value`) of everything in sprint ``sprint_id``."""
    return sum(item_value(entry.score) for entry in sprint_items(scored, sprint_id))


def digest_value_unit(scored: Sequence[ScoredItem]) -> str:
    """What value sums are counted in: the unit of the model the backlog was scored with."""
    return value_unit(scored[0].score.model if scored else "wsjf")


def active_sprint(items: Iterable[Item]) -> Sprint | None:
    """The active sprint most items belong to (the lowest id on a tie), or None."""
    counts: dict[int, int] = {}
    sprints: dict[int, Sprint] = {}
    for item in items:
        if item.in_active_sprint and item.sprint is not None:
            counts[item.sprint.id] = counts.get(item.sprint.id, 0) + 1
            sprints[item.sprint.id] = item.sprint
    if not counts:
        return None
    chosen = min(counts, key=lambda sprint_id: (-counts[sprint_id], sprint_id))
    return sprints[chosen]


def scores_at(history: Iterable[ScorePoint], at: datetime) -> dict[str, float]:
    """Each item's newest recorded score at or before ``at``."""
    found: dict[str, ScorePoint] = {}
    for point in history:
        if point.at <= at and (point.key not in found or found[point.key].at <= point.at):
            found[point.key] = point
    return {key: point.value for key, point in found.items()}


def _why_moved(reason: str, old: float | None, new: float, fallback: str) -> str:
    """Why an item sits where it is now: its score change, then the ranking's own reason."""
    parts = []
    if old is not None and round(old, 2) != round(new, 2):
        parts.append(f"score {number(old)} → {number(new)}")
    if reason:
        parts.append(reason)
    return "; ".join(parts) or fallback


def _rescored_since(keys: Sequence[str], ranking: Ranking, old: Mapping[str, float]) -> int:
    """How many of ``keys`` score differently now than in ``old`` (no old score: re-scored)."""
    now = {ranked.key: ranked.score.value for ranked in ranking.items}
    return sum(1 for key in keys if key not in old or round(old[key], 2) != round(now[key], 2))


def top_movers(
    previous: Sequence[str],
    ranking: Ranking,
    limit: int = 5,
    *,
    old_scores: Mapping[str, float] | None = None,
) -> list[Mover]:
    """The items whose rank changed most from ``previous`` (an older order) to ``ranking``.

    Ranks in ``previous`` count only the keys still ranked, so an item does not "gain" places
    because done items above it left the list. Items new since then have no old rank and are
    not movers. Ties: more places first, then gains before losses, then the better new rank.
    The reason says what changed: the score then and now (from ``old_scores``, the scores
    recorded when ``previous`` was), and the ranking's reason (a pin, a guardrail, tolerance).
    """
    ranked = set(ranking.keys)
    old = {key: index for index, key in enumerate((k for k in previous if k in ranked), 1)}
    before = old_scores or {}
    movers = [
        Mover(
            key=entry.key,
            summary=entry.item.summary,
            old_rank=old[entry.key],
            new_rank=entry.rank,
            reason=_why_moved(
                reason_for_move(entry),
                before.get(entry.key),
                entry.score.value,
                next(iter(entry.score.explain()), ""),
            ),
            old_score=before.get(entry.key),
            new_score=entry.score.value,
        )
        for entry in ranking.items
        if entry.key in old and old[entry.key] != entry.rank
    ]
    movers.sort(key=lambda mover: (-abs(mover.moved_by), -mover.moved_by, mover.new_rank))
    return movers[:limit]


def last_changes(
    items: Iterable[Item], ratings: Iterable[Rating], history: Iterable[ScorePoint]
) -> dict[str, datetime]:
    """When each item's inputs last changed: its newest rating or score change, else creation.

    A score change is a recorded value that differs from the one recorded before it (the first
    record counts: the score was set then). Items with neither and no creation date are absent.
    """
    latest: dict[str, datetime] = {}

    def seen(key: str, at: datetime) -> None:
        if key not in latest or latest[key] < at:
            latest[key] = at

    item_list = list(items)
    for rating in (*ratings, *(rating for item in item_list for rating in item.ratings)):
        seen(rating.item_key, rating.at)
    previous: dict[str, float] = {}
    for point in sorted(history, key=lambda point: point.at):
        if previous.get(point.key) != point.value:
            seen(point.key, point.at)
        previous[point.key] = point.value
    for item in item_list:
        if item.key not in latest and item.created is not None:
            latest[item.key] = item.created
    return latest


def stale_items(
    scored: Iterable[ScoredItem],
    ratings: Iterable[Rating],
    history: Iterable[ScorePoint],
    now: datetime,
    days: int,
) -> list[ScoredItem]:
    """Open items with no rating and no score change for ``days`` days, highest value first."""
    entries = [entry for entry in scored if not entry.item.is_done]
    changed = last_changes((entry.item for entry in entries), ratings, history)
    cutoff = now - timedelta(days=days)
    return _by_value(
        entry for entry in entries if entry.key not in changed or changed[entry.key] <= cutoff
    )


def unestimated(scored: Iterable[ScoredItem]) -> list[ScoredItem]:
    """Open items without story points (scored with the default cost), highest value first."""
    return _by_value(
        entry for entry in scored if not entry.item.is_done and entry.score.needs_estimate
    )


def has_no_value_inputs(score: Score) -> bool:
    """True when every value term of the score is a default: nobody has said what it is worth."""
    terms = [term.name for term in score.terms if term.name != "cost"]
    return bool(terms) and all(name in score.defaults for name in terms)


def response_rate(rounds: Iterable[tuple[Collection[str], Collection[str]]]) -> ResponseRate:
    """Turnout over check-in rounds, each given as (stakeholders asked, stakeholders who answered).

    Someone who answered without being asked (a late addition) does not raise the rate above 1.
    """
    answered = asked = 0
    for invited, responders in rounds:
        people = set(invited)
        asked += len(people)
        answered += len(people & set(responders))
    return ResponseRate(answered=answered, asked=asked)


def benefit_review(items: Iterable[Item], answers: Iterable[RealisationAnswer]) -> BenefitReview:
    """Planned versus realised benefit of delivered items, with the realisation answers.

    Rows are the done items with a benefit-register entry, plus any item someone answered about.
    Each person's newest answer about an item counts once.
    """
    newest: dict[tuple[str, str], RealisationAnswer] = {}
    for answer in sorted(answers, key=lambda answer: answer.at):
        newest[(answer.key, answer.user)] = answer
    counts: dict[str, dict[str, int]] = {}
    for answer in newest.values():
        tally = counts.setdefault(answer.key, {"yes": 0, "partly": 0, "no": 0})
        tally[answer.answer] += 1
    rows = []
    for item in items:
        if not ((item.is_done and item.benefit is not None) or item.key in counts):
            continue
        tally = counts.get(item.key, {})
        rows.append(
            BenefitRow(
                key=item.key,
                summary=item.summary,
                planned=item.benefit.planned_value if item.benefit else None,
                realised=item.benefit.realised_value if item.benefit else None,
                yes=tally.get("yes", 0),
                partly=tally.get("partly", 0),
                no=tally.get("no", 0),
            )
        )
    rows.sort(key=lambda row: row.key)
    return BenefitReview(rows=tuple(rows))


def week_start(moment: datetime, zone: tzinfo) -> datetime:
    """Monday 00:00 on the team's calendar of the ISO week holding ``moment``."""
    local = moment.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=zone)


def shift_weeks(start: datetime, weeks: int, zone: tzinfo) -> datetime:
    """The Monday 00:00 ``weeks`` weeks from ``start`` on the wall clock (safe across DST)."""
    monday: date = start.astimezone(zone).date() + timedelta(weeks=weeks)
    return datetime.combine(monday, time(0), tzinfo=zone)


def burn_up(scored: Sequence[ScoredItem], moments: Sequence[datetime]) -> BurnUp:
    """Cumulative value delivered since ``moments[0]``, and the value in scope, at each moment.

    Scope at a moment is the value of every item created by then, less the items done before
    the chart starts (they were delivered before the window and are not part of it). So the
    delivered line starts at 0 and never rises above the scope line.
    """
    if not moments:
        return BurnUp()
    origin = moments[0]
    points = []
    for moment in moments:
        delivered = scope = 0.0
        for entry in scored:
            item = entry.item
            resolved = item.resolved if item.is_done else None
            if resolved is not None and resolved < origin:
                continue
            if item.created is None or item.created < moment:
                scope += item_value(entry.score)
            if resolved is not None and resolved < moment:
                delivered += item_value(entry.score)
        points.append(BurnUpPoint(at=moment, delivered=delivered, scope=scope))
    return BurnUp(points=tuple(points))


# ---------------------------------------------------------------- the digest and the reminder


def make_digest(
    *,
    team: str,
    week: str,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo,
    goals: Sequence[ValueGoal],
    scored: Sequence[ScoredItem],
    ranking: Ranking,
    previous_order: Sequence[str],
    ratings: Sequence[Rating] = (),
    history: Sequence[ScorePoint] = (),
    rounds: Sequence[tuple[Collection[str], Collection[str]]] = (),
    answers: Sequence[RealisationAnswer] = (),
    stale_days: int = 30,
    burn_up_weeks: int = 8,
    movers: int = 5,
    previous_at: datetime | None = None,
    full_list_url: str | None = None,
) -> Digest:
    """The weekly digest of one team: value delivered in ``[start, end)`` and the state at ``now``.

    Value delivered is compared with the week before ``start``. Rank changes compare
    ``ranking`` with ``previous_order``, the ranking taken at ``previous_at`` (the scores
    recorded by then say how each mover's score changed). The burn-up chart has a point at the
    start of each of the ``burn_up_weeks`` weeks before ``end`` (each week's start on the
    team's calendar), and a last one at ``now``.
    """
    items = [entry.item for entry in scored]
    sprint = active_sprint(items)
    sprint_value = None
    if sprint is not None:
        in_sprint = sprint_items(scored, sprint.id)
        sprint_value = SprintValue(
            id=sprint.id,
            name=sprint.name,
            goal=sprint.goal,
            committed=value_committed(scored, sprint.id),
            delivered=sum(item_value(entry.score) for entry in in_sprint if entry.item.is_done),
            items=len(in_sprint),
        )
    delivered = delivered_in(scored, start, end)
    week_before = shift_weeks(start, -1, zone)
    old_scores = scores_at(history, previous_at) if previous_at is not None else None
    changed = changed_since(previous_order, ranking)
    rescored = None if old_scores is None else _rescored_since(changed, ranking, old_scores)
    moments = [shift_weeks(end, -weeks, zone) for weeks in range(burn_up_weeks, 0, -1)] + [now]
    return Digest(
        team=team,
        week=week,
        start=start,
        end=end,
        goals=tuple(goals),
        delivered=tuple(delivered_item(entry) for entry in delivered),
        value_delivered=value_delivered(scored, start, end),
        previous_value_delivered=value_delivered(scored, week_before, start),
        sprint=sprint_value,
        movers=tuple(top_movers(previous_order, ranking, movers, old_scores=old_scores)),
        moved=len(changed),
        moved_rescored=rescored,
        stale=tuple(digest_item(e) for e in stale_items(scored, ratings, history, now, stale_days)),
        stale_days=stale_days,
        unestimated=tuple(digest_item(entry) for entry in unestimated(scored)),
        response=response_rate(rounds),
        benefits=benefit_review(items, answers),
        burn_up=burn_up(scored, moments),
        value_unit=digest_value_unit(scored),
        full_list_url=full_list_url,
    )


def make_reminder(
    *,
    team: str,
    sprint: Sprint,
    scored: Sequence[ScoredItem],
    goals: Sequence[ValueGoal],
    top: int = 5,
    full_list_url: str | None = None,
) -> Reminder:
    """The sprint-start reminder of ``sprint``: what it is worth and what nobody valued yet."""
    in_sprint = sprint_items(scored, sprint.id)
    return Reminder(
        team=team,
        sprint=sprint.name,
        goal=sprint.goal,
        committed=value_committed(scored, sprint.id),
        value_unit=digest_value_unit(scored),
        items=len(in_sprint),
        top=tuple(digest_item(entry) for entry in in_sprint[:top]),
        goals=tuple(goals),
        unvalued=tuple(
            digest_item(entry) for entry in in_sprint if has_no_value_inputs(entry.score)
        ),
        full_list_url=full_list_url,
    )
