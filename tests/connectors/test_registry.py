from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from connectors.base import Connector, ConnectorConfigError
from connectors.files import CsvConnector, JsonConnector
from connectors.registry import (
    GROUP,
    UnknownConnectorError,
    available,
    load_connector_class,
    open_source,
    parse_source,
)
from connectors.sample import SampleConnector


class NotAConnector:
    """Has some of the port's methods, not all."""

    def fetch_items(self):
        return None

    def read_order(self):
        return []


not_a_class = 42


def entry(name: str, value: str) -> dict[str, EntryPoint]:
    return {name: EntryPoint(name=name, value=value, group=GROUP)}


def test_the_built_in_connectors_are_always_available():
    assert {"sample", "csv", "json", "jira"} <= set(available())
    assert list(available()) == sorted(available())


@pytest.mark.parametrize(
    ("name", "expected"),
    [("sample", SampleConnector), ("csv", CsvConnector), ("json", JsonConnector)],
    ids=["sample", "csv", "json"],
)
def test_built_in_connector_classes_load_by_name(name, expected):
    assert load_connector_class(name) is expected


def test_an_unknown_name_lists_what_is_installed_and_suggests_the_closest():
    installed = {
        name: EntryPoint(name=name, value="x:Y", group=GROUP)
        for name in ("sample", "jira", "json", "csv")
    }
    with pytest.raises(UnknownConnectorError) as error:
        load_connector_class("jirra", installed=installed)
    assert str(error.value) == (
        "No connector named 'jirra' (installed: csv, jira, json, sample); did you mean 'jira'?"
    )


def test_an_unknown_name_without_a_close_match_has_no_suggestion():
    with pytest.raises(UnknownConnectorError, match=r"No connector named 'zzz' \(installed: .*\)$"):
        load_connector_class("zzz")


def test_a_plug_in_that_cannot_be_imported_says_so():
    with pytest.raises(
        ConnectorConfigError, match=r"'broken' \(nowhere.at_all:X\) cannot be loaded"
    ):
        load_connector_class("broken", installed=entry("broken", "nowhere.at_all:X"))


def test_a_plug_in_naming_a_missing_attribute_cannot_be_loaded():
    value = "tests.connectors.test_registry:Missing"
    with pytest.raises(ConnectorConfigError, match=r"cannot be loaded"):
        load_connector_class("gone", installed=entry("gone", value))


def test_a_plug_in_that_is_not_a_class_is_refused():
    value = "tests.connectors.test_registry:not_a_class"
    with pytest.raises(ConnectorConfigError, match=r"is a int, not a class"):
        load_connector_class("num", installed=entry("num", value))


def test_a_plug_in_missing_methods_of_the_port_names_them():
    value = "tests.connectors.test_registry:NotAConnector"
    with pytest.raises(ConnectorConfigError) as error:
        load_connector_class("half", installed=entry("half", value))
    assert str(error.value) == (
        f"connector 'half' ({value}) does not implement the Connector protocol: "
        "missing write_scores, write_inputs, apply_move, list_sprints"
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("sample", ("sample", None)),
        ("sample:growth", ("sample", "growth")),
        ("csv:../shared/backlog.csv", ("csv", "../shared/backlog.csv")),
        ("json:/data/b.json", ("json", "/data/b.json")),
        ("jira", ("jira", None)),
        ("CSV:b.csv", ("csv", "b.csv")),
        ("backlog.csv", ("csv", "backlog.csv")),
        ("C:\\data\\backlog.json", ("json", "C:\\data\\backlog.json")),
    ],
    ids=["sample", "sample_team", "csv", "json", "jira", "upper_case", "bare_csv", "windows"],
)
def test_source_specs_split_into_kind_and_argument(spec, expected):
    assert parse_source(spec) == expected


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("", r"the source is empty; use sample\[:TEAM\], csv:PATH"),
        ("csv", r"the csv source needs a path: csv:PATH"),
        ("json:", r"the json source needs a path: json:PATH"),
        ("smaple", r"No connector named 'smaple' .*did you mean 'sample'\?"),
    ],
    ids=["empty", "csv_without_path", "json_without_path", "typo"],
)
def test_bad_source_specs_say_what_to_write(spec, problem):
    with pytest.raises(ConnectorConfigError, match=problem):
        parse_source(spec)


def test_open_source_builds_the_sample_of_the_named_team():
    connector = open_source("sample:growth")
    assert isinstance(connector, SampleConnector)
    assert connector.name == "sample:growth"
    assert connector.read_order()[0].startswith("GRO-")


def test_open_source_takes_the_team_when_the_spec_names_none():
    assert open_source("sample", team="growth").name == "sample:growth"
    assert open_source("sample").name == "sample:payments"


def test_open_source_reads_files_and_passes_writable(tmp_path: Path):
    path = tmp_path / "b.csv"
    path.write_text("key,cost\nX-1,3\n", encoding="utf-8")
    connector = open_source(f"csv:{path}", writable=("score", "cost"))
    assert isinstance(connector, CsvConnector)
    assert isinstance(connector, Connector)
    connector.write_inputs("X-1", {"cost": 5})
    assert "X-1,5" in path.read_text(encoding="utf-8")


def test_open_source_explains_that_jira_is_built_by_the_bot():
    with pytest.raises(ConnectorConfigError, match=r"the jira connector needs credentials"):
        open_source("jira")
