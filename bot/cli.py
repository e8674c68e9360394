"""The ``northstar`` command line.

Commands are thin: they parse options, call a use case and render its result as a Rich table
or, with ``--json``, as JSON. Every known error becomes one line and a non-zero exit; anything
unexpected is logged with an error id and shown as a generic line (the traceback only with
``--debug``).
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.config import ConfigError, NorthstarConfig, Team, load_config
from bot.errors import UserError
from bot.progress import reporting
from bot.settings import Settings
from bot.usecases.json_rows import plan_json, ranking_rows
from connectors.base import ConnectorError
from rules.errors import PlanInputError, RulesError
from rules.model import Ranking, RankPlan

if TYPE_CHECKING:
    from bot.usecases.score import TeamScores
    from bot.wiring import Services

logger = logging.getLogger("northstar")

app = typer.Typer(
    name="northstar",
    help="Keep a Jira backlog ordered by value, and a team aligned on value in Slack.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console()
# errors are one line each, never wrapped, so they stay greppable in logs and CI output
err = Console(stderr=True, soft_wrap=True)


class _State:
    debug = False
    config_path: Path | None = None


state = _State()

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="Team name (needed when several are set up).")
]
SourceOption = Annotated[
    str,
    typer.Option(
        "--source", "-s", help="sample[:TEAM], csv:PATH or json:PATH (jira: use `sync`/`score`)."
    ),
]


@app.callback()
def _root(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="northstar.toml (default: $NORTHSTAR_CONFIG)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    state.debug = debug
    state.config_path = config
    from bot.logs import configure_logging

    configure_logging(Settings(), debug=debug)


def _settings() -> Settings:
    settings = Settings()
    if state.config_path is not None:
        settings = settings.model_copy(update={"config": state.config_path})
    return settings


def _config() -> NorthstarConfig:
    return load_config(_settings().config)


def _services() -> Services:
    from bot.wiring import build_services

    return build_services(_settings())


def _emit_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str))


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar on a terminal, nothing when output is piped."""
    if not out.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# ---------------------------------------------------------------- rendering


def print_ranking(ranking: Ranking, limit: int, title: str) -> None:
    # one line a row, so the table reads on an 80-column terminal too: rank, key and score
    # keep their width, summary and reason share what is left and are cut with an ellipsis
    shown = ranking.items[:limit]
    key_width = max((len(ranked.key) for ranked in shown), default=3)
    fixed = 3 + 3 + key_width + 7 + 3 * 6 + 1  # rank, was, key, score, borders and padding
    free = max(out.width - fixed, 30)
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right", no_wrap=True, width=3)
    table.add_column("was", justify="right", style="dim", no_wrap=True, width=3)
    table.add_column("key", style="bold", no_wrap=True, width=key_width)
    table.add_column("summary", width=free * 3 // 5, overflow="ellipsis", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True, width=7)
    table.add_column("why", width=free - free * 3 // 5, overflow="ellipsis", no_wrap=True)
    for ranked in shown:
        flag = " [yellow](needs estimate)[/]" if ranked.score.needs_estimate else ""
        table.add_row(
            str(ranked.rank),
            "new" if ranked.previous_rank is None else str(ranked.previous_rank),
            ranked.key,
            ranked.item.summary,
            f"{ranked.score.value:.2f}",
            (ranked.reason or top_reason(ranked.score.explain())) + flag,
        )
    out.print(table)


def top_reason(lines: list[str]) -> str:
    return lines[0] if lines else ""


def print_plan_summary(plan: RankPlan) -> None:
    moved = len(plan.moved_keys)
    out.print(
        f"[bold]{moved}[/] of {len(plan.target)} items move: "
        f"[bold green]{plan.calls}[/] rank call(s), versus {plan.naive_calls} "
        f"(one call per issue) and {plan.rerank_all_calls} (re-ranking all)."
    )


# ---------------------------------------------------------------- offline commands


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the demo's files.")] = Path(
        "northstar-demo"
    ),
) -> None:
    """Run the main job on the built-in sample backlog: no config, no network, no credentials."""
    from bot.usecases.demo import run_demo

    result = run_demo(out_dir)
    out.print(
        f"[bold]Northstar demo[/]: team [cyan]{result.team}[/], {len(result.scores.ranking.items)}"
        f" open items scored with {result.model.upper()} and the rules in {result.config_name}."
    )
    print_ranking(result.scores.ranking, 20, "Top 20 by value")
    print_plan_summary(result.plan)
    out.print(f"Wrote {', '.join(str(path) for path in result.files)}")


def _rank_source(source: str, team: str | None) -> TeamScores:
    from bot.usecases.rank_source import rank_source

    return rank_source(source, _config(), team_name=team)


@app.command()
def rank(
    source: SourceOption = "sample",
    team: TeamOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many items to show.")] = 50,
) -> None:
    """Score and rank a backlog from a file or the sample, with explanations."""
    scores = _rank_source(source, team)
    if as_json:
        _emit_json(ranking_rows(scores.ranking))
        return
    print_ranking(scores.ranking, limit, f"{scores.team.name}: ranked by value")


@app.command()
def why(
    key: Annotated[str, typer.Argument(help="Issue key, e.g. PAY-12.")],
    source: SourceOption = "sample",
    team: TeamOption = None,
    as_json: JsonOption = False,
) -> None:
    """Explain one item's score term by term, and why it sits above the next item."""
    from bot.errors import UnknownIssueError
    from rules.ranking import explain_position

    scores = _rank_source(source, team)
    ranked = scores.ranking.find(key.upper())
    if ranked is None:
        raise UnknownIssueError(key.upper(), [scores.team.name])
    position = explain_position(scores.ranking, ranked.key)
    if as_json:
        _emit_json({**ranking_rows(Ranking(items=(ranked,)))[0], "position": position})
        return
    out.print(f"[bold]{ranked.key}[/] {ranked.item.summary}  (rank {ranked.rank})")
    for line in ranked.score.explain():
        out.print(line, highlight=False)
    out.print(position, highlight=False)


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


@app.command()
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
        err.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from e
    if as_json:
        _emit_json(plan_json(result))
        return
    print_plan_summary(result)
    for number, move in enumerate(result.moves, start=1):
        where = f"before {move.before}" if move.before else f"after {move.after}"
        shown = ", ".join(move.issues[:6]) + (" ..." if len(move.issues) > 6 else "")
        out.print(f"  call {number}: {len(move.issues)} issue(s) {where}: {shown}")


# ---------------------------------------------------------------- team commands


def _team(svc: Any, name: str | None) -> Team:
    team: Team = svc.config.team(name)
    return team


@app.command()
def sync(team: TeamOption = None, full: bool = False, as_json: JsonOption = False) -> None:
    """Fetch the team's backlog (changes since the last sync; everything with --full)."""
    from bot.usecases.sync import sync_team

    svc = _services()
    teams = [_team(svc, team)] if team or len(svc.config.teams) == 1 else list(svc.config.teams)
    reports = []
    for each in teams:
        with _progress(f"syncing {each.name}") as update, reporting(lambda n: update(n, None)):
            reports.append(sync_team(svc, each, full=full))
    if as_json:
        _emit_json([asdict(report) for report in reports])
        return
    for report in reports:
        kind = "full" if report.full else "incremental"
        out.print(
            f"{report.team}: {kind} sync, {report.fetched} fetched, {report.removed} left the "
            f"backlog, {report.total} stored ({report.requests} requests)"
        )


@app.command()
def score(team: TeamOption = None, as_json: JsonOption = False, limit: int = 20) -> None:
    """Score the team's backlog and write changed scores back to the score field."""
    from bot.usecases.score import score_team

    svc = _services()
    result = score_team(svc, _team(svc, team), write=True)
    if as_json:
        _emit_json({"written": result.written, "ranking": ranking_rows(result.ranking)})
        return
    print_ranking(result.ranking, limit, f"{result.team.name}: ranked by value")
    out.print(f"{len(result.written)} score(s) written; unchanged scores were left alone.")


@app.command()
def reorder(
    team: TeamOption = None,
    apply: Annotated[bool, typer.Option("--apply", help="Apply the plan to the tool.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the reorder plan (a dry run), or apply it with --apply."""
    from bot.usecases.reorder import apply_reorder, preview_reorder

    svc = _services()
    chosen = _team(svc, team)
    if apply:
        try:
            with _progress("applying rank calls") as progress:
                report = apply_reorder(svc, chosen, progress=progress)
        except ConnectorError as e:
            raise UserError(
                f"{e}. Every rank call that landed is recorded: run `northstar reorder --apply` "
                "again to continue from the order Jira has now"
            ) from e
        if as_json:
            _emit_json(asdict(report))
            return
        verb = "Resumed and applied" if report.resumed else "Applied"
        out.print(f"{verb} {report.calls} rank call(s) moving {report.moved} item(s).")
        if report.verified:
            out.print("Read back: the backlog order equals the target.")
        else:
            err.print("[yellow]warning:[/] the order read back differs from the target:")
            for line in report.differences[:20]:
                err.print(f"  {line}", highlight=False)
            raise typer.Exit(1)
        return
    preview = preview_reorder(svc, chosen)
    if as_json:
        _emit_json(
            {
                "team": chosen.name,
                "moves": plan_json(preview.plan),
                "calls": preview.plan.calls,
                "naive_calls": preview.plan.naive_calls,
                "rerank_all_calls": preview.plan.rerank_all_calls,
                "rows": [asdict(row) for row in preview.rows],
            }
        )
        return
    table = Table(title=f"{chosen.name}: reorder plan (dry run)", title_justify="left")
    for column in ("key", "summary", "from", "to", "why"):
        table.add_column(column)
    for row in preview.rows:
        table.add_row(row.key, row.summary[:40], str(row.old), str(row.new), row.reason)
    out.print(table)
    print_plan_summary(preview.plan)
    if preview.plan.calls:
        out.print("Run again with --apply to apply it; `northstar undo` reverts it.")


@app.command()
def undo(team: TeamOption = None, as_json: JsonOption = False) -> None:
    """Restore the order the last applied reorder replaced."""
    from bot.usecases.reorder import undo_reorder

    svc = _services()
    with _progress("undoing") as progress:
        report = undo_reorder(svc, _team(svc, team), progress=progress)
    if as_json:
        _emit_json(asdict(report))
        return
    out.print(f"Restored the previous order with {report.calls} rank call(s).")


@app.command()
def digest(
    team: TeamOption = None,
    post: Annotated[bool, typer.Option("--post", help="Post to the team's channel.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Preview the weekly value digest, or post it with --post."""
    from bot.scheduling.jobs import post_digest, preview_digest

    svc = _services()
    chosen = _team(svc, team)
    now = svc.clock()
    if post:
        outcome = post_digest(svc, chosen, now, force=True)
        out.print(str(outcome))
        return
    model, blocks = preview_digest(svc, chosen, now)
    if as_json:
        _emit_json({"blocks": [block.to_dict() for block in blocks]})
        return
    from bot.chat.digest_blocks import digest_text

    out.print(digest_text(model), highlight=False, markup=False)


@app.command()
def remind(team: TeamOption = None) -> None:
    """Post the sprint-start reminder for newly active sprints now."""
    from bot.scheduling.jobs import post_reminder

    svc = _services()
    out.print(str(post_reminder(svc, _team(svc, team), svc.clock())))


@app.command()
def checkin(
    team: TeamOption = None,
    item: Annotated[str | None, typer.Option("--item", help="Ask about one issue only.")] = None,
) -> None:
    """Start a stakeholder check-in round (direct messages in Slack)."""
    from bot.usecases.checkins import start_round

    svc = _services()
    round_id = start_round(svc, _team(svc, team), items=[item] if item else None, started_by=None)
    out.print(f"Check-in round {round_id} started.")


@app.command()
def serve(
    http: Annotated[bool, typer.Option("--http", help="HTTP mode behind a load balancer.")] = False,
    socket: Annotated[bool, typer.Option("--socket", help="Socket Mode (no public URL).")] = False,
    port: Annotated[int, typer.Option(help="HTTP port.")] = 3000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
) -> None:
    """Run the Slack app (never a scheduler: run `northstar scheduler` once, separately)."""
    from bot.slack.server import serve_http, serve_socket

    if http == socket:
        raise UserError("choose one of --http or --socket")
    svc = _services()
    if http:
        serve_http(svc, port=port, workers=workers)
    else:
        serve_socket(svc)


@app.command()
def scheduler() -> None:
    """Run the scheduler: digests, reminders, check-ins and syncs (one active at a time)."""
    from bot.scheduling.runner import run_scheduler

    run_scheduler(_services())


@app.command()
def doctor(as_json: JsonOption = False) -> None:
    """Check settings, Jira access and permissions, the field mapping and the database."""
    from bot.usecases.doctor import run_checks

    checks = run_checks(_settings())
    if as_json:
        _emit_json([asdict(check) for check in checks])
    else:
        for check in checks:
            mark = "[green]ok[/]  " if check.ok else "[red]FAIL[/]"
            out.print(f"{mark} {check.name}: {check.detail}", highlight=False)
            if not check.ok and check.fix:
                out.print(f"      fix: {check.fix}", highlight=False)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    from bot.storage import Store

    settings = _settings()
    store = Store(settings.database_url)
    store.upgrade()
    out.print("Database schema is up to date.")


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning errors into one clear line."""
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.TyperException as e:  # a usage error: unknown command or option, bad value
        err.print(f"[red]error:[/] {e.format_message()} (see `northstar --help`)", highlight=False)
        sys.exit(e.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except (UserError, RulesError, ConnectorError, ConfigError) as e:
        if state.debug:
            logger.exception("command failed")
        err.print(f"[red]error:[/] {e}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted; `northstar reorder --apply` resumes an interrupted reorder")
        sys.exit(130)
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        logger.exception("unexpected error %s", error_id)
        err.print(
            f"[red]error:[/] something unexpected went wrong (error id {error_id}); "
            "run again with --debug for details",
            highlight=False,
        )
        sys.exit(1)
