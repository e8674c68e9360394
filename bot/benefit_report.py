"""The benefits report as files: the register in Markdown and CSV, and its charts.

What ``northstar benefits report [--out DIR]`` writes: ``benefits.md`` for people (with the
lessons learned), ``benefits.csv`` in the import format (re-importing it
changes nothing), a chart per benefit with a plan or actuals, and ``benefits-portfolio.png``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.benefit_charts import benefit_chart_png, portfolio_chart_png
from bot.storage.benefits import Lesson
from rules.assessment import Assessment
from rules.benefits import Measurement
from rules.register import COLUMNS, register_rows

MARKDOWN_NAME = "benefits.md"
CSV_NAME = "benefits.csv"
PORTFOLIO_NAME = "benefits-portfolio.png"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def register_markdown(
    assessments: Sequence[Assessment], *, title: str, lessons: Sequence[Lesson] = ()
) -> str:
    """The register as a Markdown table, each benefit's NPV/ROI terms and risks, its lessons."""
    lines = [
        f"# {title}",
        "",
        "| id | title | category | owner | metric | baseline | target | by | status | "
        "on plan | SMART |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for found in assessments:
        benefit = found.benefit
        metric = " ".join(part for part in (benefit.measure.metric, benefit.measure.unit) if part)
        lines.append(
            "| "
            + " | ".join(
                _cell(text)
                for text in (
                    benefit.id,
                    benefit.title,
                    benefit.category.value,
                    benefit.owner or "",
                    f"{metric} ({benefit.measure.direction.value})" if metric else "",
                    _number(benefit.baseline),
                    _number(benefit.target),
                    benefit.target_date.isoformat() if benefit.target_date else "",
                    benefit.status.value,
                    found.status.state,
                    found.smart.summary(),
                )
            )
            + " |"
        )
    for found in assessments:
        details: list[str] = []
        if found.money is not None:
            details.extend(f"    {line}" for line in found.money.explain())
        details.extend(
            f"- risk ({'open' if risk.open else 'closed'}, {risk.likelihood} likelihood, "
            f"{risk.impact} impact): {risk.text}"
            for risk in found.benefit.risks
        )
        if found.risk is not None:
            details.append(f"- at risk now: {found.risk}")
        details.extend(
            f"- Lesson learned ({lesson.benefit_id}, {lesson.kind} review): {lesson.text}"
            for lesson in lessons
            if lesson.benefit_id == found.benefit.id
        )
        if details:
            lines.extend(["", f"## {found.benefit.id} {found.benefit.title}".rstrip(), ""])
            lines.extend(details)
    return "\n".join(lines) + "\n"


def write_benefits_report(
    out: Path,
    assessments: Sequence[Assessment],
    measurements: Iterable[Measurement],
    *,
    title: str = "Benefit register",
    lessons: Sequence[Lesson] = (),
) -> list[Path]:
    """Write the report into ``out`` (created if missing); the paths written, in order."""
    out.mkdir(parents=True, exist_ok=True)
    measured = list(measurements)
    written = [out / MARKDOWN_NAME, out / CSV_NAME]
    markdown = register_markdown(assessments, title=title, lessons=lessons)
    written[0].write_text(markdown, encoding="utf-8")
    with written[1].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(register_rows(found.benefit for found in assessments))
    for found in assessments:
        if found.benefit.baseline is None and not any(
            m.benefit_id == found.benefit.id for m in measured
        ):
            continue  # nothing to draw
        path = out / f"{found.benefit.id}.png"
        path.write_bytes(
            benefit_chart_png(found.benefit, measured, start=found.start, today=found.today)
        )
        written.append(path)
    portfolio = out / PORTFOLIO_NAME
    cases = [found.money for found in assessments if found.money is not None]
    portfolio.write_bytes(portfolio_chart_png(cases, title=title))
    written.append(portfolio)
    return written
