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

from connectors.sample.connector import SampleConnector
from connectors.sample.generator import SampleBacklog, generate_backlog, key_prefix, team_seed
from connectors.sample.vocabulary import (
    LABELS,
    PRIORITIES,
    SAFE_SCALE,
    SAMPLE_STAKEHOLDERS,
    SAMPLE_TODAY,
    STORY_POINTS,
    Vocabulary,
)

__all__ = [
    "LABELS",
    "PRIORITIES",
    "SAFE_SCALE",
    "SAMPLE_STAKEHOLDERS",
    "SAMPLE_TODAY",
    "STORY_POINTS",
    "SampleBacklog",
    "SampleConnector",
    "Vocabulary",
    "generate_backlog",
    "key_prefix",
    "team_seed",
]
