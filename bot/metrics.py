"""Prometheus metrics, served at ``/metrics`` by the web process.

Names follow Prometheus conventions (base units, ``_total`` counters). Connectors do not import
this module: the bot hands them a small callback (see :mod:`bot.jira_wiring`), keeping the
dependency direction ``bot -> connectors``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)

SLACK_REQUESTS = Counter(
    "northstar_slack_requests_total",
    "Slack requests handled, by kind (command, action, view, event) and outcome.",
    ["kind", "outcome"],
    registry=REGISTRY,
)
ACK_LATENCY = Histogram(
    "northstar_slack_ack_seconds",
    "Time from receiving a Slack request to having sent its acknowledgement.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)
JIRA_CALLS = Counter(
    "northstar_jira_requests_total",
    "HTTP requests made to Jira, by endpoint template and status code.",
    ["endpoint", "status"],
    registry=REGISTRY,
)
RANK_CALLS = Counter(
    "northstar_jira_rank_calls_total",
    "Jira rank calls applied, by team.",
    ["team"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "northstar_job_runs_total",
    "Scheduled job runs, by job and outcome (posted, skipped, deferred, failed).",
    ["job", "outcome"],
    registry=REGISTRY,
)


def render() -> tuple[bytes, str]:
    """The exposition body and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
