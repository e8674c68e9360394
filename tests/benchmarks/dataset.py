"""A real Jira backlog for benchmarks: Spring XD's issues with their story points.

The keys, titles and story points are real (Choetkiertikul et al., "A deep learning model for
estimating story points", IEEE TSE 2018; see ``shared/vendor/PROVENANCE.md``); issue types come
from the TAWOS subset of the same project where it has the key. The datasets carry no value
inputs, so business value, time criticality and risk reduction are drawn on SAFe's scale from
a seeded generator: the same backlog on every run. The initial order is key order, which is
what an untouched Jira backlog looks like (new issues are ranked at the bottom).

When the vendor folder is absent the generated sample backlog stands in, and ``name`` says so.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from connectors.sample import SAFE_SCALE, generate_backlog
from rules.model import Item

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "vendor" / "datasets"
STORYPOINT = DATASETS / "choetkiertikul2018-storypoint" / "springxd.csv"
TAWOS = DATASETS / "tawos-spvseffort" / "XD.csv"
#: The stand-in's size when the vendor folder is absent: in the range of the real one.
SAMPLE_SIZE = 3_000


@dataclass(frozen=True)
class Backlog:
    name: str
    items: tuple[Item, ...]
    real: bool


def _tawos_facts() -> dict[str, tuple[str, datetime | None]]:
    """Issue type and creation time by key, where the TAWOS subset has them."""
    if not TAWOS.is_file():
        return {}
    facts: dict[str, tuple[str, datetime | None]] = {}
    with TAWOS.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            created = None
            if row["Creation_Date"] not in ("", "NULL"):
                created = datetime.fromisoformat(row["Creation_Date"]).replace(tzinfo=UTC)
            facts[row["Issue_Key"]] = (row["Type"], created)
    return facts


def load_backlog() -> Backlog:
    """Spring XD's 3,526 issues as an open backlog, or the sample backlog when absent."""
    if not STORYPOINT.is_file():
        sample = generate_backlog("payments", size=SAMPLE_SIZE)
        return Backlog(
            name=f"sample:payments ({SAMPLE_SIZE} items; vendor datasets absent at {DATASETS})",
            items=sample.items,
            real=False,
        )
    facts = _tawos_facts()
    rng = random.Random(2018)
    items = []
    with STORYPOINT.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            kind, created = facts.get(row["issuekey"], ("Story", None))
            items.append(
                Item(
                    key=row["issuekey"],
                    summary=row["title"],
                    type=kind,
                    created=created,
                    updated=created,
                    cost=float(row["storypoint"]),
                    business_value=rng.choice(SAFE_SCALE),
                    time_criticality=rng.choice(SAFE_SCALE),
                    risk_reduction=rng.choice(SAFE_SCALE),
                )
            )
    items.sort(key=lambda item: int(item.key.rsplit("-", 1)[1]))
    return Backlog(
        name=f"springxd (XD-, {len(items)} issues; Choetkiertikul et al. 2018)",
        items=tuple(items),
        real=True,
    )
