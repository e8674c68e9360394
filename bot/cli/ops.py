"""Running and checking Northstar: serve, scheduler, doctor, and ``db upgrade``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from bot.cli import options
from bot.cli.options import JsonOption
from bot.cli.output import emit_json, out, styled
from bot.errors import UserError

commands = typer.Typer()
db_commands = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@commands.command()
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
    svc = options.services()
    if http:
        serve_http(svc, port=port, workers=workers)
    else:
        serve_socket(svc)


@commands.command()
def scheduler() -> None:
    """Run the scheduler: digests, reminders, check-ins and syncs (one active at a time)."""
    from bot.scheduling.runner import run_scheduler

    run_scheduler(options.services())


@commands.command()
def doctor(as_json: JsonOption = False) -> None:
    """Check settings, Jira access and permissions, the field mapping and the database."""
    from bot.usecases.doctor import diagnose

    checks = diagnose(options.settings)
    if as_json:
        emit_json([asdict(check) for check in checks])
    else:
        for check in checks:
            mark = ("ok  ", "green") if check.ok else ("FAIL", "red")
            out.print(
                styled(mark, f" {check.name}: {check.detail}"), highlight=False, soft_wrap=True
            )
            if not check.ok and check.fix:
                out.print(f"      fix: {check.fix}", highlight=False, soft_wrap=True)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


@db_commands.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    from bot.storage import Store

    store = Store(options.settings().database_url)
    store.upgrade()
    out.print("Database schema is up to date.")
