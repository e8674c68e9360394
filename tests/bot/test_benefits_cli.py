"""``northstar benefits ...`` end to end: the console entry point inside Typer's CliRunner.

Each command runs with the example config (sample backlogs) on a temporary SQLite database, so
what one command stores the next one reads. Bad input ends in one ``error:`` line naming what
was wrong and where, exit code 1, no traceback, and nothing stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from bot.cli import main

TODAY = "2026-12-01T09:00:00+00:00"
HEADER = "id,title,description,category,owner,team,links,metric,unit,direction,baseline,"
HEADER += "baseline_date,target,target_date,money_per_month,cost\n"
FEES = "BEN-1,Card fee savings,New acquirer,financial,U0AAA,payments,PAY-317,fees,EUR,"
FEES += "increase,0,2026-09-01,5000,2027-06-30,5000,20000\n"
TICKETS = "BEN-2,Fewer tickets,Self-service refunds,operational,U0BBB,payments,PAY-161,tickets,"
TICKETS += "a week,decrease,420,2026-09-01,300,2027-03-31,,\n"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The one error line; fails the test when there is not exactly one."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, self.err
        assert lines[0].startswith("error: ")
        assert "Traceback" not in self.out + self.err
        return lines[0]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"NORTHSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'northstar.db'}"}


@pytest.fixture
def northstar(env: dict[str, str]):
    def run(*args: str) -> Run:
        runner = CliRunner()
        with time_machine.travel(TODAY, tick=False), runner.isolation(env=env) as streams:
            try:
                main(list(args))
                code = 0
            except SystemExit as e:
                code = int(e.code or 0)
            out, err = streams[0].getvalue(), streams[1].getvalue()
        return Run(code, out.decode(), err.decode())

    return run


@pytest.fixture
def imported(northstar, tmp_path: Path) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(HEADER + FEES + TICKETS, encoding="utf-8")
    run = northstar("benefits", "import", str(path))
    assert run.code == 0, run.err
    return path


def test_import_lists_what_it_added_and_a_reimport_what_changed(northstar, imported, tmp_path):
    edited = tmp_path / "edited.csv"
    edited.write_text(HEADER + FEES.replace("Card fee savings", "Acquirer fees") + TICKETS)

    run = northstar("benefits", "import", str(edited))

    assert run.code == 0
    assert run.out.splitlines() == [
        "edited.csv: 0 added, 1 changed, 1 unchanged",
        "  changed BEN-1: title Card fee savings -> Acquirer fees",
    ]


def test_list_shows_status_smart_check_and_calibration(northstar, imported):
    run = northstar("benefits", "list", "--team", "payments")

    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0].startswith("BEN-1 Card fee savings [financial, proposed, U0AAA, payments]:")
    assert lines[1].startswith("BEN-2 Fewer tickets [operational, proposed, U0BBB, payments]:")
    assert all(line.endswith("; SMART") for line in lines[:2])
    assert lines[2] == "Calibration: no closed benefits yet, so no realised-to-planned ratios."


def test_list_json_carries_every_benefit_and_the_calibration(northstar, imported):
    data = json.loads(northstar("benefits", "list", "--json").out)
    assert [entry["benefit"]["id"] for entry in data["benefits"]] == ["BEN-1", "BEN-2"]
    assert data["calibration"] == {"by_category": {}, "by_owner": {}}


def test_show_prints_the_plan_the_money_terms_and_the_actuals(northstar, imported):
    northstar("sync", "--team", "payments", "--full")  # PAY-317 was done on 2026-10-04
    assert northstar("benefits", "measure", "BEN-1", "1200", "--at", "2026-11-30").code == 0

    run = northstar("benefits", "show", "BEN-1")

    assert run.code == 0
    assert "measure: fees EUR, increase, 0 -> 5,000 by 2027-06-30" in run.out
    assert "delivered: 2026-10-04; realisation starts 2026-10-04" in run.out
    assert "NPV = sum(amount_t / (1 + r)^t)" in run.out
    assert "PV of costs = 20,000.00 (explicit cost)" in run.out
    assert "2026-11-30 1,200 EUR (cli)" in run.out


def test_show_json_names_the_smart_gaps_of_an_incomplete_entry(northstar, tmp_path):
    path = tmp_path / "thin.csv"
    path.write_text("id,category\nBEN-5,strategic\n", encoding="utf-8")
    northstar("benefits", "import", str(path))

    data = json.loads(northstar("benefits", "show", "BEN-5", "--json").out)

    assert data["missing"] == [
        "specific: no title and no description",
        "measurable: no metric, no baseline, no target",
        "time-bound: no target date",
        "owned: no owner",
        "linked: no epic or value goal",
    ]


def test_measure_a_value_goal_updates_its_current_figure(northstar):
    northstar("benefits", "measure", "Cut support cost", "410", "--at", "2026-11-01")
    run = northstar("benefits", "measure", "Cut support cost", "395", "--confidence", "on-track")

    assert run.code == 0
    assert run.out.strip() == (
        "Recorded 395 for payments/Cut support cost on 2026-12-01: Cut support cost is now 395 "
        "(trend 410 -> 395)"
    )


def test_export_csv_is_the_import_format_and_json_is_a_list(northstar, imported):
    csv_text = northstar("benefits", "export").out
    assert csv_text.splitlines()[0].startswith("id,title,description,category,owner,team,links")
    assert csv_text.splitlines()[1].startswith("BEN-1,Card fee savings,")
    data = json.loads(northstar("benefits", "export", "--format", "json").out)
    assert [entry["id"] for entry in data] == ["BEN-1", "BEN-2"]


def test_lessons_say_so_when_there_are_none(northstar, imported):
    run = northstar("benefits", "lessons", "--team", "payments")
    assert run.code == 0
    assert run.out.strip() == "No lessons recorded yet: they come from the reviews after delivery."


def test_report_writes_the_files_into_the_folder(northstar, imported, tmp_path):
    out = tmp_path / "report"
    run = northstar("benefits", "report", "--team", "payments", "--out", str(out))

    assert run.code == 0
    assert run.out.splitlines()[0] == f"Wrote 5 file(s) into {out}:"
    assert sorted(path.name for path in out.iterdir()) == [
        "BEN-1.png",
        "BEN-2.png",
        "benefits-portfolio.png",
        "benefits.csv",
        "benefits.md",
    ]


def test_register_text_is_printed_as_text_not_markup(northstar, tmp_path):
    path = tmp_path / "markup.csv"
    path.write_text("id,title,category\nBEN-1,[bold]Refunds[/bold],customer\n", encoding="utf-8")
    northstar("benefits", "import", str(path))

    run = northstar("benefits", "list")

    assert "BEN-1 [bold]Refunds[/bold] [customer" in run.out


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("measure", "BEN-7", "3"), ("no benefit BEN-7 in the register",)),
        (("measure", "BEN-1", "lots"), ("'lots' is not a number",)),
        (("measure", "BEN-1", "3", "--at", "30/11/2026"), ("--at '30/11/2026' is not a date",)),
        (("measure", "BEN-1", "3", "--confidence", "meh"), ("confidence 'meh' is not one of",)),
        (("show", "BEN-42"), ("no benefit BEN-42",)),
        (("show", "PAY-1"), ("'PAY-1' is not a benefit id",)),
        (("list", "--team", "paymnts"), ("no team named 'paymnts'",)),
        (("import", "missing.csv"), ("missing.csv: no such file",)),
    ],
)
def test_bad_input_gets_one_clear_line_and_stores_nothing(northstar, imported, args, fragments):
    before = northstar("benefits", "export").out

    run = northstar("benefits", *args)

    assert run.code == 1
    for fragment in fragments:
        assert fragment in run.error
    assert northstar("benefits", "export").out == before
    assert "1,200" not in northstar("benefits", "show", "BEN-1").out


@pytest.mark.parametrize(
    ("row", "fragments"),
    [
        (
            FEES.replace("2027-06-30", "2026-01-01"),
            ("row 2, column target_date", "target date 2026-01-01 is before baseline date"),
        ),
        (
            TICKETS.replace("420,2026-09-01,300", "300,2026-09-01,420"),
            ("row 2, column target", "should decrease, but target 420 is above baseline 300"),
        ),
        (FEES.replace("U0AAA", "alice"), ("row 2, column owner", "'alice' is not a Slack user id")),
    ],
)
def test_an_entry_that_cannot_be_tracked_is_refused_naming_row_and_column(
    northstar, imported, tmp_path, row, fragments
):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + row, encoding="utf-8")
    before = northstar("benefits", "export").out

    run = northstar("benefits", "import", str(path))

    assert run.code == 1
    assert run.err.startswith("error: bad.csv, ")
    for fragment in fragments:
        assert fragment in run.err
    assert northstar("benefits", "export").out == before


def test_a_typo_in_a_csv_header_names_the_column_it_meant(northstar, imported, tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text(HEADER.replace("baseline,", "basline,", 1) + FEES, encoding="utf-8")

    run = northstar("benefits", "import", str(path))

    assert run.code == 1
    assert (
        "typo.csv, header, column basline: 'basline' is not a register column; "
        "did you mean 'baseline'?"
    ) in run.error
