from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.config import config_warnings, load_config, parse_config
from bot.errors import ConfigError

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


# --- checked when the config loads (issue 12) -----------------------------------------------


def _team(schedule: str, name: str = "payments") -> str:
    return f'[[teams]]\nname = "{name}"\nboard = 42\n[teams.schedule]\n{schedule}\n'


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ('digest = "someday 25:00"', r"team 'payments': schedule.digest: .*unknown day 'someday'"),
        ('checkin = "thu 25:00"', r"team 'payments': schedule.checkin: .*not a time of day"),
        ('sync = "every hour"', r"team 'payments': schedule.sync: .*unknown day 'every'"),
        ('sync = "mon 9 00"', r"team 'payments': schedule.sync: .*cannot read schedule"),
        ('quiet_hours = "8-5"', r"team 'payments': schedule.quiet_hours: .*HH:MM"),
        ('quiet_days = ["sat", "funday"]', r"team 'payments': schedule.quiet_days: .*'funday'"),
        (
            'quiet_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]',
            r"team 'payments': schedule.quiet_days: .*whole week",
        ),
    ],
)
def test_a_bad_schedule_is_refused_at_load_naming_file_team_and_key(schedule: str, expected: str):
    with pytest.raises(ConfigError, match=r"^team.toml: " + expected):
        parse_config(_team(schedule), Path("team.toml"))


def test_an_empty_schedule_is_off_as_the_scheduler_reads_it():
    config = parse_config(_team('digest = ""\nquiet_hours = ""'))
    assert config.teams[0].schedule.digest == ""


def test_good_schedules_load():
    text = _team('digest = "weekdays 08:30"\nsync = "0 7 * * 1-5"\nquiet_hours = "18:00-08:30"')
    assert parse_config(text).teams[0].schedule.quiet_hours == "18:00-08:30"


def test_two_teams_with_one_name_are_refused():
    text = _team('digest = "mon 09:00"') + _team('digest = "tue 09:00"')
    with pytest.raises(ConfigError, match=r"two teams are named 'payments'"):
        parse_config(text)


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [(-0.1, "greater than or equal to 0"), (1.5, "outside 0..1"), (5, "outside 0..1")],
)
def test_a_tolerance_outside_zero_to_one_is_refused(tolerance: float, expected: str):
    with pytest.raises(ConfigError, match=rf"scoring.tolerance: .*{expected}"):
        parse_config(f"[scoring]\ntolerance = {tolerance}\n" + _team('digest = "mon 09:00"'))


def test_tolerance_at_the_ends_of_the_range_loads():
    for tolerance in (0, 1):
        config = parse_config(f"[scoring]\ntolerance = {tolerance}\n")
        assert config.scoring.tolerance == tolerance


def test_a_field_error_names_the_team_not_its_index():
    text = _team('digest = "mon 09:00"') + _team("max_messages_a_day = 0", name="growth")
    with pytest.raises(ConfigError, match=r"team 'growth': schedule.max_messages_a_day"):
        parse_config(text)


def test_a_board_beside_a_sample_source_is_loaded_with_a_warning_that_it_is_ignored(
    caplog: pytest.LogCaptureFixture,
):
    text = '[[teams]]\nname = "payments"\nsource = "sample"\nboard = 42\n'
    with caplog.at_level(logging.WARNING, "bot.config"):
        config = parse_config(text, Path("team.toml"))
    expected = "team.toml: team 'payments': source is 'sample', so `board` is ignored"
    assert config_warnings(config) == [f"{expected} (it only selects a Jira backlog)"]
    assert [record.getMessage() for record in caplog.records] == config_warnings(config)


def test_the_example_config_has_nothing_to_warn_about():
    assert config_warnings(load_config(None)) == []


def _readme_config_block() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    return readme.split("### `northstar.toml`", 1)[1].split("```toml", 1)[1].split("```", 1)[0]


def test_the_readme_config_example_loads_and_documents_every_scoring_key():
    from rules.config import ScoringConfig

    block = _readme_config_block()
    config = parse_config(block)
    documented = set(re.findall(r"^(\w+) =", block, re.MULTILINE))
    assert set(ScoringConfig.model_fields) <= documented
    assert {"extra_jql", "stakeholder_roles"} <= documented
    assert config.teams[0].stakeholder_roles
    assert config.scoring.role_weights


def test_the_readme_lists_every_function_rules_may_call():
    from rules.expressions import FUNCTIONS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rules_section = readme.split("### Rules", 1)[1].split("###", 1)[0]
    missing = [name for name in FUNCTIONS if f"`{name}`" not in rules_section]
    assert not missing
