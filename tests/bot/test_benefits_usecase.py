"""The benefit use cases against a real SQLite store and in-memory backlogs.

The backlog tool is a :class:`~connectors.memory.MemoryConnector` whose backlog leaves done
epics out, as a Jira board's does, while fetching by key still finds them: the case the
register's links exist for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import UserError
from bot.settings import Settings
from bot.storage import Store
from bot.usecases import benefits as uc
from bot.usecases.sync import sync_team
from bot.wiring import Services
from connectors.base import FetchResult
from connectors.memory import MemoryConnector
from rules.benefits import Confidence, UnknownBenefitError
from rules.model import Item, StatusCategory
from rules.register import RegisterImportError

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEADER = "id,title,description,category,owner,team,links,metric,unit,direction,baseline,"
HEADER += "baseline_date,target,target_date,money_per_month,cost\n"
FEES = "BEN-1,Card fee savings,New acquirer,financial,U0AAA,payments,PAY-7,fees,EUR,increase,"
FEES += "0,2025-01-01,5000,2025-12-31,5000,20000\n"
TICKETS = ",Fewer tickets,Self-service refunds,operational,U0BBB,payments,PAY-8,tickets,a week,"
TICKETS += "decrease,420,2026-09-01,300,2027-03-31,,\n"


class BoardBacklog(MemoryConnector):
    """A board: its backlog leaves done items out; fetching by key finds every issue."""

    def fetch_items(self, since: datetime | None = None) -> FetchResult:
        found = super().fetch_items(None)
        return FetchResult(items=tuple(item for item in found.items if not item.is_done))


def epic(key: str, *, done_on: date | None = None, points: float | None = None) -> Item:
    return Item(
        key=key,
        type="Epic",
        summary=f"Epic {key}",
        status_category=StatusCategory.DONE if done_on else StatusCategory.IN_PROGRESS,
        resolved=datetime(done_on.year, done_on.month, done_on.day, tzinfo=UTC)
        if done_on
        else None,
        cost=points,
    )


@pytest.fixture
def board() -> BoardBacklog:
    return BoardBacklog(
        [epic("PAY-7", done_on=date(2025, 2, 1), points=13), epic("PAY-8"), Item(key="PAY-9")],
        name="board",
    )


@pytest.fixture
def svc(tmp_path: Path, board: BoardBacklog) -> Iterator[Services]:
    url = f"sqlite:///{tmp_path / 'northstar.db'}"
    services = Services(
        settings=Settings(_env_file=None, database_url=url),
        config=load_config(None),
        store=Store.open(url),
        connector_factory=lambda team: board,
        clock=lambda: NOW,
    )
    yield services
    services.store.close()


def register(tmp_path: Path, *rows: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_import_adds_then_a_reimport_reports_each_changed_field(svc, tmp_path):
    first = uc.import_register(svc, register(tmp_path, FEES, TICKETS))
    assert first.diff.added == ("BEN-1", "BEN-2")  # the blank id got the next one

    edited = register(tmp_path, FEES.replace("5000,20000", "6000,20000"), name="edited.csv")
    again = uc.import_register(svc, edited)

    assert again.diff.added == ()
    assert [
        (c.benefit_id, [(f.field, f.old, f.new) for f in c.fields]) for c in again.diff.changed
    ] == [("BEN-1", [("money_per_month", "5000", "6000")])]
    assert again.diff.untouched == ("BEN-2",)
    assert "  changed BEN-1: money_per_month 5000 -> 6000" in again.lines()
    assert svc.store.benefit("BEN-1").money_per_month == 6000


def test_an_import_with_one_bad_row_writes_nothing(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES))
    bad = TICKETS.replace("420,2026-09-01,300", "300,2026-09-01,420")  # decrease planned up
    changed = FEES.replace("Card fee savings", "Renamed")

    with pytest.raises(RegisterImportError) as raised:
        uc.import_register(svc, register(tmp_path, changed, bad, name="bad.csv"))

    assert "bad.csv, row 3, column target" in str(raised.value)
    assert svc.store.benefit_ids() == ["BEN-1"]
    assert svc.store.benefit("BEN-1").title == "Card fee savings"


def test_a_toml_register_is_read_like_a_csv_one(svc, tmp_path):
    path = tmp_path / "register.toml"
    path.write_text(
        '[[benefits]]\nid = "BEN-4"\ntitle = "Faster checkout"\ncategory = "customer"\n'
        'links = ["PAY-9"]\nmetric = "seconds"\ndirection = "decrease"\nbaseline = 48\n'
        "target = 30\ntarget_date = 2027-06-30\n",
        encoding="utf-8",
    )
    report = uc.import_register(svc, path)
    assert report.diff.added == ("BEN-4",)
    assert svc.store.benefit("BEN-4").links == ("PAY-9",)


def test_an_unknown_team_in_the_register_is_named(svc, tmp_path):
    with pytest.raises(RegisterImportError, match="no team named 'paymnts'"):
        uc.import_register(svc, register(tmp_path, FEES.replace("payments", "paymnts")))
    assert svc.store.benefit_ids() == []


def test_export_csv_reimports_without_changes(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES, TICKETS))
    exported = tmp_path / "export.csv"
    exported.write_text(uc.export_register(svc, "csv"), encoding="utf-8")

    again = uc.import_register(svc, exported)

    assert again.diff.changed == ()
    assert again.diff.unchanged == ("BEN-1", "BEN-2")


def test_a_done_epic_that_left_the_backlog_is_fetched_by_key_on_sync(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES, TICKETS.replace("PAY-8", "PAY-8 PAY-404")))

    report = sync_team(svc, svc.config.team("payments"), full=True)

    assert "PAY-7" not in {item.key for item in svc.store.load_snapshot("payments")}
    assert report.warnings == (
        "benefit register: linked issue PAY-404 is not in payments's tool; fix the key in the "
        "register (`northstar benefits export`, edit, import)",
    )
    view = uc.show_benefit(svc, "BEN-1")
    assert view.assessment.delivered == date(2025, 2, 1)
    money = view.assessment.money
    assert money is not None
    assert money.cost == 20000
    assert uc.show_benefit(svc, "BEN-2").unknown_links == ("PAY-404",)


def test_linked_story_points_cost_a_benefit_without_its_own_cost(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES.replace("5000,20000", "5000,")))
    sync_team(svc, svc.config.team("payments"), full=True)

    money = uc.show_benefit(svc, "BEN-1").assessment.money

    assert money is not None
    assert (money.cost_source, money.cost) == ("story points", 13 * 1000)


def test_a_measurement_is_stored_and_two_behind_in_a_row_raise_one_risk(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES))
    sync_team(svc, svc.config.team("payments"), full=True)  # delivered 2025-02-01: realising

    first = uc.record_measurement(svc, "ben-1", "1,000", on=date(2025, 10, 1))
    second = uc.record_measurement(svc, "BEN-1", 1100, on=date(2025, 11, 1), confidence="at-risk")
    third = uc.record_measurement(svc, "BEN-1", 1200, on=date(2025, 11, 15))

    assert first.assessment is not None
    assert first.assessment.status.state == "behind"
    assert not first.risk_raised
    assert second.risk_raised
    assert second.measurement.confidence is Confidence.AT_RISK
    assert not third.risk_raised  # raised once, not at every actual
    automatic = [risk for risk in svc.store.benefit("BEN-1").risks if risk.automatic]
    assert len(automatic) == 1
    assert automatic[0].owner == "U0AAA"


@pytest.mark.parametrize(
    ("subject", "value", "kwargs", "message"),
    [
        ("BEN-9", "3", {}, "no benefit BEN-9 in the register"),
        ("BEN-1", "twelve", {}, "'twelve' is not a number"),
        ("BEN-1", "3", {"confidence": "fine"}, "confidence 'fine' is not one of on-track"),
        ("Cut suport cost", "3", {}, "did you mean 'Cut support cost'?"),
    ],
)
def test_a_bad_measurement_gets_a_clear_message_and_stores_nothing(
    svc, tmp_path, subject, value, kwargs, message
):
    uc.import_register(svc, register(tmp_path, FEES))
    with pytest.raises((UserError, UnknownBenefitError), match=message):
        uc.record_measurement(svc, subject, value, **kwargs)
    assert svc.store.benefit_measurements() == []
    assert svc.store.goal_measurements("payments") == []


def test_a_goals_current_figure_is_its_latest_measurement_with_the_trend(svc):
    team = svc.config.team("payments")
    configured = {goal.name: goal for goal in team.goals}["Cut support cost"]
    assert {g.name: g for g in uc.current_goals(svc, team)}["Cut support cost"] == configured

    for day, value in ((1, 410), (8, 395), (15, 380)):
        uc.record_measurement(svc, "Cut support cost", value, on=date(2026, 11, day))
    recorded = uc.record_measurement(svc, "Cut support cost", "372", team="payments")

    goals = {goal.name: goal for goal in uc.current_goals(svc, team)}
    assert goals["Cut support cost"].current == 372
    assert goals["Cut support cost"].trend == (410, 395, 380, 372)
    assert goals["Cut support cost"].measured_on == date(2026, 12, 1)
    assert goals["Faster checkout"] == {g.name: g for g in team.goals}["Faster checkout"]
    assert recorded.goal is not None
    assert recorded.goal.current == 372


def test_the_report_writes_markdown_csv_and_charts(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES, TICKETS))
    sync_team(svc, svc.config.team("payments"), full=True)
    uc.record_measurement(svc, "BEN-1", 2500, on=date(2025, 6, 1))

    written = uc.write_report(svc, tmp_path / "out", "payments")

    names = [path.name for path in written]
    assert names[:2] == ["benefits.md", "benefits.csv"]
    assert "BEN-1.png" in names
    assert names[-1] == "benefits-portfolio.png"
    markdown = (tmp_path / "out" / "benefits.md").read_text(encoding="utf-8")
    assert "# Benefit register of payments" in markdown
    assert "planned NPV" in markdown


def test_benefits_serving_names_the_benefits_an_issue_delivers(svc, tmp_path):
    uc.import_register(svc, register(tmp_path, FEES, TICKETS))
    served = uc.benefits_serving(svc, ["PAY-7", "PAY-8", "PAY-9"])
    assert {key: [b.id for b in found] for key, found in served.items()} == {
        "PAY-7": ["BEN-1"],
        "PAY-8": ["BEN-2"],
    }
