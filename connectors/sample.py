"""A generated, realistic backlog for demos and tests: no Jira, no network, no credentials.

The backlog is the same on every run: it is drawn from a :class:`random.Random` seeded by the
team name (never the global generator) relative to a fixed reference date, and nothing here
reads the clock. Two teams are tuned by hand, ``payments`` (keys ``PAY-``) and ``growth``
(``GRO-``); any other name gets a backlog from a shared vocabulary and a prefix made from it.

What a demo needs is there in realistic proportions: Fibonacci story points with about one item
in eight unestimated, WSJF inputs on SAFe's scale with gaps, money-a-week benefits for about a
third, benefit categories, due dates, labels a rule can match (``security``, ``compliance``...),
a few incidents and spikes, work done in recent weeks (value delivered), an active sprint of
about ten items and a future one, blocking links, stakeholder ratings with timestamps, and one
epic with a benefit-register entry that other items belong to. The initial order is the kind a
person keeps by hand (sprint work on top, then roughly by priority with noise), so scoring has
something real to reorder.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from connectors.base import ConnectorConfigError
from connectors.memory import MemoryConnector
from rules.model import (
    BenefitCategory,
    BenefitRegisterEntry,
    Item,
    Rating,
    Sprint,
    SprintState,
    StatusCategory,
)

#: The sample's "today": fixed, so the backlog and everything computed from it never drift.
SAMPLE_TODAY = date(2026, 11, 2)
#: Stakeholders whose ratings the sample carries (the example config's payments stakeholders).
SAMPLE_STAKEHOLDERS: tuple[str, ...] = ("U0111", "U0222", "U0333")

STORY_POINTS: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 21)
#: SAFe's relative scale for business value, time criticality and risk reduction.
SAFE_SCALE: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 20)
PRIORITIES: tuple[str, ...] = ("Highest", "High", "Medium", "Low", "Lowest")
LABELS: dict[str, float] = {  # label -> share of items carrying it
    "security": 0.08,
    "compliance": 0.06,
    "ux": 0.15,
    "tech-debt": 0.12,
    "performance": 0.10,
    "customer-request": 0.10,
    "mobile": 0.06,
    "api": 0.08,
}
_ROLES = ("product", "sales", "support")
_COMMENTS = (
    "Customers ask for this every week",
    "Blocks a large renewal",
    "Nice to have, not urgent",
    "Support would feel this at once",
    "Needed before the audit",
    "Unclear who benefits",
)


@dataclass(frozen=True)
class Vocabulary:
    """The words a team's backlog is made of."""

    stories: tuple[str, ...]
    bugs: tuple[str, ...]
    tasks: tuple[str, ...]
    spikes: tuple[str, ...]
    incidents: tuple[str, ...]
    contexts: tuple[str, ...]
    components: tuple[str, ...]
    epic: str
    benefit: BenefitRegisterEntry
    sprint_goal: str


PAYMENTS = Vocabulary(
    stories=(
        "Retry failed card payments",
        "Export invoices as CSV",
        "Support Apple Pay at checkout",
        "Show refund status to customers",
        "Add SEPA direct debit",
        "Let merchants issue partial refunds",
        "Send payout summary emails",
        "Reconcile payouts with bank statements",
        "Store cards for one-click checkout",
        "Show fees on the payout report",
        "Accept payments in Swiss francs",
        "Split payments between sellers",
        "Let finance download VAT reports",
        "Add the 3-D Secure 2 challenge flow",
        "Notify merchants of chargebacks",
        "Upload chargeback evidence",
        "Schedule recurring invoices",
        "Add PayPal as a payment method",
        "Show why a payment failed",
        "Let customers update an expired card",
        "Support multi-currency price lists",
        "Cancel unpaid orders after 7 days",
        "Add payment links to invoices",
        "Offer instalments at checkout",
        "Show the ledger balance per merchant",
        "Let admins set payout schedules",
        "Send dunning emails for failed renewals",
        "Show the tax breakdown on receipts",
        "Let merchants brand receipt emails",
        "Support iDEAL bank payments",
        "Export ledger entries to accounting",
        "Flag risky transactions for review",
        "Add a sandbox for payment testing",
        "Support Google Pay on Android",
        "Show exchange rates at checkout",
        "Let support staff resend receipts",
        "Add spending limits for team cards",
        "Issue credit notes",
        "Add a webhook for refund events",
        "Let merchants pause payouts",
    ),
    bugs=(
        "Fix double charge when a payment is retried",
        "Fix rounding error in VAT totals",
        "Refund webhook is sent twice",
        "Payout report shows the wrong currency",
        "Checkout times out during slow 3-D Secure",
        "Invoice PDF cuts off long addresses",
        "Card expiry check rejects valid dates",
        "Duplicate ledger entries after a partial refund",
        "Wrong fee shown for international cards",
        "Receipt email misses the order number",
        "Daily payout cut-off ignores time zones",
        "Saved card missing after login",
        "Chargeback status never updates",
        "CSV export breaks on commas in names",
        "Dashboard totals are off by one day",
    ),
    tasks=(
        "Upgrade the payment SDK to v5",
        "Rotate the payment provider API keys",
        "Partition the ledger tables",
        "Alert on payout failures",
        "Remove legacy invoice templates",
        "Document the refund API",
        "Move the card vault to the new cluster",
        "Load test the checkout",
        "Clean up feature flags of the old checkout",
        "Update the PCI DSS self-assessment",
    ),
    spikes=(
        "Spike: evaluate a second card processor",
        "Spike: open banking payments",
        "Spike: real-time fraud scoring",
        "Spike: event-sourced ledger",
    ),
    incidents=(
        "Card payments failing for Visa in the EU",
        "Payouts delayed for 200 merchants",
        "Checkout errors after the Tuesday deploy",
        "Refunds stuck in pending",
        "Webhook deliveries backing up",
    ),
    contexts=(
        "for EU merchants",
        "in the merchant dashboard",
        "on mobile",
        "via the public API",
        "for enterprise accounts",
        "in the checkout",
        "for marketplace sellers",
        "in the admin console",
    ),
    components=("Checkout", "Payouts", "Billing", "Risk", "Ledger"),
    epic="Self-service refunds",
    benefit=BenefitRegisterEntry(
        category=BenefitCategory.OPERATIONAL,
        owner="U0111",
        measure="support tickets a week about refunds",
        baseline=420,
        target=300,
        due=date(2027, 3, 31),
        planned_value=120,
    ),
    sprint_goal="Refunds without a support ticket",
)

GROWTH = Vocabulary(
    stories=(
        "Invite teammates during onboarding",
        "Add referral rewards",
        "Show a product tour to new teams",
        "Send a weekly activity digest email",
        "A/B test the pricing page",
        "Add Google sign-up",
        "Let trial users extend their trial",
        "Show upgrade prompts at usage limits",
        "Add a templates gallery",
        "Personalise the welcome email",
        "Track activation funnel events",
        "Add an in-app changelog",
        "Offer an annual billing discount",
        "Let admins import users from CSV",
        "Add Slack sign-in",
        "Show customer logos on the sign-up page",
        "Add a referral leaderboard",
        "Win back dormant teams by email",
        "Add an onboarding checklist",
        "Translate the landing page into German",
        "Let users share boards publicly",
        "Add usage analytics for admins",
        "Offer a free plan for small teams",
        "Improve search in the templates gallery",
        "Nudge teams to invite a second member",
        "Ask for NPS after the first week",
        "Add a pricing calculator",
        "Show the trial countdown in the app",
        "Let users pick a use case at sign-up",
        "Add UTM tracking to sign-ups",
        "Add a team workspace switcher",
        "Show tips based on first actions",
        "Let users sign up with a magic link",
        "Add a comparison page for competitors",
        "Reward teams that finish onboarding",
    ),
    bugs=(
        "Sign-up form rejects plus-addressed emails",
        "Referral credit is not applied",
        "Onboarding checklist resets after reload",
        "Welcome email is sent twice",
        "Pricing page shows the wrong currency",
        "Invite links expire too early",
        "Product tour hides the save button",
        "Trial end date is off by one day",
        "Analytics events are dropped on Safari",
        "Google sign-up fails for workspace accounts",
        "Magic link opens the wrong workspace",
        "Templates gallery shows empty previews",
    ),
    tasks=(
        "Upgrade the email provider SDK",
        "Add a consent banner for analytics",
        "Move landing pages to the new CMS",
        "Remove flags of finished A/B tests",
        "Document the events schema",
        "Export events to the data warehouse",
        "Set up bounce handling for emails",
    ),
    spikes=(
        "Spike: product-led sales signals",
        "Spike: in-app messaging vendors",
        "Spike: a pricing experiments framework",
    ),
    incidents=(
        "Sign-ups failing for Gmail users",
        "Onboarding emails landing in spam",
        "Invite emails not delivered",
        "Landing page down in the US",
    ),
    contexts=(
        "for new teams",
        "on mobile",
        "for trial users",
        "in the onboarding flow",
        "for enterprise leads",
        "in the web app",
        "for EU visitors",
    ),
    components=("Onboarding", "Referrals", "Pricing page", "Email", "Analytics"),
    epic="Team activation",
    benefit=BenefitRegisterEntry(
        category=BenefitCategory.CUSTOMER,
        owner="U0222",
        measure="weekly active teams",
        baseline=1200,
        target=1500,
        due=date(2027, 1, 31),
        planned_value=300,
    ),
    sprint_goal="Get new teams to invite a teammate",
)

GENERIC = Vocabulary(
    stories=PAYMENTS.stories + GROWTH.stories,
    bugs=PAYMENTS.bugs + GROWTH.bugs,
    tasks=PAYMENTS.tasks + GROWTH.tasks,
    spikes=PAYMENTS.spikes + GROWTH.spikes,
    incidents=PAYMENTS.incidents + GROWTH.incidents,
    contexts=PAYMENTS.contexts + GROWTH.contexts,
    components=("Web", "API", "Mobile", "Data", "Platform"),
    epic="Faster time to value",
    benefit=BenefitRegisterEntry(
        category=BenefitCategory.STRATEGIC,
        owner="U0111",
        measure="days from sign-up to first value",
        baseline=14,
        target=7,
        due=date(2027, 6, 30),
        planned_value=7,
    ),
    sprint_goal="Ship the top of the backlog",
)

VOCABULARIES: dict[str, tuple[str, Vocabulary]] = {
    "payments": ("PAY", PAYMENTS),
    "growth": ("GRO", GROWTH),
}


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

    def build(self) -> SampleBacklog:  # noqa: C901 - one linear recipe reads best in one place
        rng = self.rng
        sprints = self.sprints()
        closed_old, closed, active, future = sprints
        kinds = self.types()
        drafts: list[dict[str, Any]] = []
        for kind in kinds:
            if kind == "Epic":
                age = 430.0
            elif kind == "Incident":
                age = rng.uniform(1, 12)
            else:
                age = rng.uniform(4, 420)
            drafts.append({"type": kind, "created": self.ago(age)})
        drafts.sort(key=lambda draft: draft["created"])
        number = 100 + rng.randrange(0, 200)
        for draft in drafts:
            draft["key"] = f"{self.prefix}-{number}"
            number += rng.choice((1, 1, 1, 1, 2, 3))

        epic = next((d for d in drafts if d["type"] == "Epic"), None)
        workable = [d for d in drafts if d["type"] not in ("Epic", "Incident")]
        rng.shuffle(workable)
        # statuses and sprints: ~12% done lately, ~10 in the active sprint, ~8 in the next one
        done_count = min(round(self.size * 0.12), len(workable))
        # the two items done first were done in the active sprint: ~10 items in it together
        active_count = min(max(1, round(self.size / 15) - 2), len(workable) - done_count)
        future_count = min(round(self.size / 18), len(workable) - done_count - active_count)
        done = workable[:done_count]
        in_active = workable[done_count : done_count + active_count]
        in_future = workable[done_count + active_count : done_count + active_count + future_count]
        rest = workable[done_count + active_count + future_count :]
        for index, draft in enumerate(done):
            # the first two were finished inside the active sprint, the others in recent weeks
            resolved = self.ago(rng.uniform(0.2, 2.8) if index < 2 else rng.uniform(3, 42))
            resolved = max(resolved, draft["created"] + timedelta(hours=6))
            draft.update(status="Done", status_category=StatusCategory.DONE, resolved=resolved)
            when = self.now - resolved
            draft["sprint"] = (
                active
                if index < 2
                else closed
                if when <= timedelta(days=17)
                else closed_old
                if when <= timedelta(days=31)
                else None
            )
        for index, draft in enumerate(in_active):
            status = ("In Progress", "In Progress", "In Progress", "In Review")
            name = status[index] if index < len(status) else "To Do"
            category = StatusCategory.TODO if name == "To Do" else StatusCategory.IN_PROGRESS
            draft.update(status=name, status_category=category, sprint=active)
        if len(done) >= 2:
            in_active = done[:2] + in_active
        for draft in in_future:
            draft["sprint"] = future
        for draft in rest[: max(0, round(self.size * 0.02))]:
            draft.update(status="In Progress", status_category=StatusCategory.IN_PROGRESS)
        for index, draft in enumerate(d for d in drafts if d["type"] == "Incident"):
            if index == 0:
                draft.update(status="In Progress", status_category=StatusCategory.IN_PROGRESS)
        if epic is not None:
            epic.update(
                status="In Progress",
                status_category=StatusCategory.IN_PROGRESS,
                summary=self.words.epic,
                benefit=self.words.benefit,
                benefit_category=self.words.benefit.category,
                priority="High",
                components=self.words.components[:2],
            )

        for draft in drafts:
            self.fill(draft, committed=draft.get("sprint") is not None or "resolved" in draft)
        if epic is not None:
            members = [d for d in drafts if d["type"] in ("Story", "Task") and rng.random() < 0.18]
            for draft in members:
                draft["parent"] = epic["key"]
        self.link_blockers([d for d in drafts if d.get("status_category") != StatusCategory.DONE])
        items = {draft["key"]: draft for draft in drafts}
        done_keys = {draft["key"] for draft in done}
        self.rate([d for d in drafts if d["type"] != "Epic" and d["key"] not in done_keys])

        order = self.initial_order(drafts, in_active, in_future)
        built = tuple(Item.model_validate(items[key]) for key in order)
        return SampleBacklog(items=built, sprints=tuple(sprints))

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
                comment = self.rng.choice(_COMMENTS) if self.rng.random() < 0.25 else None
                role = _ROLES[self.stakeholders.index(stakeholder) % len(_ROLES)]
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


class SampleConnector(MemoryConnector):
    """The generated backlog of one team behind the Connector port, held in memory.

    Writes (scores, inputs, rank moves) last as long as the object; a new one starts from the
    generated backlog again. ``updated`` stamps of writes come from ``clock`` (the wall clock by
    default, as a real tool's server would stamp them); generating the backlog reads no clock.
    """

    def __init__(
        self,
        team: str = "payments",
        *,
        seed: int | None = None,
        size: int = 150,
        today: date = SAMPLE_TODAY,
        stakeholders: Sequence[str] = SAMPLE_STAKEHOLDERS,
        writable: Iterable[str] = ("score",),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.team = team
        backlog = generate_backlog(
            team, seed=seed, size=size, today=today, stakeholders=stakeholders
        )
        super().__init__(
            backlog.items,
            name=f"sample:{team}",
            sprints=backlog.sprints,
            writable=writable,
            clock=clock,
        )
