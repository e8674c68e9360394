"""The benefits report: Markdown people read, CSV that re-imports unchanged, and PNG charts."""

from __future__ import annotations

import csv
from datetime import date

from bot.benefit_report import CSV_NAME, MARKDOWN_NAME, PORTFOLIO_NAME, write_benefits_report
from rules.assessment import assess
from rules.benefits import Benefit, Risk
from rules.model import BenefitCategory
from rules.register import diff_register, parse_register_rows
from tests.bot.test_benefit_charts import ACTUALS, saving
from tests.bot.test_charts import png_size

TODAY = date(2027, 5, 1)


def test_the_report_writes_markdown_csv_and_charts(tmp_path):
    register = [
        saving(
            realisation_start=date(2027, 1, 1),
            risks=(Risk(text="agents | keep old habit", likelihood="high"),),
            owner="U123ABC",
        ),
        Benefit(id="BEN-2", category=BenefitCategory.STRATEGIC, title="Partner channel"),
    ]
    assessed = [assess(b, today=TODAY, measurements=ACTUALS, annual_rate=0.1) for b in register]

    written = write_benefits_report(tmp_path / "out", assessed, ACTUALS, title="payments")

    names = [path.name for path in written]
    assert names == [MARKDOWN_NAME, CSV_NAME, "BEN-1.png", PORTFOLIO_NAME]
    markdown = (tmp_path / "out" / MARKDOWN_NAME).read_text()
    assert markdown.startswith("# payments\n")
    assert (
        "| BEN-1 | Cheaper support | financial | U123ABC | support cost EUR (decrease) | 5,000 "
        "| 3,000 | 2027-06-30 | proposed | on track | not SMART: specific: no description; "
        "linked: no epic or value goal |"
    ) in markdown
    assert "not SMART: specific: no description; measurable: no metric, no baseline" in markdown
    assert (
        "- risk (open, high likelihood, medium impact): agents \\| keep old habit" not in markdown
    )
    assert "- risk (open, high likelihood, medium impact): agents | keep old habit" in markdown
    assert "    ROI planned = (NPV - PV of costs) / PV of costs = " in markdown
    with (tmp_path / "out" / CSV_NAME).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    again = parse_register_rows(rows, source=CSV_NAME, first_row=2)
    assert diff_register(register, again).unchanged == ("BEN-1", "BEN-2")
    for path in written[2:]:
        assert png_size(path.read_bytes()) == (800, 450)
