"""The offline commands (`rank`, `why`, `plan`) and how every command fails: one clear line
and a non-zero exit, a traceback only with ``--debug``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from connectors.registry import open_source
from rules.model import RankMove
from rules.reorder import apply_moves


@dataclass
class Run:
    code: int
    out: str
    err: str

    def error(self) -> str:
        """The one error line; fails unless stderr is exactly that one line."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, self.err
        assert "Traceback" not in self.out + self.err
        return lines[0]


def invoke(capsys: pytest.CaptureFixture[str], args: Sequence[str]) -> Run:
    """``main`` as the console entry point runs it: exit status, stdout and stderr."""
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


@pytest.fixture
def northstar(capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> Run:
        return invoke(capsys, args)

    return run


def keys_file(path: Path, keys: list[str]) -> Path:
    path.write_text("\n".join(keys) + "\n", encoding="utf-8")
    return path


def assert_one_clean_error(run: Run, code: int, *fragments: str) -> None:
    assert run.code == code
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error:")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in run.out + run.err


# ---------------------------------------------------------------- plan


def test_plan_json_prints_moves_that_turn_current_into_target(northstar, tmp_path):
    current = [f"PAY-{n}" for n in range(1, 121)]
    target = [*current[60:], *current[:60]]
    target[5], target[90] = target[90], target[5]
    run = northstar(
        "plan",
        "--current",
        str(keys_file(tmp_path / "current.txt", current)),
        "--target",
        str(keys_file(tmp_path / "target.txt", target)),
        "--json",
    )

    assert run.code == 0
    moves = json.loads(run.out)
    for move in moves:
        assert set(move) in ({"issues", "before"}, {"issues", "after"})
        assert 1 <= len(move["issues"]) <= 50
    parsed = [RankMove(**move) for move in moves]
    assert apply_moves(current, parsed) == target


def test_plan_without_json_summarises_the_calls(northstar, tmp_path):
    current = ["A-1", "A-2", "A-3", "A-4"]
    run = northstar(
        "plan",
        "--current",
        str(keys_file(tmp_path / "c.txt", current)),
        "--target",
        str(keys_file(tmp_path / "t.txt", ["A-4", "A-1", "A-2", "A-3"])),
    )
    assert run.code == 0
    assert "1 of 4 item(s) change place; 1 Jira rank call(s) touching 1 issue(s)" in run.out
    assert "call 1: 1 issue(s) before A-1: A-4" in run.out


@pytest.mark.parametrize(
    ("current", "target", "fragment"),
    [
        (["A-1", "A-2"], ["A-1", "A-3"], "A-3"),
        (["A-1", "A-2", "A-1"], ["A-1", "A-2", "A-1"], "A-1"),
        (["A-1", "", "A-2"], ["A-1", "A-2"], "line 2"),
    ],
    ids=["different_keys", "duplicate_key", "blank_key"],
)
def test_plan_refuses_orders_it_cannot_plan_with_exit_status_2(
    northstar, tmp_path, current, target, fragment
):
    (tmp_path / "c.txt").write_text("\n".join(current) + "\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("\n".join(target) + "\n", encoding="utf-8")
    run = northstar(
        "plan", "--current", str(tmp_path / "c.txt"), "--target", str(tmp_path / "t.txt")
    )
    assert_one_clean_error(run, 2, fragment)


def test_plan_names_a_file_it_cannot_read(northstar, tmp_path):
    target = keys_file(tmp_path / "t.txt", ["A-1"])
    run = northstar("plan", "--current", str(tmp_path / "missing.txt"), "--target", str(target))
    assert_one_clean_error(run, 2, "missing.txt")


# ---------------------------------------------------------------- rank and why


def test_rank_json_lists_every_open_sample_item_once_in_rank_order(northstar):
    run = northstar("rank", "--source", "sample", "--json", "--limit", "1000")
    assert run.code == 0
    rows = json.loads(run.out)
    sample = open_source("sample:payments").fetch_items().items
    assert {row["key"] for row in rows} == {item.key for item in sample if not item.is_done}
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert all(row["explanation"] for row in rows)


def test_rank_reads_a_csv_backlog(northstar, tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_text(
        "key,summary,cost,business_value,time_criticality,risk_reduction\n"
        "NS-1,Small and valuable,1,13,8,5\n"
        "NS-2,Big and dull,13,1,1,1\n",
        encoding="utf-8",
    )
    run = northstar("rank", "--source", f"csv:{path}", "--json")
    assert run.code == 0
    assert [row["key"] for row in json.loads(run.out)] == ["NS-1", "NS-2"]


def test_a_csv_with_an_unknown_column_is_one_line_naming_it(northstar, tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_text("key,bussiness_value\nNS-1,3\n", encoding="utf-8")
    run = northstar("rank", "--source", f"csv:{path}")
    assert_one_clean_error(run, 1, "bussiness_value")


def test_why_explains_the_score_term_by_term_and_the_position(northstar):
    top = json.loads(northstar("rank", "--source", "sample", "--json").out)[11]
    run = northstar("why", top["key"], "--source", "sample")
    assert run.code == 0
    assert top["key"] in run.out
    assert "WSJF = " in run.out
    assert "cost = " in run.out
    assert f"rank {top['rank']}" in run.out


def test_rank_by_value_lists_by_score_with_the_backlog_rank_and_what_holds_items(northstar):
    backlog = json.loads(northstar("rank", "--source", "sample", "--json", "--limit", "1000").out)
    run = northstar("rank", "--source", "sample", "--by-value", "--json", "--limit", "1000")
    assert run.code == 0
    rows = json.loads(run.out)
    assert [row["value_rank"] for row in rows] == list(range(1, len(rows) + 1))
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    rank_of = {row["key"]: row["rank"] for row in backlog}
    assert all(row["backlog_rank"] == rank_of[row["key"]] for row in rows)
    # the example config's manual zone holds the first 3 items of the backlog
    held = {row["key"] for row in rows if row["held"] == "manual zone"}
    assert held == {row["key"] for row in backlog[:3]}
    assert any(row["held"] == "active sprint" for row in rows)


def test_rank_by_value_prints_a_table_titled_by_value(northstar):
    run = northstar("rank", "--source", "sample", "--by-value", "--limit", "5")
    assert run.code == 0
    assert "payments: top 5 by value" in run.out
    assert "backlog" in run.out
    assert "ranked backlog" in northstar("rank", "--source", "sample", "--limit", "5").out


def test_rank_json_carries_the_reasons_as_data(northstar):
    rows = json.loads(northstar("rank", "--source", "sample", "--json", "--limit", "1000").out)
    kinds = {reason["kind"] for row in rows for reason in row["reasons"]}
    assert {"held", "moved", "pinned"} <= kinds
    pinned = next(r for row in rows for r in row["reasons"] if r["kind"] == "pinned")
    assert pinned["rule"] == "Incidents first"


def test_why_names_the_item_above_and_the_items_it_beats_above_it(northstar):
    rows = json.loads(northstar("rank", "--source", "sample", "--by-value", "--json").out)
    # the most valuable item that flows sits below the manual zone, which it may beat
    top = next(row for row in rows if row["held"] is None)
    run = northstar("why", top["key"], "--source", "sample")
    assert run.code == 0
    assert "It sits below " in run.out
    answer = json.loads(northstar("why", top["key"], "--source", "sample", "--json").out)
    assert answer["below"]["lower"] == top["key"]
    assert all(
        pair["allowed_by"] in {"held", "pinned", "blocks"} for pair in answer["beaten_above"]
    )
    if answer["beaten_above"]:
        assert "score clearly less; a guardrail allows each:" in run.out
        for pair in answer["beaten_above"][:10]:
            assert f"- {pair['upper']} ({pair['allowed_by']})" in run.out
    else:
        assert "No item it clearly beats sits above it." in run.out


def test_why_an_unknown_key_says_so_in_one_line(northstar):
    run = northstar("why", "NOPE-1", "--source", "sample")
    assert_one_clean_error(run, 1, "NOPE-1")


# ---------------------------------------------------------------- broken config


BROKEN_RULES = """\
[[teams]]
name = "payments"
source = "sample"

[[rules]]
name = "Typo in the condition"
when = "'security' in labels and"
multiply = "2"
"""


def test_a_broken_rule_is_one_line_naming_the_file_the_rule_and_where_it_starts(
    northstar, tmp_path
):
    config = tmp_path / "northstar.toml"
    config.write_text(BROKEN_RULES, encoding="utf-8")
    run = northstar("--config", str(config), "rank", "--source", "sample")
    assert_one_clean_error(run, 1, "northstar.toml", "Typo in the condition", "line 5")


def test_with_debug_the_traceback_is_shown_too(northstar, tmp_path):
    config = tmp_path / "northstar.toml"
    config.write_text(BROKEN_RULES, encoding="utf-8")
    run = northstar("--debug", "--config", str(config), "rank", "--source", "sample")
    assert run.code == 1
    assert "Traceback" in run.err
    assert "Typo in the condition" in run.err


def test_a_config_file_that_is_not_toml_is_one_line(northstar, tmp_path):
    config = tmp_path / "northstar.toml"
    config.write_text("[scoring\nmodel = 'wsjf'\n", encoding="utf-8")
    run = northstar("--config", str(config), "rank")
    assert_one_clean_error(run, 1, "not valid TOML")


def test_a_team_reading_jira_without_a_url_says_what_to_set(northstar, tmp_path):
    config = tmp_path / "northstar.toml"
    config.write_text('[[teams]]\nname = "payments"\nboard = 42\n', encoding="utf-8")
    run = northstar("--config", str(config), "sync")
    assert_one_clean_error(run, 1, "NORTHSTAR_JIRA_URL")


@pytest.mark.parametrize(
    ("args", "fragment", "helps"),
    [
        (("nosuch",), "No such command 'nosuch'", "northstar --help"),
        (("plan",), "Missing option '--current'", "northstar plan --help"),
        (("rank", "--limit", "many"), "--limit", "northstar rank --help"),
        (("db", "downgrade"), "No such command 'downgrade'", "northstar db --help"),
    ],
    ids=["unknown_command", "missing_option", "bad_value", "unknown_sub_command"],
)
def test_a_usage_error_is_one_line_pointing_at_that_commands_help(northstar, args, fragment, helps):
    run = northstar(*args)
    assert_one_clean_error(run, 2, fragment, f"(see `{helps}`)")
