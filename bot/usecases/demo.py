"""``northstar demo``: the main job on the built-in sample, with no config, network or database.

It scores the first team of the example config on its sample backlog, plans the reorder the
way ``northstar reorder`` would (guardrails and all), builds the weekly digest, and writes what
each step produced. The sample benefit register (:mod:`connectors.sample.register`) goes
through the real use cases on a throw-away SQLite file: its epics are fetched by key, its
actuals recorded, its first review answered, and the benefits report written into
``benefits/``. The sample is pinned to a fixed date and the demo's clock is the sample's own
"now", so every run writes the same files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, cast

from bot.charts import value_burn_up_png
from bot.chat.digest_blocks import digest_blocks, digest_text
from bot.config import Team, load_config
from bot.errors import UserError
from bot.settings import Settings
from bot.storage import Store
from bot.storage.benefits import ReviewAnswer
from bot.usecases.benefits import current_goals, write_report
from bot.usecases.digest import build_digest_from_scores, with_register
from bot.usecases.json_rows import plan_json, ranking_rows
from bot.usecases.score import TeamScores, score_and_rank
from bot.usecases.sync import sync_team
from bot.wiring import Services
from connectors.registry import open_source
from connectors.sample import SAMPLE_TODAY
from connectors.sample.register import sample_register
from rules.digest import RealisationAnswerValue
from rules.model import RankPlan
from rules.reorder import plan_moves
from rules.ruleset import compile_rules

#: The demo's "now": the moment the sample backlog was generated relative to.
#: the sample backlog's own Monday morning: the demo and `rank --source sample` score at it, so
#: they show the same ranking whatever the date (the sample's ages are relative to that day)
DEMO_NOW = datetime.combine(SAMPLE_TODAY, time(9, 0), tzinfo=UTC)
RANKING_FILE = "ranking.json"
PLAN_FILE = "plan.json"
DIGEST_FILE = "digest.json"
CHART_FILE = "value-burn-up.png"
BENEFITS_DIR = "benefits"


@dataclass(frozen=True)
class DemoResult:
    team: str
    scores: TeamScores
    model: str
    config_name: str
    plan: RankPlan
    files: list[Path]
    benefit_files: list[Path] = field(default_factory=list)


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def run_demo(out_dir: Path) -> DemoResult:
    """Score, plan and digest the sample backlog; write the four files into ``out_dir``."""
    config = load_config(None)
    team = config.teams[0]
    connector = open_source(f"sample:{team.name}", writable=config.jira.fields.writable)
    items = connector.fetch_items().items
    ruleset = compile_rules(config.rules)
    order = connector.read_order()
    scores = score_and_rank(items, [], config, ruleset, team, DEMO_NOW, order)
    # as `northstar reorder` plans it: from the tool's order of the open items to the ranking
    plan = plan_moves(scores.current_order, scores.ranking.keys)
    # no store of last week's ranking, so it is computed: the same items scored a week earlier;
    # the digest's rank changes are then what a week did to the ranking, not the reorder plan
    week_ago = score_and_rank(
        items, [], config, ruleset, team, DEMO_NOW - timedelta(weeks=1), order
    )
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir} is a file; name a folder (it is created if missing)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create the folder {out_dir}: {e.strerror}") from e
    with TemporaryDirectory(prefix="northstar-demo-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'demo.db'}"
        svc = Services(
            settings=Settings(_env_file=None, database_url=url),
            config=config,
            store=Store.open(url),
            connector_factory=lambda _team: connector,
            clock=lambda: DEMO_NOW,
        )
        try:
            load_sample_register(svc, team)
            digest = with_register(
                svc,
                team,
                build_digest_from_scores(
                    team,
                    scores,
                    DEMO_NOW,
                    previous_order=week_ago.ranking.keys,
                    goals=current_goals(svc, team),
                ),
            )
            benefit_files = write_report(svc, out_dir / BENEFITS_DIR, team.name)
        finally:
            svc.store.close()
    files = [
        _write_json(out_dir / RANKING_FILE, ranking_rows(scores.ranking)),
        _write_json(out_dir / PLAN_FILE, plan_json(plan)),
        _write_json(
            out_dir / DIGEST_FILE,
            {
                "text": digest_text(digest),
                "blocks": [block.to_dict() for block in digest_blocks(digest)],
            },
        ),
    ]
    chart = out_dir / CHART_FILE
    chart.write_bytes(value_burn_up_png(digest))
    files.append(chart)
    return DemoResult(
        team=team.name,
        scores=scores,
        model=config.scoring.model,
        config_name=config.source.name if config.source else "the example config",
        plan=plan,
        files=files,
        benefit_files=benefit_files,
    )


def load_sample_register(svc: Services, team: Team) -> None:
    """Store the sample register of ``team``: entries, actuals, an answered review.

    A sync first, so the backlog is stored and the archived epic is fetched by key.
    """
    sync_team(svc, team, full=True)
    epic = next(
        (
            item.key
            for item in svc.store.load_snapshot(team.name)
            if item.type == "Epic" and not item.is_done
        ),
        None,
    )
    goal = team.goals[0].name if team.goals else None
    register = sample_register(team.name, epic, goal, DEMO_NOW.date())
    svc.store.upsert_benefits(register.benefits, at=DEMO_NOW, source="sample")
    sync_team(svc, team)  # now the register links the archived epic: fetch it by key
    for measurement in register.measurements:
        svc.store.record_measurement(measurement, at=DEMO_NOW)
    for answered in register.reviews:
        svc.store.schedule_reviews([answered.review])
        stored = next(
            review
            for review in svc.store.reviews(answered.review.benefit_id)
            if review.kind == answered.review.kind
            and review.offset_days == answered.review.offset_days
        )
        svc.store.claim_review(stored.id, at=answered.at)
        svc.store.answer_review(
            stored.id,
            ReviewAnswer(
                answer=cast(RealisationAnswerValue, answered.answer),
                who=answered.who,
                actual=answered.actual,
                confidence=answered.confidence,
                lesson=answered.lesson,
            ),
            at=answered.at,
        )
