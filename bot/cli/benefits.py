"""``northstar benefits ...``: the benefit register from the command line.

Every command calls one use case of :mod:`bot.usecases.benefits` and prints its result as
plain text (register text is people's own words, so it is never read as Rich markup) or, with
``--json``, as JSON.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from bot.cli import options
from bot.cli.options import JsonOption, TeamOption
from bot.cli.output import emit_json, out
from bot.errors import UserError

if TYPE_CHECKING:  # --help must start without pydantic's models
    from rules.assessment import Assessment

commands = typer.Typer(
    name="benefits",
    help="The benefit register: import, list, show, measure, lessons, report.",
    no_args_is_help=True,
)

BenefitArgument = Annotated[str, typer.Argument(help="A benefit id such as BEN-3.")]


def _say(text: str = "") -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--at {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-30") from None


@commands.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A register file, .csv or .toml.")],
) -> None:
    """Add and update benefits from a CSV or TOML file (by id; nothing is deleted)."""
    from bot.usecases.benefits import import_register

    report = import_register(options.services(), file)
    for line in report.lines():
        _say(line)


@commands.command()
def export(
    fmt: Annotated[
        Literal["csv", "json"], typer.Option("--format", "-f", help="csv (import format) or json.")
    ] = "csv",
    team: TeamOption = None,
) -> None:
    """Print the register in the import format (CSV) or as JSON."""
    from bot.usecases.benefits import export_register

    text = export_register(options.services(), fmt, team)
    typer.echo(text, nl=not text.endswith("\n"))


@commands.command("list")
def list_(team: TeamOption = None, as_json: JsonOption = False) -> None:
    """The register: status against plan and SMART check per benefit, and calibration."""
    from bot.chat.benefit_text import calibration_lines, listing_line
    from bot.usecases.benefits import list_benefits

    listing = list_benefits(options.services(), team)
    if as_json:
        emit_json(
            {
                "today": listing.today.isoformat(),
                "benefits": [_assessment_json(found) for found in listing.assessments],
                "calibration": listing.calibration.model_dump(mode="json"),
            }
        )
        return
    if not listing.assessments:
        _say("No benefits in the register yet: `northstar benefits import FILE` adds them.")
    for found in listing.assessments:
        _say(listing_line(found))
    for line in calibration_lines(listing.calibration):
        _say(line)


@commands.command()
def show(benefit_id: BenefitArgument, as_json: JsonOption = False) -> None:
    """One benefit: SMART check, status, variance, risks, NPV and ROI terms, lessons."""
    from bot.chat.benefit_text import benefit_lines
    from bot.usecases.benefits import show_benefit

    view = show_benefit(options.services(), benefit_id)
    if as_json:
        emit_json(
            {
                **_assessment_json(view.assessment),
                "measurements": [m.model_dump(mode="json") for m in view.measurements],
                "reviews": [
                    {
                        "kind": review.kind,
                        "due": review.due.isoformat(),
                        "asked": review.asked_at is not None,
                        "answer": review.answer.answer if review.answer else None,
                    }
                    for review in view.reviews
                ],
                "lessons": [lesson.text for lesson in view.lessons],
                "unknown_links": list(view.unknown_links),
            }
        )
        return
    found = benefit_lines(
        view.assessment, view.measurements, view.reviews, view.lessons, view.unknown_links
    )
    for line in found:
        _say(line)


@commands.command()
def measure(
    subject: Annotated[str, typer.Argument(help="A benefit id (BEN-3) or a value goal's name.")],
    value: Annotated[str, typer.Argument(help="The measured value, e.g. 1200.")],
    at: Annotated[str | None, typer.Option("--at", help="Measured on (YYYY-MM-DD).")] = None,
    confidence: Annotated[
        str | None,
        typer.Option("--confidence", help="on-track, at-risk or off-track."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="What the figure means.")] = "",
    team: TeamOption = None,
) -> None:
    """Record an actual of a benefit or a value goal."""
    from bot.chat.benefit_text import recorded_line
    from bot.usecases.benefits import record_measurement

    recorded = record_measurement(
        options.services(),
        subject,
        value,
        on=_date(at),
        confidence=confidence,
        note=note,
        source="cli",
        team=team,
    )
    _say(
        recorded_line(
            recorded.measurement,
            assessment=recorded.assessment,
            goal=recorded.goal,
            risk_raised=recorded.risk_raised,
        )
    )


@commands.command()
def lessons(team: TeamOption = None) -> None:
    """Lessons learned in benefit reviews, newest first."""
    from bot.chat.benefit_text import lesson_line
    from bot.usecases.benefits import lessons as learned

    found = learned(options.services(), team)
    if not found:
        _say("No lessons recorded yet: they come from the reviews after delivery.")
    for lesson in found:
        _say(lesson_line(lesson))


@commands.command()
def report(
    team: TeamOption = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write into (created if missing).")
    ] = Path("benefits-report"),
) -> None:
    """Write the register as Markdown and CSV, with a chart per benefit and the portfolio's."""
    from bot.usecases.benefits import write_report

    written = write_report(options.services(), out_dir, team)
    _say(f"Wrote {len(written)} file(s) into {out_dir}:")
    for path in written:
        _say(f"  {path.name}")


def _assessment_json(found: Assessment) -> dict[str, Any]:
    return {
        "benefit": found.benefit.model_dump(mode="json"),
        "smart": found.smart.summary(),
        "missing": list(found.smart.missing),
        "delivered": found.delivered.isoformat() if found.delivered else None,
        "start": found.start.isoformat() if found.start else None,
        "status": found.status.model_dump(mode="json"),
        "risk": found.risk,
        "money": found.money.model_dump(mode="json") if found.money else None,
        "money_explained": found.money.explain() if found.money else [],
        "reviews": [review.model_dump(mode="json") for review in found.reviews],
        "next_measurement": found.next_measurement.isoformat() if found.next_measurement else None,
    }
