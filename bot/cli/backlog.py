"""The backlog commands: rank, why, plan (offline), and sync, score, reorder, undo (a team's)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli import options
from bot.cli.options import JsonOption, LimitOption, SourceOption, TeamOption
from bot.cli.output import (
    emit_json,
    err,
    error_line,
    out,
    print_by_value,
    print_plan_summary,
    print_ranking,
    progress,
    styled,
)
from bot.errors import UnknownIssueError, UserError
from bot.progress import reporting
from bot.usecases.json_rows import plan_json, ranking_rows, value_rows
from connectors.errors import ConnectorError
from rules.errors import PlanInputError

if TYPE_CHECKING:  # imported where used, so `northstar --help` starts without pydantic's models
    from bot.config import Team
    from bot.usecases.rank_source import SourceRanking
    from bot.wiring import Services

commands = typer.Typer()


def _rank_source(source: str | None, team: str | None) -> SourceRanking:
    """The ranking, having said once what the source left out (on stderr: stdout stays data)."""
    from bot.usecases.rank_source import rank_source

    found = rank_source(source, options.config(), team_name=team)
    options.say_if_example(found.sample)
    for note in found.notes:
        err.print(f"note: {note}", highlight=False, soft_wrap=True)
    return found


@commands.command()
def rank(
    source: SourceOption = None,
    team: TeamOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = 50,
    by_value: Annotated[
        bool,
        typer.Option(
            "--by-value",
            help="List by score, with each item's backlog rank and what holds it, "
            "instead of the ranked backlog.",
        ),
    ] = False,
) -> None:
    """Score and rank the team's backlog (or a file, or the sample), with explanations."""
    scores = _rank_source(source, team).scores
    if by_value:
        from rules.explain import top_by_value

        entries = top_by_value(scores.ranking, limit)
        if as_json:
            emit_json(value_rows(entries))
            return
        print_by_value(entries, f"{scores.team.name}: top {len(entries)} by value")
        return
    if as_json:
        emit_json(ranking_rows(scores.ranking, limit))
        return
    print_ranking(scores.ranking, limit, f"{scores.team.name}: top of the ranked backlog")
    total = len(scores.ranking.items)
    if total > limit:
        out.print(f"showing {limit} of {total}; --limit N shows more", highlight=False)


@commands.command()
def why(
    key: Annotated[str, typer.Argument(help="Issue key, e.g. PAY-12.")],
    source: SourceOption = None,
    team: TeamOption = None,
    as_json: JsonOption = False,
) -> None:
    """Explain one item's score term by term, and the pairs that decide its place."""
    from bot.usecases.explain import explain
    from rules.explain import why as why_pairs
    from rules.model import Ranking

    source_ranking = _rank_source(source, team)
    scores = source_ranking.scores
    if key.upper() in source_ranking.done:
        raise UserError(f"{key.upper()} is done, so it is not ranked; `why` explains open items")
    found = explain(scores, key.upper())
    ranked = found.ranked
    if ranked is None:  # scored but not in the ranking: nothing to explain a position by
        raise UnknownIssueError(key.upper(), [scores.team.name])
    if as_json:
        answer = why_pairs(scores.ranking, ranked.key, scores.tolerance)
        emit_json(
            {
                **ranking_rows(Ranking(items=(ranked,)))[0],
                "position": found.position,
                "below": None if answer.below is None else answer.below.model_dump(),
                "beaten_above": [pair.model_dump() for pair in answer.beaten_above],
            }
        )
        return
    out.print(styled((ranked.key, "bold"), f" {ranked.item.summary}  (rank {ranked.rank})"))
    for line in found.lines:
        out.print(line, highlight=False, markup=False)
    for line in found.pairs:
        out.print(line, highlight=False, markup=False)
    out.print(found.position, highlight=False, markup=False)


def _read_keys(path: Path, label: str) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise PlanInputError(f"cannot read the {label} file {path}: {e.strerror}") from e
    keys = []
    for number, line in enumerate(lines, start=1):
        key = line.strip()
        if not key:
            if number == len(lines):
                continue
            raise PlanInputError(f"{path} line {number}: blank key; write one issue key a line")
        keys.append(key)
    return keys


@commands.command()
def plan(
    current: Annotated[Path, typer.Option("--current", help="Current order, one key a line.")],
    target: Annotated[Path, typer.Option("--target", help="Target order, one key a line.")],
    as_json: JsonOption = False,
) -> None:
    """Plan the fewest Jira rank calls that turn CURRENT into TARGET."""
    from rules.reorder import plan_moves

    try:
        result = plan_moves(_read_keys(current, "current"), _read_keys(target, "target"))
    except PlanInputError as e:
        error_line(str(e))
        raise typer.Exit(2) from e
    if as_json:
        emit_json(plan_json(result))
        return
    print_plan_summary(result)
    for number, move in enumerate(result.moves, start=1):
        where = f"before {move.before}" if move.before else f"after {move.after}"
        shown = ", ".join(move.issues[:6]) + (" ..." if len(move.issues) > 6 else "")
        out.print(f"  call {number}: {len(move.issues)} issue(s) {where}: {shown}")


@commands.command()
def sync(
    team: TeamOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch everything, not only what changed.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fetch the team's backlog (changes since the last sync; everything with --full)."""
    from bot.usecases.sync import sync_team

    svc = options.services()
    teams = (
        [options.team_of(svc, team)]
        if team or len(svc.config.teams) == 1
        else list(svc.config.teams)
    )
    reports = []
    for each in teams:
        options.say_if_example(each.source == "sample")
        with progress(f"syncing {each.name}") as update, reporting(lambda n: update(n, None)):
            reports.append(sync_team(svc, each, full=full))
    if as_json:
        emit_json([asdict(report) for report in reports])
        return
    for report in reports:
        kind = "full" if report.full else "incremental"
        out.print(
            f"{report.team}: {kind} sync, {report.fetched} fetched, {report.removed} left the "
            f"backlog, {report.total} stored ({report.requests} requests)"
        )
        for warning in report.warnings:
            out.print(f"warning: {warning}", markup=False, highlight=False)


@commands.command()
def score(team: TeamOption = None, as_json: JsonOption = False, limit: LimitOption = 20) -> None:
    """Score the team's backlog and write changed scores back to the score field."""
    from bot.usecases.score import score_team

    svc = options.services()
    chosen = options.team_of(svc, team)
    options.say_if_example(chosen.source == "sample")
    with progress("writing scores") as update, reporting(lambda n: update(n, None)):
        result = score_team(svc, chosen, write=True)
    if as_json:
        emit_json({"written": result.written, "ranking": ranking_rows(result.ranking)})
        return
    print_ranking(result.ranking, limit, f"{result.team.name}: top of the ranked backlog")
    out.print(f"{len(result.written)} score(s) written; unchanged scores were left alone.")


@commands.command()
def reorder(
    team: TeamOption = None,
    apply: Annotated[bool, typer.Option("--apply", help="Apply the plan to the tool.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the reorder plan (a dry run), or apply it with --apply."""
    svc = options.services()
    chosen = options.team_of(svc, team)
    options.say_if_example(chosen.source == "sample")
    if apply:
        _apply(svc, chosen, as_json)
        return
    from bot.usecases.reorder import preview_reorder

    preview = preview_reorder(svc, chosen)
    if as_json:
        emit_json(
            {
                "team": chosen.name,
                "moves": plan_json(preview.plan),
                "calls": preview.plan.calls,
                "naive_calls": preview.plan.naive_calls,
                "rerank_all_calls": preview.plan.rerank_all_calls,
                "summary": preview.summary.model_dump(),
                "rows": [asdict(row) for row in preview.rows],
            }
        )
        return
    table = Table(title=f"{chosen.name}: reorder plan (dry run)", title_justify="left")
    for column in ("key", "summary", "from", "to", "re-scored", "why"):
        table.add_column(column)
    for row in preview.rows:
        table.add_row(
            Text(row.key),
            Text(row.summary[:40]),
            str(row.old),
            str(row.new),
            "yes" if row.rescored else "",
            Text(row.reason),
        )
    out.print(table)
    print_plan_summary(preview.plan, preview.summary)
    if preview.plan.calls:
        out.print("Run again with --apply to apply it; `northstar undo` reverts it.")


def _apply(svc: Services, chosen: Team, as_json: bool) -> None:
    from bot.usecases.reorder import apply_reorder

    try:
        with progress("applying rank calls") as update:
            report = apply_reorder(svc, chosen, progress=update)
    except ConnectorError as e:
        raise UserError(
            f"{e}. Every rank call that landed is recorded: run `northstar reorder --apply` "
            "again to continue from the order Jira has now"
        ) from e
    if as_json:
        emit_json(asdict(report))
        return
    verb = "Resumed and applied" if report.resumed else "Applied"
    out.print(
        f"{verb} {report.calls} rank call(s) moving {report.moved} item(s) "
        f"({report.touched} issue(s) touched)."
    )
    if report.verified:
        out.print("Read back: the backlog order equals the target.")
        return
    err.print(styled(("warning:", "yellow"), " the order read back differs from the target:"))
    for line in report.differences[:20]:
        err.print(f"  {line}", highlight=False)
    raise typer.Exit(1)


@commands.command()
def undo(team: TeamOption = None, as_json: JsonOption = False) -> None:
    """Restore the order the last applied reorder replaced."""
    from bot.usecases.reorder import undo_reorder

    svc = options.services()
    with progress("undoing") as update:
        report = undo_reorder(svc, options.team_of(svc, team), progress=update)
    if as_json:
        emit_json(asdict(report))
        return
    out.print(f"Restored the previous order with {report.calls} rank call(s).")
