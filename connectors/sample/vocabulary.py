"""The words and proportions sample backlogs are made of: data only, no randomness.

Two teams are tuned by hand (``payments``, ``growth``); :data:`GENERIC` (both vocabularies plus
neutral components) serves any other team name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.model import BenefitCategory, BenefitRegisterEntry

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
#: Stakeholder roles, given to the sample stakeholders in turn.
ROLES = ("product", "sales", "support")
#: Comments a rating may carry.
COMMENTS = (
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
