"""``northstar demo`` on the built-in sample: the four documented files and the benefits
report, each consistent with the others, and no database or other file left behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.chat import limits
from bot.cli import main
from bot.usecases.demo import run_demo
from connectors.registry import open_source
from rules.model import RankMove
from rules.reorder import apply_moves

FILES = ("ranking.json", "plan.json", "digest.json", "value-burn-up.png")
BENEFIT_FILES = (
    "benefits.md",
    "benefits.csv",
    "BEN-1.png",
    "BEN-2.png",
    "BEN-3.png",
    "benefits-portfolio.png",
)


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """The demo run from the command line (in the test's own working directory)."""
    out = tmp_path / "northstar-demo"
    main(["demo", "--out", str(out)])
    return out


def read(demo_dir: Path, name: str) -> Any:
    return json.loads((demo_dir / name).read_text(encoding="utf-8"))


def test_the_demo_writes_the_four_documented_files_and_nothing_else(demo_dir):
    assert sorted(path.name for path in demo_dir.iterdir()) == sorted([*FILES, "benefits"])
    assert sorted(p.name for p in (demo_dir / "benefits").iterdir()) == sorted(BENEFIT_FILES)
    assert sorted(path.name for path in Path.cwd().iterdir()) == ["northstar-demo"]


def test_the_demo_register_has_a_delivered_epic_with_actuals_a_review_and_a_lesson(demo_dir):
    report = (demo_dir / "benefits" / "benefits.md").read_text(encoding="utf-8")
    assert "| BEN-1 | Lower card processing fees | financial |" in report
    assert "| realising | behind | SMART |" in report  # behind its plan since delivery
    assert "realised NPV (3 months) = " in report  # the review's actual and two more months
    assert "not SMART: specific: no description" in report
    assert "Lesson learned (BEN-1, post-implementation review): Merchants move in batches" in report
    text = read(demo_dir, "digest.json")["text"]
    assert "At risk: BEN-1 Lower card processing fees: behind plan" in text
    assert "Cut support cost (tickets a week): 398 now against a target of 300" in text


def test_the_demo_prints_the_top_twenty_and_the_plan(tmp_path, capsys):
    main(["demo", "--out", str(tmp_path / "out")])

    printed = capsys.readouterr().out
    assert "Northstar demo" in printed
    assert "Top 20 by value" in printed
    assert "rank call(s)" in printed


def test_ranking_json_holds_every_open_item_with_its_explanation(demo_dir):
    rows = read(demo_dir, "ranking.json")
    sample = open_source("sample:payments").fetch_items().items
    open_keys = {item.key for item in sample if not item.is_done}

    assert {row["key"] for row in rows} == open_keys
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert isinstance(row["score"], float | int)
        assert row["previous_rank"] is None or isinstance(row["previous_rank"], int)
        assert row["explanation"][0].startswith("WSJF = ")
        assert any(line.startswith("  cost = ") for line in row["explanation"])


def test_plan_json_moves_the_samples_order_into_the_ranking_exactly(demo_dir):
    moves = read(demo_dir, "plan.json")
    ranking = [row["key"] for row in read(demo_dir, "ranking.json")]

    assert moves, "the sample's hand-kept order is not the value order"
    for move in moves:
        assert set(move) in ({"issues", "before"}, {"issues", "after"})
        assert 1 <= len(move["issues"]) <= 50
    current = [key for key in open_source("sample:payments").read_order() if key in set(ranking)]
    applied = apply_moves(current, [RankMove.model_validate(move) for move in moves])
    assert applied == ranking


def test_digest_json_is_a_valid_block_kit_message(demo_dir):
    payload = read(demo_dir, "digest.json")

    assert set(payload) == {"text", "blocks"}
    parsed = Block.parse_all(payload["blocks"])
    assert len(parsed) == len(payload["blocks"])
    assert [block.to_dict() for block in parsed] == payload["blocks"]
    limits.validate_blocks(payload["blocks"], surface="message")
    text = payload["text"]
    assert text.startswith("Weekly value digest: payments, 2026-W44")
    assert "Cut support cost" in text
    assert "Refunds without a support ticket" in text  # the active sprint's goal
    assert "Value delivered: " in text


def test_the_burn_up_chart_is_a_png(demo_dir):
    assert (demo_dir / "value-burn-up.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_demo_writes_the_same_files_every_run(demo_dir, tmp_path):
    again = tmp_path / "again"
    result = run_demo(again)

    assert [path.name for path in result.files] == list(FILES)
    for name in FILES:
        assert (again / name).read_bytes() == (demo_dir / name).read_bytes(), name
    assert [path.name for path in result.benefit_files] == list(BENEFIT_FILES)
    for name in BENEFIT_FILES:
        written = (again / "benefits" / name).read_bytes()
        assert written == (demo_dir / "benefits" / name).read_bytes(), name
    assert (result.team, result.model, result.config_name) == (
        "payments",
        "wsjf",
        "northstar.example.toml",
    )
    assert result.plan.target == tuple(result.scores.ranking.keys)


def test_the_digests_rank_changes_are_what_a_week_did_not_the_reorder_plan(tmp_path):
    """Each mover's old rank is its rank in the same sample scored a week earlier."""
    import re
    from datetime import timedelta

    from bot.config import load_config
    from bot.usecases.demo import DEMO_NOW
    from bot.usecases.score import score_and_rank
    from rules.ruleset import compile_rules

    result = run_demo(tmp_path / "demo")
    text = json.loads((tmp_path / "demo" / "digest.json").read_text(encoding="utf-8"))["text"]
    movers = re.findall(r"• (PAY-\d+) .*?: (\d+) → (\d+) \((?:up|down) \d+\)", text)
    assert movers
    config = load_config(None)
    team = config.teams[0]
    connector = open_source(f"sample:{team.name}")
    week_ago = score_and_rank(
        connector.fetch_items().items,
        [],
        config,
        compile_rules(config.rules),
        team,
        DEMO_NOW - timedelta(weeks=1),
        connector.read_order(),
    )
    before = {ranked.key: ranked.rank for ranked in week_ago.ranking.items}
    now = {ranked.key: ranked.rank for ranked in result.scores.ranking.items}
    for key, old, new in movers:
        assert (before[key], now[key]) == (int(old), int(new))
