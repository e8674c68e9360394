from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config

GOOD_TEAM = """
[[teams]]
name = "payments"
board = 42
timezone = "Europe/Berlin"
"""


def test_the_example_config_loads_with_two_sample_teams():
    config = load_config(None)
    assert [team.name for team in config.teams] == ["payments", "growth"]
    assert config.scoring.model == "wsjf"
    assert all(rule.line is not None for rule in config.rules)


def test_rules_remember_the_line_of_their_header():
    text = GOOD_TEAM + '\n[[rules]]\nname = "a"\nwhen = "True"\npin = "top"\n'
    config = parse_config(text)
    assert config.rules[0].line == 7


def test_invalid_toml_names_the_file_and_the_problem():
    with pytest.raises(ConfigError, match=r"northstar.toml is not valid TOML"):
        parse_config("[scoring\nmodel = 'wsjf'")


def test_an_unknown_scoring_model_names_the_key():
    with pytest.raises(ConfigError, match=r"scoring.model"):
        parse_config('[scoring]\nmodel = "magic"\n')


def test_a_jira_team_without_board_or_jql_is_refused_with_the_fix():
    with pytest.raises(ConfigError, match=r"needs `board = <id>` or `jql"):
        parse_config('[[teams]]\nname = "x"\n')


def test_an_unknown_time_zone_is_refused_with_an_example():
    with pytest.raises(ConfigError, match=r"unknown time zone 'Mars/Base'.*Europe/Berlin"):
        parse_config('[[teams]]\nname = "x"\nboard = 1\ntimezone = "Mars/Base"\n')


def test_a_missing_config_file_says_how_to_point_at_one(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"not found; set NORTHSTAR_CONFIG or pass --config"):
        load_config(tmp_path / "missing.toml")


def test_team_lookup_lists_the_teams_there_are():
    config = load_config(None)
    assert config.team("growth").name == "growth"
    with pytest.raises(ConfigError, match=r"no team named 'nope' \(teams: payments, growth\)"):
        config.team("nope")
    with pytest.raises(ConfigError, match=r"several teams are configured"):
        config.team(None)
