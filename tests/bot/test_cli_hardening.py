"""Issue 12 through the CLI's own boundary: data printed as text, one clear line for every
bad input, Slack off meaning off, output that fits."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest

from bot.cli.app import hoist_global_options
from tests.bot.test_cli import Run, invoke
from tests.fakes.slack_api import FakeSlackServer

SLACK_OFF = "set NORTHSTAR_SLACK_BOT_TOKEN (see README, Create the Slack app)"
CSV_HEADER = "key,summary,cost,business_value,time_criticality,risk_reduction\n"


Northstar = Callable[..., Run]


@pytest.fixture
def northstar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Northstar]:
    """``main`` as the console runs it, in an empty folder with only the variables given."""
    monkeypatch.chdir(tmp_path)
    base = {"NORTHSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'northstar.db'}"}
    kept = {k: v for k, v in os.environ.items() if not k.startswith("NORTHSTAR_")}

    def run(*args: str, env: dict[str, str] | None = None) -> Run:
        with mock.patch.dict(os.environ, {**kept, **base, **(env or {})}, clear=True):
            return invoke(capsys, args)

    yield run
    logging.getLogger().handlers.clear()


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text(CSV_HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- terminal markup

HOSTILE_ROWS = (
    "XD-557,[source] module fails,1,13,8,5",
    "NS-2,Crash [/] here,2,1,1,1",
    "NS-3,[link=http://e.x]click,3,1,1,1",
    "NS-4,:smile: [bold]loud,3,1,1,1",
)


def test_rank_prints_summaries_as_text_never_as_markup(northstar: Northstar, tmp_path: Path):
    backlog = csv_file(tmp_path / "b.csv", *HOSTILE_ROWS)
    run = northstar("rank", "--source", f"csv:{backlog}")
    assert run.code == 0, run.err
    assert "[source] module fails" in run.out
    assert "Crash [/] here" in run.out
    assert "[link=http://e.x]click" in run.out
    assert "\x1b]8;" not in run.out  # no terminal hyperlink
    assert "[bold]loud" in run.out
    assert ":smile:" in run.out


@pytest.mark.parametrize("key", ["XD-557", "NS-2", "NS-3"])
def test_why_prints_the_summary_as_text(northstar: Northstar, tmp_path: Path, key: str):
    backlog = csv_file(tmp_path / "b.csv", *HOSTILE_ROWS)
    run = northstar("why", key, "--source", f"csv:{backlog}")
    assert run.code == 0, run.err
    summary = next(row.split(",")[1] for row in HOSTILE_ROWS if row.startswith(key))
    assert f"{key} {summary}" in run.out


def test_an_error_naming_a_bracketed_path_does_not_crash_the_error_handler(northstar: Northstar):
    run = northstar("rank", "--source", "csv:nope[/].csv")
    assert run.code == 1
    line = run.error()
    assert line.startswith("error: ")
    assert "nope[/].csv" in line


# ---------------------------------------------------------------- usage and the boundary


@pytest.mark.parametrize("args", [(), ("db",)], ids=["northstar", "northstar db"])
def test_a_bare_group_prints_its_usage_not_an_empty_error(northstar: Northstar, args):
    run = northstar(*args)
    assert "Usage: northstar" in run.out
    assert "error" not in run.err
    assert run.err.strip() == ""


def test_version(northstar: Northstar):
    from importlib.metadata import version

    run = northstar("--version")
    assert run.code == 0
    assert run.out.strip() == f"northstar {version('northstar')}"


def test_config_and_debug_work_after_the_sub_command(northstar: Northstar, tmp_path: Path):
    config = tmp_path / "northstar.toml"
    config.write_text("[scoring\n", encoding="utf-8")
    run = northstar("rank", "--config", str(config))
    assert "not valid TOML" in run.error()
    run = northstar("rank", "--debug", f"--config={config}")
    assert run.code == 1
    assert "Traceback" in run.err


def test_hoisting_leaves_values_and_arguments_after_a_double_dash_alone():
    assert hoist_global_options(["why", "PAY-1", "-c", "x.toml", "--debug"]) == [
        "-c",
        "x.toml",
        "--debug",
        "why",
        "PAY-1",
    ]
    assert hoist_global_options(["why", "--", "--debug"]) == ["why", "--", "--debug"]


def test_with_json_logging_the_error_line_is_json(northstar: Northstar):
    run = northstar("rank", "--source", "csv:nope.csv", env={"NORTHSTAR_LOG_FORMAT": "json"})
    assert run.code == 1
    entry = json.loads(run.error())
    assert entry["level"] == "ERROR"
    assert "nope.csv" in entry["message"]


def test_a_one_shot_command_keeps_info_off_stderr(northstar: Northstar, tmp_path: Path):
    backlog = csv_file(tmp_path / "b.csv", *HOSTILE_ROWS)
    run = northstar("rank", "--source", f"csv:{backlog}", "--json")
    assert run.code == 0
    assert run.err == ""


def test_a_postgres_scheme_on_db_upgrade_is_the_one_good_line(northstar: Northstar):
    run = northstar("db", "upgrade", env={"NORTHSTAR_DATABASE_URL": "postgres://u@localhost/x"})
    assert run.code == 1
    line = run.error()
    assert "not postgres" in line
    assert "postgresql+psycopg://" in line


def test_an_unreachable_database_says_what_the_driver_said(northstar: Northstar, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'northstar.db'}"
    run = northstar("db", "upgrade", env={"NORTHSTAR_DATABASE_URL": url})
    assert run.code == 1
    line = run.error()
    assert "unable to open database file" in line
    assert "NORTHSTAR_DATABASE_URL" in line


# ---------------------------------------------------------------- Slack off means off


@pytest.mark.parametrize(
    "args",
    [
        ("digest", "--team", "payments", "--post"),
        ("remind", "--team", "payments"),
        ("checkin", "--team", "payments"),
    ],
    ids=["digest --post", "remind", "checkin"],
)
def test_with_slack_off_the_slack_commands_fail_at_once(northstar: Northstar, args):
    with FakeSlackServer() as slack:
        run = northstar(*args, env={"NORTHSTAR_SLACK_API_URL": slack.url})
        assert slack.state.calls == []
    assert run.code == 1
    assert SLACK_OFF in run.error()


def test_doctor_checks_the_bot_token_and_its_scopes_with_auth_test(northstar: Northstar):
    with FakeSlackServer() as slack:
        env = {
            "NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-doctor",
            "NORTHSTAR_SLACK_SIGNING_SECRET": "secret",
            "NORTHSTAR_SLACK_API_URL": slack.url,
        }
        good = northstar("doctor", env=env)
        slack.state.scopes = ("commands", "chat:write")
        narrow = northstar("doctor", env=env)
        slack.state.fail("auth.test", "invalid_auth")
        refused = northstar("doctor", env=env)
        assert len(slack.state.calls_to("auth.test")) == 3
    assert "ok   slack: token of northstar in Northstar Test, with every scope" in good.out
    assert "FAIL slack: token of northstar in Northstar Test lacks scope(s) chat:write.public" in (
        narrow.out
    )
    assert all(scope in narrow.out for scope in ("im:write", "files:write", "usergroups:read"))
    assert "FAIL slack: Slack refused the bot token: invalid_auth" in refused.out
    assert "fix: reinstall the app from deploy/slack-manifest.yaml" in refused.out


def test_doctor_asks_for_exactly_the_scopes_the_manifest_requests():
    import yaml

    from bot.chat.client import BOT_SCOPES

    manifest = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yaml"
    asked = yaml.safe_load(manifest.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"]
    assert sorted(BOT_SCOPES) == sorted(asked)


# ---------------------------------------------------------------- data that is wrong, said so


def csv_team_config(tmp_path: Path, backlog: Path) -> Path:
    config = tmp_path / "northstar.toml"
    config.write_text(
        f'[[teams]]\nname = "files"\nsource = "csv:{backlog}"\n\n'
        '[[teams]]\nname = "demo"\nsource = "sample"\n',
        encoding="utf-8",
    )
    return config


def test_rank_and_why_read_the_teams_configured_source(northstar: Northstar, tmp_path: Path):
    backlog = csv_file(tmp_path / "b.csv", "NS-1,Small and valuable,1,13,8,5", "NS-2,Dull,8,1,1,1")
    config = csv_team_config(tmp_path, backlog)
    run = northstar("--config", str(config), "rank", "--team", "files", "--json")
    assert run.code == 0, run.err
    assert [row["key"] for row in json.loads(run.out)] == ["NS-1", "NS-2"]
    why = northstar("--config", str(config), "why", "NS-2", "--team", "files")
    assert why.code == 0, why.err
    assert "NS-2 Dull" in why.out


def test_rank_with_several_teams_and_none_named_says_which(northstar: Northstar, tmp_path: Path):
    config = csv_team_config(tmp_path, csv_file(tmp_path / "b.csv", "NS-1,x,1,1,1,1"))
    line = northstar("--config", str(config), "rank").error()
    assert "several teams are configured (files, demo); name one with --team" in line


def test_an_unknown_team_is_refused_with_the_known_ones(northstar: Northstar):
    line = northstar("rank", "--team", "nope").error()
    assert "no team named 'nope' (teams: payments, growth)" in line


def test_an_unknown_sample_is_refused_with_the_known_ones(northstar: Northstar):
    line = northstar("rank", "--source", "sample:nope").error()
    assert "no sample team 'nope' (sample teams: growth, payments)" in line


def test_rank_from_jira_is_one_line_pointing_at_sync_and_score(northstar: Northstar):
    run = northstar("rank", "--source", "jira")
    assert run.code == 1
    assert "`northstar sync` and `northstar score`" in run.error()


def test_the_built_in_example_on_sample_data_says_so_once(northstar: Northstar):
    run = northstar("rank", "--team", "payments", "--json", "--limit", "3")
    assert run.code == 0
    assert len(json.loads(run.out)) == 3
    assert run.err.count("built-in example config on generated sample data") == 1


def test_a_file_where_everything_is_done_says_how_many_rows_were_left_out(
    northstar: Northstar, tmp_path: Path
):
    path = tmp_path / "done.csv"
    path.write_text("key,summary,status_category\nNS-1,a,done\nNS-2,b,done\n", encoding="utf-8")
    run = northstar("rank", "--source", f"csv:{path}")
    assert run.code == 0
    assert "all 2 rows are done (status category done), so none is left to rank" in run.err
    why = northstar("why", "NS-1", "--source", f"csv:{path}")
    assert why.code == 1
    assert why.err.splitlines()[-1].startswith("error: NS-1 is done, so it is not ranked")


# ---------------------------------------------------------------- output that fits


def test_limit_applies_to_json_and_a_cut_table_says_how_much_it_shows(northstar: Northstar):
    rows = json.loads(northstar("rank", "--source", "sample", "--json", "--limit", "5").out)
    assert [row["rank"] for row in rows] == [1, 2, 3, 4, 5]
    run = northstar("rank", "--source", "sample", "--limit", "7")
    total = len(json.loads(northstar("rank", "--source", "sample", "--json", "--limit", "999").out))
    assert f"showing 7 of {total}; --limit N shows more" in run.out


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_a_limit_below_one_is_refused(northstar: Northstar, limit: str):
    run = northstar("rank", "--limit", limit)
    assert run.code == 2
    assert "--limit" in run.error()


# ---------------------------------------------------------------- demo, serve


def test_demo_onto_an_existing_file_is_one_line(northstar: Northstar, tmp_path: Path):
    (tmp_path / "taken").write_text("mine", encoding="utf-8")
    run = northstar("demo", "--out", "taken")
    assert run.code == 1
    assert "--out taken is a file; name a folder" in run.error()
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine"


def test_the_demo_and_rank_on_the_sample_show_the_same_ranking(
    northstar: Northstar, tmp_path: Path
):
    assert northstar("demo", "--out", "demo").code == 0
    demo = json.loads((tmp_path / "demo" / "ranking.json").read_text(encoding="utf-8"))
    ranked = json.loads(northstar("rank", "--source", "sample", "--json", "--limit", "999").out)
    assert [(row["key"], row["score"]) for row in ranked] == [
        (row["key"], row["score"]) for row in demo
    ]


def test_serve_with_slack_unreachable_is_one_line(northstar: Northstar):
    env = {
        "NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-1-unreachable",
        "NORTHSTAR_SLACK_SIGNING_SECRET": "secret",
        "NORTHSTAR_SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    run = northstar("serve", "--http", env=env)
    assert run.code == 1
    assert "Traceback" not in run.err
    last = run.err.strip().splitlines()[-1]
    assert last.startswith("error: cannot reach Slack at http://127.0.0.1:9/api/")


@pytest.mark.parametrize("secret", ["", "   "], ids=["empty", "blank"])
def test_serve_refuses_to_start_without_a_signing_secret(northstar: Northstar, secret: str):
    env = {"NORTHSTAR_SLACK_BOT_TOKEN": "xoxb-1-x", "NORTHSTAR_SLACK_SIGNING_SECRET": secret}
    run = northstar("serve", "--http", env=env)
    assert run.code == 1
    assert "NORTHSTAR_SLACK_SIGNING_SECRET is not set" in run.error()


def _commands():
    import typer.main

    from bot.cli import app

    root = typer.main.get_command(app)
    stack = [(root, "northstar")]
    while stack:
        command, path = stack.pop()
        yield command, path
        for name, child in getattr(command, "commands", {}).items():
            stack.append((child, f"{path} {name}"))


def test_every_option_has_help_and_flags_show_no_placeholder(northstar: Northstar):
    for command, path in _commands():
        for param in command.params:
            if param.param_type_name == "option":
                assert getattr(param, "help", None), f"{path} {param.opts[0]} has no help"
        shown = northstar(*path.split()[1:], "--help")
        assert shown.code == 0, path
        assert "<bool>" not in shown.out, path


@pytest.mark.parametrize(
    "args", [("sync", "--team", "payments"), ("reorder", "--team", "payments")]
)
def test_sync_and_reorder_on_the_built_in_example_say_so(northstar: Northstar, args):
    run = northstar(*args)
    assert run.code == 0, run.err
    assert run.err.count("built-in example config on generated sample data") == 1
