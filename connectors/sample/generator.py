"""The sample generator: one ``random.Random`` per backlog, drawn from in a fixed order.

Every step of :meth:`_Generator.build` draws from the generator in the same order on every run,
so reordering steps (or adding a draw) changes every sample backlog; a test pins them. That
shared order of draws is why the steps stay together in one module of some 400 lines.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from connectors.base import ConnectorConfigError
from connectors.sample.vocabulary import (
    COMMENTS,
    GENERIC,
    LABELS,
    PRIORITIES,
    ROLES,
    SAFE_SCALE,
    SAMPLE_STAKEHOLDERS,
    SAMPLE_TODAY,
    STORY_POINTS,
    VOCABULARIES,
)
from rules.model import BenefitCategory, Item, Rating, Sprint, SprintState, StatusCategory


def team_seed(team: str) -> int:
    """A stable seed from the team name (``hash()`` changes between processes, this does not)."""
    return int.from_bytes(hashlib.sha256(team.encode("utf-8")).digest()[:8], "big")


def key_prefix(team: str) -> str:
    """``PAY`` and ``GRO`` for the two known teams, else the first letters of the name."""
    if team in VOCABULARIES:
        return VOCABULARIES[team][0]
    letters = re.sub(r"[^A-Za-z0-9]", "", team).upper()
    return letters[:3] if letters[:1].isalpha() else f"NS{letters[:2]}"


@dataclass(frozen=True)
class SampleBacklog:
    """A generated backlog: items in their initial rank order, and every sprint."""

    items: tuple[Item, ...]
    sprints: tuple[Sprint, ...]


@dataclass(frozen=True)
class _Work:
    """Which drafts :meth:`_Generator.schedule_work` put where (sprint work includes done)."""

    done: list[dict[str, Any]]
    in_active: list[dict[str, Any]]
    in_future: list[dict[str, Any]]


class _Generator:
    """One backlog's worth of random choices; only ever fed by its own ``random.Random``."""

    def __init__(
        self,
        team: str,
        rng: random.Random,
        size: int,
        today: date,
        stakeholders: Sequence[str],
    ) -> None:
        self.team = team
        self.rng = rng
        self.size = size
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.today = today
        self.stakeholders = tuple(stakeholders)
        self.prefix = key_prefix(team)
        self.words = VOCABULARIES.get(team, (self.prefix, GENERIC))[1]
        self.used: set[str] = set()

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    # --- shape of the backlog -------------------------------------------------------------------

    def types(self) -> list[str]:
        n = self.size
        epic = 1 if n >= 2 else 0
        incidents = min(max(1, round(n * 0.02)), max(n - epic, 0))
        spikes = min(round(n * 0.03), n - epic - incidents)
        bugs = min(round(n * 0.22), n - epic - incidents - spikes)
        tasks = min(round(n * 0.12), n - epic - incidents - spikes - bugs)
        stories = n - epic - incidents - spikes - bugs - tasks
        kinds = (
            ["Story"] * stories
            + ["Bug"] * bugs
            + ["Task"] * tasks
            + ["Spike"] * spikes
            + ["Incident"] * incidents
        )
        self.rng.shuffle(kinds)
        return ["Epic"] * epic + kinds

    def summary(self, kind: str) -> str:
        pools: dict[str, tuple[str, ...]] = {
            "Story": self.words.stories,
            "Bug": self.words.bugs,
            "Task": self.words.tasks,
            "Spike": self.words.spikes,
            "Incident": self.words.incidents,
        }
        pool = pools[kind]
        fresh = [text for text in pool if text not in self.used]
        if fresh:
            text = self.rng.choice(fresh)
        elif kind in ("Story", "Bug"):
            # a second item about the same thing, for another audience or place
            for _ in range(40):
                text, context = self.rng.choice(pool), self.rng.choice(self.words.contexts)
                if context.split()[-1].lower() not in text.lower():
                    text = f"{text} {context}"
                    if text not in self.used:
                        break
        else:
            text = self.rng.choice(pool)
        number = 2
        base = text
        while text in self.used:
            text = f"{base} (part {number})"
            number += 1
        self.used.add(text)
        return text

    def sprints(self) -> list[Sprint]:
        base = 1000 + self.rng.randrange(0, 80) * 10
        number = 24
        spans = [(-31, -17, SprintState.CLOSED), (-17, -3, SprintState.CLOSED)]
        spans += [(-3, 11, SprintState.ACTIVE), (11, 25, SprintState.FUTURE)]
        sprints = []
        for offset, (start, end, state) in enumerate(spans, start=-2):
            sprints.append(
                Sprint(
                    id=base + number + offset,
                    name=f"{self.prefix} Sprint {number + offset}",
                    state=state,
                    goal=self.words.sprint_goal if state is SprintState.ACTIVE else None,
                    start=self.ago(-start),
                    end=self.ago(-end),
                )
            )
        return sprints

    # --- one item's inputs ------------------------------------------------------------------------

    def points(self, kind: str) -> float | None:
        weights = {
            "Story": (8, 14, 22, 24, 18, 10, 4),
            "Bug": (22, 28, 24, 14, 8, 3, 1),
            "Task": (14, 24, 26, 20, 10, 4, 2),
            "Spike": (0, 30, 40, 30, 0, 0, 0),
            "Incident": (10, 30, 30, 20, 10, 0, 0),
        }[kind]
        return float(self.rng.choices(STORY_POINTS, weights=weights)[0])

    def safe(self, lean: float) -> float:
        """A value on SAFe's scale; ``lean`` > 0 pushes it up, < 0 down."""
        index = round(self.rng.triangular(0, len(SAFE_SCALE) - 1, 2.2 + lean))
        return float(SAFE_SCALE[min(max(index, 0), len(SAFE_SCALE) - 1)])

    def labels(self, kind: str) -> tuple[str, ...]:
        chosen = []
        for label, share in LABELS.items():
            boost = 2.5 if (kind == "Task" and label == "tech-debt") else 1.0
            if kind == "Incident" and label == "performance":
                boost = 3.0
            if self.rng.random() < share * boost:
                chosen.append(label)
        return tuple(chosen[:3])

    def priority(self, kind: str) -> str:
        if kind == "Incident":
            return "Highest"
        weights = (6, 26, 50, 15, 3) if kind == "Bug" else (2, 15, 56, 22, 5)
        return self.rng.choices(PRIORITIES, weights=weights)[0]

    def benefit_category(self, has_money: bool) -> BenefitCategory | None:
        if self.rng.random() > (0.9 if has_money else 0.55):
            return None
        weights = (60, 15, 20, 5) if has_money else (20, 30, 35, 15)
        return self.rng.choices(list(BenefitCategory), weights=weights)[0]

    def money_a_week(self) -> float:
        amount = self.rng.lognormvariate(math.log(2500), 0.9)
        return float(max(50, round(amount / 50) * 50))

    # --- the backlog ------------------------------------------------------------------------------

    def build(self) -> SampleBacklog:
        """The recipe, step by step; each step draws from :attr:`rng` after the one before."""
        sprints = self.sprints()
        drafts = self.drafts(self.types())
        epic = next((draft for draft in drafts if draft["type"] == "Epic"), None)
        work = self.schedule_work(drafts, sprints)
        if epic is not None:
            self.describe_epic(epic)
        for draft in drafts:
            self.fill(draft, committed=draft.get("sprint") is not None or "resolved" in draft)
        if epic is not None:
            self.attach_to_epic(drafts, epic)
        self.link_blockers([d for d in drafts if d.get("status_category") != StatusCategory.DONE])
        done_keys = {draft["key"] for draft in work.done}
        self.rate([d for d in drafts if d["type"] != "Epic" and d["key"] not in done_keys])
        by_key = {draft["key"]: draft for draft in drafts}
        order = self.initial_order(drafts, work.in_active, work.in_future)
        built = tuple(Item.model_validate(by_key[key]) for key in order)
        return SampleBacklog(items=built, sprints=tuple(sprints))

    def drafts(self, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """One draft per kind, oldest first, keyed in creation order with small gaps."""
        drafts: list[dict[str, Any]] = []
        for kind in kinds:
            if kind == "Epic":
                age = 430.0
            elif kind == "Incident":
                age = self.rng.uniform(1, 12)
            else:
                age = self.rng.uniform(4, 420)
            drafts.append({"type": kind, "created": self.ago(age)})
        drafts.sort(key=lambda draft: draft["created"])
        number = 100 + self.rng.randrange(0, 200)
        for draft in drafts:
            draft["key"] = f"{self.prefix}-{number}"
            number += self.rng.choice((1, 1, 1, 1, 2, 3))
        return drafts

    def schedule_work(self, drafts: list[dict[str, Any]], sprints: Sequence[Sprint]) -> _Work:
        """Statuses and sprints: ~12% done lately, ~10 in the active sprint, ~8 in the next one."""
        _, _, active, future = sprints
        workable = [d for d in drafts if d["type"] not in ("Epic", "Incident")]
        self.rng.shuffle(workable)
        done_count = min(round(self.size * 0.12), len(workable))
        # the two items done first were done in the active sprint: ~10 items in it together
        active_count = min(max(1, round(self.size / 15) - 2), len(workable) - done_count)
        future_count = min(round(self.size / 18), len(workable) - done_count - active_count)
        planned = done_count + active_count
        done = workable[:done_count]
        in_active = workable[done_count:planned]
        in_future = workable[planned : planned + future_count]
        rest = workable[planned + future_count :]
        self.finish(done, sprints)
        for index, draft in enumerate(in_active):
            status = ("In Progress", "In Progress", "In Progress", "In Review")
            name = status[index] if index < len(status) else "To Do"
            category = StatusCategory.TODO if name == "To Do" else StatusCategory.IN_PROGRESS
            draft.update(status=name, status_category=category, sprint=active)
        for draft in in_future:
            draft["sprint"] = future
        started = rest[: max(0, round(self.size * 0.02))]
        started += [d for d in drafts if d["type"] == "Incident"][:1]
        for draft in started:
            draft.update(status="In Progress", status_category=StatusCategory.IN_PROGRESS)
        sprint_work = done[:2] + in_active if len(done) >= 2 else in_active
        return _Work(done=done, in_active=sprint_work, in_future=in_future)

    def finish(self, done: list[dict[str, Any]], sprints: Sequence[Sprint]) -> None:
        """The first two were finished inside the active sprint, the others in recent weeks."""
        closed_old, closed, active, _ = sprints
        for index, draft in enumerate(done):
            resolved = self.ago(
                self.rng.uniform(0.2, 2.8) if index < 2 else self.rng.uniform(3, 42)
            )
            resolved = max(resolved, draft["created"] + timedelta(hours=6))
            draft.update(status="Done", status_category=StatusCategory.DONE, resolved=resolved)
            since = self.now - resolved
            if index < 2:
                draft["sprint"] = active
            elif since <= timedelta(days=17):
                draft["sprint"] = closed
            elif since <= timedelta(days=31):
                draft["sprint"] = closed_old
            else:
                draft["sprint"] = None

    def describe_epic(self, epic: dict[str, Any]) -> None:
        """The epic in progress, carrying the team's benefit-register entry."""
        epic.update(
            status="In Progress",
            status_category=StatusCategory.IN_PROGRESS,
            summary=self.words.epic,
            benefit=self.words.benefit,
            benefit_category=self.words.benefit.category,
            priority="High",
            components=self.words.components[:2],
        )

    def attach_to_epic(self, drafts: list[dict[str, Any]], epic: dict[str, Any]) -> None:
        """About one story or task in six belongs to the epic."""
        for draft in drafts:
            if draft["type"] in ("Story", "Task") and self.rng.random() < 0.18:
                draft["parent"] = epic["key"]

    def fill(self, draft: dict[str, Any], *, committed: bool) -> None:
        rng = self.rng
        kind = draft["type"]
        draft.setdefault("status", "To Do")
        draft.setdefault("status_category", StatusCategory.TODO)
        draft.setdefault("summary", self.summary(kind) if kind != "Epic" else self.words.epic)
        draft.setdefault("priority", self.priority(kind))
        draft.setdefault("labels", self.labels(kind) if kind != "Epic" else ())
        if "components" not in draft:
            count = 2 if rng.random() < 0.2 else 1
            draft["components"] = tuple(rng.sample(self.words.components, count))
        draft["team"] = self.team
        if kind == "Epic":
            draft["updated"] = self.ago(rng.uniform(1, 10))
            return
        # committed work is estimated; about one backlog item in nine is not yet
        unestimated = 0.6 if kind == "Incident" else 0.11
        if committed or rng.random() >= unestimated:
            draft["cost"] = self.points(kind)
        urgent = kind == "Incident" or "security" in draft["labels"]
        weight = {"Highest": 2.0, "High": 1.0, "Medium": 0.0, "Low": -0.8, "Lowest": -1.5}
        lean = weight[draft["priority"]]
        if rng.random() >= 0.12:  # not yet refined: no WSJF inputs at all
            for name, extra in (
                ("business_value", 0.0),
                ("time_criticality", 1.5 if urgent else -0.5),
                (
                    "risk_reduction",
                    1.0 if kind == "Task" or "tech-debt" in draft["labels"] else -0.5,
                ),
            ):
                if rng.random() >= 0.08:
                    draft[name] = self.safe(lean + extra)
        if rng.random() < 0.30:
            draft["benefit_per_week"] = self.money_a_week()
        draft.setdefault("benefit_category", self.benefit_category("benefit_per_week" in draft))
        if rng.random() < 0.45:
            draft["reach"] = float(rng.choice((50, 100, 200, 500, 1000, 2000, 5000)))
            draft["impact"] = rng.choice((0.25, 0.5, 1.0, 2.0, 3.0))
            draft["confidence"] = rng.choice((0.5, 0.8, 1.0))
            draft["ease"] = float(rng.randint(1, 10))
        open_item = draft["status_category"] != StatusCategory.DONE
        due_chance = 0.8 if "compliance" in draft["labels"] else 0.11
        if open_item and rng.random() < due_chance:
            draft["due"] = self.today + timedelta(days=rng.randint(-7, 120))
        created: datetime = draft["created"]
        latest: datetime = draft.get("resolved") or self.now
        if draft.get("sprint") is not None and open_item:
            draft["updated"] = self.ago(rng.uniform(0.1, 3))
        else:
            age = (latest - created).total_seconds()
            draft["updated"] = latest - timedelta(seconds=rng.uniform(0, age * 0.5))

    def link_blockers(self, drafts: list[dict[str, Any]]) -> None:
        pairs = round(self.size * 0.05 / 2)
        if len(drafts) < 2:
            return
        for _ in range(pairs):
            blocker, blocked = self.rng.sample(drafts, 2)
            if blocked["key"] in blocker.get("blocks", ()):
                continue
            blocker["blocks"] = (*blocker.get("blocks", ()), blocked["key"])
            blocked["blocked_by"] = (*blocked.get("blocked_by", ()), blocker["key"])

    def rate(self, drafts: list[dict[str, Any]]) -> None:
        if not self.stakeholders:
            return
        for draft in drafts:
            if self.rng.random() >= 0.15:
                continue
            value = draft.get("business_value") or 5.0
            centre = 1 + 4 * SAFE_SCALE.index(int(value)) / (len(SAFE_SCALE) - 1)
            count = self.rng.randint(1, len(self.stakeholders))
            ratings = []
            for stakeholder in self.rng.sample(self.stakeholders, count):
                at = self.ago(self.rng.uniform(0.5, 90)).replace(microsecond=0)
                comment = self.rng.choice(COMMENTS) if self.rng.random() < 0.25 else None
                role = ROLES[self.stakeholders.index(stakeholder) % len(ROLES)]
                ratings.append(
                    Rating(
                        stakeholder=stakeholder,
                        item_key=draft["key"],
                        value=min(5, max(1, round(self.rng.gauss(centre, 0.8)))),
                        at=at,
                        role=role,
                        comment=comment,
                    )
                )
            draft["ratings"] = tuple(sorted(ratings, key=lambda rating: rating.at))

    def initial_order(
        self,
        drafts: list[dict[str, Any]],
        in_active: list[dict[str, Any]],
        in_future: list[dict[str, Any]],
    ) -> list[str]:
        """Sprint work on top, then roughly by priority with the noise of hand ranking."""
        status_rank = {"Done": 0, "In Review": 1, "In Progress": 2, "To Do": 3}
        sprint = sorted(in_active, key=lambda d: (status_rank[d["status"]], self.rng.random()))
        planned = {d["key"] for d in in_active} | {d["key"] for d in in_future}
        # work finished in closed sprints keeps the high rank it had while it was worked on
        finished = [d for d in drafts if d["key"] not in planned and "resolved" in d]
        finished.sort(key=lambda d: d["resolved"])
        planned |= {d["key"] for d in finished}
        backlog = [d for d in drafts if d["key"] not in planned]
        noisy = {
            d["key"]: PRIORITIES.index(d["priority"]) + self.rng.gauss(0, 0.9) for d in backlog
        }
        backlog.sort(key=lambda d: noisy[d["key"]])
        return [d["key"] for d in (*finished, *sprint, *in_future, *backlog)]


def generate_backlog(
    team: str = "payments",
    *,
    seed: int | None = None,
    size: int = 150,
    today: date = SAMPLE_TODAY,
    stakeholders: Sequence[str] = SAMPLE_STAKEHOLDERS,
) -> SampleBacklog:
    """Generate a team's sample backlog: the same arguments always give the same backlog.

    Args:
        team: ``payments`` or ``growth`` for the tuned backlogs; any other name works too.
        seed: Overrides the seed derived from the team name.
        size: Number of items, the epic included.
        today: The reference date every date in the backlog is relative to.
        stakeholders: Slack ids whose ratings the items carry.
    """
    if size < 1:
        raise ConnectorConfigError(f"a sample backlog needs at least 1 item, not {size}")
    rng = random.Random(team_seed(team) if seed is None else seed)  # noqa: S311 - not crypto
    return _Generator(team, rng, size, today, stakeholders).build()
