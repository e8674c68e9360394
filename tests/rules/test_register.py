"""Reading the register from CSV-like and TOML-like rows: every problem named by row and
column, typos in headers named with the closest column, and what a re-import changes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.benefits import BenefitStatus, Direction, Milestone, Risk
from rules.model import BenefitCategory
from rules.register import (
    COLUMNS,
    RegisterImportError,
    diff_register,
    parse_register_rows,
    register_rows,
)
from tests.rules.benefit_support import benefit

ROW = {
    "id": "BEN-1",
    "title": "Faster refunds",
    "description": "Self-service refunds",
    "category": "Financial",
    "owner": "U123ABC",
    "team": "payments",
    "links": "PAY-1, PAY-2 PAY-3",
    "goals": "Cut support cost; Happier customers",
    "metric": "support cost",
    "unit": "EUR a month",
    "direction": "decrease",
    "baseline": "5000",
    "baseline_date": "2027-01-01",
    "target": "3000",
    "target_date": "2027-06-30",
    "milestones": "2027-03-01=4500; 2027-05-01=3500",
    "money_per_month": "2000",
    "review_offsets": "30 60",
    "status": "realising",
    "risks": "Agents keep old habit | high | medium | U777 | training | open; Vendor late | low",
}


def parse(*rows, **options):
    return parse_register_rows(list(rows), source="benefits.csv", **options)


def problems(*rows, **options) -> list[str]:
    with pytest.raises(RegisterImportError) as error:
        parse(*rows, **options)
    return [str(problem) for problem in error.value.problems]


def test_a_csv_row_gives_a_whole_entry():
    (entry,) = parse(ROW)

    assert entry.category is BenefitCategory.FINANCIAL
    assert entry.links == ("PAY-1", "PAY-2", "PAY-3")
    assert entry.goals == ("Cut support cost", "Happier customers")
    assert (entry.measure.metric, entry.measure.direction) == ("support cost", Direction.DECREASE)
    assert (entry.baseline, entry.target, entry.target_date) == (5000, 3000, date(2027, 6, 30))
    assert entry.milestones == (
        Milestone(on=date(2027, 3, 1), value=4500),
        Milestone(on=date(2027, 5, 1), value=3500),
    )
    assert entry.review_offsets == (30, 60)
    assert entry.status is BenefitStatus.REALISING
    assert entry.risks == (
        Risk(
            text="Agents keep old habit",
            likelihood="high",
            impact="medium",
            owner="U777",
            mitigation="training",
        ),
        Risk(text="Vendor late", likelihood="low"),
    )


def test_toml_rows_may_hold_numbers_dates_lists_and_tables():
    row = {
        "id": "BEN-4",
        "category": "customer",
        "baseline": 3.5,
        "baseline_date": date(2027, 1, 1),
        "target": 4,
        "target_date": date(2027, 12, 31),
        "links": ["PAY-1"],
        "review_offsets": [90, 30],
        "milestones": [{"on": date(2027, 6, 1), "value": 3.8}],
        "risks": [{"text": "Survey too small", "open": False}],
    }

    (entry,) = parse_register_rows([row], source="benefits.toml")

    assert (entry.baseline, entry.target, entry.review_offsets) == (3.5, 4, (30, 90))
    assert entry.milestones == (Milestone(on=date(2027, 6, 1), value=3.8),)
    assert entry.risks == (Risk(text="Survey too small", open=False),)


def test_blank_ids_get_the_next_free_numbers():
    rows = [
        {"category": "strategic"},
        {"id": "BEN-7", "category": "strategic"},
        {"category": "customer"},
    ]

    found = parse(*rows, existing_ids=["BEN-3"])

    assert [entry.id for entry in found] == ["BEN-8", "BEN-7", "BEN-9"]


def test_a_header_typo_is_named_with_the_closest_column():
    assert problems({"id": "BEN-1", "category": "customer", "tagret": "4"}) == [
        "benefits.csv, header, column tagret: 'tagret' is not a register column; "
        "did you mean 'target'?"
    ]


def test_every_problem_names_its_row_and_column_and_nothing_is_returned():
    rows = [
        {"id": "BEN-1", "category": "financial", "baseline": "lots"},
        {"id": "BEN-2", "category": "money"},
        {"id": "BEN-3", "category": "customer", "owner": "alice"},
        {
            "id": "BEN-4",
            "category": "customer",
            "baseline_date": "2027-02-01",
            "target_date": "2027-01-01",
        },
        {
            "id": "BEN-5",
            "category": "customer",
            "direction": "decrease",
            "baseline": "10",
            "target": "20",
        },
        {"id": "BEN-1", "category": "customer"},
        {"id": "BEN-6", "category": "customer", "target_date": "next year"},
    ]

    found = problems(*rows, first_row=2)

    assert (
        found[0] == "benefits.csv, row 2, column baseline: 'lots' is not a number, e.g. 1200 or 0.5"
    )
    assert found[1].startswith(
        "benefits.csv, row 3, column category: 'money' is not one of 'financial'"
    )
    assert found[2].startswith(
        "benefits.csv, row 4, column owner: owner 'alice' is not a Slack user id"
    )
    assert found[3] == (
        "benefits.csv, row 5, column target_date: BEN-4: target date 2027-01-01 is before baseline "
        "date 2027-02-01; a benefit is realised after it is measured"
    )
    assert found[4].startswith(
        "benefits.csv, row 6, column target: BEN-5: the metric should decrease"
    )
    assert found[5] == "benefits.csv, row 7, column id: BEN-1 is also on row 2; ids are unique"
    assert (
        found[6]
        == "benefits.csv, row 8, column target_date: 'next year' is not a date; write YYYY-MM-DD"
    )
    assert len(found) == 7


def test_the_error_message_is_one_line_per_problem():
    with pytest.raises(RegisterImportError) as error:
        parse({"id": "BEN-1", "category": "x"}, {"id": "BEN-2", "category": "y"})

    assert str(error.value).count("\n") == 1


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            {"milestones": "2027-03-01:12"},
            "column milestones: milestone '2027-03-01:12' is not DATE=VALUE",
        ),
        ({"review_offsets": "30 ninety"}, "column review_offsets: 'ninety' is not a number"),
        ({"lag_days": "1.5"}, "column lag_days: '1.5' is not a whole number"),
        (
            {"risks": "a | b | c | d | e | f | g"},
            "column risks: risk 'a | b | c | d | e | f | g' has more",
        ),
        (
            {"direction": "range", "low": "95"},
            "column high: a range metric needs both low and high",
        ),
    ],
    ids=["milestone", "offset", "lag", "risk", "range"],
)
def test_cells_that_cannot_be_read(cell, expected):
    (found,) = problems({"id": "BEN-1", "category": "customer", **cell})
    assert expected in found


def test_an_export_reads_back_as_the_same_register():
    entries = parse(ROW, {"id": "BEN-2", "category": "strategic", "title": "Partner channel"})

    rows = register_rows(entries)

    assert list(rows[0]) == list(COLUMNS)
    assert parse(*rows) == entries


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
)
def test_numbers_survive_an_export_exactly(baseline, step):
    entry = benefit(baseline=baseline, target=baseline + step, cost=step)

    (again,) = parse(*register_rows([entry]))

    assert (again.baseline, again.target, again.cost) == (entry.baseline, entry.target, entry.cost)


def test_risks_the_rule_raised_are_not_exported():
    entry = benefit(risks=(Risk(text="behind twice", automatic=True), Risk(text="vendor")))

    assert register_rows([entry])[0]["risks"] == "vendor | medium | medium |  |  | open"


# ---------------------------------------------------------------- re-import


def test_a_reimport_reports_added_changed_and_unchanged_entries_by_id():
    stored = [benefit(id="BEN-1"), benefit(id="BEN-2"), benefit(id="BEN-3")]
    incoming = [
        benefit(id="BEN-1", target=250.0, owner="U999"),
        benefit(id="BEN-2"),
        benefit(id="BEN-4"),
    ]

    diff = diff_register(stored, incoming)

    assert diff.added == ("BEN-4",)
    assert diff.unchanged == ("BEN-2",)
    assert diff.untouched == ("BEN-3",)
    (change,) = diff.changed
    assert change.benefit_id == "BEN-1"
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("owner", "U123ABC", "U999"),
        ("target", "200", "250"),
    ]
    assert diff.summary == "1 added, 1 changed, 1 unchanged"


def test_a_csv_row_longer_than_its_header_is_named():
    import csv
    import io

    text = "id,category,title\nBEN-1,customer,Fewer calls, faster\n"
    rows = list(csv.DictReader(io.StringIO(text)))

    assert problems(*rows, first_row=2) == [
        "benefits.csv, row 2: more cells than the header has columns; quote cells with commas"
    ]


def test_separators_inside_risks_and_goals_survive_an_export():
    entry = benefit(
        goals=("Cost; and quality", "Speed"),
        risks=(Risk(text="agents | keep old habit; for now", mitigation="train; coach"),),
    )

    (again,) = parse(*register_rows([entry]))

    assert again.goals == entry.goals
    assert again.risks == entry.risks
