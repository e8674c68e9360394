"""``northstar demo``: the main job on the built-in sample, with nothing to set up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.output import out, print_by_value, print_plan_summary, styled

commands = typer.Typer()


@commands.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the demo's files.")] = Path(
        "northstar-demo"
    ),
) -> None:
    """Run the main job on the built-in sample backlog: no config, no network, no credentials."""
    from bot.usecases.demo import run_demo
    from rules.explain import summarize, top_by_value

    result = run_demo(out_dir)
    out.print(
        styled(
            ("Northstar demo", "bold"),
            ": team ",
            (result.team, "cyan"),
            f", {len(result.scores.ranking.items)} open items scored with "
            f"{result.model.upper()} and the rules in {result.config_name}.",
        )
    )
    print_by_value(top_by_value(result.scores.ranking, 20), "Top 20 by value")
    print_plan_summary(result.plan, summarize(result.scores.ranking, result.plan))
    out.print(f"Wrote {', '.join(str(path) for path in result.files)}")
    if result.benefit_files:
        folder = result.benefit_files[0].parent
        out.print(f"Benefits report in {folder}: {', '.join(p.name for p in result.benefit_files)}")
